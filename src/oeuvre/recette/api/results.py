"""REST API of performance and security results: a pipeline pushes a JMeter, k6, Gatling, Locust, SARIF or ZAP file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut
from oeuvre.core.errors import ValidationFailed
from oeuvre.projects.selectors import project_for
from oeuvre.recette.models import Campaign
from oeuvre.recette.permissions import RECETTE_VIEW, RESULTS_IMPORT
from oeuvre.recette.services import results as services

__all__ = ["router"]

router = Router(tags=["recette"])

_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CriterionOutcomeOut(Schema):
    criterion: str
    metric: str
    threshold: str
    unit: str
    measured: float | str
    measured_unit: str
    met: bool
    test_case: str


class ExecutionRefOut(Schema):
    test_case: str
    status: str
    execution: int


class ResultsOut(Schema):
    iteration: int
    tool: str
    criteria: list[CriterionOutcomeOut]
    executions: list[ExecutionRefOut]
    unmeasured: list[str] = Field(..., description="Criteria verified by a test case but absent from this file.")
    findings: dict[str, int] = Field(..., description="Security findings by severity.")
    proposals: list[dict[str, Any]] = Field(
        ..., description="Anomaly proposals (criteria not met, high or critical findings) to confirm."
    )


@router.post(
    "/projects/{code}/recette/campaigns/{campaign_id}/results",
    response={200: ResultsOut, **_WRITE},
    summary="Push a load-test or security-scan report",
    description=(
        "Multipart form: `file` (JMeter JTL as CSV or XML, k6 summary JSON, Gatling stats.json, Locust stats CSV, "
        "SARIF 2.1, ZAP JSON), optional `iteration` (number; the latest when left out). The campaign must be a "
        "performance or security campaign. Each measured criterion of the DAT is compared with its threshold."
    ),
)
def push_results(
    request: HttpRequest, code: str, campaign_id: int, file: File[UploadedFile | None] = None,
    iteration: Form[int | None] = None,
) -> Any:  # fmt: skip
    project = project_for(request.user, code)
    require(request.user, project, RECETTE_VIEW)
    campaign = get_object_or_404(Campaign, project=project, pk=campaign_id)
    require(request.user, project, RESULTS_IMPORT)
    if file is None:
        raise ValidationFailed({"file": [_("Send the report file (multipart form field “file”).")]})
    if file.size is not None and file.size > services.MAX_REPORT_BYTES:
        raise ValidationFailed({"file": [_("The file is too large.")]})
    record = services.results_import(
        project=project, campaign=campaign, iteration=iteration, data=file.read(),
        filename=file.name or "report", user=current_user(request),
    )  # fmt: skip
    return record.as_dict()
