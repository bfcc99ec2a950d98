"""The mep stage's REST API (thin): environments, releases, readiness and the go/no-go."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, if_match, set_etag
from oeuvre.mep import selectors, services
from oeuvre.mep.models import Environment, GoNoGoDecision, Release
from oeuvre.mep.permissions import GONOGO_DECIDE, MEP_ATTEST, MEP_MANAGE, MEP_VIEW
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for

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


class EnvironmentOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    deployments: list[DeploymentOut]

    @staticmethod
    def resolve_deployments(obj: Environment) -> list[Any]:
        return list(obj.deployments.all())


class ReleaseOut(Schema):
    id: int
    number: str
    title: str
    status: str
    planned_date: date | None
    actual_date: date | None
    version: int


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


class CriterionOut(Schema):
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
    criteria: list[CriterionOut]
    decisions: list[DecisionOut]


class ReadinessIn(Schema):
    item: str
    done: bool = True
    evidence: str = ""


class DecideIn(Schema):
    decision: str
    reason: str = ""
    password: str = ""
    otp: str = ""


def _release(project: Project, release_id: int) -> Release:
    return get_object_or_404(Release, project=project, pk=release_id)


def _gonogo(release: Release) -> dict[str, Any]:
    view = selectors.gonogo_for(release)
    return {**view.as_dict(), "decisions": view.decisions}


@router.get("/projects/{code}/mep/environments", response={200: list[EnvironmentOut], **_READ}, summary="Environments")
def list_environments(request: HttpRequest, code: str) -> Any:
    return list(selectors.environments_for(_project(request, code)))


@router.get("/projects/{code}/mep/releases", response={200: list[ReleaseOut], **_READ}, summary="Releases")
def list_releases(request: HttpRequest, code: str) -> Any:
    return list(selectors.releases_for(_project(request, code)))


@router.post("/projects/{code}/mep/releases", response={201: ReleaseOut, **_WRITE}, summary="Create a release")
def create_release(request: HttpRequest, code: str, payload: ReleaseIn, response: HttpResponse) -> Any:
    project = _project(request, code, MEP_MANAGE)
    release = services.release_create(actor=current_user(request), project=project, **payload.dict())
    set_etag(response, release)
    return Status(201, release)


@router.get("/projects/{code}/mep/releases/{release_id}", response={200: ReleaseOut, **_READ}, summary="A release")
def get_release(request: HttpRequest, code: str, release_id: int, response: HttpResponse) -> Any:
    release = _release(_project(request, code), release_id)
    set_etag(response, release)
    return release


@router.patch(
    "/projects/{code}/mep/releases/{release_id}", response={200: ReleaseOut, **_WRITE}, summary="Edit (If-Match)"
)
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


@router.get("/projects/{code}/mep/releases/{release_id}/gonogo", response={200: GoNoGoOut, **_READ}, summary="Go/no-go")
def get_gonogo(request: HttpRequest, code: str, release_id: int) -> Any:
    return _gonogo(_release(_project(request, code), release_id))


@router.post(
    "/projects/{code}/mep/releases/{release_id}/readiness",
    response={200: GoNoGoOut, **_WRITE},
    summary="Attest a readiness criterion",
)
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
def decide(request: HttpRequest, code: str, release_id: int, payload: DecideIn) -> Any:
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
