"""The runbook pages (thin): the live board of a release's cut-over, its steps, and the rollback plan.

The board refreshes itself by htmx polling; each button posts the step's version, so a step changed by someone
else since the board was drawn is refused with a message instead of being overwritten.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.mep import runbook as svc
from oeuvre.mep import selectors
from oeuvre.mep.models import RunbookRun
from oeuvre.mep.permissions import MEP_MANAGE, MEP_VIEW, ROLLBACK_APPROVE, RUNBOOK_RUN
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_members
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import flash_error, posted_version

__all__ = ["urlpatterns"]


def _moment(raw: str, field: str) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: [_("« %(value)s » is not a date and time.") % {"value": raw}]}) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _run(request: HttpRequest) -> str:
    """The run the board shows: ``?run=dry`` for the dry run, the cut-over otherwise."""
    raw = request.POST.get("run") or request.GET.get("run") or RunbookRun.CUTOVER
    return raw if raw in svc.RUNS else RunbookRun.CUTOVER


def _to_board(project: Project, pk: int, run: str = RunbookRun.CUTOVER) -> HttpResponseRedirect:
    url = reverse("mep:runbook", args=[project.code, pk])
    return HttpResponseRedirect(url if run == RunbookRun.CUTOVER else f"{url}?run={run}")


def _board_context(request: HttpRequest, project: Project, pk: int, **extra: object) -> dict[str, object]:
    release = selectors.release_detail(project, pk)
    run = _run(request)
    user = request.user
    can_manage = can(user, project, MEP_MANAGE)
    return project_context(
        request,
        project,
        "mep",
        release=release,
        board=svc.runbook_board(release, run=run),
        run=run,
        runs=[(value, label) for value, label in RunbookRun.choices],
        comparison=svc.runbook_comparison(release),
        members=[m.user for m in project_members(project)] if can_manage else [],
        can_manage=can_manage,
        can_run=can(user, project, RUNBOOK_RUN),
        can_approve=can(user, project, ROLLBACK_APPROVE),
        **extra,
    )


@project_page(MEP_VIEW)
def runbook(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    context = _board_context(request, project, pk)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "mep/_runbook_board.html", context)
    return render(request, "mep/runbook.html", context)


@require_POST
@project_page(RUNBOOK_RUN)
def step_act(request: HttpRequest, project: Project, pk: int, step: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    found = svc.runbook_step_detail(release, step)
    error = ""
    try:
        svc.runbook_step_act(
            actor=request.user,  # type: ignore[arg-type]
            step=found,
            action=request.POST.get("action", ""),
            expected_version=posted_version(request),
            note=request.POST.get("note", ""),
            run=_run(request),
        )
    except DomainError as exc:
        if not request.htmx:  # type: ignore[attr-defined]
            flash_error(request, exc)
        error = (
            " ".join(str(m) for msgs in exc.errors.values() for m in msgs)
            if isinstance(exc, ValidationFailed)
            else str(exc.message)
        )
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "mep/_runbook_board.html", _board_context(request, project, pk, error=error))
    return _to_board(project, pk, _run(request))


@require_POST
@project_page(MEP_MANAGE)
def step_create(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    owner_id = request.POST.get("owner", "")
    owner = next((m.user for m in project_members(project) if str(m.user.pk) == owner_id), None)
    try:
        minutes_raw = request.POST.get("planned_minutes", "").strip() or "30"
        if not minutes_raw.isdigit():
            raise ValidationFailed(
                {"planned_minutes": [_("« %(value)s » is not a whole number.") % {"value": minutes_raw}]}
            )
        created = svc.runbook_step_create(
            actor=request.user,  # type: ignore[arg-type]
            release=release,
            title=request.POST.get("title", ""),
            owner=owner,
            planned_start=_moment(request.POST.get("planned_start", ""), "planned_start"),
            planned_minutes=int(minutes_raw),
            depends_on=request.POST.getlist("depends_on"),
            checkpoint=request.POST.get("checkpoint") == "1",
            point_of_no_return=request.POST.get("point_of_no_return") == "1",
            rollback=request.POST.get("rollback", ""),
        )
        messages.success(request, _("Step %(n)s added.") % {"n": created.position})
    except DomainError as exc:
        flash_error(request, exc)
    return _to_board(project, pk)


@require_POST
@project_page(MEP_MANAGE)
def rollback_plan(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    tested_raw = request.POST.get("tested_on", "")
    try:
        try:
            tested_on = dt.date.fromisoformat(tested_raw) if tested_raw else None
        except ValueError:
            raise ValidationFailed({"tested_on": [_("« %(value)s » is not a date.") % {"value": tested_raw}]}) from None
        svc.rollback_plan_save(
            actor=request.user,  # type: ignore[arg-type]
            release=release,
            expected_version=posted_version(request),
            steps=request.POST.get("steps", ""),
            decision_criterion=request.POST.get("decision_criterion", ""),
            max_minutes=request.POST.get("max_minutes", ""),
            tested_on=tested_on,
            test_result=request.POST.get("test_result", ""),
        )
        messages.success(request, _("Rollback plan saved."))
    except DomainError as exc:
        flash_error(request, exc)
    return HttpResponseRedirect(reverse("mep:runbook", args=[project.code, pk]) + "#rollback")


@require_POST
@project_page(MEP_MANAGE)
def step_edit(request: HttpRequest, project: Project, pk: int, step: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    found = svc.runbook_step_detail(release, step)
    owner_id = request.POST.get("owner", "")
    owner = next((m.user for m in project_members(project) if str(m.user.pk) == owner_id), None)
    try:
        minutes_raw = request.POST.get("planned_minutes", "").strip()
        if not minutes_raw.isdigit():
            raise ValidationFailed(
                {"planned_minutes": [_("« %(value)s » is not a whole number.") % {"value": minutes_raw}]}
            )
        svc.runbook_step_edit(
            actor=request.user,  # type: ignore[arg-type]
            step=found,
            expected_version=posted_version(request),
            title=request.POST.get("title", ""),
            owner=owner,
            planned_start=_moment(request.POST.get("planned_start", ""), "planned_start"),
            planned_minutes=int(minutes_raw),
            depends_on=request.POST.getlist("depends_on"),
            checkpoint=request.POST.get("checkpoint") == "1",
            point_of_no_return=request.POST.get("point_of_no_return") == "1",
            rollback=request.POST.get("rollback", ""),
        )
        messages.success(request, _("Step saved."))
    except DomainError as exc:
        flash_error(request, exc)
    return HttpResponseRedirect(reverse("mep:runbook", args=[project.code, pk]) + "#edit-steps")


@require_POST
@project_page(MEP_MANAGE)
def step_move(request: HttpRequest, project: Project, pk: int, step: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    found = svc.runbook_step_detail(release, step)
    try:
        svc.runbook_step_move(
            actor=request.user,  # type: ignore[arg-type]
            step=found,
            direction=request.POST.get("direction", ""),
            expected_version=posted_version(request),
        )
    except DomainError as exc:
        flash_error(request, exc)
    return HttpResponseRedirect(reverse("mep:runbook", args=[project.code, pk]) + "#edit-steps")


@require_POST
@project_page(ROLLBACK_APPROVE)
def rollback_plan_approve(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    release = selectors.release_detail(project, pk)
    try:
        svc.rollback_plan_approve(
            actor=request.user,  # type: ignore[arg-type]
            release=release,
            expected_version=posted_version(request),
        )
        messages.success(request, _("Rollback plan approved."))
    except DomainError as exc:
        flash_error(request, exc)
    return HttpResponseRedirect(reverse("mep:runbook", args=[project.code, pk]) + "#rollback")


urlpatterns: list[URLPattern] = [
    path("releases/<int:pk>/runbook/", runbook, name="runbook"),
    path("releases/<int:pk>/runbook/steps/new/", step_create, name="runbook_step_create"),
    path("releases/<int:pk>/runbook/steps/<int:step>/act/", step_act, name="runbook_step_act"),
    path("releases/<int:pk>/runbook/steps/<int:step>/edit/", step_edit, name="runbook_step_edit"),
    path("releases/<int:pk>/runbook/steps/<int:step>/move/", step_move, name="runbook_step_move"),
    path("releases/<int:pk>/rollback/", rollback_plan, name="rollback_plan"),
    path("releases/<int:pk>/rollback/approve/", rollback_plan_approve, name="rollback_plan_approve"),
]
