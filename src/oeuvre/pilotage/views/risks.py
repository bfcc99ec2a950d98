"""The risk register pages: the list with its heat map (filter, sort, page, CSV), a risk with its actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can, require
from oeuvre.core.errors import DomainError
from oeuvre.pilotage.models import Risk, RiskAction, RiskActionStatus, RiskKind, RiskStatus
from oeuvre.pilotage.permissions import PILOTAGE_VIEW, RISKS_MANAGE
from oeuvre.pilotage.selectors.meteo import meteo_settings
from oeuvre.pilotage.selectors.risks import cached_schedule_risk_analysis, heat_map, risk_detail, risks_for
from oeuvre.pilotage.services import risks as services
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import VersionField, apply_error
from oeuvre.web.listing import Column, build_listing, export_csv

COLUMNS = [
    Column("reference", gettext_lazy("Reference"), lambda r: r.reference, "number"),
    Column("title", gettext_lazy("Title"), lambda r: r.title, "title"),
    Column("kind", pgettext_lazy("committee", "Kind"), lambda r: r.get_kind_display(), "kind"),
    Column("probability", gettext_lazy("P"), lambda r: r.probability, "probability"),
    Column("impact", gettext_lazy("I"), lambda r: r.impact, "impact"),
    Column("criticality", gettext_lazy("P × I"), lambda r: r.criticality, "score"),
    Column("residual", gettext_lazy("Residual"), lambda r: r.residual_criticality, None),
    Column("owner", gettext_lazy("Owner"), lambda r: r.owner.get_full_name() if r.owner else "", "owner__last_name"),
    Column("status", gettext_lazy("Status"), lambda r: r.get_status_display(), "status"),
    Column("review_on", gettext_lazy("Next review"), lambda r: r.review_on, "review_on"),
]


def _members(project: Project) -> Any:
    return User.objects.filter(memberships__project=project).order_by("last_name", "first_name").distinct()


class RiskForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField(required=False)

    class Meta:
        model = Risk
        fields = services.RISK_FIELDS
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 2}),
            "event": forms.Textarea(attrs={"rows": 2}),
            "consequence": forms.Textarea(attrs={"rows": 2}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(project)  # type: ignore[attr-defined]
        scale = int(meteo_settings(project).risk_scale)
        for name in ("probability", "impact", "residual_probability", "residual_impact"):
            self.fields[name].widget.attrs.update({"min": 1, "max": scale})


class ActionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RiskAction
        fields = ("title", "owner", "due_on", "status")
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(project)  # type: ignore[attr-defined]


def _form_data(form: forms.ModelForm, names: tuple[str, ...]) -> dict[str, Any]:  # type: ignore[type-arg]
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


@project_page(PILOTAGE_VIEW)
def risk_list(request: HttpRequest, project: Project) -> HttpResponse:
    queryset = risks_for(project).annotate(score=F("probability") * F("impact"))
    if request.GET.get("open") == "1":
        queryset = queryset.filter(status__in=[RiskStatus.IDENTIFIE, RiskStatus.EN_TRAITEMENT])
    listing = build_listing(
        request,
        queryset,
        COLUMNS,
        search=["reference", "title", "event", "cause"],
        filters={"status": "status", "kind": "kind"},
        default_sort="-criticality",
        per_page=50,
    )
    if listing.wants_csv:
        return export_csv(f"risques-{project.code}.csv", COLUMNS, listing.page.paginator.object_list)
    return render(
        request,
        "pilotage/risks/list.html",
        project_context(
            request,
            project,
            "pilotage",
            section="risks",
            listing=listing,
            heat=heat_map(project),
            statuses=RiskStatus.choices,
            kinds=RiskKind.choices,
            may_manage=can(request.user, project, RISKS_MANAGE),
        ),
    )


def _dates(analysis: dict[str, Any] | None) -> dict[str, Any] | None:
    """The analysis with its ISO dates as dates, so the page shows them in the reader's format (29/04/2027)."""
    if analysis is None:
        return None

    def day(value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else value

    def pair(block: dict[str, Any]) -> dict[str, Any]:
        return {k: day(v) for k, v in block.items()}

    return {
        **analysis,
        "target": day(analysis.get("target")),
        "with_risks": pair(analysis["with_risks"]),
        "without_risks": pair(analysis["without_risks"]),
        "milestones": [
            {
                **m,
                "deadline": day(m.get("deadline")),
                "with_risks": pair(m["with_risks"]),
                "without_risks": pair(m["without_risks"]),
            }
            for m in analysis["milestones"]
        ],
    }


@project_page(PILOTAGE_VIEW)
def risk_schedule(request: HttpRequest, project: Project) -> HttpResponse:
    """The plan's Monte Carlo with and without the open risks that carry a schedule impact: the last result kept
    for the plan and risk register as they stand (computed again only when one of them changed, or on demand)."""
    analysis, computed_at = cached_schedule_risk_analysis(project)
    return render(
        request,
        "pilotage/risks/schedule.html",
        project_context(
            request,
            project,
            "pilotage",
            section="risks",
            analysis=_dates(analysis),
            computed_at=computed_at,
            may_recompute=can(request.user, project, RISKS_MANAGE),
        ),
    )


@require_POST
@project_page(RISKS_MANAGE)
def risk_schedule_recompute(request: HttpRequest, project: Project) -> HttpResponse:
    """Run the Monte Carlo again now, whatever is kept."""
    cached_schedule_risk_analysis(project, refresh=True)
    messages.success(request, _("Monte Carlo computed again."))
    return redirect(reverse("pilotage:risk_schedule", args=[project.code]))


@project_page(RISKS_MANAGE)
def risk_create(request: HttpRequest, project: Project) -> HttpResponse:
    form = RiskForm(request.POST or None, project=project, instance=Risk(project=project))
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_create(
                actor=request.user, project=project, data=_form_data(form, services.RISK_FIELDS)
            )
            messages.success(request, _("Risk %(ref)s recorded.") % {"ref": risk.reference})
            return redirect(reverse("pilotage:risk_detail", args=[project.code, risk.pk]))
        except DomainError as error:
            apply_error(form, error)
    return render(
        request,
        "pilotage/risks/form.html",
        project_context(request, project, "pilotage", section="risks", form=form, risk=None),
    )


@project_page(PILOTAGE_VIEW)
def risk_view(request: HttpRequest, project: Project, risk_id: int) -> HttpResponse:
    risk = risk_detail(project, risk_id)
    may_manage = can(request.user, project, RISKS_MANAGE)
    form = None
    if may_manage:
        form = RiskForm(request.POST or None, project=project, instance=risk, initial={"version": risk.version})
        if request.method == "POST" and form.is_valid():
            try:
                services.risk_update(
                    actor=request.user,
                    risk=risk,
                    data=_form_data(form, services.RISK_FIELDS),
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("Risk saved."))
                return redirect(reverse("pilotage:risk_detail", args=[project.code, risk.pk]))
            except DomainError as error:
                apply_error(form, error)
    elif request.method == "POST":
        require(request.user, project, RISKS_MANAGE)  # a reader's POST is refused like any other edge
    return render(
        request,
        "pilotage/risks/detail.html",
        project_context(
            request,
            project,
            "pilotage",
            section="risks",
            risk=risk,
            form=form,
            action_form=ActionForm(project=project) if may_manage else None,
            transitions=[(s, label) for s, label in RiskStatus.choices if s in services.TRANSITIONS[risk.status]],
            action_statuses=RiskActionStatus.choices,
            may_manage=may_manage,
            critical=risk.criticality >= meteo_settings(project).risk_critical,
        ),
    )


def _back(project: Project, risk: Risk) -> HttpResponse:
    return redirect(reverse("pilotage:risk_detail", args=[project.code, risk.pk]))


def _refuse(request: HttpRequest, error: DomainError) -> None:
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict):
        for field, texts in errors.items():
            for text in texts:
                messages.error(request, f"{field}: {text}")
    else:
        messages.error(request, str(error.message))


@require_POST
@project_page(RISKS_MANAGE)
def risk_transition(request: HttpRequest, project: Project, risk_id: int) -> HttpResponse:
    risk = get_object_or_404(Risk, project=project, pk=risk_id)
    version = request.POST.get("version", "")
    try:
        services.risk_transition(
            actor=request.user,
            risk=risk,
            status=request.POST.get("status", ""),
            expected_version=int(version) if version.isdigit() else None,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        _refuse(request, error)
    return _back(project, risk)


@require_POST
@project_page(RISKS_MANAGE)
def action_add(request: HttpRequest, project: Project, risk_id: int) -> HttpResponse:
    risk = get_object_or_404(Risk, project=project, pk=risk_id)
    form = ActionForm(request.POST, project=project)
    if not form.is_valid():
        for field, texts in form.errors.items():
            for text in texts:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {text}")
        return _back(project, risk)
    try:
        services.risk_action_add(actor=request.user, risk=risk, data=_form_data(form, services.ACTION_FIELDS))
        messages.success(request, _("Mitigation action added."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, risk)


@require_POST
@project_page(RISKS_MANAGE)
def action_status(request: HttpRequest, project: Project, risk_id: int, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        RiskAction.objects.select_related("risk__project"), risk__project=project, risk_id=risk_id, pk=action_id
    )
    version = request.POST.get("version", "")
    try:
        services.risk_action_update(
            actor=request.user,
            action=action,
            data={"status": request.POST.get("status", "")},
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        _refuse(request, error)
    return _back(project, action.risk)


urlpatterns: list[URLPattern] = [
    path("risks/", risk_list, name="risks"),
    path("risks/new/", risk_create, name="risk_create"),
    path("risks/schedule/", risk_schedule, name="risk_schedule"),
    path("risks/schedule/recompute/", risk_schedule_recompute, name="risk_schedule_recompute"),
    path("risks/<int:risk_id>/", risk_view, name="risk_detail"),
    path("risks/<int:risk_id>/status/", risk_transition, name="risk_transition"),
    path("risks/<int:risk_id>/actions/", action_add, name="risk_action_add"),
    path("risks/<int:risk_id>/actions/<int:action_id>/status/", action_status, name="risk_action_status"),
]
