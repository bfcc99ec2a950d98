from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from oeuvre.accounts.models import Organisation, User
from oeuvre.accounts.permissions import (
    PROJECT_CHANGE_PHASE,
    PROJECT_EDIT,
    PROJECT_MANAGE_MEMBERS,
    PROJECT_VIEW_ACTIVITY,
    PROJECT_VIEW_BUDGET,
    can,
    current_user,
    require,
)
from oeuvre.accounts.roles import Role
from oeuvre.core.activity import project_activity
from oeuvre.core.api import ErrorOut, Pagination, if_match, requires, set_etag
from oeuvre.core.errors import ValidationFailed
from oeuvre.projects import selectors, services
from oeuvre.projects.models import HolidayZone, Phase, Pricing, Project, Regime

router = Router(tags=["projects"])

_WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


class ProjectOut(Schema):
    code: str
    name: str
    description: str
    moa_organisation_id: int
    moe_organisation_id: int
    phase: Phase
    regime: Regime
    pricing: Pricing
    start_date: date | None
    delivery_date: date | None
    golive_date: date | None
    end_date: date | None
    budget_amount: Decimal | None = Field(None, description="Null when your role may not see the budget.")
    budget_effort: Decimal | None = Field(None, description="Sold effort in person-days; null as above.")
    working_days: list[int]
    holiday_zone: HolidayZone
    version: int


class ProjectIn(Schema):
    code: str = Field(..., pattern=r"^[-a-zA-Z0-9_]+$", max_length=40)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    moa_organisation_id: int
    moe_organisation_id: int
    role: Role = Field(..., description="Your own role on the new project; you also become its administrator.")
    phase: Phase = Phase.CADRAGE
    regime: Regime = Regime.CCAG_TIC
    pricing: Pricing = Pricing.FORFAIT
    start_date: date | None = None
    delivery_date: date | None = None
    golive_date: date | None = None
    end_date: date | None = None
    budget_amount: Decimal = Field(Decimal(0), ge=0)
    budget_effort: Decimal = Field(Decimal(0), ge=0)
    working_days: list[int] = [0, 1, 2, 3, 4]
    holiday_zone: HolidayZone = HolidayZone.FRANCE


class ProjectPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    moa_organisation_id: int | None = None
    moe_organisation_id: int | None = None
    regime: Regime | None = None
    pricing: Pricing | None = None
    start_date: date | None = None
    delivery_date: date | None = None
    golive_date: date | None = None
    end_date: date | None = None
    budget_amount: Decimal | None = Field(None, ge=0)
    budget_effort: Decimal | None = Field(None, ge=0)
    working_days: list[int] | None = None
    holiday_zone: HolidayZone | None = None


class PhaseIn(Schema):
    phase: Phase


class MemberOut(Schema):
    id: int
    user_id: int
    username: str = Field(..., alias="user.username")
    full_name: str
    role: Role
    is_admin: bool
    version: int

    @staticmethod
    def resolve_full_name(obj: object) -> str:
        return obj.user.get_full_name()  # type: ignore[attr-defined,no-any-return]


class MemberIn(Schema):
    username: str
    role: Role
    is_admin: bool = False


class MemberPatch(Schema):
    role: Role
    is_admin: bool = False


class ActivityOut(Schema):
    when: datetime
    who: str
    action: str
    model_label: str
    object_label: str
    changed_fields: list[str]


def _out(request: HttpRequest, project: Project) -> dict[str, object]:
    data = ProjectOut.from_orm(project).dict()
    if not can(request.user, project, PROJECT_VIEW_BUDGET):
        data["budget_amount"] = None
        data["budget_effort"] = None
    return data


class _ProjectPage(Pagination):
    """Pages the queryset first, then shapes only the rows of the page (budget hidden per role)."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [_out(request, p) for p in page["items"]]
        return page


def _organisations(ids: dict[str, int | None]) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    for field, pk in ids.items():
        if pk is None:
            continue
        org = Organisation.objects.filter(pk=pk).first()
        if org is None:
            raise ValidationFailed({field: [_("Unknown organisation.")]})
        found[field.removesuffix("_id")] = org
    return found


@router.get("/projects", response=list[ProjectOut], summary="The projects I belong to, by code")
@paginate(_ProjectPage)
def list_projects(request: HttpRequest) -> object:
    return selectors.projects_for_user(request.user).order_by("code")


@router.post("/projects", response={201: ProjectOut, 403: ErrorOut, 422: ErrorOut}, summary="Create a project (staff)")
def create_project(request: HttpRequest, payload: ProjectIn, response: HttpResponse) -> object:
    data = payload.dict()
    orgs = _organisations(
        {"moa_organisation_id": data.pop("moa_organisation_id"), "moe_organisation_id": data.pop("moe_organisation_id")}
    )
    role = data.pop("role")
    project = services.project_create(actor=current_user(request), role=role, **orgs, **data)
    set_etag(response, project)
    return Status(201, _out(request, project))


@router.get("/projects/{code}", response={200: ProjectOut, 404: ErrorOut})
def get_project(request: HttpRequest, code: str, response: HttpResponse) -> object:
    project = selectors.project_for(request.user, code)
    set_etag(response, project)
    return _out(request, project)


@router.patch("/projects/{code}", response={200: ProjectOut, **_WRITE_ERRORS}, summary="Update a project (If-Match)")
@requires(PROJECT_EDIT)
def update_project(request: HttpRequest, code: str, payload: ProjectPatch, response: HttpResponse) -> object:
    project = selectors.project_for(request.user, code)
    changes = payload.dict(exclude_unset=True)
    orgs = _organisations({k: changes.pop(k) for k in ("moa_organisation_id", "moe_organisation_id") if k in changes})
    project = services.project_update(
        actor=current_user(request),
        project=project,
        expected_version=if_match(request),
        **orgs,
        **changes,
    )
    set_etag(response, project)
    return _out(request, project)


@router.post(
    "/projects/{code}/phase", response={200: ProjectOut, **_WRITE_ERRORS}, summary="Change the phase (If-Match)"
)
@requires(PROJECT_CHANGE_PHASE)
def change_phase(request: HttpRequest, code: str, payload: PhaseIn, response: HttpResponse) -> object:
    project = selectors.project_for(request.user, code)
    project = services.project_change_phase(
        actor=current_user(request),
        project=project,
        phase=payload.phase,
        expected_version=if_match(request),
    )
    set_etag(response, project)
    return _out(request, project)


@router.get("/projects/{code}/members", response={200: list[MemberOut], 404: ErrorOut})
def list_members(request: HttpRequest, code: str) -> object:
    return selectors.project_members(selectors.project_for(request.user, code))


@router.post("/projects/{code}/members", response={201: MemberOut, **_WRITE_ERRORS})
@requires(PROJECT_MANAGE_MEMBERS)
def add_member(request: HttpRequest, code: str, payload: MemberIn, response: HttpResponse) -> object:
    project = selectors.project_for(request.user, code)
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise ValidationFailed({"username": [_("Unknown user.")]})
    membership = services.membership_add(
        actor=current_user(request),
        project=project,
        user=user,
        role=payload.role,
        is_admin=payload.is_admin,
    )
    set_etag(response, membership)
    return Status(201, membership)


@router.patch("/projects/{code}/members/{member_id}", response={200: MemberOut, **_WRITE_ERRORS})
@requires(PROJECT_MANAGE_MEMBERS)
def update_member(
    request: HttpRequest, code: str, member_id: int, payload: MemberPatch, response: HttpResponse
) -> object:
    project = selectors.project_for(request.user, code)
    membership = get_object_or_404(selectors.project_members(project), pk=member_id)
    membership = services.membership_update(
        actor=current_user(request),
        membership=membership,
        role=payload.role,
        is_admin=payload.is_admin,
        expected_version=if_match(request),
    )
    set_etag(response, membership)
    return membership


@router.delete("/projects/{code}/members/{member_id}", response={204: None, **_WRITE_ERRORS})
@requires(PROJECT_MANAGE_MEMBERS)
def remove_member(request: HttpRequest, code: str, member_id: int) -> object:
    project = selectors.project_for(request.user, code)
    membership = get_object_or_404(selectors.project_members(project), pk=member_id)
    services.membership_remove(actor=current_user(request), membership=membership)
    return Status(204, None)


@router.get("/projects/{code}/activity", response={200: list[ActivityOut], 403: ErrorOut, 404: ErrorOut})
def activity(request: HttpRequest, code: str) -> object:
    project = selectors.project_for(request.user, code)
    require(request.user, project, PROJECT_VIEW_ACTIVITY)
    return project_activity(project, limit=100)
