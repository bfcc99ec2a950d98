"""REST API of the design stage (thin): interfaces and criteria of the DAT, criteria with their last result."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from oeuvre.accounts.permissions import current_user
from oeuvre.core.api import ErrorOut, requires
from oeuvre.core.errors import ValidationFailed
from oeuvre.design import selectors, services
from oeuvre.design.models import Criterion, Direction, IntegrationStatus, Interface, Protocol
from oeuvre.design.permissions import DESIGN_EDIT, DESIGN_VIEW
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for
from oeuvre.requirements.models import Component, Exigence

__all__ = ["router"]

router = Router(tags=["design"])
_READ = {403: ErrorOut, 404: ErrorOut}
_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
_BASE = "/projects/{code}/design"


class InterfaceOut(Schema):
    reference: str
    name: str
    source: str = Field(..., description="Reference of the source component.")
    target: str | None = Field(None, description="Reference of the target component; null for a partner system.")
    partner: str
    protocol: str
    data_format: str
    direction: str
    volume: str
    frequency: str
    authentication: str
    encryption: str
    status: str
    exigences: list[str]

    @staticmethod
    def resolve_source(obj: Interface) -> str:
        return obj.source.reference

    @staticmethod
    def resolve_target(obj: Interface) -> str | None:
        return obj.target.reference if obj.target else None

    @staticmethod
    def resolve_exigences(obj: Interface) -> list[str]:
        return [e.reference for e in obj.exigences.all()]


class InterfaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    source: str
    target: str | None = None
    partner: str = ""
    protocol: Protocol = Protocol.REST
    data_format: str = ""
    direction: Direction = Direction.OUTBOUND
    volume: str = ""
    frequency: str = ""
    authentication: str = ""
    encryption: str = ""
    status: IntegrationStatus = IntegrationStatus.PLANNED
    exigences: list[str] = []


class CriterionOut(Schema):
    reference: str
    component: str | None = None
    interface: str | None = None
    metric: str
    operator: str
    threshold: str
    unit: str
    label: str
    measured: float | str | None
    met: bool | None
    exigences: list[str]


class CriterionIn(Schema):
    component: str | None = Field(None, description="Reference of a component (or give `interface`).")
    interface: str | None = None
    title: str = ""
    metric: str
    operator: str = "<="
    threshold: str
    unit: str
    label: str = "*"
    exigences: list[str] = []


def _project(request: HttpRequest, code: str) -> Project:
    return project_for(request.user, code, DESIGN_VIEW)


def _component(project: Project, reference: str | None, field: str) -> Component | None:
    if not reference:
        return None
    found = Component.objects.filter(project=project, reference=reference).first()
    if found is None:
        raise ValidationFailed({field: [_("Unknown component %(ref)s.") % {"ref": reference}]})
    return found


def _exigences(project: Project, references: list[str]) -> list[Exigence]:
    found = {e.reference: e for e in Exigence.objects.filter(project=project, reference__in=references)}
    unknown = [r for r in references if r not in found]
    if unknown:
        raise ValidationFailed({"exigences": [_("Unknown requirement(s): %(refs)s.") % {"refs": ", ".join(unknown)}]})
    return [found[r] for r in references]


@router.get(f"{_BASE}/interfaces", response={200: list[InterfaceOut], **_READ}, summary="Interfaces of the DAT")
def list_interfaces(request: HttpRequest, code: str) -> Any:
    return list(selectors.interfaces_for(_project(request, code)).order_by("number", "pk"))


@router.post(f"{_BASE}/interfaces", response={201: InterfaceOut, **_WRITE}, summary="Describe an interface")
@requires(DESIGN_EDIT)
def create_interface(request: HttpRequest, code: str, body: InterfaceIn) -> Any:
    project = project_for(request.user, code, DESIGN_EDIT)
    data = body.dict()
    data["source"] = _component(project, data["source"], "source")
    data["target"] = _component(project, data["target"], "target")
    exigences = _exigences(project, data.pop("exigences"))
    interface = services.interface_create(actor=current_user(request), project=project, exigences=exigences, **data)
    return Status(201, interface)


@router.get(
    f"{_BASE}/criteria",
    response={200: list[CriterionOut], **_READ},
    summary="Criteria of the DAT with their last measured result",
)
def list_criteria(request: HttpRequest, code: str) -> Any:
    return [r.as_dict() for r in selectors.criterion_rows(_project(request, code))]


@router.post(f"{_BASE}/criteria", response={201: CriterionOut, **_WRITE}, summary="Write a measurable criterion")
@requires(DESIGN_EDIT)
def create_criterion(request: HttpRequest, code: str, body: CriterionIn) -> Any:
    project = project_for(request.user, code, DESIGN_EDIT)
    data = body.dict()
    data["component"] = _component(project, data["component"], "component")
    reference = data.pop("interface")
    data["interface"] = None
    if reference:
        data["interface"] = Interface.objects.filter(project=project, reference=reference).first()
        if data["interface"] is None:
            raise ValidationFailed({"interface": [_("Unknown interface %(ref)s.") % {"ref": reference}]})
    exigences = _exigences(project, data.pop("exigences"))
    criterion: Criterion = services.criterion_create(
        actor=current_user(request), project=project, exigences=exigences, **data
    )
    return Status(201, selectors.CriterionRow(criterion).as_dict())
