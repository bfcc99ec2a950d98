"""The mep stage's REST API (thin): environments, releases, readiness and the go/no-go."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, if_match, requires, set_etag
from oeuvre.core.errors import ValidationFailed
from oeuvre.mep import configuration, incidents, release_notes, runbook, selectors, services, training, waves
from oeuvre.mep.models import Environment, GoNoGoDecision, Release
from oeuvre.mep.permissions import (
    GONOGO_DECIDE,
    INCIDENT_HANDLE,
    INCIDENT_REPORT,
    MEP_ATTEST,
    MEP_MANAGE,
    MEP_VIEW,
    ROLLBACK_APPROVE,
    RUNBOOK_RUN,
    TRAINING_PLAN,
    TRAINING_RECORD,
)
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for, project_members

__all__ = ["router"]

router = Router(tags=["mep"])

_READ = {403: ErrorOut, 404: ErrorOut}
_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


def _project(request: HttpRequest, code: str, permission: str = MEP_VIEW) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, permission)
    return project


class DeploymentOut(Schema):
    component: str
    version_label: str
    deployed_on: date | None

    @staticmethod
    def resolve_component(obj: Any) -> str:
        return str(obj.component.reference)


class ConfigItemOut(Schema):
    id: int
    name: str
    value: str
    secret_ref: str
    owner: str | None
    description: str
    version: int

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner_id else None


class ConfigItemIn(Schema):
    name: str
    value: str = ""
    secret_ref: str = ""
    owner: str | None = None
    description: str = ""


class EnvironmentOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    deployments: list[DeploymentOut]
    config_items: list[ConfigItemOut]

    @staticmethod
    def resolve_deployments(obj: Environment) -> list[Any]:
        return list(obj.deployments.all())

    @staticmethod
    def resolve_config_items(obj: Environment) -> list[Any]:
        return list(obj.config_items.all())


class GarantieOut(Schema):
    start: date
    end: date
    days_left: int
    source: str
    deprivation_days: int


class ReleaseOut(Schema):
    id: int
    number: str
    title: str
    status: str
    planned_date: date | None
    actual_date: date | None
    version: int
    garantie: GarantieOut | None = None

    @staticmethod
    def resolve_garantie(obj: Release) -> dict[str, Any] | None:
        found = getattr(obj, "garantie", None)
        return found.as_dict() if found is not None else None


class ReleaseIn(Schema):
    number: str
    title: str = ""
    status: str = "planifiee"
    planned_date: date | None = None
    actual_date: date | None = None
    description: str = ""


class ReleasePatch(Schema):
    number: str | None = None
    title: str | None = None
    status: str | None = None
    planned_date: date | None = None
    actual_date: date | None = None
    description: str | None = None


class GoNoGoCriterionOut(Schema):
    code: str
    label: str
    met: bool
    applies: bool
    evidence: str
    link: str


class DecisionOut(Schema):
    id: int
    proposal: str
    decision: str
    reason: str
    decided_by_name: str
    decided_at: datetime
    chain_sequence: int

    @staticmethod
    def resolve_chain_sequence(obj: GoNoGoDecision) -> int:
        return obj.ledger_entry.sequence


class GoNoGoOut(Schema):
    proposal: str
    criteria: list[GoNoGoCriterionOut]
    decisions: list[DecisionOut]


class ReadinessIn(Schema):
    item: str
    done: bool = True
    evidence: str = ""


class GoNoGoDecideIn(Schema):
    decision: str
    reason: str = ""
    password: str = ""
    otp: str = ""


def _release(project: Project, release_id: int) -> Release:
    return get_object_or_404(Release, project=project, pk=release_id)


def _with_garantie(project: Project, releases: list[Release]) -> list[Release]:
    """Attach each release's garantie (in production only) for :class:`ReleaseOut`."""
    found = selectors.garantie_for(project, releases)
    for release in releases:
        release.garantie = found.get(release.pk)  # type: ignore[attr-defined]
    return releases


def _gonogo(release: Release) -> dict[str, Any]:
    view = selectors.gonogo_for(release)
    return {**view.as_dict(), "decisions": view.decisions}


@router.get("/projects/{code}/mep/environments", response={200: list[EnvironmentOut], **_READ}, summary="Environments")
def list_environments(request: HttpRequest, code: str) -> Any:
    return list(selectors.environments_for(_project(request, code)))


@router.put(
    "/projects/{code}/mep/environments/{environment_id}/config",
    response={200: ConfigItemOut, **_WRITE},
    summary="Set a configuration item (a value, or a secret's reference; never the secret)",
)
@requires(MEP_MANAGE)
def put_config_item(request: HttpRequest, code: str, environment_id: int, payload: ConfigItemIn) -> Any:
    project = _project(request, code, MEP_MANAGE)
    environment = get_object_or_404(Environment, project=project, pk=environment_id)
    owner = None
    if payload.owner:
        owner = next((m.user for m in project_members(project) if m.user.username == payload.owner), None)
        if owner is None:
            raise ValidationFailed({"owner": [_("The owner must be a member of the project.")]})
    found = environment.config_items.filter(name=payload.name.strip()).first()
    return configuration.config_item_set(
        actor=current_user(request),
        environment=environment,
        name=payload.name,
        value=payload.value,
        secret_ref=payload.secret_ref,
        owner=owner,
        description=payload.description,
        expected_version=if_match(request) if found is not None else None,
    )


@router.get("/projects/{code}/mep/releases", response={200: list[ReleaseOut], **_READ}, summary="Releases")
def list_releases(request: HttpRequest, code: str) -> Any:
    project = _project(request, code)
    return _with_garantie(project, list(selectors.releases_for(project)))


@router.post("/projects/{code}/mep/releases", response={201: ReleaseOut, **_WRITE}, summary="Create a release")
@requires(MEP_MANAGE)
def create_release(request: HttpRequest, code: str, payload: ReleaseIn, response: HttpResponse) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = services.release_create(actor=current_user(request), project=project, **payload.dict())
    set_etag(response, release)
    return Status(201, release)


@router.get("/projects/{code}/mep/releases/{release_id}", response={200: ReleaseOut, **_READ}, summary="A release")
def get_release(request: HttpRequest, code: str, release_id: int, response: HttpResponse) -> Any:
    project = _project(request, code)
    release = _release(project, release_id)
    set_etag(response, release)
    return _with_garantie(project, [release])[0]


@router.patch(
    "/projects/{code}/mep/releases/{release_id}", response={200: ReleaseOut, **_WRITE}, summary="Edit (If-Match)"
)
@requires(MEP_MANAGE)
def patch_release(
    request: HttpRequest, code: str, release_id: int, payload: ReleasePatch, response: HttpResponse
) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = services.release_update(
        actor=current_user(request),
        release=_release(project, release_id),
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, release)
    return release


@router.get(
    "/projects/{code}/mep/releases/{release_id}/notes",
    response={200: None, 422: ErrorOut, **_READ},
    summary="Release notes (format md or pdf, lang fr or en)",
)
def get_release_notes(request: HttpRequest, code: str, release_id: int, format: str = "md", lang: str = "fr") -> Any:
    release = _release(_project(request, code), release_id)
    if format not in release_notes.FORMATS or lang not in release_notes.LANGUAGES:
        raise ValidationFailed({"format": [_("Ask for format md or pdf and lang fr or en.")]})
    body = release_notes.render_notes(release, fmt=format, language=lang)
    kind = "application/pdf" if format == "pdf" else "text/markdown; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{release_notes.notes_filename(release, format, lang)}"'
    return response


class WaveIn(Schema):
    name: str
    sites: str
    planned_date: date | None = None
    users: int = 0
    prerequisites: str = ""
    runbook_link: str = ""


class WaveDecideIn(Schema):
    decision: str
    note: str = ""


@router.get(
    "/projects/{code}/mep/releases/{release_id}/waves",
    response={200: dict[str, Any], **_READ},
    summary="Deployment waves of a release",
)
def get_waves(request: HttpRequest, code: str, release_id: int) -> Any:
    return waves.wave_plan(_release(_project(request, code), release_id)).as_dict()


@router.post(
    "/projects/{code}/mep/releases/{release_id}/waves",
    response={201: dict[str, Any], **_WRITE},
    summary="Add a deployment wave",
)
@requires(MEP_MANAGE)
def create_wave(request: HttpRequest, code: str, release_id: int, payload: WaveIn) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = _release(project, release_id)
    waves.wave_create(actor=current_user(request), release=release, **payload.dict())
    return Status(201, waves.wave_plan(release).as_dict())


@router.post(
    "/projects/{code}/mep/releases/{release_id}/waves/{wave_id}/gonogo",
    response={200: dict[str, Any], **_WRITE},
    summary="Decide the go/no-go of a wave (MOA, If-Match)",
)
@requires(GONOGO_DECIDE)
def decide_wave(request: HttpRequest, code: str, release_id: int, wave_id: int, payload: WaveDecideIn) -> Any:
    project = _project(request, code, GONOGO_DECIDE)
    release = _release(project, release_id)
    waves.wave_decide(
        actor=current_user(request),
        wave=waves.wave_detail(release, wave_id),
        decision=payload.decision,
        note=payload.note,
        expected_version=if_match(request),
    )
    return waves.wave_plan(release).as_dict()


class TrainingSessionIn(Schema):
    trainer: str
    date: date
    audience: str = ""
    course: int | None = None
    wave: int | None = None
    place: str = ""
    capacity: int = 0


class TrainingSessionPatch(Schema):
    course: int | None = None
    wave: int | None = None
    audience: str = ""
    trainer: str = ""
    date: dt.date | None = None
    place: str = ""
    capacity: int = 0


class TrainingCourseIn(Schema):
    title: str
    audience: str
    duration_minutes: int = 0
    materials: list[int] = []


class TrainingCoursePatch(Schema):
    title: str = ""
    audience: str = ""
    duration_minutes: int = 0
    materials: list[int] = []


class AttendeeIn(Schema):
    name: str = ""
    member: str | None = None
    role: str = ""
    wave: int | None = None


class AttendanceMarkIn(Schema):
    attendee: int
    attendance: str
    satisfaction: int | None = None


class AttendanceIn(Schema):
    attended: int | None = None
    marks: list[AttendanceMarkIn] = []


@router.get(
    "/projects/{code}/mep/releases/{release_id}/training",
    response={200: dict[str, Any], **_READ},
    summary="Training plan of a release: courses, sessions, attendees, readiness per wave and per role",
)
def get_training(request: HttpRequest, code: str, release_id: int) -> Any:
    return training.training_plan(_release(_project(request, code), release_id)).as_dict()


@router.post(
    "/projects/{code}/mep/releases/{release_id}/training",
    response={201: dict[str, Any], **_WRITE},
    summary="Add a training session",
)
@requires(TRAINING_PLAN)
def create_training_session(request: HttpRequest, code: str, release_id: int, payload: TrainingSessionIn) -> Any:
    project = _project(request, code, TRAINING_PLAN)
    release = _release(project, release_id)
    training.session_create(actor=current_user(request), release=release, **payload.dict())
    return Status(201, training.training_plan(release).as_dict())


@router.post(
    "/projects/{code}/mep/releases/{release_id}/training/courses",
    response={201: dict[str, Any], **_WRITE},
    summary="Add a training course (materials: deliverable ids)",
)
@requires(TRAINING_PLAN)
def create_training_course(request: HttpRequest, code: str, release_id: int, payload: TrainingCourseIn) -> Any:
    project = _project(request, code, TRAINING_PLAN)
    release = _release(project, release_id)
    training.course_create(actor=current_user(request), release=release, **payload.dict())
    return Status(201, training.training_plan(release).as_dict())


@router.patch(
    "/projects/{code}/mep/releases/{release_id}/training/courses/{course_id}",
    response={200: dict[str, Any], **_WRITE},
    summary="Edit a training course (If-Match)",
)
@requires(TRAINING_PLAN)
def patch_training_course(
    request: HttpRequest, code: str, release_id: int, course_id: int, payload: TrainingCoursePatch
) -> Any:
    project = _project(request, code, TRAINING_PLAN)
    release = _release(project, release_id)
    training.course_update(
        actor=current_user(request),
        course=training.course_detail(release, course_id),
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    return training.training_plan(release).as_dict()


@router.patch(
    "/projects/{code}/mep/releases/{release_id}/training/sessions/{session_id}",
    response={200: dict[str, Any], **_WRITE},
    summary="Edit a training session (If-Match)",
)
@requires(TRAINING_PLAN)
def patch_training_session(
    request: HttpRequest, code: str, release_id: int, session_id: int, payload: TrainingSessionPatch
) -> Any:
    project = _project(request, code, TRAINING_PLAN)
    release = _release(project, release_id)
    training.session_update(
        actor=current_user(request),
        session=training.session_detail(release, session_id),
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    return training.training_plan(release).as_dict()


@router.post(
    "/projects/{code}/mep/releases/{release_id}/training/sessions/{session_id}/attendees",
    response={201: dict[str, Any], **_WRITE},
    summary="Register a named attendee to a training session",
)
@requires(TRAINING_PLAN)
def add_training_attendee(
    request: HttpRequest, code: str, release_id: int, session_id: int, payload: AttendeeIn
) -> Any:
    project = _project(request, code, TRAINING_PLAN)
    release = _release(project, release_id)
    training.attendee_add(
        actor=current_user(request), session=training.session_detail(release, session_id), **payload.dict()
    )
    return Status(201, training.training_plan(release).as_dict())


@router.post(
    "/projects/{code}/mep/releases/{release_id}/training/sessions/{session_id}/attendance",
    response={200: dict[str, Any], **_WRITE},
    summary="Record a session's attendance: marks of named attendees, or a plain count (If-Match of the session)",
)
@requires(TRAINING_RECORD)
def record_training_attendance(
    request: HttpRequest, code: str, release_id: int, session_id: int, payload: AttendanceIn
) -> Any:
    project = _project(request, code, TRAINING_RECORD)
    release = _release(project, release_id)
    training.attendance_record(
        actor=current_user(request),
        session=training.session_detail(release, session_id),
        expected_version=if_match(request),
        attended=payload.attended,
        marks={m.attendee: (m.attendance, m.satisfaction) for m in payload.marks} or None,
    )
    return training.training_plan(release).as_dict()


@router.get("/projects/{code}/mep/releases/{release_id}/gonogo", response={200: GoNoGoOut, **_READ}, summary="Go/no-go")
def get_gonogo(request: HttpRequest, code: str, release_id: int) -> Any:
    return _gonogo(_release(_project(request, code), release_id))


@router.post(
    "/projects/{code}/mep/releases/{release_id}/readiness",
    response={200: GoNoGoOut, **_WRITE},
    summary="Attest a readiness criterion",
)
@requires(MEP_ATTEST)
def attest(request: HttpRequest, code: str, release_id: int, payload: ReadinessIn) -> Any:
    project = _project(request, code, MEP_ATTEST)
    release = _release(project, release_id)
    services.readiness_attest(
        actor=current_user(request), release=release, item=payload.item, done=payload.done, evidence=payload.evidence
    )
    return _gonogo(release)


@router.post(
    "/projects/{code}/mep/releases/{release_id}/gonogo",
    response={201: DecisionOut, **_WRITE},
    summary="Decide and sign the go/no-go (MOA, password)",
)
@requires(GONOGO_DECIDE)
def decide(request: HttpRequest, code: str, release_id: int, payload: GoNoGoDecideIn) -> Any:
    project = _project(request, code, GONOGO_DECIDE)
    decision = services.gonogo_decide(
        actor=current_user(request),
        release=_release(project, release_id),
        decision=payload.decision,
        reason=payload.reason,
        password=payload.password,
        otp=payload.otp,
    )
    return Status(201, decision)


# --- incidents ---------------------------------------------------------------------------------------------------


class TimerOut(Schema):
    deadline: datetime
    stopped_at: datetime | None
    breached: bool
    remaining_minutes: int


class IncidentOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    impact: int
    urgency: int
    priority: int
    opened_at: datetime
    taken_at: datetime | None
    resolved_at: datetime | None
    version: int


class IncidentRowOut(IncidentOut):
    take_charge: TimerOut
    restore: TimerOut


class IncidentIn(Schema):
    title: str
    impact: int
    urgency: int
    description: str = ""
    environment: int | None = None
    component: str | None = None


class IncidentMoveIn(Schema):
    action: str


def _timer(t: Any) -> dict[str, Any]:
    return {
        "deadline": t.deadline,
        "stopped_at": t.stopped_at,
        "breached": t.breached,
        "remaining_minutes": int(t.remaining.total_seconds() // 60),
    }


def _row(row: Any) -> dict[str, Any]:
    i = row.incident
    return {
        **{name: getattr(i, name) for name in IncidentOut.model_fields},
        "take_charge": _timer(row.take_charge),
        "restore": _timer(row.restore),
    }


@router.get(
    "/projects/{code}/mep/incidents", response={200: list[IncidentRowOut], **_READ}, summary="Incidents and timers"
)
def list_incidents(request: HttpRequest, code: str, open_only: bool = False) -> Any:
    project = _project(request, code)
    rows = incidents.incidents_for(project)
    if open_only:
        rows = rows.filter(status__in=("nouveau", "pris_en_charge", "en_attente"))
    return [_row(r) for r in incidents.incidents_board(project, rows=rows)]


@router.post("/projects/{code}/mep/incidents", response={201: IncidentOut, **_WRITE}, summary="Report an incident")
@requires(INCIDENT_REPORT)
def create_incident(request: HttpRequest, code: str, payload: IncidentIn, response: HttpResponse) -> Any:
    from oeuvre.core.errors import ValidationFailed
    from oeuvre.requirements.models import Component

    project = _project(request, code, INCIDENT_REPORT)
    environment = (
        Environment.objects.filter(project=project, pk=payload.environment).first() if payload.environment else None
    )
    if payload.environment and environment is None:
        raise ValidationFailed({"environment": [f"unknown environment id {payload.environment} in this project"]})
    component = (
        Component.objects.filter(project=project, reference=payload.component).first() if payload.component else None
    )
    if payload.component and component is None:
        raise ValidationFailed({"component": [f"unknown component {payload.component!r} in this project"]})
    incident = incidents.incident_create(
        actor=current_user(request),
        project=project,
        title=payload.title,
        impact=payload.impact,
        urgency=payload.urgency,
        description=payload.description,
        environment=environment,
        component=component,
    )
    set_etag(response, incident)
    return Status(201, incident)


@router.post(
    "/projects/{code}/mep/incidents/{incident_id}/move",
    response={200: IncidentOut, **_WRITE},
    summary="Move an incident along the workflow (If-Match)",
)
@requires(INCIDENT_HANDLE)
def move_incident(
    request: HttpRequest, code: str, incident_id: int, payload: IncidentMoveIn, response: HttpResponse
) -> Any:
    project = _project(request, code, INCIDENT_HANDLE)
    incident = incidents.incident_transition(
        actor=current_user(request),
        incident=incidents.incident_detail(project, incident_id),
        action=payload.action,
        expected_version=if_match(request),
    )
    set_etag(response, incident)
    return incident


# --- runbook and rollback plan -----------------------------------------------------------------------------------


class RunbookStepOut(Schema):
    id: int
    position: int
    title: str
    owner: str | None
    status: str
    checkpoint: bool
    point_of_no_return: bool
    depends_on: list[int]
    planned_start: datetime | None
    planned_minutes: int
    started_at: datetime | None
    started_by: str | None
    finished_at: datetime | None
    finished_by: str | None
    elapsed_minutes: int | None
    start_delay_minutes: int | None
    overrun: bool
    failures: int
    note: str
    rollback: str
    version: int


class RollbackPlanOut(Schema):
    steps: list[str]
    decision_criterion: str
    max_minutes: int
    tested_on: date | None
    test_result: str
    approved_by: str | None = None
    approved_at: datetime | None = None
    version: int


class RunbookOut(Schema):
    release: str
    run: str
    steps: list[RunbookStepOut]
    done: int
    total: int
    planned_minutes: int
    elapsed_minutes: int | None
    point_of_no_return_passed: bool
    propose_rollback: bool
    rollback_plan: RollbackPlanOut | None


class RunbookStepIn(Schema):
    title: str
    owner: str | None = None
    planned_start: datetime | None = None
    planned_minutes: int = 30
    depends_on: list[int] = []
    checkpoint: bool = False
    point_of_no_return: bool = False
    rollback: str = ""


class StepPatch(Schema):
    title: str | None = None
    owner: str | None = None
    planned_start: datetime | None = None
    planned_minutes: int | None = None
    depends_on: list[int] | None = None
    checkpoint: bool | None = None
    point_of_no_return: bool | None = None
    rollback: str | None = None


class StepMoveIn(Schema):
    direction: str


class StepActIn(Schema):
    action: str
    note: str = ""
    run: str = "cutover"


class CompareStepOut(Schema):
    id: int
    position: int
    title: str
    planned_minutes: int
    dry_minutes: int | None
    dry_drift: int | None
    dry_late: bool
    cutover_minutes: int | None
    cutover_drift: int | None
    cutover_late: bool


class RunTotalsOut(Schema):
    run: str
    started_at: datetime | None
    finished: bool
    done: int
    elapsed_minutes: int | None
    late: int


class RunbookComparisonOut(Schema):
    release: str
    tolerance_minutes: int
    planned_minutes: int
    steps: list[CompareStepOut]
    dry: RunTotalsOut
    cutover: RunTotalsOut


class RollbackPlanIn(Schema):
    steps: str
    decision_criterion: str
    max_minutes: int
    tested_on: date | None = None
    test_result: str = ""


def _step_out(release: Release, step_id: int, run: str = "cutover") -> dict[str, Any]:
    board = runbook.runbook_board(release, run=run)
    return next(r.as_dict() for r in board.rows if r.step.pk == step_id)


@router.get(
    "/projects/{code}/mep/releases/{release_id}/runbook",
    response={200: RunbookOut, 422: ErrorOut, **_READ},
    summary="The runbook's live board of one run (run=cutover, the default, or run=dry) and the rollback plan",
)
def get_runbook(request: HttpRequest, code: str, release_id: int, run: str = "cutover") -> Any:
    return runbook.runbook_board(_release(_project(request, code), release_id), run=run).as_dict()


@router.get(
    "/projects/{code}/mep/releases/{release_id}/runbook/comparison",
    response={200: RunbookComparisonOut, 422: ErrorOut, **_READ},
    summary="Per step, planned against dry run against cut-over duration, the drift and the late steps",
)
def get_runbook_comparison(
    request: HttpRequest, code: str, release_id: int, tolerance: int = runbook.LATE_TOLERANCE_MINUTES
) -> Any:
    release = _release(_project(request, code), release_id)
    return runbook.runbook_comparison(release, tolerance=tolerance).as_dict()


@router.post(
    "/projects/{code}/mep/releases/{release_id}/runbook/steps",
    response={201: RunbookStepOut, **_WRITE},
    summary="Add a runbook step",
)
@requires(MEP_MANAGE)
def create_step(
    request: HttpRequest, code: str, release_id: int, payload: RunbookStepIn, response: HttpResponse
) -> Any:
    from oeuvre.core.errors import ValidationFailed
    from oeuvre.projects.selectors import project_members

    project = _project(request, code, MEP_MANAGE)
    release = _release(project, release_id)
    owner = None
    if payload.owner:
        owner = next((m.user for m in project_members(project) if m.user.username == payload.owner), None)
        if owner is None:
            raise ValidationFailed({"owner": [f"no member {payload.owner!r} in this project"]})
    step = runbook.runbook_step_create(
        actor=current_user(request),
        release=release,
        title=payload.title,
        owner=owner,
        planned_start=payload.planned_start,
        planned_minutes=payload.planned_minutes,
        depends_on=payload.depends_on,
        checkpoint=payload.checkpoint,
        point_of_no_return=payload.point_of_no_return,
        rollback=payload.rollback,
    )
    set_etag(response, step)
    return Status(201, _step_out(release, step.pk))


@router.post(
    "/projects/{code}/mep/releases/{release_id}/runbook/steps/{step_id}/act",
    response={200: RunbookStepOut, **_WRITE},
    summary="Report a step: start, done, fail, skip or retry (If-Match), e.g. from a pipeline",
)
@requires(RUNBOOK_RUN)
def act_step(
    request: HttpRequest, code: str, release_id: int, step_id: int, payload: StepActIn, response: HttpResponse
) -> Any:
    project = _project(request, code, RUNBOOK_RUN)
    release = _release(project, release_id)
    record = runbook.runbook_step_act(
        actor=current_user(request),
        step=runbook.runbook_step_detail(release, step_id),
        action=payload.action,
        expected_version=if_match(request),
        note=payload.note,
        run=payload.run,
    )
    set_etag(response, record)
    return _step_out(release, step_id, payload.run)


@router.patch(
    "/projects/{code}/mep/releases/{release_id}/runbook/steps/{step_id}",
    response={200: RunbookStepOut, **_WRITE},
    summary="Edit a step's plan (If-Match)",
)
@requires(MEP_MANAGE)
def patch_step(
    request: HttpRequest, code: str, release_id: int, step_id: int, payload: StepPatch, response: HttpResponse
) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = _release(project, release_id)
    data = payload.dict(exclude_unset=True)
    if "owner" in data:
        username = data["owner"]
        data["owner"] = next((m.user for m in project_members(project) if m.user.username == username), None)
        if username and data["owner"] is None:
            raise ValidationFailed({"owner": [_("The owner must be a member of the project.")]})
    step = runbook.runbook_step_edit(
        actor=current_user(request),
        step=runbook.runbook_step_detail(release, step_id),
        expected_version=if_match(request),
        **data,
    )
    set_etag(response, step)
    return _step_out(release, step.pk)


@router.post(
    "/projects/{code}/mep/releases/{release_id}/runbook/steps/{step_id}/move",
    response={200: RunbookStepOut, **_WRITE},
    summary="Move a step up or down (If-Match)",
)
@requires(MEP_MANAGE)
def move_step(
    request: HttpRequest, code: str, release_id: int, step_id: int, payload: StepMoveIn, response: HttpResponse
) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = _release(project, release_id)
    step = runbook.runbook_step_move(
        actor=current_user(request),
        step=runbook.runbook_step_detail(release, step_id),
        direction=payload.direction,
        expected_version=if_match(request),
    )
    set_etag(response, step)
    return _step_out(release, step.pk)


@router.put(
    "/projects/{code}/mep/releases/{release_id}/rollback-plan",
    response={200: RollbackPlanOut, **_WRITE},
    summary="Write or edit the release's rollback plan (If-Match when it exists)",
)
@requires(MEP_MANAGE)
def put_rollback_plan(
    request: HttpRequest, code: str, release_id: int, payload: RollbackPlanIn, response: HttpResponse
) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = _release(project, release_id)
    existing = runbook.rollback_plan_of(release)
    plan = runbook.rollback_plan_save(
        actor=current_user(request),
        release=release,
        expected_version=if_match(request) if existing is not None else None,
        **payload.dict(),
    )
    set_etag(response, plan)
    return _plan_out(plan)


def _plan_out(plan: Any) -> dict[str, Any]:
    return {
        "steps": plan.step_lines,
        "decision_criterion": plan.decision_criterion,
        "max_minutes": plan.max_minutes,
        "tested_on": plan.tested_on,
        "test_result": plan.test_result,
        "approved_by": plan.approved_by.username if plan.approved_by else None,
        "approved_at": plan.approved_at,
        "version": plan.version,
    }


@router.post(
    "/projects/{code}/mep/releases/{release_id}/rollback-plan/approve",
    response={200: RollbackPlanOut, **_WRITE},
    summary="Approve the release's rollback plan (MOA, If-Match)",
)
@requires(ROLLBACK_APPROVE)
def approve_rollback_plan(request: HttpRequest, code: str, release_id: int, response: HttpResponse) -> Any:
    project = _project(request, code, ROLLBACK_APPROVE)
    plan = runbook.rollback_plan_approve(
        actor=current_user(request), release=_release(project, release_id), expected_version=if_match(request)
    )
    set_etag(response, plan)
    return _plan_out(plan)
