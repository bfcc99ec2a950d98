"""REST API of the test book, campaigns, executions, evidence and JUnit results (thin: schemas in and out)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, Pagination, if_match, requires, set_etag
from oeuvre.core.errors import ValidationFailed
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for
from oeuvre.recette.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    Iteration,
    JUnitMapping,
    PlannedTest,
    TestCase,
    TestCaseStatus,
    TestFolder,
    TestPriority,
    TestType,
)
from oeuvre.recette.permissions import CAMPAIGNS_MANAGE, EXECUTE, RECETTE_VIEW, RESULTS_IMPORT, TESTBOOK_EDIT
from oeuvre.recette.selectors import testbook as selectors
from oeuvre.recette.services import testbook as services
from oeuvre.requirements.models import Exigence

__all__ = ["router"]

router = Router(tags=["recette"])

_READ = {403: ErrorOut, 404: ErrorOut}
_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}
_BASE = "/projects/{code}/recette"


def _project(request: HttpRequest, code: str) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, RECETTE_VIEW)
    return project


def _member(project: Project, username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, memberships__project=project).first()
    if user is None:
        raise ValidationFailed({field: [_("This person is not a member of the project.")]})
    return user


def _exigences(project: Project, references: list[str]) -> list[Exigence]:
    found = {e.reference: e for e in Exigence.objects.filter(project=project, reference__in=references)}
    unknown = [r for r in references if r not in found]
    if unknown:
        raise ValidationFailed({"exigences": [_("Unknown requirement(s): %(refs)s.") % {"refs": ", ".join(unknown)}]})
    return [found[r] for r in references]


def _folder(project: Project, folder_id: int | None, field: str = "folder") -> TestFolder | None:
    if folder_id is None:
        return None
    found = TestFolder.objects.filter(project=project, pk=folder_id).first()
    if found is None:
        raise ValidationFailed({field: [_("Unknown folder %(id)s.") % {"id": folder_id}]})
    return found


def _case_by_reference(project: Project, reference: str, field: str = "test_case") -> TestCase:
    found = TestCase.objects.filter(project=project, reference=reference).select_related("project").first()
    if found is None:
        raise ValidationFailed({field: [_("Unknown test case %(ref)s.") % {"ref": reference}]})
    return found


# --- Schemas ------------------------------------------------------------------------------------------------


class StepIn(Schema):
    action: str = Field(..., min_length=1)
    expected: str = Field(..., min_length=1, description="The expected result.")
    data: str = ""


class StepOut(StepIn):
    position: int


class TestCaseOut(Schema):
    id: int
    reference: str
    title: str
    objective: str
    preconditions: str
    data: str
    type: TestType
    priority: TestPriority
    status: TestCaseStatus
    automated: bool
    folder: int | None = Field(None, description="Id of its folder.")
    revision: int = Field(..., description="Bumped by each change of title, objective, preconditions, data or steps.")
    steps: list[StepOut]
    exigences: list[str] = Field([], description="References of the requirements it covers.")
    version: int

    @staticmethod
    def resolve_folder(obj: TestCase) -> int | None:
        return obj.folder_id

    @staticmethod
    def resolve_steps(obj: TestCase) -> list[dict[str, Any]]:
        return [{"position": s.position, "action": s.action, "expected": s.expected, "data": s.data}
                for s in obj.steps.all()]  # fmt: skip

    @staticmethod
    def resolve_exigences(obj: TestCase) -> list[str]:
        return [e.reference for e in obj.exigences.all()]


class TestCaseIn(Schema):
    reference: str | None = Field(None, max_length=40, description="Leave out for the next free reference.")
    title: str = Field(..., min_length=1, max_length=300)
    objective: str = ""
    preconditions: str = ""
    data: str = ""
    type: TestType = TestType.FONCTIONNEL
    priority: TestPriority = TestPriority.MOYENNE
    status: TestCaseStatus = TestCaseStatus.BROUILLON
    automated: bool = False
    folder: int | None = None
    steps: list[StepIn] = []
    exigences: list[str] = []


class TestCasePatch(Schema):
    reference: str | None = Field(None, max_length=40)
    title: str | None = Field(None, min_length=1, max_length=300)
    objective: str | None = None
    preconditions: str | None = None
    data: str | None = None
    type: TestType | None = None
    priority: TestPriority | None = None
    status: TestCaseStatus | None = None
    automated: bool | None = None
    folder: int | None = None
    steps: list[StepIn] | None = Field(None, description="The whole list: add, edit, reorder and delete at once.")
    exigences: list[str] | None = None


class RevisionOut(Schema):
    revision: int
    content: dict[str, Any]
    created_at: datetime


class FolderOut(Schema):
    id: int
    name: str
    parent: int | None = None
    position: int
    version: int

    @staticmethod
    def resolve_parent(obj: TestFolder) -> int | None:
        return obj.parent_id


class FolderIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    parent: int | None = None


class FolderPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    parent: int | None = None


class ProgressOut(Schema):
    planned: int
    ok: int
    ko: int
    bloque: int
    not_run: int
    executed: int
    execution_rate: float
    pass_rate: float


class CampaignOut(Schema):
    id: int
    name: str
    kind: CampaignKind
    status: CampaignStatus
    description: str
    environment: str
    release: str
    starts_on: date | None
    ends_on: date | None
    version: int
    progress: ProgressOut | None = None


class CampaignIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: CampaignKind = CampaignKind.VABF
    status: CampaignStatus = CampaignStatus.PREPARATION
    description: str = ""
    environment: str = Field("", max_length=100)
    release: str = Field("", max_length=100)
    starts_on: date | None = None
    ends_on: date | None = None


class CampaignPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: CampaignKind | None = None
    status: CampaignStatus | None = None
    description: str | None = None
    environment: str | None = Field(None, max_length=100)
    release: str | None = Field(None, max_length=100)
    starts_on: date | None = None
    ends_on: date | None = None


class IterationOut(Schema):
    id: int
    number: int
    name: str
    release: str
    starts_on: date | None
    ends_on: date | None
    version: int


class IterationIn(Schema):
    name: str = Field("", max_length=200)
    release: str = Field("", max_length=100, description="The build under test.")
    starts_on: date | None = None
    ends_on: date | None = None


class PlannedTestOut(Schema):
    id: int
    version: int
    test_case: str
    test_case_id: int
    title: str
    tester: str | None = None

    @staticmethod
    def resolve_test_case(obj: PlannedTest) -> str:
        return obj.test_case.reference

    @staticmethod
    def resolve_title(obj: PlannedTest) -> str:
        return obj.test_case.title

    @staticmethod
    def resolve_tester(obj: PlannedTest) -> str | None:
        return obj.tester.username if obj.tester else None


class PlanIn(Schema):
    test_cases: list[str] = Field([], description="References of test cases to plan.")
    folders: list[int] = Field([], description="Folders to plan whole, with their subfolders.")
    tester: str | None = Field(None, description="Username of the tester assigned to the new planned tests.")


class TesterIn(Schema):
    tester: str | None = None


class StepResultOut(Schema):
    position: int
    action: str
    expected: str
    data: str
    status: ExecutionStatus
    actual: str


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    step_position: int | None = None
    uploaded_at: datetime

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.original_name)


class ExecutionOut(Schema):
    id: int
    test_case: str
    iteration: int
    revision: int = Field(..., description="The revision of the test case that was run.")
    status: ExecutionStatus
    source: ExecutionSource
    tester: str | None = None
    started_at: datetime | None
    executed_at: datetime | None
    duration_seconds: float | None = None
    comment: str
    junit_name: str
    message: str
    steps: list[StepResultOut]
    evidence: list[EvidenceOut]
    version: int

    @staticmethod
    def resolve_test_case(obj: Execution) -> str:
        return obj.test_case.reference

    @staticmethod
    def resolve_iteration(obj: Execution) -> int:
        return obj.iteration.number

    @staticmethod
    def resolve_revision(obj: Execution) -> int:
        return obj.test_case_revision.revision

    @staticmethod
    def resolve_tester(obj: Execution) -> str | None:
        return obj.tester.username if obj.tester else None

    @staticmethod
    def resolve_duration_seconds(obj: Execution) -> float | None:
        return obj.duration.total_seconds() if obj.duration is not None else None

    @staticmethod
    def resolve_steps(obj: Execution) -> list[dict[str, Any]]:
        return [
            {"position": s["position"], "action": s["action"], "expected": s["expected"], "data": s.get("data", ""),
             "status": s["status"], "actual": s["result"].actual if s["result"] else ""}
            for s in selectors.step_view(obj)
        ]  # fmt: skip

    @staticmethod
    def resolve_evidence(obj: Execution) -> list[Any]:
        return list(obj.evidence.all())


class ExecutionListOut(Schema):
    id: int
    test_case: str
    iteration: int
    status: ExecutionStatus
    source: ExecutionSource
    tester: str | None = None
    executed_at: datetime | None

    @staticmethod
    def resolve_test_case(obj: Execution) -> str:
        return obj.test_case.reference

    @staticmethod
    def resolve_iteration(obj: Execution) -> int:
        return obj.iteration.number

    @staticmethod
    def resolve_tester(obj: Execution) -> str | None:
        return obj.tester.username if obj.tester else None


class ExecutionIn(Schema):
    test_case: str = Field(..., description="Reference of a test case planned in the campaign.")
    iteration: int | None = Field(None, description="Iteration number; the latest one when left out.")
    tester: str | None = Field(None, description="Username; yourself when left out.")


class StepResultIn(Schema):
    status: ExecutionStatus
    actual: str = Field("", description="What was observed; required for a KO.")


class ExecutionStatusIn(Schema):
    status: ExecutionStatus | None = Field(None, description="Left out: the status the steps suggest.")
    comment: str | None = None
    duration_seconds: float | None = Field(None, ge=0)


class DraftOut(Schema):
    title: str
    description: str
    execution: int
    step_position: int | None
    test_case: int
    test_case_reference: str
    exigence: int | None
    campaign: int | None
    release_found: str
    severity: str


class JUnitResultOut(Schema):
    iteration: int = Field(..., description="Number of the iteration the executions went into.")
    total: int = Field(..., description="Test cases in the report.")
    created: int = Field(..., description="Executions created (one per test case of the book).")
    planned: int = Field(..., description="Test cases newly planned in the campaign.")
    by_status: dict[str, int]
    unmapped: list[str] = Field(..., description="JUnit names that matched no test case: save a mapping for them.")
    failures: list[DraftOut] = Field(..., description="Failed executions, each with a pre-filled anomaly draft.")


class MappingOut(Schema):
    id: int
    junit_name: str
    test_case: str

    @staticmethod
    def resolve_test_case(obj: JUnitMapping) -> str:
        return obj.test_case.reference


class MappingIn(Schema):
    junit_name: str = Field(..., min_length=1, max_length=500)
    test_case: str = Field(..., description="Reference of the test case.")


# --- Folders -------------------------------------------------------------------------------------------------


@router.get(f"{_BASE}/folders", response={200: list[FolderOut], **_READ}, summary="Folders of the test book")
def list_folders(request: HttpRequest, code: str) -> Any:
    return TestFolder.objects.filter(project=_project(request, code)).order_by("position", "name", "pk")


@router.post(f"{_BASE}/folders", response={201: FolderOut, **_WRITE}, summary="Create a folder")
@requires(TESTBOOK_EDIT)
def create_folder(request: HttpRequest, code: str, payload: FolderIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    folder = services.folder_create(
        actor=current_user(request), project=project, name=payload.name,
        parent=_folder(project, payload.parent, "parent"),
    )  # fmt: skip
    set_etag(response, folder)
    return Status(201, folder)


def _get_folder(project: Project, folder_id: int) -> TestFolder:
    return get_object_or_404(TestFolder.objects.select_related("project"), project=project, pk=folder_id)


@router.patch(f"{_BASE}/folders/{{folder_id}}", response={200: FolderOut, **_WRITE}, summary="Rename or move")
@requires(TESTBOOK_EDIT)
def update_folder(request: HttpRequest, code: str, folder_id: int, payload: FolderPatch, response: HttpResponse) -> Any:
    project = _project(request, code)
    changes = payload.dict(exclude_unset=True)
    if "parent" in changes:
        changes["parent"] = _folder(project, changes["parent"], "parent")
    folder = services.folder_update(
        actor=current_user(request), folder=_get_folder(project, folder_id), expected_version=if_match(request),
        **changes,
    )  # fmt: skip
    set_etag(response, folder)
    return folder


@router.delete(f"{_BASE}/folders/{{folder_id}}", response={204: None, **_WRITE}, summary="Delete (contents move up)")
@requires(TESTBOOK_EDIT)
def delete_folder(request: HttpRequest, code: str, folder_id: int) -> Any:
    project = _project(request, code)
    services.folder_delete(actor=current_user(request), folder=_get_folder(project, folder_id))
    return Status(204, None)


# --- Test cases --------------------------------------------------------------------------------------------------


def _case(project: Project, case_id: int) -> TestCase:
    return selectors.test_case_detail(project, case_id)


@router.get(f"{_BASE}/test-cases", response={200: list[TestCaseOut], **_READ}, summary="List test cases")
@paginate(Pagination)
def list_test_cases(
    request: HttpRequest, code: str, q: str = "", folder: int | None = None, type: str = "", status: str = ""
) -> Any:
    from django.db.models import Q

    qs = TestCase.objects.filter(project=_project(request, code)).prefetch_related("steps", "exigences")
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(objective__icontains=q))
    if folder is not None:
        qs = qs.filter(folder_id=folder)
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("number", "pk")


@router.post(f"{_BASE}/test-cases", response={201: TestCaseOut, **_WRITE}, summary="Create a test case with its steps")
@requires(TESTBOOK_EDIT)
def create_test_case(request: HttpRequest, code: str, payload: TestCaseIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    data = payload.dict()
    data["folder"] = _folder(project, data.pop("folder"))
    data["exigences"] = _exigences(project, data.pop("exigences"))
    case = services.test_case_create(actor=current_user(request), project=project, **data)
    set_etag(response, case)
    return Status(201, _case(project, case.pk))


@router.get(f"{_BASE}/test-cases/{{case_id}}", response={200: TestCaseOut, **_READ}, summary="A test case")
def get_test_case(request: HttpRequest, code: str, case_id: int, response: HttpResponse) -> Any:
    case = _case(_project(request, code), case_id)
    set_etag(response, case)
    return case


@router.patch(
    f"{_BASE}/test-cases/{{case_id}}",
    response={200: TestCaseOut, **_WRITE},
    summary="Update (If-Match); a content change makes a new revision",
)
@requires(TESTBOOK_EDIT)
def update_test_case(
    request: HttpRequest, code: str, case_id: int, payload: TestCasePatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    changes = payload.dict(exclude_unset=True)
    if "folder" in changes:
        changes["folder"] = _folder(project, changes["folder"])
    if "exigences" in changes:
        changes["exigences"] = _exigences(project, changes["exigences"] or [])
    case = services.test_case_update(
        actor=current_user(request), test_case=_case(project, case_id), expected_version=if_match(request), **changes
    )
    set_etag(response, case)
    return _case(project, case.pk)


@router.delete(f"{_BASE}/test-cases/{{case_id}}", response={204: None, **_WRITE}, summary="Delete (never run only)")
@requires(TESTBOOK_EDIT)
def delete_test_case(request: HttpRequest, code: str, case_id: int) -> Any:
    project = _project(request, code)
    services.test_case_delete(actor=current_user(request), test_case=_case(project, case_id))
    return Status(204, None)


@router.get(
    f"{_BASE}/test-cases/{{case_id}}/revisions", response={200: list[RevisionOut], **_READ}, summary="Revisions"
)
def list_revisions(request: HttpRequest, code: str, case_id: int) -> Any:
    return list(_case(_project(request, code), case_id).revisions.all())


# --- Campaigns -------------------------------------------------------------------------------------------------


def _campaign(project: Project, campaign_id: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("project"), project=project, pk=campaign_id)


def _with_progress(campaigns: list[Campaign]) -> list[Campaign]:
    progress = selectors.campaign_progress(campaigns)
    for campaign in campaigns:
        campaign.progress = progress[campaign.pk].as_dict()  # type: ignore[attr-defined]
    return campaigns


@router.get(f"{_BASE}/campaigns", response={200: list[CampaignOut], **_READ}, summary="Campaigns with progress")
def list_campaigns(request: HttpRequest, code: str) -> Any:
    return _with_progress(list(Campaign.objects.filter(project=_project(request, code)).order_by("starts_on", "pk")))


@router.post(f"{_BASE}/campaigns", response={201: CampaignOut, **_WRITE}, summary="Create (with iteration 1)")
@requires(CAMPAIGNS_MANAGE)
def create_campaign(request: HttpRequest, code: str, payload: CampaignIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    campaign = services.campaign_create(actor=current_user(request), project=project, **payload.dict())
    set_etag(response, campaign)
    return Status(201, _with_progress([campaign])[0])


@router.get(f"{_BASE}/campaigns/{{campaign_id}}", response={200: CampaignOut, **_READ}, summary="A campaign")
def get_campaign(request: HttpRequest, code: str, campaign_id: int, response: HttpResponse) -> Any:
    campaign = _campaign(_project(request, code), campaign_id)
    set_etag(response, campaign)
    return _with_progress([campaign])[0]


@router.patch(f"{_BASE}/campaigns/{{campaign_id}}", response={200: CampaignOut, **_WRITE}, summary="Update (If-Match)")
@requires(CAMPAIGNS_MANAGE)
def update_campaign(
    request: HttpRequest, code: str, campaign_id: int, payload: CampaignPatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    campaign = services.campaign_update(
        actor=current_user(request), campaign=_campaign(project, campaign_id), expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )  # fmt: skip
    set_etag(response, campaign)
    return _with_progress([campaign])[0]


@router.get(f"{_BASE}/campaigns/{{campaign_id}}/iterations", response={200: list[IterationOut], **_READ})
def list_iterations(request: HttpRequest, code: str, campaign_id: int) -> Any:
    return Iteration.objects.filter(campaign=_campaign(_project(request, code), campaign_id)).order_by("number")


@router.post(
    f"{_BASE}/campaigns/{{campaign_id}}/iterations", response={201: IterationOut, **_WRITE}, summary="Next iteration"
)
@requires(CAMPAIGNS_MANAGE)
def create_iteration(request: HttpRequest, code: str, campaign_id: int, payload: IterationIn) -> Any:
    campaign = _campaign(_project(request, code), campaign_id)
    return Status(201, services.iteration_create(actor=current_user(request), campaign=campaign, **payload.dict()))


@router.get(f"{_BASE}/campaigns/{{campaign_id}}/planned-tests", response={200: list[PlannedTestOut], **_READ})
def list_planned(request: HttpRequest, code: str, campaign_id: int) -> Any:
    campaign = _campaign(_project(request, code), campaign_id)
    return PlannedTest.objects.filter(campaign=campaign).select_related("test_case", "tester").order_by("position")


@router.post(
    f"{_BASE}/campaigns/{{campaign_id}}/planned-tests",
    response={201: list[PlannedTestOut], **_WRITE},
    summary="Plan test cases or whole folders, with a tester",
)
@requires(CAMPAIGNS_MANAGE)
def plan_tests(request: HttpRequest, code: str, campaign_id: int, payload: PlanIn) -> Any:
    project = _project(request, code)
    campaign = _campaign(project, campaign_id)
    cases = [_case_by_reference(project, ref, "test_cases") for ref in payload.test_cases]
    folders = [f for f in (_folder(project, pk, "folders") for pk in payload.folders) if f is not None]
    added = services.planned_tests_add(
        actor=current_user(request), campaign=campaign, test_cases=cases, folders=folders,
        tester=_member(project, payload.tester, "tester"),
    )  # fmt: skip
    return Status(201, PlannedTest.objects.filter(pk__in=[p.pk for p in added]).select_related("test_case", "tester"))


def _planned(project: Project, campaign_id: int, planned_id: int) -> PlannedTest:
    return get_object_or_404(
        PlannedTest.objects.select_related("campaign__project", "test_case", "tester"),
        campaign__project=project, campaign_id=campaign_id, pk=planned_id,
    )  # fmt: skip


@router.patch(
    f"{_BASE}/campaigns/{{campaign_id}}/planned-tests/{{planned_id}}",
    response={200: PlannedTestOut, **_WRITE},
    summary="Assign the tester (If-Match: the planned test's version, from the list)",
)
@requires(CAMPAIGNS_MANAGE)
def assign_tester(
    request: HttpRequest, code: str, campaign_id: int, planned_id: int, payload: TesterIn, response: HttpResponse
) -> Any:
    project = _project(request, code)
    planned = services.planned_test_assign(
        actor=current_user(request), planned_test=_planned(project, campaign_id, planned_id),
        tester=_member(project, payload.tester, "tester"), expected_version=if_match(request),
    )  # fmt: skip
    set_etag(response, planned)
    return planned


@router.delete(f"{_BASE}/campaigns/{{campaign_id}}/planned-tests/{{planned_id}}", response={204: None, **_WRITE})
@requires(CAMPAIGNS_MANAGE)
def unplan(request: HttpRequest, code: str, campaign_id: int, planned_id: int) -> Any:
    project = _project(request, code)
    services.planned_test_remove(actor=current_user(request), planned_test=_planned(project, campaign_id, planned_id))
    return Status(204, None)


# --- Executions ------------------------------------------------------------------------------------------------


@router.get(f"{_BASE}/campaigns/{{campaign_id}}/executions", response={200: list[ExecutionListOut], **_READ})
@paginate(Pagination)
def list_executions(request: HttpRequest, code: str, campaign_id: int, status: str = "") -> Any:
    project = _project(request, code)
    qs = selectors.executions_for(project).filter(iteration__campaign=_campaign(project, campaign_id))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-pk")


@router.post(
    f"{_BASE}/campaigns/{{campaign_id}}/executions",
    response={201: ExecutionOut, **_WRITE},
    summary="Start an execution (the current revision is frozen)",
)
@requires(EXECUTE)
def start_execution(
    request: HttpRequest, code: str, campaign_id: int, payload: ExecutionIn, response: HttpResponse
) -> Any:
    project = _project(request, code)
    campaign = _campaign(project, campaign_id)
    iterations = Iteration.objects.filter(campaign=campaign)
    iteration = (
        iterations.filter(number=payload.iteration).first()
        if payload.iteration
        else iterations.order_by("-number").first()
    )
    if iteration is None:
        raise ValidationFailed({"iteration": [_("This campaign has no such iteration.")]})
    execution = services.execution_start(
        actor=current_user(request), iteration=iteration,
        test_case=_case_by_reference(project, payload.test_case), tester=_member(project, payload.tester, "tester"),
    )  # fmt: skip
    set_etag(response, execution)
    return Status(201, selectors.execution_for(project, execution.pk))


@router.get(f"{_BASE}/executions/{{execution_id}}", response={200: ExecutionOut, **_READ}, summary="An execution")
def get_execution(request: HttpRequest, code: str, execution_id: int, response: HttpResponse) -> Any:
    execution = selectors.execution_for(_project(request, code), execution_id)
    set_etag(response, execution)
    return execution


@router.put(
    f"{_BASE}/executions/{{execution_id}}/steps/{{position}}",
    response={200: ExecutionOut, **_WRITE},
    summary="Record a step's status and actual result (If-Match)",
)
@requires(EXECUTE)
def record_step(
    request: HttpRequest, code: str, execution_id: int, position: int, payload: StepResultIn, response: HttpResponse
) -> Any:
    project = _project(request, code)
    execution = selectors.execution_for(project, execution_id)
    services.execution_record_step(
        actor=current_user(request), execution=execution, position=position, status=payload.status,
        actual=payload.actual, expected_version=if_match(request),
    )  # fmt: skip
    execution = selectors.execution_for(project, execution_id)
    set_etag(response, execution)
    return execution


@router.post(
    f"{_BASE}/executions/{{execution_id}}/status",
    response={200: ExecutionOut, **_WRITE},
    summary="Set the overall status, comment and duration (If-Match)",
)
@requires(EXECUTE)
def set_status(
    request: HttpRequest, code: str, execution_id: int, payload: ExecutionStatusIn, response: HttpResponse
) -> Any:
    project = _project(request, code)
    duration = timedelta(seconds=payload.duration_seconds) if payload.duration_seconds is not None else None
    services.execution_set_status(
        actor=current_user(request), execution=selectors.execution_for(project, execution_id),
        expected_version=if_match(request), status=payload.status, comment=payload.comment, duration=duration,
    )  # fmt: skip
    execution = selectors.execution_for(project, execution_id)
    set_etag(response, execution)
    return execution


@router.get(
    f"{_BASE}/executions/{{execution_id}}/anomaly-draft",
    response={200: DraftOut, **_READ},
    summary="The anomaly a KO suggests, pre-filled from the failed step",
)
def anomaly_draft(request: HttpRequest, code: str, execution_id: int, step: int | None = None) -> Any:
    return selectors.anomaly_draft_from_execution(selectors.execution_for(_project(request, code), execution_id), step)


@router.post(
    f"{_BASE}/executions/{{execution_id}}/evidence",
    response={201: EvidenceOut, **_WRITE},
    summary="Attach evidence (PNG, JPEG, GIF, PDF, ZIP, text; checked by content)",
    description="Multipart form: `file`, optional `step` (the step it shows).",
)
@requires(EXECUTE)
def upload_evidence(
    request: HttpRequest, code: str, execution_id: int, file: File[UploadedFile | None] = None,
    step: Form[int | None] = None,
) -> Any:  # fmt: skip
    project = _project(request, code)
    require(request.user, project, EXECUTE)
    if file is None:
        raise ValidationFailed({"file": [_("Send the file (multipart form field “file”).")]})
    execution = selectors.execution_for(project, execution_id)
    data = file.read(services.EVIDENCE_MAX_BYTES + 1)
    evidence = services.evidence_add(
        actor=current_user(request), execution=execution, filename=file.name or "", data=data, step_position=step
    )
    return Status(201, evidence)


@router.get(
    f"{_BASE}/evidence/{{evidence_id}}", response={200: None, **_READ}, summary="Download evidence (as an attachment)"
)
def download_evidence(request: HttpRequest, code: str, evidence_id: int) -> Any:
    return evidence_response(selectors.evidence_for(_project(request, code), evidence_id))


def evidence_response(evidence: Any) -> FileResponse:
    """Always an attachment, with the type we sniffed and ``nosniff``: never rendered by the browser."""
    response = FileResponse(
        services.evidence_path(evidence).open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- JUnit ---------------------------------------------------------------------------------------------------------


class TestbookJobOut(Schema):
    id: str
    kind: str
    status: str
    url: str = Field(..., description="Poll GET /api/jobs/{id}; its result has the same shape as the direct answer.")


@router.post(
    f"{_BASE}/campaigns/{{campaign_id}}/junit",
    response={200: JUnitResultOut, 202: TestbookJobOut, **_WRITE},
    summary="Push JUnit XML results from CI",
    description=(
        "Multipart form: `file` (JUnit XML from pytest, Surefire, Jest, Go, PHPUnit…), optional `iteration` "
        "(number; the latest when left out). Each result is mapped to a test case by a saved mapping, else by the "
        "reference in its name (`test_CT_012_login`, `CT-012`). Executions are created in bulk; unmapped names "
        "and failures (with anomaly drafts) are returned. With `background=true` the import runs as a job (202)."
    ),
)
@requires(RESULTS_IMPORT)
def push_junit(
    request: HttpRequest, code: str, campaign_id: int, file: File[UploadedFile | None] = None,
    iteration: Form[int | None] = None, background: Form[bool] = False,
) -> Any:  # fmt: skip
    project = _project(request, code)
    campaign = _campaign(project, campaign_id)
    require(request.user, project, RESULTS_IMPORT)
    if file is None:
        raise ValidationFailed({"file": [_("Send the JUnit XML file (multipart form field “file”).")]})
    chosen = None
    if iteration is not None:
        chosen = Iteration.objects.filter(campaign=campaign, number=iteration).first()
        if chosen is None:
            raise ValidationFailed({"iteration": [_("This campaign has no iteration %(n)s.") % {"n": iteration}]})
    if background:
        job = services.junit_import_enqueue(
            actor=current_user(request), campaign=campaign, data=file.read(), filename=file.name or "junit.xml",
            iteration=chosen,
        )  # fmt: skip
        return Status(202, {"id": str(job.pk), "kind": job.kind, "status": job.status, "url": f"/api/jobs/{job.pk}"})
    result = services.junit_import(
        actor=current_user(request), campaign=campaign, data=file.read(), filename=file.name or "junit.xml",
        iteration=chosen,
    )  # fmt: skip
    out = result.as_dict()
    out["iteration"] = Iteration.objects.get(pk=result.iteration_id).number
    return out


@router.get(f"{_BASE}/junit-mappings", response={200: list[MappingOut], **_READ}, summary="Saved JUnit name mappings")
def list_mappings(request: HttpRequest, code: str) -> Any:
    return selectors.junit_mappings_for(_project(request, code))


@router.post(f"{_BASE}/junit-mappings", response={201: MappingOut, **_WRITE}, summary="Map a JUnit name to a case")
@requires(RESULTS_IMPORT)
def save_mapping(request: HttpRequest, code: str, payload: MappingIn) -> Any:
    project = _project(request, code)
    mapping = services.junit_mapping_save(
        actor=current_user(request), project=project, junit_name=payload.junit_name,
        test_case=_case_by_reference(project, payload.test_case),
    )  # fmt: skip
    return Status(201, mapping)


@router.delete(f"{_BASE}/junit-mappings/{{mapping_id}}", response={204: None, **_WRITE})
@requires(RESULTS_IMPORT)
def delete_mapping(request: HttpRequest, code: str, mapping_id: int) -> Any:
    project = _project(request, code)
    mapping = get_object_or_404(JUnitMapping.objects.select_related("project"), project=project, pk=mapping_id)
    services.junit_mapping_delete(actor=current_user(request), mapping=mapping)
    return Status(204, None)
