"""REST API of anomalies, dashboards, coverage and exports (thin: schemas in, services/selectors, schemas out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, Pagination, if_match, requires, set_etag
from oeuvre.core.errors import ValidationFailed
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for
from oeuvre.recette import exports
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
from oeuvre.recette.selectors.coverage import coverage_per_exigence, coverage_totals
from oeuvre.recette.selectors.dashboards import anomalies_over_time, campaign_dashboard
from oeuvre.recette.services import anomalies as services
from oeuvre.requirements.models import Exigence

__all__ = ["router"]

router = Router(tags=["recette"])

_READ = {403: ErrorOut, 404: ErrorOut}
_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _project(request: HttpRequest, code: str) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, RECETTE_VIEW)
    return project


def _labels(request: HttpRequest, project: Project) -> dict[str, str]:
    cached = getattr(request, "_severity_labels", None)
    if cached is None:
        cached = selectors.severity_labels(project)
        request._severity_labels = cached  # type: ignore[attr-defined]
    return cached


def _file(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Schemas ------------------------------------------------------------------------------------------


class AnomalyOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    kind: AnomalyKind
    severity: Severity
    severity_label: str = Field("", description="The project's label of the severity (e.g. “Sévérité 1”).")
    priority: AnomalyPriority
    status: AnomalyStatus
    blocks_step_start: bool
    execution_id: int | None
    step_position: int | None
    test_case: str | None = Field(None, description="Reference of the test case.")
    exigence: str | None = Field(None, description="Reference of the exigence.")
    campaign_id: int | None
    release_found: str
    release_fixed: str
    reported_by: str | None = None
    assignee: str | None = None
    due_on: date | None
    resolution: str
    created_at: datetime
    status_changed_at: datetime | None
    closed_at: datetime | None
    version: int

    @staticmethod
    def resolve_severity_label(obj: Anomaly, context: Any) -> str:
        return _labels(context["request"], obj.project).get(obj.severity, obj.severity)

    @staticmethod
    def resolve_test_case(obj: Anomaly) -> str | None:
        return obj.test_case.reference if obj.test_case else None

    @staticmethod
    def resolve_exigence(obj: Anomaly) -> str | None:
        return obj.exigence.reference if obj.exigence else None

    @staticmethod
    def resolve_reported_by(obj: Anomaly) -> str | None:
        return obj.reported_by.username if obj.reported_by else None

    @staticmethod
    def resolve_assignee(obj: Anomaly) -> str | None:
        return obj.assignee.username if obj.assignee else None


class AnomalyIn(Schema):
    title: str | None = Field(None, max_length=300, description="Required unless execution_id suggests it.")
    description: str | None = None
    severity: Severity | None = None
    priority: AnomalyPriority | None = None
    kind: AnomalyKind | None = None
    blocks_step_start: bool | None = None
    execution_id: int | None = Field(
        None, description="A KO execution: the anomaly is pre-filled from its failed step."
    )
    step_position: int | None = None
    test_case: str | None = Field(None, description="Reference of a test case of the project.")
    exigence: str | None = Field(None, description="Reference of an exigence of the project.")
    campaign_id: int | None = None
    release_found: str | None = Field(None, max_length=100)
    assignee: str | None = Field(None, description="Username of a member.")
    due_on: date | None = None


class AnomalyPatch(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = None
    severity: Severity | None = None
    priority: AnomalyPriority | None = None
    blocks_step_start: bool | None = None
    test_case: str | None = None
    exigence: str | None = None
    campaign_id: int | None = None
    release_found: str | None = Field(None, max_length=100)
    release_fixed: str | None = Field(None, max_length=100)
    assignee: str | None = None
    due_on: date | None = None


class TransitionIn(Schema):
    action: Literal["qualify", "reject", "reclassify", "start_fix", "deliver", "verify", "close", "reopen"]
    reason: str = Field("", description="Required to reject, reclassify or reopen.")
    severity: Severity | None = Field(None, description="qualify only")
    priority: AnomalyPriority | None = Field(None, description="qualify only")
    assignee: str | None = Field(None, description="qualify or start_fix: username of a member")
    release_fixed: str | None = Field(None, max_length=100, description="deliver only")


class HistoryChangeOut(Schema):
    field: str
    old: str
    new: str


class HistoryOut(Schema):
    date: datetime
    user: str | None
    type: str
    reason: str
    changes: list[HistoryChangeOut]


class LabelsOut(Schema):
    label_bloquante: str
    label_majeure: str
    label_mineure: str
    effective: dict[str, str] = Field(..., description="The labels shown (custom, else default).")
    version: int


class LabelsIn(Schema):
    label_bloquante: str = Field("", max_length=40)
    label_majeure: str = Field("", max_length=40)
    label_mineure: str = Field("", max_length=40)


# --- Resolving references ---------------------------------------------------------------------------------


def _links(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """Turn references and ids of the payload into objects of the project, naming the field when unknown."""
    out = dict(data)
    errors: dict[str, list[str]] = {}
    if "test_case" in out:
        ref = out.pop("test_case")
        out["test_case"] = TestCase.objects.filter(project=project, reference=ref).first() if ref else None
        if ref and out["test_case"] is None:
            errors["test_case"] = [_("No test case %(ref)s in this project.") % {"ref": ref}]
    if "exigence" in out:
        ref = out.pop("exigence")
        out["exigence"] = Exigence.objects.filter(project=project, reference=ref).first() if ref else None
        if ref and out["exigence"] is None:
            errors["exigence"] = [_("No requirement %(ref)s in this project.") % {"ref": ref}]
    if "campaign_id" in out:
        pk = out.pop("campaign_id")
        out["campaign"] = Campaign.objects.filter(project=project, pk=pk).first() if pk else None
        if pk and out["campaign"] is None:
            errors["campaign_id"] = [_("No such campaign in this project.")]
    if "assignee" in out:
        username = out.pop("assignee")
        out["assignee"] = (
            User.objects.filter(username=username, memberships__project=project).first() if username else None
        )
        if username and out["assignee"] is None:
            errors["assignee"] = [_("This person is not a member of the project.")]
    if errors:
        raise ValidationFailed(errors)
    return out


def _anomaly(project: Project, pk: int) -> Anomaly:
    return get_object_or_404(
        Anomaly.objects.select_related("project", "test_case", "exigence", "reported_by", "assignee"),
        project=project,
        pk=pk,
    )


# --- Anomalies ------------------------------------------------------------------------------------------


@router.get(
    "/projects/{code}/anomalies", response={200: list[AnomalyOut], **_READ}, summary="List anomalies (filters, pages)"
)
@paginate(Pagination)
def list_anomalies(
    request: HttpRequest,
    code: str,
    q: str = "",
    severity: str = "",
    priority: str = "",
    status: str = "",
    kind: str = "",
    campaign: int | None = None,
    assignee: str = "",
    open: bool = False,
) -> Any:
    project = _project(request, code)
    filters = selectors.AnomalyFilters(
        q=q,
        severity=severity,
        priority=priority,
        status=status,
        kind=kind,
        campaign=campaign,
        assignee=assignee,
        open_only=open,
    )
    return selectors.anomalies_for(project, filters).select_related("project")


@router.post(
    "/projects/{code}/anomalies",
    response={201: AnomalyOut, **_WRITE},
    summary="Report an anomaly (or a KO's suggested one, with execution_id)",
)
@requires(ANOMALY_REPORT)
def create_anomaly(request: HttpRequest, code: str, payload: AnomalyIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    data = _links(project, payload.dict(exclude_none=True))
    execution_id = data.pop("execution_id", None)
    actor = current_user(request)
    if execution_id is not None:
        execution = Execution.objects.filter(project=project, pk=execution_id).first()
        if execution is None:
            raise ValidationFailed({"execution_id": [_("No such execution in this project.")]})
        step = data.pop("step_position", None)
        anomaly = services.anomaly_create_from_execution(actor=actor, execution=execution, step_position=step, **data)
    else:
        if not data.get("title"):
            raise ValidationFailed({"title": [_("Give a title.")]})
        anomaly = services.anomaly_create(actor=actor, project=project, **data)
    set_etag(response, anomaly)
    return Status(201, _anomaly(project, anomaly.pk))


@router.get("/projects/{code}/anomalies/export", response={200: None, **_READ}, summary="Anomalies as xlsx")
def export_anomalies(
    request: HttpRequest, code: str, severity: str = "", status: str = "", kind: str = "", campaign: int | None = None
) -> Any:
    project = _project(request, code)
    filters = selectors.AnomalyFilters(severity=severity, status=status, kind=kind, campaign=campaign)
    return _file(exports.anomalies_xlsx(project, filters), f"anomalies-{code}.xlsx", XLSX)


@router.get("/projects/{code}/anomalies/{anomaly_id}", response={200: AnomalyOut, **_READ})
def get_anomaly(request: HttpRequest, code: str, anomaly_id: int, response: HttpResponse) -> Any:
    anomaly = _anomaly(_project(request, code), anomaly_id)
    set_etag(response, anomaly)
    return anomaly


@router.patch(
    "/projects/{code}/anomalies/{anomaly_id}", response={200: AnomalyOut, **_WRITE}, summary="Edit (If-Match)"
)
@requires(ANOMALY_QUALIFY)
def update_anomaly(
    request: HttpRequest, code: str, anomaly_id: int, payload: AnomalyPatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    anomaly = _anomaly(project, anomaly_id)
    changes = _links(project, payload.dict(exclude_unset=True))
    anomaly = services.anomaly_update(
        actor=current_user(request), anomaly=anomaly, expected_version=if_match(request), **changes
    )
    set_etag(response, anomaly)
    return _anomaly(project, anomaly.pk)


@router.post(
    "/projects/{code}/anomalies/{anomaly_id}/transitions",
    response={200: AnomalyOut, **_WRITE},
    summary="Move along the workflow (If-Match)",
    description=(
        "nouvelle →qualify→ qualifiée →start_fix→ en correction →deliver→ livrée →verify→ vérifiée →close→ close; "
        "reject (from nouvelle/qualifiée, reason), reclassify as change request (reason), reopen from livrée or "
        "vérifiée (reason). An illegal move answers 409 naming both states."
    ),
)
@requires(ANOMALY_QUALIFY)
def transition_anomaly(
    request: HttpRequest, code: str, anomaly_id: int, payload: TransitionIn, response: HttpResponse
) -> Any:
    project = _project(request, code)
    anomaly = _anomaly(project, anomaly_id)
    data = payload.dict(exclude_none=True)
    action, reason = data.pop("action"), data.pop("reason", "")
    fields = _links(project, data)
    anomaly = services.anomaly_transition(
        actor=current_user(request),
        anomaly=anomaly,
        action=action,
        expected_version=if_match(request),
        reason=reason,
        **fields,
    )
    set_etag(response, anomaly)
    return _anomaly(project, anomaly.pk)


@router.get("/projects/{code}/anomalies/{anomaly_id}/history", response={200: list[HistoryOut], **_READ})
def anomaly_history(request: HttpRequest, code: str, anomaly_id: int) -> Any:
    anomaly = _anomaly(_project(request, code), anomaly_id)
    return [
        {
            **row,
            "user": row["user"].username if row["user"] else None,
            "changes": [{k: str(v) for k, v in c.items()} for c in row["changes"]],
        }
        for row in selectors.anomaly_history(anomaly)
    ]


# --- Severity labels ------------------------------------------------------------------------------------


def _labels_out(project: Project) -> dict[str, Any]:
    conf = services.settings_for(project)
    return {
        "label_bloquante": conf.label_bloquante,
        "label_majeure": conf.label_majeure,
        "label_mineure": conf.label_mineure,
        "effective": selectors.severity_labels(project),
        "version": conf.version,
    }


@router.get("/projects/{code}/recette/severity-labels", response={200: LabelsOut, **_READ})
def get_labels(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    project = _project(request, code)
    out = _labels_out(project)
    response["ETag"] = f'"{out["version"]}"'
    return out


@router.put(
    "/projects/{code}/recette/severity-labels",
    response={200: LabelsOut, **_WRITE},
    summary="Relabel severities (If-Match; blank = default)",
)
@requires(RECETTE_CONFIGURE)
def put_labels(request: HttpRequest, code: str, payload: LabelsIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    conf = services.severity_labels_update(
        actor=current_user(request), project=project, expected_version=if_match(request), **payload.dict()
    )
    set_etag(response, conf)
    return _labels_out(project)


# --- Dashboards, coverage, cahier -----------------------------------------------------------------------


@router.get(
    "/projects/{code}/campaigns/{campaign_id}/dashboard",
    response={200: dict[str, Any], **_READ},
    summary="Campaign dashboard: burn-up per iteration, status breakdown, pass rate, open anomalies",
)
def campaign_dashboard_api(request: HttpRequest, code: str, campaign_id: int) -> Any:
    campaign = get_object_or_404(
        Campaign.objects.select_related("project"), project=_project(request, code), pk=campaign_id
    )
    return campaign_dashboard(campaign)


@router.get(
    "/projects/{code}/recette/anomalies-over-time",
    response={200: dict[str, Any], **_READ},
    summary="Open defects per severity and defects per status at the end of each day",
)
def anomalies_over_time_api(
    request: HttpRequest, code: str, since: date | None = None, until: date | None = None
) -> Any:
    return anomalies_over_time(_project(request, code), since=since, until=until)


class CoverageRowOut(Schema):
    id: int
    reference: str
    title: str
    tests: list[str]
    executed: int
    passed: int
    state: str


class AnomalyCoverageOut(Schema):
    totals: dict[str, int]
    items: list[CoverageRowOut]


@router.get(
    "/projects/{code}/recette/coverage",
    response={200: AnomalyCoverageOut, **_READ},
    summary="Coverage per exigence (covered, executed, passed), in the project or one campaign",
)
def coverage_api(request: HttpRequest, code: str, campaign: int | None = None) -> Any:
    rows = coverage_per_exigence(_project(request, code), campaign)
    return {
        "totals": coverage_totals(rows),
        "items": [
            {
                "id": r.id,
                "reference": r.reference,
                "title": r.title,
                "tests": list(r.tests),
                "executed": r.executed,
                "passed": r.passed,
                "state": r.state,
            }
            for r in rows
        ],
    }


@router.get(
    "/projects/{code}/recette/cahier",
    response={200: None, **_READ},
    summary="The cahier de recette as docx or pdf (language of the request)",
)
def cahier_api(request: HttpRequest, code: str, format: Literal["docx", "pdf"] = "docx", results: bool = False) -> Any:
    project = _project(request, code)
    if format == "pdf":
        return _file(exports.cahier_pdf(project, with_results=results), f"cahier-recette-{code}.pdf", "application/pdf")
    return _file(exports.cahier_docx(project, with_results=results), f"cahier-recette-{code}.docx", DOCX)
