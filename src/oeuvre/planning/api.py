"""The planning REST API: thin endpoints over the services and selectors (same rules as the pages)."""

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import APIKeyQuery

from oeuvre.accounts.permissions import can, current_user, require
from oeuvre.accounts.services import token_authenticate
from oeuvre.core.api import ErrorOut, Pagination, api_auth, if_match, requires, set_etag
from oeuvre.core.api_jobs import JobOut
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.jobs import job_or_404, job_state
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.timesheet_csv import TimeEntryFileError, read_time_entries
from oeuvre.planning import costing, exporting, selectors, services
from oeuvre.planning.files import file_error_message
from oeuvre.planning.models import (
    Absence,
    Assignment,
    Baseline,
    ConstraintType,
    Dependency,
    LinkType,
    Lot,
    MilestoneType,
    Resource,
    ResourceKind,
    Task,
    TaskKind,
)
from oeuvre.planning.permissions import (
    PLANNING_ANALYSE,
    PLANNING_BASELINE,
    PLANNING_EDIT,
    PLANNING_LOG_TIME,
    PLANNING_MANAGE_RESOURCES,
    PLANNING_MANAGE_TIME,
    PLANNING_VIEW,
    PLANNING_VIEW_COSTS,
)
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for

router = Router(tags=["planning"])
# Schemas with a field named "date" need another name for the type.
Date = date

_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}
_READ = {403: ErrorOut, 404: ErrorOut}
P = "/projects/{code}/planning"


def _project(request: HttpRequest, code: str, permission: str = PLANNING_VIEW) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, permission)
    return project


# --- Schemas ----------------------------------------------------------------------------------------


class PlanOut(Schema):
    status_date: date | None
    effective_status_date: date
    baseline_id: int | None
    timesheet_closed_until: date | None
    default_tjm: Decimal | None
    optimistic_factor: Decimal
    pessimistic_factor: Decimal
    revision: int
    finish: date | None
    scheduled_at: datetime | None
    up_to_date: bool
    critical_path: list[str]
    warnings: list[str]
    version: int


class PlanPatch(Schema):
    status_date: date | None = None
    default_tjm: Decimal | None = Field(None, ge=0)
    optimistic_factor: Decimal | None = Field(None, ge=0, le=1)
    pessimistic_factor: Decimal | None = Field(None, ge=1, le=10)


class ScheduleOut(Schema):
    finish: date | None
    task_count: int
    critical_path: list[str]
    warnings: list[str]


class LotOut(Schema):
    id: int
    code: str
    name: str
    description: str
    parent_id: int | None
    position: int
    budget_effort: Decimal
    budget_amount: Decimal
    version: int


class LotIn(Schema):
    code: str = Field("", max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    parent_id: int | None = None
    position: int | None = Field(None, ge=0)
    budget_effort: Decimal = Field(Decimal(0), ge=0)
    budget_amount: Decimal = Field(Decimal(0), ge=0)


class LotPatch(Schema):
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    parent_id: int | None = None
    position: int | None = Field(None, ge=0)
    budget_effort: Decimal | None = Field(None, ge=0)
    budget_amount: Decimal | None = Field(None, ge=0)


class TaskOut(Schema):
    id: int
    code: str
    name: str
    description: str
    lot_id: int
    lot_code: str = Field(..., alias="lot.code")
    position: int
    kind: TaskKind
    milestone_type: str
    duration: int
    effort: Decimal
    optimistic_duration: int | None
    pessimistic_duration: int | None
    constraint_type: ConstraintType
    constraint_date: date | None
    levelling_start: date | None
    actual_start: date | None
    actual_finish: date | None
    progress_override: Decimal | None
    early_start: date | None
    early_finish: date | None
    late_start: date | None
    late_finish: date | None
    total_float: int | None
    free_float: int | None
    is_critical: bool
    specifications: list[str] = Field([], description="References of the specifications it implements.")
    components: list[str] = Field([], description="References of the components it implements.")
    version: int

    @staticmethod
    def resolve_specifications(obj: Task) -> list[str]:
        return [s.reference for s in obj.specifications.all()]

    @staticmethod
    def resolve_components(obj: Task) -> list[str]:
        return [c.reference for c in obj.components.all()]


class TaskIn(Schema):
    lot_id: int
    code: str = Field("", max_length=40)
    name: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    kind: TaskKind = TaskKind.TASK
    milestone_type: MilestoneType = MilestoneType.NONE
    duration: int = Field(1, ge=0, le=100_000)
    effort: Decimal = Field(Decimal(0), ge=0)
    optimistic_duration: int | None = Field(None, ge=0)
    pessimistic_duration: int | None = Field(None, ge=0)
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    progress_override: Decimal | None = Field(None, ge=0, le=100)
    position: int | None = Field(None, ge=0)
    specification_ids: list[int] = []
    component_ids: list[int] = []


class TaskPatch(Schema):
    lot_id: int | None = None
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    kind: TaskKind | None = None
    milestone_type: MilestoneType | None = None
    duration: int | None = Field(None, ge=0, le=100_000)
    effort: Decimal | None = Field(None, ge=0)
    optimistic_duration: int | None = Field(None, ge=0)
    pessimistic_duration: int | None = Field(None, ge=0)
    constraint_type: ConstraintType | None = None
    constraint_date: date | None = None
    actual_start: date | None = None
    actual_finish: date | None = None
    progress_override: Decimal | None = Field(None, ge=0, le=100)
    position: int | None = Field(None, ge=0)
    specification_ids: list[int] | None = None
    component_ids: list[int] | None = None


class MoveIn(Schema):
    start: date | None = None
    duration: int | None = Field(None, ge=1)
    end: date | None = Field(None, description="Last day of the dragged bar: the move is read as the Gantt's drag")


class MovedOut(Schema):
    id: int
    code: str
    start: date | None
    finish: date | None


class MoveOut(Schema):
    task: TaskOut
    moved: list[MovedOut]
    undo: dict[str, Any]


class DependencyOut(Schema):
    id: int
    predecessor_id: int
    successor_id: int
    predecessor_code: str = Field(..., alias="predecessor.code")
    successor_code: str = Field(..., alias="successor.code")
    type: LinkType
    lag: int
    lag_calendar_days: bool
    version: int


class DependencyIn(Schema):
    predecessor_id: int
    successor_id: int
    type: LinkType = LinkType.FS
    lag: int = Field(0, ge=-999, le=999)
    lag_calendar_days: bool = False


class DependencyPatch(Schema):
    type: LinkType | None = None
    lag: int | None = Field(None, ge=-999, le=999)
    lag_calendar_days: bool | None = None


class ResourceOut(Schema):
    id: int
    name: str
    kind: ResourceKind
    user_id: int | None
    tjm: Decimal | None = Field(None, description="Null when your role may not see costs.")
    capacity: Decimal
    working_days: list[int] | None
    active: bool
    version: int


class ResourceIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: ResourceKind = ResourceKind.PERSON
    user_id: int | None = None
    tjm: Decimal = Field(Decimal(0), ge=0)
    capacity: Decimal = Field(Decimal(1), ge=0, le=1000)
    working_days: list[int] | None = None
    active: bool = True


class ResourcePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: ResourceKind | None = None
    user_id: int | None = None
    tjm: Decimal | None = Field(None, ge=0)
    capacity: Decimal | None = Field(None, ge=0, le=1000)
    working_days: list[int] | None = None
    active: bool | None = None


class AbsenceIn(Schema):
    start: date
    end: date
    label: str = Field("", max_length=100)


class AbsenceOut(Schema):
    id: int
    resource_id: int
    start: date
    end: date
    label: str


class AssignmentOut(Schema):
    id: int
    task_id: int
    resource_id: int
    units: Decimal
    effort: Decimal | None
    version: int


class AssignmentIn(Schema):
    task_id: int
    resource_id: int
    units: Decimal = Field(Decimal(1), gt=0, le=1000)
    effort: Decimal | None = Field(None, ge=0)


class AssignmentPatch(Schema):
    units: Decimal | None = Field(None, gt=0, le=1000)
    effort: Decimal | None = Field(None, ge=0)


class TimeEntryOut(Schema):
    id: int
    date: Date
    resource_id: int
    person: str = Field(..., alias="resource.name")
    task_id: int
    task_code: str = Field(..., alias="task.code")
    effort: Decimal
    comment: str
    version: int


class TimeCell(Schema):
    task_id: int
    date: Date
    effort: Decimal = Field(..., description="Person-days; 0 deletes the entry.")


class TimesheetIn(Schema):
    resource_id: int
    week: date = Field(..., description="Any day of the week.")
    cells: list[TimeCell]


class TimesheetOut(Schema):
    saved: int
    deleted: int
    warnings: list[str]


class TimeImportIn(Schema):
    csv: str = Field(..., description="The CSV file's text (see the documentation for the columns).")


class RafIn(Schema):
    raf: Decimal = Field(..., ge=0, le=Decimal("99999999.99"), allow_inf_nan=False)  # the column's bounds
    date: Date | None = None
    comment: str = Field("", max_length=300)


class RafOut(Schema):
    id: int
    task_id: int
    date: Date
    raf: Decimal
    comment: str


class PlanBaselineOut(Schema):
    id: int
    name: str
    description: str
    start: date | None
    finish: date | None
    effort: Decimal
    cost: Decimal | None = None
    created_at: datetime
    is_reference: bool = False


class PlanBaselineIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    make_reference: bool = True


class LevellingIn(Schema):
    method: str = Field("heuristic", pattern="^(heuristic|cpsat)$")
    time_limit: float = Field(10, ge=1, le=300)


class ApplyIn(Schema):
    job: str


class RiskIn(Schema):
    iterations: int = Field(5000, ge=100, le=100_000)
    seed: int = Field(1, ge=0)


class ImportIn(Schema):
    filename: str = Field(..., description="Its suffix picks the reader: .xml (MSPDI), .mpp, .xlsx.")
    content_base64: str
    replace: bool = False


def _plan_out(project: Project) -> dict[str, Any]:
    plan = selectors.plan_of(project)
    summary = selectors.schedule_summary(project, plan)
    return {
        "status_date": plan.status_date,
        "effective_status_date": summary["status_date"],
        "baseline_id": plan.baseline_id,
        "timesheet_closed_until": plan.timesheet_closed_until,
        "default_tjm": plan.default_tjm,
        "optimistic_factor": plan.optimistic_factor,
        "pessimistic_factor": plan.pessimistic_factor,
        "revision": plan.revision,
        "finish": plan.finish,
        "scheduled_at": plan.scheduled_at,
        "up_to_date": summary["up_to_date"],
        "critical_path": [t["code"] for t in summary["critical_path"]],
        "warnings": summary["warnings"],
        "version": plan.version,
    }


# --- Plan -------------------------------------------------------------------------------------------


@router.get(P, response={200: PlanOut, **_READ}, summary="The plan's settings and last schedule")
def get_plan(request: HttpRequest, code: str, response: HttpResponse) -> object:
    project = _project(request, code)
    data = _plan_out(project)
    response["ETag"] = f'"{data["version"]}"'
    return data


@router.patch(
    P, response={200: PlanOut, **_WRITE}, summary="Change the status date, default TJM, risk factors (If-Match)"
)
@requires(PLANNING_EDIT)
def update_plan(request: HttpRequest, code: str, payload: PlanPatch, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    plan = services.plan_update(
        actor=current_user(request),
        project=project,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, plan)
    return _plan_out(project)


@router.post(f"{P}/schedule", response={200: ScheduleOut, **_WRITE}, summary="Reschedule the plan now")
@requires(PLANNING_EDIT)
def schedule_plan(request: HttpRequest, code: str) -> object:
    project = project_for(request.user, code)
    outcome = services.plan_reschedule(actor=current_user(request), project=project)
    summary = selectors.schedule_summary(project)
    return {
        "finish": outcome.finish,
        "task_count": outcome.plan.n,
        "critical_path": [t["code"] for t in summary["critical_path"]],
        "warnings": summary["warnings"],
    }


@router.get(
    f"{P}/gantt", response={200: dict[str, Any], **_READ}, summary="Gantt data: tasks, links, baseline, critical path"
)
def gantt(request: HttpRequest, code: str, lot: int | None = None, critical: bool = False, q: str = "") -> object:
    project = _project(request, code)
    return selectors.gantt_data(project, lot=lot, critical=critical, query=q)


# --- Lots -------------------------------------------------------------------------------------------


def _lot_fields(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    if "parent_id" in data:
        parent_id = data.pop("parent_id")
        data["parent"] = get_object_or_404(Lot, pk=parent_id, project=project) if parent_id else None
    return data


@router.get(f"{P}/lots", response={200: list[LotOut], **_READ})
def list_lots(request: HttpRequest, code: str) -> object:
    return selectors.lots_of(_project(request, code))


@router.post(f"{P}/lots", response={201: LotOut, **_WRITE})
@requires(PLANNING_EDIT)
def create_lot(request: HttpRequest, code: str, payload: LotIn, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    data = _lot_fields(project, payload.dict(exclude_unset=True))
    lot = services.lot_create(actor=current_user(request), project=project, **data)
    set_etag(response, lot)
    return Status(201, lot)


@router.get(f"{P}/lots/{{lot_id}}", response={200: LotOut, **_READ})
def get_lot(request: HttpRequest, code: str, lot_id: int, response: HttpResponse) -> object:
    lot = get_object_or_404(Lot, pk=lot_id, project=_project(request, code))
    set_etag(response, lot)
    return lot


@router.patch(f"{P}/lots/{{lot_id}}", response={200: LotOut, **_WRITE})
@requires(PLANNING_EDIT)
def update_lot(request: HttpRequest, code: str, lot_id: int, payload: LotPatch, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    lot = get_object_or_404(Lot, pk=lot_id, project=project)
    data = _lot_fields(project, payload.dict(exclude_unset=True))
    lot = services.lot_update(actor=current_user(request), lot=lot, expected_version=if_match(request), **data)
    set_etag(response, lot)
    return lot


@router.delete(f"{P}/lots/{{lot_id}}", response={204: None, **_WRITE})
@requires(PLANNING_EDIT)
def delete_lot(request: HttpRequest, code: str, lot_id: int) -> object:
    project = project_for(request.user, code)
    services.lot_delete(actor=current_user(request), lot=get_object_or_404(Lot, pk=lot_id, project=project))
    return Status(204, None)


# --- Tasks ------------------------------------------------------------------------------------------


def _task_fields(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    if "lot_id" in data:
        data["lot"] = get_object_or_404(Lot, pk=data.pop("lot_id"), project=project)
    for name in ("specification", "component"):
        if f"{name}_ids" in data:
            data[f"{name}s"] = data.pop(f"{name}_ids") or []
    return data


_TASKS = Task.objects.select_related("lot").prefetch_related("specifications", "components")


@router.get(f"{P}/tasks", response={200: list[TaskOut], **_READ}, summary="Tasks in WBS order (paged)")
@paginate(Pagination)
def list_tasks(
    request: HttpRequest, code: str, lot: int | None = None, critical: bool | None = None, q: str = ""
) -> object:
    project = _project(request, code)
    qs = _TASKS.filter(project=project).order_by("lot__position", "position", "code")
    if lot is not None:
        qs = qs.filter(lot_id=lot)
    if critical is not None:
        qs = qs.filter(is_critical=critical)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__icontains=q)
    return qs


@router.post(f"{P}/tasks", response={201: TaskOut, **_WRITE}, summary="Create a task or a milestone (reschedules)")
@requires(PLANNING_EDIT)
def create_task(request: HttpRequest, code: str, payload: TaskIn, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    data = _task_fields(project, payload.dict(exclude_unset=True))
    task = services.task_create(actor=current_user(request), project=project, **data)
    set_etag(response, task)
    return Status(201, _TASKS.get(pk=task.pk))


@router.get(f"{P}/tasks/{{task_id}}", response={200: TaskOut, **_READ})
def get_task(request: HttpRequest, code: str, task_id: int, response: HttpResponse) -> object:
    task = selectors.task_of(_project(request, code), task_id)
    set_etag(response, task)
    return _TASKS.get(pk=task.pk)


@router.patch(
    f"{P}/tasks/{{task_id}}", response={200: TaskOut, **_WRITE}, summary="Update a task (If-Match; reschedules)"
)
@requires(PLANNING_EDIT)
def update_task(request: HttpRequest, code: str, task_id: int, payload: TaskPatch, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    task = selectors.task_of(project, task_id)
    data = _task_fields(project, payload.dict(exclude_unset=True))
    task = services.task_update(actor=current_user(request), task=task, expected_version=if_match(request), **data)
    set_etag(response, task)
    return _TASKS.get(pk=task.pk)


@router.delete(f"{P}/tasks/{{task_id}}", response={204: None, **_WRITE})
@requires(PLANNING_EDIT)
def delete_task(request: HttpRequest, code: str, task_id: int) -> object:
    project = project_for(request.user, code)
    services.task_delete(actor=current_user(request), task=selectors.task_of(project, task_id))
    return Status(204, None)


@router.post(
    f"{P}/tasks/{{task_id}}/move",
    response={200: MoveOut, **_WRITE},
    summary="Move and/or resize a task like the Gantt drag (If-Match); refused with the reason when impossible",
)
@requires(PLANNING_EDIT)
def move_task(request: HttpRequest, code: str, task_id: int, payload: MoveIn, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    task = selectors.task_of(project, task_id)
    result = services.task_move(
        actor=current_user(request),
        task=task,
        expected_version=if_match(request),
        start=payload.start,
        duration=payload.duration,
        end=payload.end,
    )
    set_etag(response, result.task)
    return {"task": _TASKS.get(pk=task.pk), "moved": result.moved, "undo": result.undo}


@router.post(f"{P}/tasks/{{task_id}}/raf", response={201: RafOut, **_WRITE}, summary="Re-estimate the remaining effort")
@requires(PLANNING_LOG_TIME)
def set_raf(request: HttpRequest, code: str, task_id: int, payload: RafIn) -> object:
    project = project_for(request.user, code)
    task = selectors.task_of(project, task_id)
    estimate = services.raf_set(
        actor=current_user(request), task=task, raf=payload.raf, date=payload.date, comment=payload.comment
    )
    return Status(201, estimate)


@router.get(f"{P}/raf", response={200: list[dict[str, Any]], **_READ}, summary="Spent, remaining and landing per task")
def raf_rows(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    return [
        {
            "task_id": r["task"].pk,
            "code": r["task"].code,
            "planned": float(r["task"].effort),
            "spent": float(r["spent"]),
            "raf": float(r["raf"]),
            "estimated": r["estimated"],
            "landing": float(r["landing"]),
            "gap": float(r["gap"]),
        }
        for r in selectors.raf_rows(project)
    ]


# --- Dependencies -----------------------------------------------------------------------------------


@router.get(f"{P}/dependencies", response={200: list[DependencyOut], **_READ})
@paginate(Pagination)
def list_dependencies(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    return Dependency.objects.filter(project=project).select_related("predecessor", "successor").order_by("pk")


@router.post(f"{P}/dependencies", response={201: DependencyOut, **_WRITE}, summary="Link two tasks (a loop is refused)")
@requires(PLANNING_EDIT)
def create_dependency(request: HttpRequest, code: str, payload: DependencyIn) -> object:
    project = project_for(request.user, code)
    link = services.dependency_add(
        actor=current_user(request),
        project=project,
        predecessor=selectors.task_of(project, payload.predecessor_id),
        successor=selectors.task_of(project, payload.successor_id),
        type=payload.type,
        lag=payload.lag,
        lag_calendar_days=payload.lag_calendar_days,
    )
    return Status(201, link)


@router.patch(f"{P}/dependencies/{{link_id}}", response={200: DependencyOut, **_WRITE})
@requires(PLANNING_EDIT)
def update_dependency(
    request: HttpRequest, code: str, link_id: int, payload: DependencyPatch, response: HttpResponse
) -> object:
    project = project_for(request.user, code)
    link = get_object_or_404(Dependency.objects.select_related("predecessor", "successor"), pk=link_id, project=project)
    link = services.dependency_update(
        actor=current_user(request),
        dependency=link,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, link)
    return link


@router.delete(f"{P}/dependencies/{{link_id}}", response={204: None, **_WRITE})
@requires(PLANNING_EDIT)
def delete_dependency(request: HttpRequest, code: str, link_id: int) -> object:
    project = project_for(request.user, code)
    services.dependency_remove(
        actor=current_user(request), dependency=get_object_or_404(Dependency, pk=link_id, project=project)
    )
    return Status(204, None)


# --- Resources, absences, assignments ---------------------------------------------------------------


def _resource_out(request: HttpRequest, project: Project, resource: Resource) -> dict[str, Any]:
    data = ResourceOut.from_orm(resource).dict()
    if not can(request.user, project, PLANNING_VIEW_COSTS):
        data["tjm"] = None
    return data


def _resource_fields(project: Project, data: dict[str, Any]) -> dict[str, Any]:
    if "user_id" in data:
        from oeuvre.accounts.models import User

        user_id = data.pop("user_id")
        data["user"] = get_object_or_404(User, pk=user_id) if user_id else None
    return data


@router.get(f"{P}/resources", response={200: list[ResourceOut], **_READ})
def list_resources(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    return [_resource_out(request, project, r) for r in selectors.resources_of(project)]


@router.post(f"{P}/resources", response={201: ResourceOut, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def create_resource(request: HttpRequest, code: str, payload: ResourceIn, response: HttpResponse) -> object:
    project = project_for(request.user, code)
    resource = services.resource_create(
        actor=current_user(request), project=project, **_resource_fields(project, payload.dict(exclude_unset=True))
    )
    set_etag(response, resource)
    return Status(201, _resource_out(request, project, resource))


@router.patch(f"{P}/resources/{{resource_id}}", response={200: ResourceOut, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def update_resource(
    request: HttpRequest, code: str, resource_id: int, payload: ResourcePatch, response: HttpResponse
) -> object:
    project = project_for(request.user, code)
    resource = get_object_or_404(Resource, pk=resource_id, project=project)
    resource = services.resource_update(
        actor=current_user(request),
        resource=resource,
        expected_version=if_match(request),
        **_resource_fields(project, payload.dict(exclude_unset=True)),
    )
    set_etag(response, resource)
    return _resource_out(request, project, resource)


@router.delete(f"{P}/resources/{{resource_id}}", response={204: None, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def delete_resource(request: HttpRequest, code: str, resource_id: int) -> object:
    project = project_for(request.user, code)
    services.resource_delete(
        actor=current_user(request), resource=get_object_or_404(Resource, pk=resource_id, project=project)
    )
    return Status(204, None)


@router.post(f"{P}/resources/{{resource_id}}/absences", response={201: AbsenceOut, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def add_absence(request: HttpRequest, code: str, resource_id: int, payload: AbsenceIn) -> object:
    project = project_for(request.user, code)
    resource = get_object_or_404(Resource, pk=resource_id, project=project)
    absence = services.absence_add(actor=current_user(request), resource=resource, **payload.dict())
    return Status(201, absence)


@router.delete(f"{P}/absences/{{absence_id}}", response={204: None, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def delete_absence(request: HttpRequest, code: str, absence_id: int) -> object:
    project = project_for(request.user, code)
    absence = get_object_or_404(Absence, pk=absence_id, resource__project=project)
    services.absence_remove(actor=current_user(request), absence=absence)
    return Status(204, None)


@router.get(f"{P}/assignments", response={200: list[AssignmentOut], **_READ})
@paginate(Pagination)
def list_assignments(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    return Assignment.objects.filter(task__project=project).order_by("pk")


@router.post(f"{P}/assignments", response={201: AssignmentOut, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def create_assignment(request: HttpRequest, code: str, payload: AssignmentIn) -> object:
    project = project_for(request.user, code)
    assignment = services.assignment_add(
        actor=current_user(request),
        task=selectors.task_of(project, payload.task_id),
        resource=get_object_or_404(Resource, pk=payload.resource_id, project=project),
        units=payload.units,
        effort=payload.effort,
    )
    return Status(201, assignment)


@router.patch(f"{P}/assignments/{{assignment_id}}", response={200: AssignmentOut, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def update_assignment(
    request: HttpRequest, code: str, assignment_id: int, payload: AssignmentPatch, response: HttpResponse
) -> object:
    project = project_for(request.user, code)
    assignment = get_object_or_404(Assignment.objects.select_related("task"), pk=assignment_id, task__project=project)
    assignment = services.assignment_update(
        actor=current_user(request),
        assignment=assignment,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, assignment)
    return assignment


@router.delete(f"{P}/assignments/{{assignment_id}}", response={204: None, **_WRITE})
@requires(PLANNING_MANAGE_RESOURCES)
def delete_assignment(request: HttpRequest, code: str, assignment_id: int) -> object:
    project = project_for(request.user, code)
    assignment = get_object_or_404(Assignment.objects.select_related("task"), pk=assignment_id, task__project=project)
    services.assignment_remove(actor=current_user(request), assignment=assignment)
    return Status(204, None)


# --- Time entries -----------------------------------------------------------------------------------


@router.get(
    f"{P}/time-entries", response={200: list[TimeEntryOut], **_READ}, summary="Time entries (paged, filterable)"
)
@paginate(Pagination)
def list_time_entries(
    request: HttpRequest,
    code: str,
    resource: int | None = None,
    task: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> object:
    project = _project(request, code)
    qs = selectors.time_entries_of(project).order_by("date", "pk")
    if resource is not None:
        qs = qs.filter(resource_id=resource)
    if task:
        qs = qs.filter(task__code=task)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs


@router.post(
    f"{P}/timesheet",
    response={200: TimesheetOut, **_WRITE},
    summary="Save one person's week (all cells or none); warnings when a day exceeds capacity",
)
@requires(PLANNING_LOG_TIME)
def save_timesheet(request: HttpRequest, code: str, payload: TimesheetIn) -> object:
    project = project_for(request.user, code)
    resource = get_object_or_404(Resource, pk=payload.resource_id, project=project)
    result = services.timesheet_save(
        actor=current_user(request),
        resource=resource,
        week=payload.week,
        cells={(c.task_id, c.date): c.effort for c in payload.cells},
        expected_fingerprint=None,
    )
    return {"saved": result.saved, "deleted": result.deleted, "warnings": result.warnings}


@router.post(
    f"{P}/time-entries/import", response={200: TimesheetOut, **_WRITE}, summary="Import time entries from CSV text"
)
@requires(PLANNING_MANAGE_TIME)
def import_time_entries(request: HttpRequest, code: str, payload: TimeImportIn) -> object:
    project = project_for(request.user, code)
    require(request.user, project, PLANNING_MANAGE_TIME)
    try:
        rows = read_time_entries(payload.csv.encode("utf-8"), source="csv")
    except TimeEntryFileError as exc:
        raise ValidationFailed({f"row {e.row}, {e.field}": [file_error_message(e)] for e in exc.errors[:100]}) from None
    except FileFormatError as exc:
        raise ValidationFailed({"csv": [file_error_message(exc)]}) from None
    result = services.time_entries_import(actor=current_user(request), project=project, rows=rows)
    return {"saved": result.saved, "deleted": result.deleted, "warnings": result.warnings}


# --- Baselines --------------------------------------------------------------------------------------


def _baseline_out(request: HttpRequest, project: Project, baseline: Baseline, reference: int | None) -> dict[str, Any]:
    data = PlanBaselineOut.from_orm(baseline).dict()
    data["is_reference"] = baseline.pk == reference
    if not can(request.user, project, PLANNING_VIEW_COSTS):
        data["cost"] = None
    return data


@router.get(f"{P}/baselines", response={200: list[PlanBaselineOut], **_READ})
def list_baselines(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    reference = selectors.plan_of(project).baseline_id
    return [_baseline_out(request, project, b, reference) for b in selectors.baselines_of(project)]


@router.post(
    f"{P}/baselines", response={201: PlanBaselineOut, **_WRITE}, summary="Freeze the current plan as a baseline"
)
@requires(PLANNING_BASELINE)
def take_baseline(request: HttpRequest, code: str, payload: PlanBaselineIn) -> object:
    project = project_for(request.user, code)
    baseline = services.baseline_take(actor=current_user(request), project=project, **payload.dict())
    return Status(201, _baseline_out(request, project, baseline, selectors.plan_of(project).baseline_id))


@router.post(
    f"{P}/baselines/{{baseline_id}}/select", response={200: PlanOut, **_WRITE}, summary="Make it the reference"
)
@requires(PLANNING_BASELINE)
def select_baseline(request: HttpRequest, code: str, baseline_id: int) -> object:
    project = project_for(request.user, code)
    baseline = get_object_or_404(Baseline, pk=baseline_id, project=project)
    services.baseline_select(actor=current_user(request), project=project, baseline=baseline, expected_version=None)
    return _plan_out(project)


@router.delete(f"{P}/baselines/{{baseline_id}}", response={204: None, **_WRITE})
@requires(PLANNING_BASELINE)
def delete_baseline(request: HttpRequest, code: str, baseline_id: int) -> object:
    project = project_for(request.user, code)
    services.baseline_delete(
        actor=current_user(request), baseline=get_object_or_404(Baseline, pk=baseline_id, project=project)
    )
    return Status(204, None)


# --- Costs, earned value, load ----------------------------------------------------------------------


@router.get(
    f"{P}/costs", response={200: dict[str, Any], **_READ}, summary="Landing by lot, resource and project (p-d and €)"
)
def costs(request: HttpRequest, code: str) -> object:
    project = _project(request, code, PLANNING_VIEW_COSTS)
    plan = selectors.plan_of(project)
    result = costing.project_costs(project, plan if plan.pk else None)
    return {
        "status_date": result.status_date,
        "default_tjm": result.default_tjm,
        "unassigned_effort": round(result.unassigned_effort, 2),
        "project": result.project.as_dict(),
        "lots": [line.as_dict() for line in result.lots],
        "resources": [line.as_dict() for line in result.resources],
    }


@router.get(
    f"{P}/evm", response={200: dict[str, Any], **_READ}, summary="Time-phased earned value (€ and p-d) and indices"
)
def evm(request: HttpRequest, code: str) -> object:
    project = _project(request, code, PLANNING_VIEW_COSTS)
    plan = selectors.plan_of(project)
    return costing.earned_value_report(project, plan if plan.pk else None)


@router.get(f"{P}/load", response={200: dict[str, Any], **_READ}, summary="Weekly resource load and over-allocations")
def load(request: HttpRequest, code: str, start: date | None = None, weeks: int = 26) -> object:
    project = _project(request, code)
    plan = selectors.plan_of(project)
    return costing.resource_load(project, plan if plan.pk else None, first=start, weeks=max(1, min(weeks, 104)))


# --- Levelling, risk, import/export (jobs) ----------------------------------------------------------


@router.post(f"{P}/levelling", response={202: JobOut, **_WRITE}, summary="Compute a levelling proposal (a job)")
@requires(PLANNING_ANALYSE)
def start_levelling(request: HttpRequest, code: str, payload: LevellingIn) -> object:
    project = project_for(request.user, code)
    job = services.levelling_start(actor=current_user(request), project=project, **payload.dict())
    return Status(202, job_state(job))


@router.get(f"{P}/levelling", response={200: dict[str, Any], **_READ}, summary="The latest levelling proposal")
def get_levelling(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    job = selectors.latest_job(project, "planning.level")
    return {"job": job_state(job) if job else None}


@router.post(f"{P}/levelling/apply", response={200: PlanOut, **_WRITE}, summary="Apply a finished levelling proposal")
@requires(PLANNING_EDIT)
def apply_levelling(request: HttpRequest, code: str, payload: ApplyIn) -> object:
    project = project_for(request.user, code)
    require(request.user, project, PLANNING_EDIT)
    job = job_or_404(payload.job, project=project)
    services.levelling_apply(actor=current_user(request), project=project, job=job)
    return _plan_out(project)


@router.post(f"{P}/levelling/clear", response={200: PlanOut, **_WRITE}, summary="Remove the applied levelling")
@requires(PLANNING_EDIT)
def clear_levelling(request: HttpRequest, code: str) -> object:
    project = project_for(request.user, code)
    services.levelling_clear(actor=current_user(request), project=project)
    return _plan_out(project)


@router.post(f"{P}/risk", response={202: JobOut, **_WRITE}, summary="Run a Monte Carlo simulation (a job)")
@requires(PLANNING_ANALYSE)
def start_risk(request: HttpRequest, code: str, payload: RiskIn) -> object:
    project = project_for(request.user, code)
    job = services.risk_start(actor=current_user(request), project=project, **payload.dict())
    return Status(202, job_state(job))


@router.get(f"{P}/risk", response={200: dict[str, Any], **_READ}, summary="The latest Monte Carlo result")
def get_risk(request: HttpRequest, code: str) -> object:
    project = _project(request, code)
    job = selectors.latest_job(project, "planning.risk")
    return {"job": job_state(job) if job else None}


@router.post(
    f"{P}/import", response={202: JobOut, **_WRITE}, summary="Import MS Project XML, .mpp or the plan workbook (a job)"
)
@requires(PLANNING_EDIT)
def import_plan(request: HttpRequest, code: str, payload: ImportIn) -> object:
    project = project_for(request.user, code)
    require(request.user, project, PLANNING_EDIT)
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed({"content_base64": [_("This is not base64.")]}) from None
    from oeuvre.planning.importing import plan_import_enqueue

    job = plan_import_enqueue(
        actor=current_user(request), project=project, filename=payload.filename, data=content, replace=payload.replace
    )
    return Status(202, job_state(job))


_EXPORTS = {
    "mspdi": ("application/xml", "{code}.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "{code}-plan.xlsx"),
    "ics": ("text/calendar; charset=utf-8", "{code}-jalons.ics"),
}


@router.get(f"{P}/export/{{fmt}}", response={200: None, 400: ErrorOut, **_READ}, summary="Export: mspdi, xlsx or ics")
def export(request: HttpRequest, code: str, fmt: str) -> object:
    project = _project(request, code)
    if fmt not in _EXPORTS:
        # In the API's one error shape, as JSON (it was an empty HTML answer).
        message = _("Unknown export format « %(fmt)s »: use mspdi, xlsx or ics.") % {"fmt": fmt}
        return Status(400, {"detail": message, "errors": [{"field": "fmt", "message": message}]})
    if fmt == "mspdi":
        data = exporting.export_mspdi(project)
    elif fmt == "xlsx":
        data = exporting.export_xlsx(project, with_costs=can(request.user, project, PLANNING_VIEW_COSTS))
    else:
        data = exporting.export_ics(project, user=request.user)
    content_type, name = _EXPORTS[fmt]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name.format(code=project.code)}"'
    return response


class QueryToken(APIKeyQuery):
    """A personal token in the query string, for calendar clients that cannot send headers."""

    param_name = "token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = token_authenticate(key) if key else None
        if user is not None:
            request.user = user
        return user


@router.get(
    f"{P}/milestones.ics",
    response={200: None, **_READ},
    auth=[*api_auth, QueryToken()],
    summary="iCalendar feed of the milestones (subscribe with ?token=…)",
)
def milestones_feed(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(request, code)
    response = HttpResponse(
        exporting.export_ics(project, user=request.user), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
