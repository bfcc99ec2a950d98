"""Committee pages: the list, one committee (agenda, decisions, actions, closing), the plan d'actions, my actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError
from oeuvre.core.jobs import job_or_404
from oeuvre.pilotage.models import Action, ActionStatus, ChangeRequest, ChangeStatus, Committee, Risk
from oeuvre.pilotage.permissions import (
    ACTIONS_FOLLOW,
    CHANGES_DECIDE,
    COMMITTEES_PREPARE,
    COMMITTEES_SIGN,
    PILOTAGE_VIEW,
)
from oeuvre.pilotage.selectors.committees import actions_of, committee_detail, committees_of, my_actions, overdue
from oeuvre.pilotage.services import committees as services
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page, user_page
from oeuvre.web.forms import apply_error

# The change requests a committee decision may name: those waiting for the MOA and the deferred ones.
DECIDABLE = (ChangeStatus.SOUMISE, ChangeStatus.ANALYSEE, ChangeStatus.AJOURNEE)


class CommitteeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Committee
        fields = ("kind", "title", "held_on", "location", "attendees")
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendees": forms.Textarea(attrs={"rows": 4}),
        }


def _deck_context(project: Project) -> dict[str, Any]:
    from oeuvre.core.jobs import job_state
    from oeuvre.core.models import Job

    job = Job.objects.filter(project=project, kind="pilotage.deck").order_by("-created_at").first()
    return {"deck_job": job, "deck_state": job_state(job) if job else None}


def _members(project: Project) -> Any:
    return User.objects.filter(memberships__project=project).order_by("last_name", "first_name").distinct()


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


def _refuse(request: HttpRequest, error: DomainError) -> None:
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict):
        for texts in errors.values():
            for text in texts:
                messages.error(request, str(text))
    else:
        messages.error(request, str(error.message))


@project_page(PILOTAGE_VIEW)
def committee_list(request: HttpRequest, project: Project) -> HttpResponse:
    may_prepare = can(request.user, project, COMMITTEES_PREPARE)
    form = CommitteeForm(request.POST or None, initial={"held_on": timezone.localdate()}) if may_prepare else None
    if request.method == "POST":
        if form is None:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            try:
                committee = services.committee_create(actor=request.user, project=project, data=dict(form.cleaned_data))
                messages.success(request, _("Committee prepared; its agenda was drawn from live data."))
                return redirect(reverse("pilotage:committee", args=[project.code, committee.pk]))
            except DomainError as error:
                apply_error(form, error)
    return render(
        request,
        "pilotage/committees/list.html",
        project_context(
            request,
            project,
            "pilotage",
            section="committees",
            committees=committees_of(project),
            form=form,
            may_deck=may_prepare,
            **_deck_context(project),
        ),
    )


@project_page(PILOTAGE_VIEW)
def committee_view(request: HttpRequest, project: Project, committee_id: int) -> HttpResponse:
    committee = committee_detail(project, committee_id)
    today = timezone.localdate()
    return render(
        request,
        "pilotage/committees/detail.html",
        project_context(
            request,
            project,
            "pilotage",
            section="committees",
            committee=committee,
            actions=[{"action": a, "overdue": overdue(a.due_on, a.status, today)} for a in committee.actions.all()],
            may_prepare=can(request.user, project, COMMITTEES_PREPARE) and not committee.is_closed,
            may_sign=can(request.user, project, COMMITTEES_SIGN) and not committee.is_closed,
            members=_members(project),
            risks=Risk.objects.filter(project=project).order_by("number"),
            changes=ChangeRequest.objects.filter(project=project, status__in=DECIDABLE).order_by("number"),
            may_decide_changes=can(request.user, project, CHANGES_DECIDE),
            may_deck=can(request.user, project, COMMITTEES_PREPARE),
            **_deck_context(project),
        ),
    )


def _back(project: Project, committee: Committee) -> HttpResponse:
    return redirect(reverse("pilotage:committee", args=[project.code, committee.pk]))


@require_POST
@project_page(COMMITTEES_PREPARE)
def decision_add(request: HttpRequest, project: Project, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, project=project, pk=committee_id)
    risk_id = _int(request.POST.get("risk", ""))
    change_id = _int(request.POST.get("change", ""))
    try:
        review_on = date.fromisoformat(request.POST["review_on"]) if request.POST.get("review_on") else None
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return _back(project, committee)
    try:
        services.decision_record(
            actor=request.user,
            committee=committee,
            text=request.POST.get("text", ""),
            risk=Risk.objects.filter(project=project, pk=risk_id).first() if risk_id else None,
            subject=request.POST.get("subject", "")[:200],
            change=ChangeRequest.objects.filter(project=project, pk=change_id).first() if change_id else None,
            outcome=request.POST.get("outcome", ""),
            review_on=review_on,
        )
        messages.success(request, _("Decision recorded."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, committee)


@require_POST
@project_page(COMMITTEES_PREPARE)
def action_add(request: HttpRequest, project: Project, committee_id: int) -> HttpResponse:

    committee = get_object_or_404(Committee, project=project, pk=committee_id)
    owner_id = _int(request.POST.get("owner", ""))
    raw_due = request.POST.get("due_on", "")
    try:
        due = date.fromisoformat(raw_due) if raw_due else None
    except ValueError:
        messages.error(request, _("« %(value)s » is not a date.") % {"value": raw_due})
        return _back(project, committee)
    try:
        services.action_create(
            actor=request.user,
            project=project,
            title=request.POST.get("title", ""),
            owner=User.objects.filter(pk=owner_id).first() if owner_id else None,
            due_on=due,
            committee=committee,
        )
        messages.success(request, _("Action added to the plan."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, committee)


@require_POST
@project_page(COMMITTEES_SIGN)
def committee_close(request: HttpRequest, project: Project, committee_id: int) -> HttpResponse:
    committee = get_object_or_404(Committee, project=project, pk=committee_id)
    try:
        services.committee_close(
            actor=request.user, committee=committee, expected_version=_int(request.POST.get("version", ""))
        )
        messages.success(request, _("Committee closed: its decisions are signed into the project's hash chain."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, committee)


@require_POST
@project_page(COMMITTEES_PREPARE)
def deck_generate(request: HttpRequest, project: Project) -> HttpResponse:
    from django.utils.translation import get_language

    from oeuvre.accounts.permissions import current_user
    from oeuvre.core.jobs import job_enqueue

    job_enqueue(
        kind="pilotage.deck",
        params={"project": project.pk, "language": get_language() or "fr"},
        actor=current_user(request),
        project=project,
    )
    messages.success(request, _("The deck is being written: the page shows its progress."))
    return redirect(request.POST.get("next") or reverse("pilotage:committees", args=[project.code]))


@project_page(PILOTAGE_VIEW)
def deck_download(request: HttpRequest, project: Project, job_id: str) -> HttpResponse:
    from oeuvre.core.api import PPTX, file_response
    from oeuvre.core.models import Job
    from oeuvre.pilotage.deck import deck_path

    job = job_or_404(job_id, project=project, kind="pilotage.deck", status=Job.Status.DONE)
    try:
        data = deck_path(job).read_bytes()
    except OSError:
        raise Http404 from None
    return file_response(data, job.result["filename"], PPTX)


@project_page(PILOTAGE_VIEW)
def action_list(request: HttpRequest, project: Project) -> HttpResponse:
    today = timezone.localdate()
    open_only = request.GET.get("all") != "1"
    rows = [
        {"action": a, "overdue": overdue(a.due_on, a.status, today)} for a in actions_of(project, open_only=open_only)
    ]
    return render(
        request,
        "pilotage/committees/actions.html",
        project_context(
            request,
            project,
            "pilotage",
            section="actions",
            rows=rows,
            open_only=open_only,
            statuses=ActionStatus.choices,
            may_prepare=can(request.user, project, COMMITTEES_PREPARE),
            may_follow=can(request.user, project, ACTIONS_FOLLOW),
        ),
    )


@require_POST
@project_page(ACTIONS_FOLLOW)
def action_status(request: HttpRequest, project: Project, action_id: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("project"), project=project, pk=action_id)
    try:
        services.action_set_status(
            actor=request.user,
            action=action,
            status=request.POST.get("status", ""),
            expected_version=_int(request.POST.get("version", "")),
        )
        messages.success(request, _("Action updated."))
    except DomainError as error:
        _refuse(request, error)
    return redirect(request.POST.get("next") or reverse("pilotage:actions", args=[project.code]))


@user_page
def mine(request: HttpRequest) -> HttpResponse:
    return render(request, "pilotage/committees/mine.html", {"nav": "my_actions", "mine": my_actions(request.user)})


urlpatterns: list[URLPattern] = [
    path("committees/", committee_list, name="committees"),
    path("committees/<int:committee_id>/", committee_view, name="committee"),
    path("committees/<int:committee_id>/decisions/", decision_add, name="decision_add"),
    path("committees/<int:committee_id>/actions/", action_add, name="committee_action_add"),
    path("committees/<int:committee_id>/close/", committee_close, name="committee_close"),
    path("deck/", deck_generate, name="deck_generate"),
    path("deck/<uuid:job_id>/", deck_download, name="deck_download"),
    path("actions/", action_list, name="actions"),
    path("actions/<int:action_id>/status/", action_status, name="action_status"),
]
user_urlpatterns: list[URLPattern] = [path("my-actions/", mine, name="my_actions")]
