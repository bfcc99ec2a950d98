"""The pilotage stage's REST API (thin: schemas in, services and selectors, JSON out)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import CREATE, READ, WRITE, ErrorOut, if_match, requires, set_etag
from oeuvre.pilotage.permissions import (
    CHANGES_ANALYSE,
    CHANGES_DECIDE,
    CHANGES_REQUEST,
    COMMITTEES_PREPARE,
    METEO_CONFIGURE,
    METEO_PREPARE,
    PILOTAGE_VIEW,
    RISKS_MANAGE,
)
from oeuvre.pilotage.selectors.meteo import SETTING_FIELDS, as_json, meteo_of, meteo_settings, snapshots_of
from oeuvre.pilotage.services import meteo as services
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for

__all__ = ["router"]

router = Router(tags=["pilotage"])


def _project(request: HttpRequest, code: str, permission: str = PILOTAGE_VIEW) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, permission)
    return project


class OverrideOut(Schema):
    verdict: str
    reason: str
    author: str | None


class AxisOut(Schema):
    verdict: str
    computed: str
    override: OverrideOut | None
    reasons: list[str]
    rules: list[dict[str, Any]]


class MeteoOut(Schema):
    overall: str
    computed_overall: str
    overall_override: OverrideOut | None
    axes: dict[str, AxisOut]
    figures: dict[str, Any]


class MeteoSnapshotOut(Schema):
    id: int
    taken_on: date
    kind: str
    overall: str
    computed_overall: str
    axes: dict[str, Any]
    figures: dict[str, Any]


class OverrideIn(Schema):
    axis: str
    verdict: str
    reason: str


class ThresholdsOut(Schema):
    spi_sun: float
    spi_cloud: float
    spi_rain: float
    cpi_sun: float
    cpi_cloud: float
    cpi_rain: float
    slip_cloud_days: int
    slip_rain_days: int
    landing_cloud_percent: float
    landing_rain_percent: float
    coverage_min_percent: float
    pass_rate_min_percent: float
    bloquante_storm_days: int
    change_wait_days: int
    critical_risks_cloud: int
    risk_scale: int
    risk_critical: int
    version: int


class ThresholdsIn(Schema):
    spi_sun: float | None = None
    spi_cloud: float | None = None
    spi_rain: float | None = None
    cpi_sun: float | None = None
    cpi_cloud: float | None = None
    cpi_rain: float | None = None
    slip_cloud_days: int | None = None
    slip_rain_days: int | None = None
    landing_cloud_percent: float | None = None
    landing_rain_percent: float | None = None
    coverage_min_percent: float | None = None
    pass_rate_min_percent: float | None = None
    bloquante_storm_days: int | None = None
    change_wait_days: int | None = None
    critical_risks_cloud: int | None = None
    risk_scale: int | None = None
    risk_critical: int | None = None


@router.get("/projects/{code}/meteo", response={200: MeteoOut, **READ}, summary="The live météo with its reasons")
def get_meteo(request: HttpRequest, code: str) -> Any:
    return as_json(meteo_of(_project(request, code)))


@router.get(
    "/projects/{code}/pilotage/flash.pdf",
    response={200: None, **READ},
    summary="The one-page flash report (PDF) for the weekly COPROJ, in French or English",
)
def get_flash(request: HttpRequest, code: str, lang: str = "") -> Any:
    from django.utils.translation import get_language

    from oeuvre.core.api import file_response
    from oeuvre.pilotage.flash import flash_filename, flash_pdf

    project = _project(request, code)
    language = lang if lang in ("fr", "en") else ("en" if (get_language() or "fr").startswith("en") else "fr")
    return file_response(flash_pdf(project, language), flash_filename(project), "application/pdf")


@router.get(
    "/projects/{code}/meteo/snapshots", response={200: list[MeteoSnapshotOut], **READ}, summary="Météo snapshots"
)
def list_snapshots(request: HttpRequest, code: str) -> Any:
    return list(snapshots_of(_project(request, code))[:520])


@router.post(
    "/projects/{code}/meteo/snapshots", response={201: MeteoSnapshotOut, **CREATE}, summary="Keep today's météo"
)
@requires(METEO_PREPARE)
def take_snapshot(request: HttpRequest, code: str) -> Any:
    project = _project(request, code, METEO_PREPARE)
    return Status(201, services.snapshot_take(actor=current_user(request), project=project))


@router.post(
    "/projects/{code}/meteo/overrides", response={200: MeteoOut, **CREATE}, summary="Override a verdict (reason)"
)
@requires(METEO_PREPARE)
def set_override(request: HttpRequest, code: str, payload: OverrideIn) -> Any:
    project = _project(request, code, METEO_PREPARE)
    services.meteo_override_set(
        actor=current_user(request), project=project, axis=payload.axis, verdict=payload.verdict, reason=payload.reason
    )
    return as_json(meteo_of(project))


@router.delete(
    "/projects/{code}/meteo/overrides/{axis}", response={200: MeteoOut, **WRITE}, summary="Back to the computed verdict"
)
@requires(METEO_PREPARE)
def clear_override(request: HttpRequest, code: str, axis: str) -> Any:
    project = _project(request, code, METEO_PREPARE)
    services.meteo_override_clear(actor=current_user(request), project=project, axis=axis)
    return as_json(meteo_of(project))


@router.get("/projects/{code}/meteo/thresholds", response={200: ThresholdsOut, **READ}, summary="The météo thresholds")
def get_thresholds(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    cfg = meteo_settings(_project(request, code))
    set_etag(response, cfg)
    return cfg


@router.patch(
    "/projects/{code}/meteo/thresholds", response={200: ThresholdsOut, **WRITE}, summary="Change thresholds (If-Match)"
)
@requires(METEO_CONFIGURE)
def patch_thresholds(request: HttpRequest, code: str, payload: ThresholdsIn, response: HttpResponse) -> Any:
    project = _project(request, code, METEO_CONFIGURE)
    data = {k: v for k, v in payload.dict().items() if v is not None and k in SETTING_FIELDS}
    cfg = meteo_settings(project)
    expected = if_match(request) if cfg.pk else None
    cfg = services.meteo_settings_update(
        actor=current_user(request), project=project, data=data, expected_version=expected
    )
    set_etag(response, cfg)
    return cfg


# --- Risk register ----------------------------------------------------------------------------------------------


class RiskActionOut(Schema):
    id: int
    title: str
    owner: str | None
    due_on: date | None
    status: str
    done_on: date | None
    version: int

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner_id and obj.owner else None


class RiskOut(Schema):
    id: int
    reference: str
    kind: str
    title: str
    cause: str
    event: str
    consequence: str
    probability: int
    impact: int
    criticality: int
    residual_probability: int | None
    residual_impact: int | None
    residual_criticality: int | None
    owner: str | None
    status: str
    review_on: date | None
    schedule_days_min: float | None
    schedule_days_likely: float | None
    schedule_days_max: float | None
    schedule_scope: str
    schedule_probability: int | None
    cost_impact: float | None
    actions: list[RiskActionOut]
    version: int

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner_id and obj.owner else None

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())


class RiskRegisterIn(Schema):
    kind: str | None = None
    title: str | None = None
    cause: str | None = None
    event: str | None = None
    consequence: str | None = None
    probability: int | None = None
    impact: int | None = None
    residual_probability: int | None = None
    residual_impact: int | None = None
    owner: str | None = None
    review_on: date | None = None
    schedule_days_min: float | None = None
    schedule_days_likely: float | None = None
    schedule_days_max: float | None = None
    schedule_scope: str | None = None
    schedule_probability: int | None = None
    cost_impact: float | None = None


class StatusTransitionIn(Schema):
    status: str
    reason: str = ""


class RiskActionIn(Schema):
    title: str
    owner: str | None = None
    due_on: date | None = None
    status: str = "a_faire"


def _user(project: Project, username: str | None, field: str = "owner") -> Any:
    from oeuvre.accounts.models import User
    from oeuvre.core.errors import ValidationFailed

    if not username:
        return None
    user = User.objects.filter(username=username, memberships__project=project).first()
    if user is None:
        raise ValidationFailed({field: [f"{username!r} is not a member of this project"]})
    return user


def _risk_data(project: Project, payload: RiskRegisterIn) -> dict[str, Any]:
    from decimal import Decimal

    data = payload.dict(exclude_unset=True)
    if "owner" in data:
        data["owner"] = _user(project, data["owner"])
    if data.get("cost_impact") is not None:
        data["cost_impact"] = Decimal(str(data["cost_impact"]))
    return data


def _risk(project: Project, risk_id: int) -> Any:
    from oeuvre.pilotage.selectors.risks import risk_detail

    return risk_detail(project, risk_id)


@router.get("/projects/{code}/risks", response={200: list[RiskOut], **READ}, summary="The risk register")
def list_risks(request: HttpRequest, code: str) -> Any:
    from oeuvre.pilotage.selectors.risks import risks_for

    return list(risks_for(_project(request, code)))


@router.get(
    "/projects/{code}/risks/schedule",
    response={200: dict[str, Any], **READ, 422: ErrorOut},
    summary="Monte Carlo of the finish with and without the open risks, and each risk's contribution",
)
def risk_schedule(request: HttpRequest, code: str, iterations: int = 2000) -> Any:
    """P50/P80 of the finish and of the contractual milestones with and without the open risks that carry a
    schedule impact; each risk's contribution is how much earlier the P80 is without that risk alone."""
    from oeuvre.core.errors import ValidationFailed
    from oeuvre.pilotage.selectors.risks import cached_schedule_risk_analysis

    if not 100 <= iterations <= 20_000:
        raise ValidationFailed({"iterations": ["between 100 and 20000"]})
    result, computed_at = cached_schedule_risk_analysis(_project(request, code), iterations=iterations)
    if result is None:
        raise ValidationFailed({"plan": ["the project has no plan to simulate yet"]})
    return {**result, "computed_at": computed_at.isoformat()}


@router.post("/projects/{code}/risks", response={201: RiskOut, **CREATE}, summary="Record a risk")
@requires(RISKS_MANAGE)
def create_risk(request: HttpRequest, code: str, payload: RiskRegisterIn, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import risks as risk_services

    project = _project(request, code, RISKS_MANAGE)
    risk = risk_services.risk_create(actor=current_user(request), project=project, data=_risk_data(project, payload))
    risk = _risk(project, risk.pk)
    set_etag(response, risk)
    return Status(201, risk)


@router.get("/projects/{code}/risks/{risk_id}", response={200: RiskOut, **READ}, summary="A risk with its actions")
def get_risk(request: HttpRequest, code: str, risk_id: int, response: HttpResponse) -> Any:
    risk = _risk(_project(request, code), risk_id)
    set_etag(response, risk)
    return risk


@router.patch("/projects/{code}/risks/{risk_id}", response={200: RiskOut, **WRITE}, summary="Edit a risk (If-Match)")
@requires(RISKS_MANAGE)
def patch_risk(request: HttpRequest, code: str, risk_id: int, payload: RiskRegisterIn, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import risks as risk_services

    project = _project(request, code, RISKS_MANAGE)
    risk = risk_services.risk_update(
        actor=current_user(request),
        risk=_risk(project, risk_id),
        data=_risk_data(project, payload),
        expected_version=if_match(request),
    )
    risk = _risk(project, risk.pk)
    set_etag(response, risk)
    return risk


@router.post(
    "/projects/{code}/risks/{risk_id}/status", response={200: RiskOut, **WRITE}, summary="Move a risk (If-Match)"
)
@requires(RISKS_MANAGE)
def transition_risk(
    request: HttpRequest, code: str, risk_id: int, payload: StatusTransitionIn, response: HttpResponse
) -> Any:
    from oeuvre.pilotage.services import risks as risk_services

    project = _project(request, code, RISKS_MANAGE)
    risk = risk_services.risk_transition(
        actor=current_user(request),
        risk=_risk(project, risk_id),
        status=payload.status,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    risk = _risk(project, risk.pk)
    set_etag(response, risk)
    return risk


@router.post(
    "/projects/{code}/risks/{risk_id}/actions", response={201: RiskActionOut, **CREATE}, summary="Add an action"
)
@requires(RISKS_MANAGE)
def add_risk_action(request: HttpRequest, code: str, risk_id: int, payload: RiskActionIn) -> Any:
    from oeuvre.pilotage.services import risks as risk_services

    project = _project(request, code, RISKS_MANAGE)
    data = payload.dict()
    data["owner"] = _user(project, data.get("owner"))
    action = risk_services.risk_action_add(actor=current_user(request), risk=_risk(project, risk_id), data=data)
    return Status(201, action)


# --- Change requests --------------------------------------------------------------------------------------------


class ChangeRequestOut(Schema):
    id: int
    reference: str
    title: str
    justification: str
    origin: str
    status: str
    requested_by: str | None
    submitted_at: str | None
    waiting_days: int | None
    items: list[dict[str, Any]]
    analysis: dict[str, Any] | None
    decision: dict[str, Any] | None
    needs_avenant: bool
    avenant_number: int | None
    avenant_signed_on: str | None
    baseline: str | None
    cdc_version: str | None
    applied: list[dict[str, Any]]
    committee_decisions: list[dict[str, Any]]
    version: int


class ChangeIn(Schema):
    title: str | None = None
    justification: str | None = None
    origin: str | None = None


class ChangeItemIn(Schema):
    kind: str
    exigence: str | None = None  # the exigence's reference (EX-042)
    text: str = ""


class TaskImpactSchema(Schema):
    task: str  # the task's code
    extra_days: int = 0
    extra_effort: float = 0


class AnalysisIn(Schema):
    tasks: list[TaskImpactSchema] = []
    day_rate: float | None = None
    note: str = ""


class ChangeDecisionIn(Schema):
    accept: bool
    reason: str
    avenant_signed_on: date | None = None


class AvenantIn(Schema):
    signed_on: date


class DeferralIn(Schema):
    reason: str
    review_on: date | None = None


def _change_out(project: Project, change_id: int, response: HttpResponse) -> dict[str, Any]:
    from oeuvre.pilotage.selectors.changes import change_as_json, change_detail

    change = change_detail(project, change_id)
    set_etag(response, change)
    return change_as_json(change)


def _change(project: Project, change_id: int) -> Any:
    from oeuvre.pilotage.selectors.changes import change_detail

    return change_detail(project, change_id)


@router.get("/projects/{code}/changes", response={200: list[ChangeRequestOut], **READ}, summary="The change requests")
def list_changes(request: HttpRequest, code: str, status: str = "") -> Any:
    from oeuvre.pilotage.selectors.changes import ChangeFilters, change_as_json, changes_for

    return [change_as_json(c) for c in changes_for(_project(request, code), ChangeFilters(status=status))]


@router.post("/projects/{code}/changes", response={201: ChangeRequestOut, **CREATE}, summary="Write a change request")
@requires(CHANGES_REQUEST)
def create_change(request: HttpRequest, code: str, payload: ChangeIn, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_REQUEST)
    change = change_services.change_create(
        actor=current_user(request), project=project, data=payload.dict(exclude_unset=True)
    )
    return Status(201, _change_out(project, change.pk, response))


@router.get(
    "/projects/{code}/changes/{change_id}", response={200: ChangeRequestOut, **READ}, summary="A change request"
)
def get_change(request: HttpRequest, code: str, change_id: int, response: HttpResponse) -> Any:
    return _change_out(_project(request, code), change_id, response)


@router.patch(
    "/projects/{code}/changes/{change_id}", response={200: ChangeRequestOut, **WRITE}, summary="Edit a draft (If-Match)"
)
@requires(CHANGES_REQUEST)
def patch_change(request: HttpRequest, code: str, change_id: int, payload: ChangeIn, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_REQUEST)
    change_services.change_update(
        actor=current_user(request),
        change=_change(project, change_id),
        data=payload.dict(exclude_unset=True),
        expected_version=if_match(request),
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/items", response={201: ChangeRequestOut, **CREATE}, summary="Add what changes"
)
@requires(CHANGES_REQUEST)
def add_change_item(
    request: HttpRequest, code: str, change_id: int, payload: ChangeItemIn, response: HttpResponse
) -> Any:
    from oeuvre.core.errors import ValidationFailed
    from oeuvre.pilotage.services import changes as change_services
    from oeuvre.requirements.models import Exigence

    project = _project(request, code, CHANGES_REQUEST)
    exigence = None
    if payload.exigence:
        exigence = Exigence.objects.filter(project=project, reference=payload.exigence).first()
        if exigence is None:
            raise ValidationFailed({"exigence": [f"no exigence {payload.exigence!r} in this project"]})
    change_services.change_item_add(
        actor=current_user(request),
        change=_change(project, change_id),
        kind=payload.kind,
        exigence=exigence,
        text=payload.text,
    )
    return Status(201, _change_out(project, change_id, response))


@router.post(
    "/projects/{code}/changes/{change_id}/submit",
    response={200: ChangeRequestOut, **WRITE},
    summary="Submit (If-Match)",
)
@requires(CHANGES_REQUEST)
def submit_change(request: HttpRequest, code: str, change_id: int, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_REQUEST)
    change_services.change_submit(
        actor=current_user(request), change=_change(project, change_id), expected_version=if_match(request)
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/withdraw",
    response={200: ChangeRequestOut, **WRITE},
    summary="Withdraw (If-Match)",
)
@requires(CHANGES_REQUEST)
def withdraw_change(
    request: HttpRequest, code: str, change_id: int, payload: StatusTransitionIn, response: HttpResponse
) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_REQUEST)
    change_services.change_withdraw(
        actor=current_user(request),
        change=_change(project, change_id),
        reason=payload.reason,
        expected_version=if_match(request),
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/analysis",
    response={200: ChangeRequestOut, **WRITE},
    summary="Analyse the impact: effort, cost, what-if on a copy of the plan (If-Match)",
)
@requires(CHANGES_ANALYSE)
def analyse_change(request: HttpRequest, code: str, change_id: int, payload: AnalysisIn, response: HttpResponse) -> Any:
    from decimal import Decimal

    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_ANALYSE)
    change_services.change_analyse(
        actor=current_user(request),
        change=_change(project, change_id),
        impacts=change_services.impacts_from_rows(
            project, [(t.task, t.extra_days, Decimal(str(t.extra_effort))) for t in payload.tasks]
        ),
        note=payload.note,
        day_rate=None if payload.day_rate is None else Decimal(str(payload.day_rate)),
        expected_version=if_match(request),
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/decision",
    response={200: ChangeRequestOut, **WRITE},
    summary="The MOA accepts or refuses, with a reason (If-Match)",
)
@requires(CHANGES_DECIDE)
def decide_change(
    request: HttpRequest, code: str, change_id: int, payload: ChangeDecisionIn, response: HttpResponse
) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_DECIDE)
    change_services.change_decide(
        actor=current_user(request),
        change=_change(project, change_id),
        accept=payload.accept,
        reason=payload.reason,
        avenant_signed_on=payload.avenant_signed_on,
        expected_version=if_match(request),
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/deferral",
    response={200: ChangeRequestOut, **WRITE},
    summary="The MOA defers the request, with a reason and a date to review it (If-Match)",
)
@requires(CHANGES_DECIDE)
def defer_change(request: HttpRequest, code: str, change_id: int, payload: DeferralIn, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_DECIDE)
    change_services.change_defer(
        actor=current_user(request),
        change=_change(project, change_id),
        reason=payload.reason,
        review_on=payload.review_on,
        expected_version=if_match(request),
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/resubmission",
    response={200: ChangeRequestOut, **WRITE},
    summary="Submit a deferred request again (If-Match)",
)
@requires(CHANGES_REQUEST)
def resubmit_change(request: HttpRequest, code: str, change_id: int, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_REQUEST)
    change_services.change_resubmit(
        actor=current_user(request), change=_change(project, change_id), expected_version=if_match(request)
    )
    return _change_out(project, change_id, response)


@router.post(
    "/projects/{code}/changes/{change_id}/avenant",
    response={200: ChangeRequestOut, **WRITE},
    summary="Record the signed avenant of an accepted change (If-Match)",
)
@requires(CHANGES_DECIDE)
def record_avenant(request: HttpRequest, code: str, change_id: int, payload: AvenantIn, response: HttpResponse) -> Any:
    from oeuvre.pilotage.services import changes as change_services

    project = _project(request, code, CHANGES_DECIDE)
    change_services.change_avenant_record(
        actor=current_user(request),
        change=_change(project, change_id),
        signed_on=payload.signed_on,
        expected_version=if_match(request),
    )
    return _change_out(project, change_id, response)


# --- Committee decisions ----------------------------------------------------------------------------------------


class CommitteeDecisionOut(Schema):
    id: int
    number: int
    committee: int
    text: str
    subject: str
    risk: str | None  # the risk's reference
    change: str | None  # the change request's reference (DM-003)
    change_status: str | None  # where the named change request stands now
    sealed: bool  # written to the project's hash chain when the committee closed
    chain_hash: str


class CommitteeDecisionIn(Schema):
    text: str
    subject: str = ""
    risk: str | None = None  # a risk's reference
    change: str | None = None  # a change request's reference
    outcome: str = ""  # with a change: accept, refuse or defer (decides it; the MOA only)
    review_on: date | None = None  # a deferral's review date
    avenant_signed_on: date | None = None  # an acceptance's signed avenant


def _decision_json(decision: Any) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "number": decision.number,
        "committee": decision.committee_id,
        "text": decision.text,
        "subject": decision.subject,
        "risk": decision.risk.reference if decision.risk else None,
        "change": decision.change.reference if decision.change else None,
        "change_status": decision.change.status if decision.change else None,
        "sealed": bool(decision.chain_hash),
        "chain_hash": decision.chain_hash,
    }


@router.get(
    "/projects/{code}/committees/{committee_id}/decisions",
    response={200: list[CommitteeDecisionOut], **READ},
    summary="A committee's relevé de décisions",
)
def list_decisions(request: HttpRequest, code: str, committee_id: int) -> Any:
    from oeuvre.pilotage.selectors.committees import committee_detail

    committee = committee_detail(_project(request, code), committee_id)
    return [_decision_json(d) for d in committee.decisions.all()]


@router.post(
    "/projects/{code}/committees/{committee_id}/decisions",
    response={201: CommitteeDecisionOut, **CREATE},
    summary="Record the next decision; naming a change request with an outcome decides it (the MOA)",
)
@requires(COMMITTEES_PREPARE)  # deciding a change with it also needs CHANGES_DECIDE (the service checks it)
def record_decision(request: HttpRequest, code: str, committee_id: int, payload: CommitteeDecisionIn) -> Any:
    from django.utils.translation import gettext as _

    from oeuvre.core.errors import ValidationFailed
    from oeuvre.pilotage.models import ChangeRequest, Risk
    from oeuvre.pilotage.selectors.committees import committee_detail
    from oeuvre.pilotage.services.committees import decision_record

    project = _project(request, code, COMMITTEES_PREPARE)
    committee = committee_detail(project, committee_id)
    risk = change = None
    if payload.risk:
        risk = Risk.objects.filter(project=project, reference=payload.risk).first()
        if risk is None:
            raise ValidationFailed({"risk": [_("No risk %(ref)s in this project.") % {"ref": payload.risk}]})
    if payload.change:
        change = ChangeRequest.objects.filter(project=project, reference=payload.change).first()
        if change is None:
            raise ValidationFailed(
                {"change": [_("No change request %(ref)s in this project.") % {"ref": payload.change}]}
            )
    decision = decision_record(
        actor=current_user(request),
        committee=committee,
        text=payload.text,
        risk=risk,
        subject=payload.subject,
        change=change,
        outcome=payload.outcome,
        review_on=payload.review_on,
        avenant_signed_on=payload.avenant_signed_on,
    )
    fresh = next(d for d in committee_detail(project, committee_id).decisions.all() if d.pk == decision.pk)
    return Status(201, _decision_json(fresh))  # read again: the change request it decided has moved on
