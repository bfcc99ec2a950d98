"""Pages of anomalies (thin): the board (kanban), the list, the detail with its history, creation (also
from a KO), edits, workflow moves (htmx on the board, plain POST elsewhere), severity labels, and the
downloads (anomalies Excel, cahier de recette DOCX/PDF)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import current_user, permissions_of
from oeuvre.core.errors import DomainError, StaleVersion
from oeuvre.projects.models import Project
from oeuvre.recette import exports, tables
from oeuvre.recette.models import (
    Anomaly,
    AnomalyKind,
    AnomalyPriority,
    AnomalyStatus,
    Campaign,
    Execution,
    Severity,
    TestCase,
)
from oeuvre.recette.permissions import ANOMALY_QUALIFY, ANOMALY_REPORT, RECETTE_CONFIGURE, RECETTE_VIEW
from oeuvre.recette.selectors import anomalies as selectors
from oeuvre.recette.services import anomalies as services
from oeuvre.requirements.models import Exigence
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.forms import VersionField, apply_error
from oeuvre.web.tables import datatable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ctx(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    extra.setdefault("section", "anomalies")
    return project_context(request, project, "recette", **extra)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filters(params: QueryDict | dict[str, str]) -> selectors.AnomalyFilters:
    campaign = params.get("campaign") or ""
    return selectors.AnomalyFilters(
        q=(params.get("q") or "").strip(),
        severity=params.get("severity") or "",
        priority=params.get("priority") or "",
        status=params.get("status") or "",
        kind=params.get("kind") or "",
        campaign=int(campaign) if campaign.isdigit() else None,
        assignee=params.get("assignee") or "",
        open_only=params.get("open") == "1",
    )


def _decorate(rows: Any, labels: dict[str, str], granted: set[str] | None = None) -> None:
    """Attach the project's severity label (and, on the board, the moves the user may make) to each row."""
    for a in rows:
        a.severity_text = labels.get(a.severity, a.severity)
        if granted is not None:
            a.moves = services.available_transitions(a, granted)


def _filter_choices(project: Project) -> dict[str, Any]:
    labels = selectors.severity_labels(project)
    return {
        "severities": list(labels.items()),
        "priorities": AnomalyPriority.choices,
        "statuses": AnomalyStatus.choices,
        "kinds": AnomalyKind.choices,
        "campaigns": list(Campaign.objects.filter(project=project).values_list("pk", "name")),
        "members": list(User.objects.filter(memberships__project=project).order_by("last_name", "username").distinct()),
        "labels": labels,
    }


# --- Board --------------------------------------------------------------------------------------------


def _board_context(request: HttpRequest, project: Project, params: Any, moved: int | None = None) -> dict[str, Any]:
    filters = _filters(params)
    columns = selectors.board(project, filters)
    choices = _filter_choices(project)
    granted = permissions_of(request.user, project)
    for column in columns:
        _decorate(column.cards, choices["labels"], granted)
    query = urlencode(
        {
            k: v
            for k, v in params.items()
            if v and k in {"q", "severity", "priority", "kind", "campaign", "assignee", "status"}
        }
    )
    return _ctx(request, project, columns=columns, filters=filters, query=query, moved=moved, **choices)


@project_page(RECETTE_VIEW)
def board(request: HttpRequest, project: Project) -> HttpResponse:
    return render(request, "recette/anomalies/board.html", _board_context(request, project, request.GET))


# --- List ---------------------------------------------------------------------------------------------


@project_page(RECETTE_VIEW)
def anomaly_list(request: HttpRequest, project: Project) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        filters = _filters(request.GET)
        return _download(exports.anomalies_xlsx(project, filters), f"anomalies-{project.code}.xlsx", XLSX)
    table = datatable(request, project, tables.ANOMALIES)
    if isinstance(table, HttpResponse):
        return table
    return render(request, "recette/anomalies/list.html", _ctx(request, project, table=table))


# --- Detail, creation, edits ----------------------------------------------------------------------------


class AnomalyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices)
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=AnomalyPriority.choices)
    blocks_step_start = forms.BooleanField(label=gettext_lazy("Blocks the start of a test step"), required=False)
    test_case = forms.ModelChoiceField(
        label=gettext_lazy("Test case"), queryset=TestCase.objects.none(), required=False
    )
    exigence = forms.ModelChoiceField(
        label=gettext_lazy("Requirement"), queryset=Exigence.objects.none(), required=False
    )
    campaign = forms.ModelChoiceField(label=gettext_lazy("Campaign"), queryset=Campaign.objects.none(), required=False)
    release_found = forms.CharField(label=gettext_lazy("Found in release"), max_length=100, required=False)
    assignee = forms.ModelChoiceField(label=gettext_lazy("Assignee"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(
        label=gettext_lazy("Correction due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, project: Project, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = selectors.severity_labels(project)
        self.fields["severity"].choices = list(labels.items())  # type: ignore[attr-defined]
        self.fields["test_case"].queryset = TestCase.objects.filter(project=project).order_by("number")  # type: ignore[attr-defined]
        self.fields["exigence"].queryset = Exigence.objects.filter(project=project).order_by("number", "reference")  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.filter(project=project)  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = User.objects.filter(memberships__project=project).distinct()  # type: ignore[attr-defined]
        if edit:
            self.fields["version"] = VersionField()
            self.fields["release_fixed"] = forms.CharField(
                label=gettext_lazy("Fixed in release"), max_length=100, required=False
            )

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _anomaly(project: Project, pk: int) -> Anomaly:
    try:
        return selectors.anomaly_detail(project, pk)
    except Anomaly.DoesNotExist:
        raise Http404("anomaly") from None


@project_page(RECETTE_VIEW)
def anomaly_detail(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    anomaly = _anomaly(project, pk)
    labels = selectors.severity_labels(project)
    _decorate([anomaly], labels, permissions_of(request.user, project))
    return render(
        request,
        "recette/anomalies/detail.html",
        _ctx(request, project, anomaly=anomaly, history=selectors.anomaly_history(anomaly), labels=labels),
    )


@project_page(ANOMALY_REPORT)
def anomaly_new(request: HttpRequest, project: Project) -> HttpResponse:
    """A blank form, or one pre-filled from a KO (``?execution=ID&step=N``)."""
    execution = None
    source = request.POST if request.method == "POST" else request.GET
    if (execution_id := source.get("execution", "")).isdigit():
        execution = get_object_or_404(
            Execution.objects.select_related("iteration__campaign", "test_case"), project=project, pk=execution_id
        )
    step = source.get("step", "")
    step_position = int(step) if step.isdigit() else None
    initial: dict[str, Any] = {"severity": Severity.MAJEURE, "priority": AnomalyPriority.P3}
    if execution is not None and request.method != "POST":
        initial.update(services.prefill_from_execution(execution, step_position))
    form = AnomalyForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            extra: dict[str, Any] = {}
            if execution is not None:
                extra = {"execution": execution, "step_position": step_position}
            anomaly = services.anomaly_create(actor=current_user(request), project=project, **form.changes(), **extra)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Anomaly %(ref)s reported.") % {"ref": anomaly.reference})
            return redirect("recette:anomaly_detail", project.code, anomaly.pk)
    return render(
        request,
        "recette/anomalies/form.html",
        _ctx(
            request,
            project,
            form=form,
            heading=_("Report an anomaly"),
            execution=execution,
            step=step_position,
            duplicates=selectors.possible_duplicates(project, execution) if execution is not None else [],
        ),
    )


@project_page(ANOMALY_QUALIFY)
def anomaly_edit(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    anomaly = _anomaly(project, pk)
    if request.method == "POST":
        form = AnomalyForm(request.POST, project=project, edit=True)
    else:
        initial = {name: getattr(anomaly, name) for name in services.EDITABLE_FIELDS}
        initial["version"] = anomaly.version
        form = AnomalyForm(project=project, edit=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.anomaly_update(
                actor=current_user(request),
                anomaly=anomaly,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except (StaleVersion, DomainError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Anomaly saved."))
            return redirect("recette:anomaly_detail", project.code, pk)
    return render(
        request,
        "recette/anomalies/form.html",
        _ctx(request, project, form=form, anomaly=anomaly, heading=_("Edit %(ref)s") % {"ref": anomaly.reference}),
    )


@require_POST
@project_page(RECETTE_VIEW)
def anomaly_move(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """One workflow move; the service checks the move's own permission (403 otherwise).

    From the board (htmx) the board comes back with the moved card focused, so keyboard users keep
    their place; elsewhere the detail page.
    """
    anomaly = get_object_or_404(Anomaly, project=project, pk=pk)
    action = request.POST.get("action", "")
    version = request.POST.get("version", "")
    fields: dict[str, Any] = {}
    if action == "deliver" and request.POST.get("release_fixed"):
        fields["release_fixed"] = request.POST["release_fixed"].strip()[:100]
    try:
        moved = services.anomaly_transition(
            actor=current_user(request),
            anomaly=anomaly,
            action=action,
            expected_version=int(version) if version.isdigit() else None,
            reason=request.POST.get("reason", ""),
            **fields,
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(ref)s is now “%(status)s”.") % {"ref": moved.reference, "status": moved.get_status_display()}
            if action != "reclassify"
            else _("%(ref)s is now a change request.") % {"ref": moved.reference},
        )
    if request.POST.get("from") == "board":
        params = QueryDict(request.POST.get("query", ""))
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request, "recette/anomalies/_board.html", _board_context(request, project, params, moved=anomaly.pk)
            )
        return redirect(reverse("recette:anomaly_board", args=[project.code]) + "?" + params.urlencode())
    return redirect("recette:anomaly_detail", project.code, pk)


# --- Severity labels ------------------------------------------------------------------------------------


class LabelsForm(forms.Form):
    version = VersionField()
    label_bloquante = forms.CharField(label=gettext_lazy("Label of blocking"), max_length=40, required=False)
    label_majeure = forms.CharField(label=gettext_lazy("Label of major"), max_length=40, required=False)
    label_mineure = forms.CharField(label=gettext_lazy("Label of minor"), max_length=40, required=False)


@project_page(RECETTE_CONFIGURE)
def anomaly_labels(request: HttpRequest, project: Project) -> HttpResponse:
    conf = services.settings_for(project)
    form = LabelsForm(
        request.POST or None,
        initial={
            "version": conf.version,
            "label_bloquante": conf.label_bloquante,
            "label_majeure": conf.label_majeure,
            "label_mineure": conf.label_mineure,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.severity_labels_update(
                actor=current_user(request), project=project, expected_version=data.pop("version"), **data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Severity labels saved."))
            return redirect("recette:anomaly_labels", project.code)
    defaults = [(s.value, s.label) for s in Severity]
    return render(request, "recette/anomalies/labels.html", _ctx(request, project, form=form, defaults=defaults))


# --- Cahier de recette ------------------------------------------------------------------------------------


@project_page(RECETTE_VIEW)
def cahier(request: HttpRequest, project: Project) -> HttpResponse:
    """The cahier de recette as DOCX or PDF (``?format=``), in the user's language; a page otherwise."""
    fmt = request.GET.get("format")
    with_results = request.GET.get("results") == "1"
    if fmt == "docx":
        return _download(
            exports.cahier_docx(project, with_results=with_results), f"cahier-recette-{project.code}.docx", DOCX
        )
    if fmt == "pdf":
        return _download(
            exports.cahier_pdf(project, with_results=with_results),
            f"cahier-recette-{project.code}.pdf",
            "application/pdf",
        )
    return render(request, "recette/anomalies/cahier.html", _ctx(request, project, section="cahier"))


urlpatterns: list[URLPattern] = [
    path("anomalies/", board, name="anomaly_board"),
    path("anomalies/list/", anomaly_list, name="anomaly_list"),
    path("anomalies/new/", anomaly_new, name="anomaly_new"),
    path("anomalies/labels/", anomaly_labels, name="anomaly_labels"),
    path("anomalies/<int:pk>/", anomaly_detail, name="anomaly_detail"),
    path("anomalies/<int:pk>/edit/", anomaly_edit, name="anomaly_edit"),
    path("anomalies/<int:pk>/move/", anomaly_move, name="anomaly_move"),
    path("cahier/", cahier, name="cahier"),
]
