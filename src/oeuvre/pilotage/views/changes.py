"""Change request pages: the list (filter, sort, page, CSV), a request with what changes, its impact analysis
and its decision; each button posts to one service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can, require
from oeuvre.core.errors import DomainError
from oeuvre.pilotage.models import ChangeItem, ChangeItemKind, ChangeOrigin, ChangeRequest, ChangeStatus
from oeuvre.pilotage.permissions import CHANGES_ANALYSE, CHANGES_DECIDE, CHANGES_REQUEST, PILOTAGE_VIEW
from oeuvre.pilotage.selectors.changes import age_days, applied_lines, change_detail, changes_for
from oeuvre.pilotage.services import changes as services
from oeuvre.projects.models import Project
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import VersionField, apply_error
from oeuvre.web.listing import Column, build_listing, export_csv


def _age(change: ChangeRequest) -> int | str:
    return age_days(change, timezone.localdate()) if change.is_waiting else ""


COLUMNS = [
    Column("reference", gettext_lazy("Reference"), lambda c: c.reference, "number"),
    Column("title", gettext_lazy("Title"), lambda c: c.title, "title"),
    Column("origin", gettext_lazy("Origin"), lambda c: c.get_origin_display(), "origin"),
    Column("status", gettext_lazy("Status"), lambda c: c.get_status_display(), "status"),
    Column("submitted", gettext_lazy("Submitted on"), lambda c: c.submitted_at, "submitted_at"),
    Column("age", gettext_lazy("Waiting (days)"), _age, None),
    Column("cost", gettext_lazy("Extra cost (€)"), lambda c: c.extra_cost, "extra_cost"),
    Column("delay", gettext_lazy("Delay (working days)"), lambda c: c.delay_days, "delay_days"),
    Column("avenant", gettext_lazy("Avenant"), lambda c: c.avenant_number or "", "avenant_number"),
]


class ChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    version = VersionField(required=False)

    class Meta:
        model = ChangeRequest
        fields = services.CHANGE_FIELDS
        widgets = {"justification": forms.Textarea(attrs={"rows": 3})}


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("committee", "Kind"), choices=ChangeItemKind.choices)
    exigence: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Exigence"), queryset=None, required=False
    )
    text = forms.CharField(
        label=gettext_lazy("New or changed statement"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        from oeuvre.requirements.models import Exigence

        super().__init__(*args, **kwargs)
        field = self.fields["exigence"]
        field.queryset = Exigence.objects.filter(project=project).order_by("number", "reference")  # type: ignore[attr-defined]
        field.label_from_instance = lambda e: f"{e.reference} — {e.title}"  # type: ignore[attr-defined]


class AnalysisForm(forms.Form):
    impacts = forms.CharField(
        label=gettext_lazy("Tasks reached, one a line: task code; extra working days; extra effort (days)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "T-012; 5; 8"}),
    )
    day_rate = forms.DecimalField(
        label=gettext_lazy("Day rate (€; empty: the TJM of the resources on each task)"), required=False, min_value=0
    )
    note = forms.CharField(
        label=gettext_lazy("Analysis note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            ("accept", gettext_lazy("Accept")),
            ("refuse", gettext_lazy("Refuse")),
            ("defer", pgettext_lazy("change request decision", "Defer")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    review_on = forms.DateField(
        label=gettext_lazy("Review on (if deferred)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    avenant_signed_on = forms.DateField(
        label=gettext_lazy("Avenant signed on (if already signed)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AvenantForm(forms.Form):
    signed_on = forms.DateField(
        label=gettext_lazy("Avenant signed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _back(project: Project, change: ChangeRequest) -> HttpResponse:
    return redirect(reverse("pilotage:change_detail", args=[project.code, change.pk]))


def _refuse(request: HttpRequest, error: DomainError) -> None:
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict):
        for texts in errors.values():
            for text in texts:
                messages.error(request, str(text))
    else:
        messages.error(request, str(error.message))


def _form_refused(request: HttpRequest, form: forms.Form) -> None:
    for name, texts in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for text in texts:
            messages.error(request, f"{label}: {text}" if label else str(text))


@project_page(PILOTAGE_VIEW)
def change_list(request: HttpRequest, project: Project) -> HttpResponse:
    listing = build_listing(
        request,
        changes_for(project),
        COLUMNS,
        search=["reference", "title", "justification"],
        filters={"status": "status", "origin": "origin"},
        default_sort="-reference",
        per_page=50,
    )
    if listing.wants_csv:
        return export_csv(f"demandes-{project.code}.csv", COLUMNS, listing.page.paginator.object_list)
    for change in listing.page:
        change.age_days = _age(change)
    return render(
        request,
        "pilotage/changes/list.html",
        project_context(
            request,
            project,
            "pilotage",
            section="changes",
            listing=listing,
            statuses=ChangeStatus.choices,
            origins=ChangeOrigin.choices,
            may_request=can(request.user, project, CHANGES_REQUEST),
        ),
    )


@project_page(CHANGES_REQUEST)
def change_create(request: HttpRequest, project: Project) -> HttpResponse:
    form = ChangeForm(request.POST or None, instance=ChangeRequest(project=project))
    if request.method == "POST" and form.is_valid():
        try:
            data = {name: form.cleaned_data[name] for name in services.CHANGE_FIELDS}
            change = services.change_create(actor=request.user, project=project, data=data)
            messages.success(
                request, _("Change request %(ref)s written: say what changes.") % {"ref": change.reference}
            )
            return _back(project, change)
        except DomainError as error:
            apply_error(form, error)
    return render(
        request,
        "pilotage/changes/form.html",
        project_context(request, project, "pilotage", section="changes", form=form),
    )


@project_page(PILOTAGE_VIEW)
def change_view(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = change_detail(project, change_id)
    may_request = can(request.user, project, CHANGES_REQUEST)
    draft = change.status == ChangeStatus.BROUILLON
    form = None
    if may_request and draft:
        form = ChangeForm(request.POST or None, instance=change, initial={"version": change.version})
        if request.method == "POST" and form.is_valid():
            try:
                services.change_update(
                    actor=request.user,
                    change=change,
                    data={name: form.cleaned_data[name] for name in services.CHANGE_FIELDS},
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("Change request saved."))
                return _back(project, change)
            except DomainError as error:
                apply_error(form, error)
    elif request.method == "POST":
        require(request.user, project, CHANGES_REQUEST)
        messages.error(request, _("Only a draft can be edited."))
        return _back(project, change)
    may_analyse = can(request.user, project, CHANGES_ANALYSE) and change.is_waiting
    may_decide = can(request.user, project, CHANGES_DECIDE)
    impacts_text = "\n".join(
        f"{i.task.code}; {i.extra_days}; {i.extra_effort.normalize():f}" for i in change.task_impacts.all()
    )
    return render(
        request,
        "pilotage/changes/detail.html",
        project_context(
            request,
            project,
            "pilotage",
            section="changes",
            change=change,
            applied=applied_lines(change),
            form=form,
            item_form=ItemForm(project=project) if may_request and draft else None,
            analysis_form=AnalysisForm(
                initial={"impacts": impacts_text, "day_rate": change.day_rate, "note": change.analysis_note}
            )
            if may_analyse
            else None,
            decision_form=DecisionForm() if may_decide and change.is_waiting else None,
            avenant_form=AvenantForm(initial={"signed_on": timezone.localdate()})
            if may_decide and change.status == ChangeStatus.ACCEPTEE and change.avenant_number is None
            else None,
            may_request=may_request,
            may_submit=may_request and draft,
            may_withdraw=may_request and change.status in services.WITHDRAWABLE,
            may_resubmit=may_request and change.status == ChangeStatus.AJOURNEE,
            review_overdue=change.status == ChangeStatus.AJOURNEE
            and change.review_on is not None
            and change.review_on < timezone.localdate(),
            age=age_days(change, timezone.localdate()) if change.is_waiting else None,
            hanging=sorted(change.reach.get("hanging", {}).items()),
        ),
    )


def _change(project: Project, change_id: int) -> ChangeRequest:
    return get_object_or_404(ChangeRequest, project=project, pk=change_id)


@require_POST
@project_page(CHANGES_REQUEST)
def item_add(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    form = ItemForm(request.POST, project=project)
    if not form.is_valid():
        _form_refused(request, form)
        return _back(project, change)
    try:
        services.change_item_add(
            actor=request.user,
            change=change,
            kind=form.cleaned_data["kind"],
            exigence=form.cleaned_data["exigence"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Added to the change request."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


@require_POST
@project_page(CHANGES_REQUEST)
def item_remove(request: HttpRequest, project: Project, change_id: int, item_id: int) -> HttpResponse:
    item = get_object_or_404(
        ChangeItem.objects.select_related("change__project"), change__project=project, change_id=change_id, pk=item_id
    )
    try:
        services.change_item_remove(actor=request.user, item=item)
    except DomainError as error:
        _refuse(request, error)
    return _back(project, item.change)


@require_POST
@project_page(CHANGES_REQUEST)
def submit(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    try:
        services.change_submit(actor=request.user, change=change, expected_version=_version(request))
        messages.success(request, _("Change request submitted for its impact analysis."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


@require_POST
@project_page(CHANGES_REQUEST)
def withdraw(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    try:
        services.change_withdraw(
            actor=request.user,
            change=change,
            reason=request.POST.get("reason", ""),
            expected_version=_version(request),
        )
        messages.success(request, _("Change request withdrawn."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


@require_POST
@project_page(CHANGES_ANALYSE)
def analyse(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    form = AnalysisForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return _back(project, change)
    try:
        impacts = services.parse_impact_lines(project, form.cleaned_data["impacts"])
        services.change_analyse(
            actor=request.user,
            change=change,
            impacts=impacts,
            note=form.cleaned_data["note"],
            day_rate=form.cleaned_data["day_rate"],
            expected_version=_version(request),
        )
        messages.success(request, _("Impact analysed on a copy of the plan."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


@require_POST
@project_page(CHANGES_DECIDE)
def decide(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return _back(project, change)
    signed_on: dt.date | None = form.cleaned_data["avenant_signed_on"]
    try:
        if form.cleaned_data["decision"] == "defer":
            decided = services.change_defer(
                actor=request.user,
                change=change,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
                expected_version=_version(request),
            )
        else:
            decided = services.change_decide(
                actor=request.user,
                change=change,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                avenant_signed_on=signed_on,
                expected_version=_version(request),
            )
        messages.success(request, _("Decision recorded: %(status)s.") % {"status": decided.get_status_display()})
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


@require_POST
@project_page(CHANGES_REQUEST)
def resubmit(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    try:
        services.change_resubmit(actor=request.user, change=change, expected_version=_version(request))
        messages.success(request, _("Change request submitted again: the MOE analyses it again."))
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


@require_POST
@project_page(CHANGES_DECIDE)
def avenant(request: HttpRequest, project: Project, change_id: int) -> HttpResponse:
    change = _change(project, change_id)
    form = AvenantForm(request.POST)
    if not form.is_valid():
        _form_refused(request, form)
        return _back(project, change)
    try:
        signed = services.change_avenant_record(
            actor=request.user,
            change=change,
            signed_on=form.cleaned_data["signed_on"],
            expected_version=_version(request),
        )
        messages.success(request, _("Avenant no. %(n)s recorded.") % {"n": signed.avenant_number})
    except DomainError as error:
        _refuse(request, error)
    return _back(project, change)


urlpatterns: list[URLPattern] = [
    path("changes/", change_list, name="changes"),
    path("changes/new/", change_create, name="change_create"),
    path("changes/<int:change_id>/", change_view, name="change_detail"),
    path("changes/<int:change_id>/items/", item_add, name="change_item_add"),
    path("changes/<int:change_id>/items/<int:item_id>/remove/", item_remove, name="change_item_remove"),
    path("changes/<int:change_id>/submit/", submit, name="change_submit"),
    path("changes/<int:change_id>/withdraw/", withdraw, name="change_withdraw"),
    path("changes/<int:change_id>/resubmit/", resubmit, name="change_resubmit"),
    path("changes/<int:change_id>/analyse/", analyse, name="change_analyse"),
    path("changes/<int:change_id>/decide/", decide, name="change_decide"),
    path("changes/<int:change_id>/avenant/", avenant, name="change_avenant"),
]
