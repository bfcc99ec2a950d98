"""The CCAG-TIC timers dashboard: what is due and when, alerts, the admission date, VSR availability per
equipment, and the forms that record the acceptance facts, the outages and the contract's timers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.projects.models import Project
from oeuvre.recette.models import AdmissionDecision, Outage, VaOutcome, VsrOutcome
from oeuvre.recette.permissions import PV_DECIDE, RECETTE_CONFIGURE, RECETTE_VIEW, TIMERS_RECORD
from oeuvre.recette.selectors.timers import dashboard
from oeuvre.recette.services import timers as services
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.form_values import posted_date
from oeuvre.web.forms import flash_error, posted_version

__all__ = ["urlpatterns"]

_DATES = ("mom_on", "va_decided_on", "vsr_started_on", "vsr_ended_on", "admission_decided_on", "final_decided_on")
_CHOICES = ("va_outcome", "vsr_outcome", "admission_decision", "final_decision")


def _to_timers(project: Project) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("recette:timers", args=[project.code]))


@project_page(RECETTE_VIEW)
def timers(request: HttpRequest, project: Project) -> HttpResponse:
    board = dashboard(project)
    return render(
        request,
        "recette/pv/timers.html",
        project_context(
            request,
            project,
            "recette",
            section="timers",
            board=board,
            va_outcomes=VaOutcome.choices,
            vsr_outcomes=VsrOutcome.choices,
            admission_decisions=AdmissionDecision.choices,
            can_record=can(request.user, project, TIMERS_RECORD),
            can_decide=can(request.user, project, PV_DECIDE),
            can_configure=can(request.user, project, RECETTE_CONFIGURE),
        ),
    )


def _parse_moment(raw: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: [_("« %(value)s » is not a date and time.") % {"value": raw}]}) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@require_POST
@project_page(TIMERS_RECORD)
def timeline_save(request: HttpRequest, project: Project) -> HttpResponse:
    post = request.POST
    try:
        changes: dict[str, Any] = {name: posted_date(post.get(name, ""), name) for name in _DATES if name in post}
        changes |= {name: post.get(name, "") for name in _CHOICES if name in post}
        if "refaction_percent" in post:
            raw = post.get("refaction_percent", "").strip().replace(",", ".")
            try:
                changes["refaction_percent"] = Decimal(raw) if raw else None
            except InvalidOperation:
                raise ValidationFailed({"refaction_percent": [_("Give a percentage.")]}) from None
        if "deprivation_days" in post:
            raw = post.get("deprivation_days", "").strip() or "0"
            if not raw.isdigit():
                raise ValidationFailed({"deprivation_days": [_("Give a number of days.")]})
            changes["deprivation_days"] = int(raw)
        if "notes" in post:
            changes["notes"] = post.get("notes", "")
        services.timeline_update(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            expected_version=posted_version(request),
            **changes,
        )
        messages.success(request, _("Acceptance dates saved; the deadlines are recomputed."))
    except DomainError as error:
        flash_error(request, error)
    return _to_timers(project)


@require_POST
@project_page(TIMERS_RECORD)
def outage_add(request: HttpRequest, project: Project) -> HttpResponse:
    try:
        services.outage_add(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            equipment=request.POST.get("equipment", ""),
            started_at=_parse_moment(request.POST.get("started_at", ""), "started_at"),
            ended_at=_parse_moment(request.POST.get("ended_at", ""), "ended_at"),
            description=request.POST.get("description", ""),
        )
    except DomainError as error:
        flash_error(request, error)
    return _to_timers(project)


@require_POST
@project_page(TIMERS_RECORD)
def outage_delete(request: HttpRequest, project: Project, outage_id: int) -> HttpResponse:
    outage = get_object_or_404(
        Outage.objects.select_related("timeline__project"), timeline__project=project, pk=outage_id
    )
    try:
        services.outage_delete(actor=request.user, outage=outage)  # type: ignore[arg-type]
    except DomainError as error:
        flash_error(request, error)
    return _to_timers(project)


@require_POST
@project_page(RECETTE_CONFIGURE)
def settings_save(request: HttpRequest, project: Project) -> HttpResponse:
    changes: dict[str, Any] = {}
    try:
        for name in ("va_days", "vsr_days", "decision_days", "ajournement_days", "garantie_months", "alert_days"):
            raw = request.POST.get(name, "").strip()
            if raw:
                if not raw.isdigit():
                    raise ValidationFailed({name: [_("Give a whole number of days or months.")]})
                changes[name] = int(raw)
        raw = request.POST.get("vsr_max_unavailability", "").strip().replace(",", ".")
        if raw:
            try:
                changes["vsr_max_unavailability"] = Decimal(raw)
            except InvalidOperation:
                raise ValidationFailed({"vsr_max_unavailability": [_("Give a percentage.")]}) from None
        changes["shift_to_working_day"] = request.POST.get("shift_to_working_day") == "on"
        services.timer_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            project=project,
            expected_version=posted_version(request),
            **changes,
        )
        messages.success(request, _("Contract timers saved."))
    except DomainError as error:
        flash_error(request, error)
    return _to_timers(project)


urlpatterns: list[URLPattern] = [
    path("timers/", timers, name="timers"),
    path("timers/timeline/", timeline_save, name="timers_timeline"),
    path("timers/outages/", outage_add, name="timers_outage_add"),
    path("timers/outages/<int:outage_id>/delete/", outage_delete, name="timers_outage_delete"),
    path("timers/settings/", settings_save, name="timers_settings"),
]
