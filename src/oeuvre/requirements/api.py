"""REST API of the requirements stage (thin: schemas in, services and selectors, schemas out)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import current_user, require
from oeuvre.accounts.roles import Role
from oeuvre.core.api import ErrorOut, Pagination, if_match, requires, set_etag
from oeuvre.core.errors import ValidationFailed
from oeuvre.interop.errors import FileFormatError
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for
from oeuvre.requirements import exports, imports, jobs, selectors, services
from oeuvre.requirements.models import (
    CdcVersion,
    Component,
    ComponentKind,
    Deliverable,
    DeliverableKind,
    Exigence,
    ExigenceStatus,
    ExigenceType,
    Priority,
    RaciLetter,
    Specification,
    SpecificationKind,
    TraceKind,
    TraceLink,
)
from oeuvre.requirements.permissions import (
    ARCHITECTURE_EDIT,
    DELIVERABLES_DECIDE,
    DELIVERABLES_EDIT,
    DELIVERABLES_SUBMIT,
    REQUIREMENTS_BASELINE,
    REQUIREMENTS_CONFIGURE,
    REQUIREMENTS_EDIT,
    REQUIREMENTS_IMPORT,
    REQUIREMENTS_SUBMIT,
    REQUIREMENTS_VALIDATE,
    REQUIREMENTS_VIEW,
    SPECIFICATIONS_EDIT,
    TRACE_EDIT,
)

__all__ = ["router"]

router = Router(tags=["requirements"])

_READ = {403: ErrorOut, 404: ErrorOut}
_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _project(request: HttpRequest, code: str) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, REQUIREMENTS_VIEW)
    return project


def _member(project: Project, username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, memberships__project=project).first()
    if user is None:
        raise ValidationFailed({field: [_("This person is not a member of the project.")]})
    return user


# --- Schemas ------------------------------------------------------------------------------------------


class ExigenceOut(Schema):
    id: int
    reference: str
    title: str
    text: str
    type: ExigenceType
    priority: Priority
    source: str
    status: ExigenceStatus
    status_comment: str
    owner: str | None = Field(None, description="Username of the owner.")
    cdc_version: str | None = Field(None, description="Label of the CDC version it comes from.")
    extra_attributes: dict[str, Any]
    version: int

    @staticmethod
    def resolve_owner(obj: Exigence) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_cdc_version(obj: Exigence) -> str | None:
        return obj.cdc_version.label if obj.cdc_version else None


class ExigenceIn(Schema):
    reference: str | None = Field(None, max_length=40, description="Leave out for the next free reference.")
    title: str = Field(..., min_length=1, max_length=300)
    text: str = ""
    type: ExigenceType = ExigenceType.FONCTIONNELLE
    priority: Priority = Priority.MUST
    source: str = Field("", max_length=200)
    owner: str | None = None


class ExigencePatch(Schema):
    reference: str | None = Field(None, max_length=40)
    title: str | None = Field(None, min_length=1, max_length=300)
    text: str | None = None
    type: ExigenceType | None = None
    priority: Priority | None = None
    source: str | None = Field(None, max_length=200)
    owner: str | None = None


class DecisionIn(Schema):
    comment: str = ""


class SpecificationOut(Schema):
    id: int
    reference: str
    kind: SpecificationKind
    title: str
    text: str
    owner: str | None = None
    exigences: list[str] = Field([], description="References of the exigences it satisfies.")
    version: int

    @staticmethod
    def resolve_owner(obj: Specification) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_exigences(obj: Specification) -> list[str]:
        return [e.reference for e in obj.exigences.all()]


class SpecificationIn(Schema):
    reference: str | None = Field(None, max_length=40)
    kind: SpecificationKind = SpecificationKind.SFD
    title: str = Field(..., min_length=1, max_length=300)
    text: str = ""
    owner: str | None = None


class SpecificationPatch(Schema):
    reference: str | None = Field(None, max_length=40)
    kind: SpecificationKind | None = None
    title: str | None = Field(None, min_length=1, max_length=300)
    text: str | None = None
    owner: str | None = None


class ComponentOut(Schema):
    id: int
    reference: str
    kind: ComponentKind
    name: str
    description: str
    owner: str | None = None
    performance_constraints: str
    security_constraints: str
    specifications: list[str] = Field([], description="References of the specifications it realises.")
    version: int

    @staticmethod
    def resolve_owner(obj: Component) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_specifications(obj: Component) -> list[str]:
        return [s.reference for s in obj.specifications.all()]


class ComponentIn(Schema):
    reference: str | None = Field(None, max_length=40)
    kind: ComponentKind = ComponentKind.MODULE
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    owner: str | None = None
    performance_constraints: str = ""
    security_constraints: str = ""


class ComponentPatch(Schema):
    reference: str | None = Field(None, max_length=40)
    kind: ComponentKind | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    owner: str | None = None
    performance_constraints: str | None = None
    security_constraints: str | None = None


class TraceLinkOut(Schema):
    id: int
    kind: TraceKind
    source: str
    target: str
    comment: str

    @staticmethod
    def resolve_source(obj: TraceLink) -> str:
        return str(getattr(obj.source, "reference", ""))

    @staticmethod
    def resolve_target(obj: TraceLink) -> str:
        return str(getattr(obj.target, "reference", ""))


class TraceLinkIn(Schema):
    kind: TraceKind
    source: str = Field(..., description="Reference of the source item (e.g. SP-004).")
    target: str = Field(..., description="Reference of the target item (e.g. EX-012).")
    comment: str = Field("", max_length=300)


class BaselineOut(Schema):
    id: int
    label: str
    title: str
    issued_on: date | None
    frozen_at: datetime | None
    entries: int

    @staticmethod
    def resolve_entries(obj: CdcVersion) -> int:
        return getattr(obj, "entry_count", 0)


class BaselineIn(Schema):
    label: str = Field(..., min_length=1, max_length=40)
    title: str = Field("", max_length=200)
    description: str = ""
    issued_on: date | None = None


class SnapshotOut(Schema):
    reference: str
    title: str
    type: str
    priority: str
    status: str
    exigence_id: int | None


class ChangeOut(Schema):
    reference: str
    fields: list[str]
    before: SnapshotOut
    after: SnapshotOut
    text_diff: list[dict[str, str]]


class ComparisonOut(Schema):
    before: str
    after: str = Field(..., description="Label of the later baseline, or empty for today's exigences.")
    added: list[SnapshotOut]
    removed: list[SnapshotOut]
    changed: list[ChangeOut]
    unchanged: int


class ItemRef(Schema):
    id: int
    reference: str
    title: str


class HangingOut(Schema):
    group: str
    reference: str
    title: str
    via: list[str]
    url: str
    status: str


class ImpactOut(Schema):
    exigences: list[ItemRef]
    specifications: list[ItemRef]
    components: list[ItemRef]
    hanging: list[HangingOut]


class RtmRowOut(Schema):
    id: int
    reference: str
    title: str
    type: str
    priority: str
    status: str
    specifications: list[str]
    specifications_without_component: list[str]
    components: list[str]
    tests: list[str] | None = Field(None, description="Null while no acceptance (recette) stage is installed.")
    executed: int | None
    passed: int | None
    gaps: list[str] = Field(..., description="no_spec, spec_without_component, no_test")


class RtmOut(Schema):
    count: int
    page: int
    pages: int
    tests_available: bool
    items: list[RtmRowOut]


class CoverageOut(Schema):
    exigences: int
    validated: int
    with_specification: int
    specifications: int
    specifications_with_component: int
    with_test: int | None


class RequirementsJobOut(Schema):
    id: str
    kind: str
    status: str
    url: str = Field(..., description="Poll GET /api/jobs/{id} for progress and the row-by-row result.")


class RaciOut(Schema):
    username: str
    letter: RaciLetter


class DeliverableOut(Schema):
    id: int
    kind: DeliverableKind
    title: str
    reference: str
    document_version: str
    due_date: date | None
    link: str
    author: str | None = None
    validator: str | None = None
    status: str
    status_comment: str
    raci: list[RaciOut]
    version: int

    @staticmethod
    def resolve_author(obj: Deliverable) -> str | None:
        return obj.author.username if obj.author else None

    @staticmethod
    def resolve_validator(obj: Deliverable) -> str | None:
        return obj.validator.username if obj.validator else None

    @staticmethod
    def resolve_raci(obj: Deliverable) -> list[dict[str, str]]:
        return [{"username": a.user.username, "letter": a.letter} for a in obj.raci.all()]


class DeliverableIn(Schema):
    kind: DeliverableKind
    title: str = Field(..., min_length=1, max_length=200)
    reference: str = Field("", max_length=60)
    document_version: str = Field("", max_length=20)
    due_date: date | None = None
    link: str = ""
    author: str | None = None
    validator: str | None = None


class DeliverablePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    reference: str | None = Field(None, max_length=60)
    document_version: str | None = Field(None, max_length=20)
    due_date: date | None = None
    link: str | None = None
    author: str | None = None
    validator: str | None = None


class DeliverableDecisionIn(Schema):
    accept: bool
    comment: str = ""


class SettingsOut(Schema):
    exigence_prefix: str
    specification_prefix: str
    component_prefix: str
    reference_digits: int
    version: int


class SettingsPatch(Schema):
    exigence_prefix: str | None = None
    specification_prefix: str | None = None
    component_prefix: str | None = None
    reference_digits: int | None = None


class RuleIn(Schema):
    author_roles: list[Role]
    validator_roles: list[Role] = []


class RuleOut(Schema):
    kind: str
    author_roles: list[str]
    validator_roles: list[str]


# --- Exigences --------------------------------------------------------------------------------------------


def _exigence(project: Project, exigence_id: int) -> Exigence:
    return get_object_or_404(
        Exigence.objects.select_related("owner", "cdc_version", "project"), project=project, pk=exigence_id
    )


@router.get("/projects/{code}/exigences", response={200: list[ExigenceOut], **_READ}, summary="List exigences")
@paginate(Pagination)
def list_exigences(
    request: HttpRequest,
    code: str,
    q: str = "",
    type: str = "",
    status: str = "",
    priority: str = "",
) -> Any:
    qs = Exigence.objects.filter(project=_project(request, code)).select_related("owner", "cdc_version")
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(text__icontains=q))
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    return qs.order_by("number", "reference")


@router.post("/projects/{code}/exigences", response={201: ExigenceOut, **_WRITE}, summary="Create an exigence")
@requires(REQUIREMENTS_EDIT)
def create_exigence(request: HttpRequest, code: str, payload: ExigenceIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    data = payload.dict(exclude_none=True)
    data["owner"] = _member(project, data.pop("owner", None), "owner")
    exigence = services.exigence_create(actor=current_user(request), project=project, **data)
    set_etag(response, exigence)
    return Status(201, exigence)


@router.get("/projects/{code}/exigences/export", response={200: None, **_READ}, summary="Export (xlsx, csv, reqif)")
def export_exigences(request: HttpRequest, code: str, format: str = "xlsx") -> Any:
    project = _project(request, code)
    if format == "csv":
        return _file(exports.exigences_csv(project), f"exigences-{code}.csv", "text/csv; charset=utf-8")
    if format == "reqif":
        return _file(exports.exigences_reqif(project), f"exigences-{code}.reqif", "application/xml")
    return _file(exports.exigences_xlsx(project), f"exigences-{code}.xlsx", XLSX)


def _file(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/projects/{code}/exigences/{exigence_id}", response={200: ExigenceOut, **_READ})
def get_exigence(request: HttpRequest, code: str, exigence_id: int, response: HttpResponse) -> Any:
    exigence = _exigence(_project(request, code), exigence_id)
    set_etag(response, exigence)
    return exigence


@router.patch(
    "/projects/{code}/exigences/{exigence_id}", response={200: ExigenceOut, **_WRITE}, summary="Update (If-Match)"
)
@requires(REQUIREMENTS_EDIT)
def update_exigence(
    request: HttpRequest, code: str, exigence_id: int, payload: ExigencePatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    exigence = _exigence(project, exigence_id)
    changes = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _member(project, changes["owner"], "owner")
    exigence = services.exigence_update(
        actor=current_user(request), exigence=exigence, expected_version=if_match(request), **changes
    )
    set_etag(response, exigence)
    return exigence


@router.delete("/projects/{code}/exigences/{exigence_id}", response={204: None, **_WRITE})
@requires(REQUIREMENTS_EDIT)
def delete_exigence(request: HttpRequest, code: str, exigence_id: int) -> Any:
    exigence = _exigence(_project(request, code), exigence_id)
    services.exigence_delete(actor=current_user(request), exigence=exigence)
    return Status(204, None)


def _decide(
    request: HttpRequest, code: str, exigence_id: int, payload: DecisionIn, response: HttpResponse, fn: Any
) -> Any:
    exigence = _exigence(_project(request, code), exigence_id)
    exigence = fn(
        actor=current_user(request), exigence=exigence, expected_version=if_match(request), comment=payload.comment
    )
    set_etag(response, exigence)
    return exigence


@router.post(
    "/projects/{code}/exigences/{exigence_id}/submit",
    response={200: ExigenceOut, **_WRITE},
    summary="Submit for validation",
)
@requires(REQUIREMENTS_SUBMIT)
def submit_exigence(
    request: HttpRequest, code: str, exigence_id: int, payload: DecisionIn, response: HttpResponse
) -> Any:
    return _decide(request, code, exigence_id, payload, response, services.exigence_submit)


@router.post(
    "/projects/{code}/exigences/{exigence_id}/validate", response={200: ExigenceOut, **_WRITE}, summary="Validate (MOA)"
)
@requires(REQUIREMENTS_VALIDATE)
def validate_exigence(
    request: HttpRequest, code: str, exigence_id: int, payload: DecisionIn, response: HttpResponse
) -> Any:
    return _decide(request, code, exigence_id, payload, response, services.exigence_validate)


@router.post(
    "/projects/{code}/exigences/{exigence_id}/reject", response={200: ExigenceOut, **_WRITE}, summary="Reject (MOA)"
)
@requires(REQUIREMENTS_VALIDATE)
def reject_exigence(
    request: HttpRequest, code: str, exigence_id: int, payload: DecisionIn, response: HttpResponse
) -> Any:
    return _decide(request, code, exigence_id, payload, response, services.exigence_reject)


def _ref(item: Any) -> dict[str, Any]:
    return {"id": item.pk, "reference": item.reference, "title": getattr(item, "title", "")}


@router.get(
    "/projects/{code}/exigences/{exigence_id}/impact", response={200: ImpactOut, **_READ}, summary="Impact analysis"
)
def exigence_impact(request: HttpRequest, code: str, exigence_id: int) -> Any:
    project = _project(request, code)
    exigence = _exigence(project, exigence_id)
    impact = selectors.impact_of(project, [exigence.pk])
    return {
        "exigences": [_ref(e) for e in impact.exigences],
        "specifications": [_ref(s) for s in impact.specifications],
        "components": [_ref(c) for c in impact.components],
        "hanging": [{**item.__dict__, "via": list(item.via)} for items in impact.hanging.values() for item in items],
    }


# --- Specifications and components ---------------------------------------------------------------------------


@router.get("/projects/{code}/specifications", response={200: list[SpecificationOut], **_READ})
@paginate(Pagination)
def list_specifications(request: HttpRequest, code: str) -> Any:
    project = _project(request, code)
    return (
        Specification.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related("exigences")
        .order_by("number")
    )


@router.post("/projects/{code}/specifications", response={201: SpecificationOut, **_WRITE})
@requires(SPECIFICATIONS_EDIT)
def create_specification(request: HttpRequest, code: str, payload: SpecificationIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    data = payload.dict(exclude_none=True)
    data["owner"] = _member(project, data.pop("owner", None), "owner")
    spec = services.specification_create(actor=current_user(request), project=project, **data)
    set_etag(response, spec)
    return Status(201, spec)


@router.get("/projects/{code}/specifications/{spec_id}", response={200: SpecificationOut, **_READ})
def get_specification(request: HttpRequest, code: str, spec_id: int, response: HttpResponse) -> Any:
    spec = get_object_or_404(Specification, project=_project(request, code), pk=spec_id)
    set_etag(response, spec)
    return spec


@router.patch("/projects/{code}/specifications/{spec_id}", response={200: SpecificationOut, **_WRITE})
@requires(SPECIFICATIONS_EDIT)
def update_specification(
    request: HttpRequest, code: str, spec_id: int, payload: SpecificationPatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    spec = get_object_or_404(Specification.objects.select_related("project"), project=project, pk=spec_id)
    changes = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _member(project, changes["owner"], "owner")
    spec = services.specification_update(
        actor=current_user(request), specification=spec, expected_version=if_match(request), **changes
    )
    set_etag(response, spec)
    return spec


@router.delete("/projects/{code}/specifications/{spec_id}", response={204: None, **_WRITE})
@requires(SPECIFICATIONS_EDIT)
def delete_specification(request: HttpRequest, code: str, spec_id: int) -> Any:
    spec = get_object_or_404(
        Specification.objects.select_related("project"), project=_project(request, code), pk=spec_id
    )
    services.specification_delete(actor=current_user(request), specification=spec)
    return Status(204, None)


@router.get("/projects/{code}/components", response={200: list[ComponentOut], **_READ})
@paginate(Pagination)
def list_components(request: HttpRequest, code: str) -> Any:
    project = _project(request, code)
    return (
        Component.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related("specifications")
        .order_by("number")
    )


@router.post("/projects/{code}/components", response={201: ComponentOut, **_WRITE})
@requires(ARCHITECTURE_EDIT)
def create_component(request: HttpRequest, code: str, payload: ComponentIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    data = payload.dict(exclude_none=True)
    data["owner"] = _member(project, data.pop("owner", None), "owner")
    component = services.component_create(actor=current_user(request), project=project, **data)
    set_etag(response, component)
    return Status(201, component)


@router.get("/projects/{code}/components/{component_id}", response={200: ComponentOut, **_READ})
def get_component(request: HttpRequest, code: str, component_id: int, response: HttpResponse) -> Any:
    component = get_object_or_404(Component, project=_project(request, code), pk=component_id)
    set_etag(response, component)
    return component


@router.patch("/projects/{code}/components/{component_id}", response={200: ComponentOut, **_WRITE})
@requires(ARCHITECTURE_EDIT)
def update_component(
    request: HttpRequest, code: str, component_id: int, payload: ComponentPatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    component = get_object_or_404(Component.objects.select_related("project"), project=project, pk=component_id)
    changes = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _member(project, changes["owner"], "owner")
    component = services.component_update(
        actor=current_user(request), component=component, expected_version=if_match(request), **changes
    )
    set_etag(response, component)
    return component


@router.delete("/projects/{code}/components/{component_id}", response={204: None, **_WRITE})
@requires(ARCHITECTURE_EDIT)
def delete_component(request: HttpRequest, code: str, component_id: int) -> Any:
    component = get_object_or_404(
        Component.objects.select_related("project"), project=_project(request, code), pk=component_id
    )
    services.component_delete(actor=current_user(request), component=component)
    return Status(204, None)


# --- Trace links ------------------------------------------------------------------------------------------------


def _item(project: Project, reference: str, field: str) -> Any:
    for model in (Exigence, Specification, Component):
        found = model.objects.filter(project=project, reference=reference).first()
        if found is not None:
            return found
    raise ValidationFailed({field: [_("No requirement, specification or component has this reference.")]})


_LINKS = TraceLink.objects.select_related(
    "src_exigence", "src_specification", "src_component", "dst_exigence", "dst_specification", "dst_component"
)


@router.get("/projects/{code}/trace-links", response={200: list[TraceLinkOut], **_READ})
@paginate(Pagination)
def list_links(request: HttpRequest, code: str, kind: str = "") -> Any:
    qs = _LINKS.filter(project=_project(request, code))
    return qs.filter(kind=kind) if kind else qs


@router.post("/projects/{code}/trace-links", response={201: TraceLinkOut, **_WRITE})
@requires(TRACE_EDIT)
def create_link(request: HttpRequest, code: str, payload: TraceLinkIn) -> Any:
    project = _project(request, code)
    link = services.trace_link_add(
        actor=current_user(request),
        project=project,
        kind=payload.kind,
        source=_item(project, payload.source, "source"),
        target=_item(project, payload.target, "target"),
        comment=payload.comment,
    )
    return Status(201, _LINKS.get(pk=link.pk))


@router.delete("/projects/{code}/trace-links/{link_id}", response={204: None, **_WRITE})
@requires(TRACE_EDIT)
def delete_link(request: HttpRequest, code: str, link_id: int) -> Any:
    link = get_object_or_404(TraceLink.objects.select_related("project"), project=_project(request, code), pk=link_id)
    services.trace_link_remove(actor=current_user(request), link=link)
    return Status(204, None)


# --- Baselines ---------------------------------------------------------------------------------------------------


@router.get("/projects/{code}/baselines", response={200: list[BaselineOut], **_READ})
def list_baselines(request: HttpRequest, code: str) -> Any:
    from django.db.models import Count

    return (
        CdcVersion.objects.filter(project=_project(request, code))
        .annotate(entry_count=Count("entries"))
        .order_by("created_at")
    )


@router.post(
    "/projects/{code}/baselines", response={201: BaselineOut, **_WRITE}, summary="Freeze a baseline of the CDC"
)
@requires(REQUIREMENTS_BASELINE)
def freeze_baseline(request: HttpRequest, code: str, payload: BaselineIn) -> Any:
    version = services.cdc_version_freeze(
        actor=current_user(request), project=_project(request, code), **payload.dict()
    )
    version.entry_count = version.entries.count()  # type: ignore[attr-defined]
    return Status(201, version)


def _snap(s: selectors.Snapshot) -> dict[str, Any]:
    return {k: getattr(s, k) for k in ("reference", "title", "type", "priority", "status", "exigence_id")}


@router.get(
    "/projects/{code}/baselines/compare", response={200: ComparisonOut, **_READ}, summary="Compare two baselines"
)
def compare_baselines(request: HttpRequest, code: str, before: int, after: int | None = None) -> Any:
    project = _project(request, code)
    a = get_object_or_404(CdcVersion, project=project, pk=before)
    b = get_object_or_404(CdcVersion, project=project, pk=after) if after is not None else None
    result = selectors.baseline_compare(project, a, b)
    return {
        "before": result.before_label,
        "after": result.after_label,
        "added": [_snap(s) for s in result.added],
        "removed": [_snap(s) for s in result.removed],
        "changed": [
            {
                "reference": c.after.reference,
                "fields": c.fields,
                "before": _snap(c.before),
                "after": _snap(c.after),
                "text_diff": [{"op": d.op, "text": d.text} for d in c.text_diff],
            }
            for c in result.changed
        ],
        "unchanged": result.unchanged,
    }


# --- RTM and coverage ------------------------------------------------------------------------------------------


@router.get(
    "/projects/{code}/rtm",
    response={200: RtmOut, **_READ},
    summary="The traceability matrix, one page",
    description="`gap` filters rows: no_spec, spec_without_component, no_test or any; `page_size` is at most 500.",
)
def rtm(
    request: HttpRequest,
    code: str,
    page: int = 1,
    page_size: int = 100,
    q: str = "",
    type: str = "",
    priority: str = "",
    status: str = "",
    gap: str = "",
    sort: str = "reference",
) -> Any:
    project = _project(request, code)
    filters = selectors.RtmFilters(q=q, type=type, priority=priority, status=status, gap=gap, sort=sort)
    result = selectors.rtm_page(project, filters, page=page, per_page=min(max(page_size, 1), 500))
    return {
        "count": result.total,
        "page": result.page,
        "pages": result.num_pages,
        "tests_available": result.tests_available,
        "items": [
            {
                "id": r.id,
                "reference": r.reference,
                "title": r.title,
                "type": r.type,
                "priority": r.priority,
                "status": r.status,
                "specifications": [s.reference for s in r.specifications],
                "specifications_without_component": [s.reference for s in r.specifications if not s.has_component],
                "components": r.components,
                "tests": list(r.tests) if r.tests is not None else None,
                "executed": r.executed,
                "passed": r.passed,
                "gaps": r.gaps,
            }
            for r in result.rows
        ],
    }


@router.get("/projects/{code}/rtm/export", response={200: None, **_READ}, summary="The whole RTM as xlsx or csv")
def rtm_export(request: HttpRequest, code: str, format: str = "xlsx", gap: str = "") -> Any:
    project = _project(request, code)
    filters = selectors.RtmFilters(gap=gap)
    if format == "csv":
        return _file(exports.rtm_csv(project, filters), f"rtm-{code}.csv", "text/csv; charset=utf-8")
    return _file(exports.rtm_xlsx(project, filters), f"rtm-{code}.xlsx", XLSX)


@router.get("/projects/{code}/requirements/coverage", response={200: CoverageOut, **_READ}, summary="Coverage summary")
def coverage(request: HttpRequest, code: str) -> Any:
    s = selectors.coverage_summary(_project(request, code))
    return {
        "exigences": s.exigences,
        "validated": s.validated,
        "with_specification": s.with_spec,
        "specifications": s.specs,
        "specifications_with_component": s.specs_with_component,
        "with_test": s.with_test,
    }


# --- Import ----------------------------------------------------------------------------------------------------


@router.post(
    "/projects/{code}/requirements/imports",
    response={202: RequirementsJobOut, **_WRITE},
    summary="Import exigences from xlsx, csv, reqif or reqifz (a job)",
    description=(
        "Multipart form: `file`, optional `mapping` (JSON object column → field, fields being reference, title, "
        "text, type, priority, source, owner, external_id, extra or empty to ignore; guessed from the column names "
        "when left out) and `dry_run` (true by default). The job's result lists every row's action and errors."
    ),
)
@requires(REQUIREMENTS_IMPORT)
def import_exigences(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile | None] = None,
    mapping: Form[str] = "",
    dry_run: Form[bool] = True,
    header_row: Form[int | None] = None,
) -> Any:
    project = _project(request, code)
    actor = current_user(request)
    require(actor, project, REQUIREMENTS_IMPORT)
    if file is None:
        raise ValidationFailed({"file": [_("Send the file to import (multipart form field “file”).")]})
    data = file.read()
    try:
        source = imports.read_source(data, file.name or "import", header_row=header_row)
    except FileFormatError as exc:
        raise ValidationFailed({"file": [imports.file_error_message(exc)]}) from None
    if mapping:
        try:
            chosen = json.loads(mapping)
        except ValueError:
            raise ValidationFailed({"mapping": [_("The mapping is not valid JSON.")]}) from None
        if not isinstance(chosen, dict):
            raise ValidationFailed({"mapping": [_("The mapping is a JSON object: column → field.")]})
    else:
        chosen = imports.suggest_mapping(source.table.columns, source.table)
    stored = jobs.store_upload(project, file.name or "import", data)
    job = jobs.enqueue_import(
        actor=actor, project=project, stored=stored, filename=file.name or "import", mapping=chosen, dry_run=dry_run,
        header_row=header_row,
    )  # fmt: skip
    return Status(202, {"id": str(job.pk), "kind": job.kind, "status": job.status, "url": f"/api/jobs/{job.pk}"})


# --- Deliverables -------------------------------------------------------------------------------------------------


def _deliverable(project: Project, deliverable_id: int) -> Deliverable:
    return get_object_or_404(selectors.deliverables_for(project).select_related("project"), pk=deliverable_id)


@router.get("/projects/{code}/deliverables", response={200: list[DeliverableOut], **_READ})
def list_deliverables(request: HttpRequest, code: str) -> Any:
    return selectors.deliverables_for(_project(request, code)).order_by("due_date", "pk")


@router.post("/projects/{code}/deliverables", response={201: DeliverableOut, **_WRITE})
@requires(DELIVERABLES_EDIT)
def create_deliverable(request: HttpRequest, code: str, payload: DeliverableIn, response: HttpResponse) -> Any:
    project = _project(request, code)
    data = payload.dict()
    data["author"] = _member(project, data.pop("author"), "author")
    data["validator"] = _member(project, data.pop("validator"), "validator")
    deliverable = services.deliverable_create(actor=current_user(request), project=project, **data)
    set_etag(response, deliverable)
    return Status(201, _deliverable(project, deliverable.pk))


@router.patch("/projects/{code}/deliverables/{deliverable_id}", response={200: DeliverableOut, **_WRITE})
@requires(DELIVERABLES_EDIT)
def update_deliverable(
    request: HttpRequest, code: str, deliverable_id: int, payload: DeliverablePatch, response: HttpResponse
) -> Any:
    project = _project(request, code)
    changes = payload.dict(exclude_unset=True)
    for field in ("author", "validator"):
        if field in changes:
            changes[field] = _member(project, changes[field], field)
    deliverable = services.deliverable_update(
        actor=current_user(request),
        deliverable=_deliverable(project, deliverable_id),
        expected_version=if_match(request),
        **changes,
    )
    set_etag(response, deliverable)
    return _deliverable(project, deliverable.pk)


@router.put(
    "/projects/{code}/deliverables/{deliverable_id}/raci",
    response={200: DeliverableOut, **_WRITE},
    summary="Replace the RACI (exactly one A)",
)
@requires(DELIVERABLES_EDIT)
def set_raci(
    request: HttpRequest, code: str, deliverable_id: int, payload: list[RaciOut], response: HttpResponse
) -> Any:
    project = _project(request, code)
    assignments = []
    for item in payload:
        user = _member(project, item.username, "raci")
        if user is None:  # an empty name: every RACI line names a member
            raise ValidationFailed({"raci": [_("Each line of the RACI names a member of the project.")]})
        assignments.append((user, item.letter))
    deliverable = services.deliverable_set_raci(
        actor=current_user(request), deliverable=_deliverable(project, deliverable_id), assignments=assignments,
        expected_version=if_match(request),
    )  # fmt: skip
    set_etag(response, deliverable)
    return _deliverable(project, deliverable.pk)


@router.post("/projects/{code}/deliverables/{deliverable_id}/submit", response={200: DeliverableOut, **_WRITE})
@requires(DELIVERABLES_SUBMIT)
def submit_deliverable(request: HttpRequest, code: str, deliverable_id: int, response: HttpResponse) -> Any:
    project = _project(request, code)
    deliverable = services.deliverable_submit(
        actor=current_user(request),
        deliverable=_deliverable(project, deliverable_id),
        expected_version=if_match(request),
    )
    set_etag(response, deliverable)
    return _deliverable(project, deliverable.pk)


@router.post(
    "/projects/{code}/deliverables/{deliverable_id}/decide",
    response={200: DeliverableOut, **_WRITE},
    summary="Validate or refuse",
)
@requires(DELIVERABLES_DECIDE)
def decide_deliverable(
    request: HttpRequest, code: str, deliverable_id: int, payload: DeliverableDecisionIn, response: HttpResponse
) -> Any:
    project = _project(request, code)
    deliverable = services.deliverable_decide(
        actor=current_user(request), deliverable=_deliverable(project, deliverable_id), accept=payload.accept,
        comment=payload.comment, expected_version=if_match(request),
    )  # fmt: skip
    set_etag(response, deliverable)
    return _deliverable(project, deliverable.pk)


# --- Settings -------------------------------------------------------------------------------------------------------


@router.get("/projects/{code}/requirements/settings", response={200: SettingsOut, **_READ})
def get_settings(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    conf = selectors.requirements_settings(_project(request, code))
    set_etag(response, conf)
    return conf


@router.patch(
    "/projects/{code}/requirements/settings", response={200: SettingsOut, **_WRITE}, summary="Prefixes (If-Match)"
)
@requires(REQUIREMENTS_CONFIGURE)
def update_settings(request: HttpRequest, code: str, payload: SettingsPatch, response: HttpResponse) -> Any:
    project = _project(request, code)
    conf = services.settings_update(
        actor=current_user(request),
        project=project,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, conf)
    return conf


@router.put(
    "/projects/{code}/deliverable-rules/{kind}",
    response={200: RuleOut, **_WRITE},
    summary="Who writes and validates a deliverable kind",
)
@requires(REQUIREMENTS_CONFIGURE)
def set_rule(request: HttpRequest, code: str, kind: DeliverableKind, payload: RuleIn) -> Any:
    project = _project(request, code)
    rule = services.deliverable_rule_set(
        actor=current_user(request), project=project, kind=kind,
        author_roles=[str(r) for r in payload.author_roles], validator_roles=[str(r) for r in payload.validator_roles],
    )  # fmt: skip
    return {"kind": rule.kind, "author_roles": rule.author_roles, "validator_roles": rule.validator_roles}
