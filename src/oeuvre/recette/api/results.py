"""REST API of performance and security results: a pipeline pushes a JMeter, k6, Gatling, Locust, SARIF or ZAP file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, requires
from oeuvre.core.errors import ValidationFailed
from oeuvre.design.models import Criterion
from oeuvre.projects.selectors import project_for
from oeuvre.recette.models import Campaign, TestCase
from oeuvre.recette.permissions import RECETTE_VIEW, RESULTS_IMPORT, TESTBOOK_EDIT
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
        "Multipart form: `file` (JMeter JTL as CSV or XML, k6 summary JSON, Gatling stats.json or stats.js or the "
        "zip of its report folder, Locust stats CSV or stats history CSV, SARIF 2.1, ZAP JSON, testssl.sh JSON, or "
        "one of them zipped). Locust's `_stats.csv` and `_stats_history.csv` of one run go together, as the `file` "
        "field repeated or zipped: the history gives the peak user count. Optional "
        "`iteration` (number; the latest when left out). The campaign must be a performance or security campaign. "
        "Each measured criterion of the DAT is compared with its threshold."
    ),
)
@requires(RESULTS_IMPORT)
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
    # The files of one run (Locust's stats and their history) come as the same field repeated.
    uploads = request.FILES.getlist("file") or [file]
    if len(uploads) > services.MAX_PARTS:
        raise ValidationFailed({"file": [_("Send at most %(n)s files of one run.") % {"n": services.MAX_PARTS}]})
    if any(u.size is not None and u.size > services.MAX_REPORT_BYTES for u in uploads):
        raise ValidationFailed({"file": [_("The file is too large.")]})
    if len(uploads) > 1:
        record = services.results_import(
            project=project, campaign=campaign, iteration=iteration, user=current_user(request),
            parts=[(u.read(), u.name or "report") for u in uploads],
        )  # fmt: skip
    else:
        record = services.results_import(
            project=project, campaign=campaign, iteration=iteration, data=file.read(),
            filename=file.name or "report", user=current_user(request),
        )  # fmt: skip
    return record.as_dict()


class CriteriaIn(Schema):
    criteria: list[str] = Field(..., description="References of the DAT criteria the test measures (CRT-001…).")


class CriteriaOut(Schema):
    test_case: str
    criteria: list[str]
    exigences: list[str] = Field(..., description="The exigences the test covers, the criteria's included.")


@router.put(
    "/projects/{code}/recette/test-cases/{case_id}/criteria",
    response={200: CriteriaOut, **_WRITE},
    summary="Say which DAT criteria a performance or security test measures",
)
@requires(TESTBOOK_EDIT)
def set_criteria(request: HttpRequest, code: str, case_id: int, body: CriteriaIn) -> Any:
    project = project_for(request.user, code)
    require(request.user, project, RECETTE_VIEW)
    case = get_object_or_404(TestCase, project=project, pk=case_id)
    require(request.user, project, TESTBOOK_EDIT)
    found = {c.reference: c for c in Criterion.objects.filter(project=project, reference__in=body.criteria)}
    unknown = [r for r in body.criteria if r not in found]
    if unknown:
        raise ValidationFailed({"criteria": [_("Unknown criteria: %(refs)s.") % {"refs": ", ".join(unknown)}]})
    services.test_case_set_criteria(
        actor=current_user(request), test_case=case, criteria=[found[r] for r in body.criteria]
    )
    return {
        "test_case": case.reference,
        "criteria": sorted(c.reference for c in case.criteria.all()),
        "exigences": sorted(e.reference for e in case.exigences.all()),
    }
