"""REST API of the PV de recette and the CCAG-TIC timers (thin: schemas in, services and selectors, schemas out).

Signing needs the signer's password in the body (re-authentication), and a TOTP code when the account has MFA.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import ErrorOut, if_match, requires, set_etag
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for
from oeuvre.recette import pv_words
from oeuvre.recette.models import Anomaly, Campaign, Outage, ProcesVerbal, Reserve, Signature
from oeuvre.recette.permissions import (
    PV_COUNTERSIGN,
    PV_DECIDE,
    PV_PREPARE,
    PV_SIGN,
    RECETTE_VIEW,
    RESERVE_LIFT,
    TIMERS_RECORD,
)
from oeuvre.recette.selectors import pv as selectors
from oeuvre.recette.selectors.timers import dashboard, timeline_of
from oeuvre.recette.services import ledger
from oeuvre.recette.services import pv as services
from oeuvre.recette.services import timers as timer_services

__all__ = ["router"]

router = Router(tags=["recette: PV and timers"])

_READ = {403: ErrorOut, 404: ErrorOut}
_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 412: ErrorOut, 422: ErrorOut, 428: ErrorOut}


def _project(request: HttpRequest, code: str, permission: str = RECETTE_VIEW) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, permission)
    return project


# --- Schemas ---------------------------------------------------------------------------------------------------


class ReserveOut(Schema):
    id: int
    number: int
    description: str
    anomaly: str | None
    due_on: date | None
    lifted_at: datetime | None
    lifting_comment: str
    version: int

    @staticmethod
    def resolve_anomaly(obj: Reserve) -> str | None:
        return obj.anomaly.reference if obj.anomaly_id and obj.anomaly else None


class SignatureOut(Schema):
    id: int
    role: str
    signer_name: str
    signed_at: datetime
    meaning: str
    document_sha256: str
    chain_sequence: int
    entry_hash: str

    @staticmethod
    def resolve_chain_sequence(obj: Signature) -> int:
        return obj.ledger_entry.sequence

    @staticmethod
    def resolve_entry_hash(obj: Signature) -> str:
        return obj.ledger_entry.entry_hash


class ReasonOut(Schema):
    code: str
    params: dict[str, Any]
    effect: str
    text: str


class PvOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    campaigns: list[str]
    proposed_decision: str
    decision: str
    decision_reason: str
    correction_due_on: date | None
    final_at: datetime | None
    provisional: bool
    version: int

    @staticmethod
    def resolve_campaigns(obj: ProcesVerbal) -> list[str]:
        return [c.name for c in obj.campaigns.all()]

    @staticmethod
    def resolve_provisional(obj: ProcesVerbal) -> bool:
        return obj.status == "signe" and obj.final_at is None


class PvDetailOut(PvOut):
    facts: dict[str, Any]
    reasons: list[ReasonOut]
    reserves: list[ReserveOut]
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_reasons(obj: ProcesVerbal) -> list[dict[str, Any]]:
        return [{**r, "text": pv_words.reason_text(r)} for r in obj.proposal_reasons]

    @staticmethod
    def resolve_reserves(obj: ProcesVerbal) -> list[Reserve]:
        return list(obj.reserves.all())

    @staticmethod
    def resolve_signatures(obj: ProcesVerbal) -> list[Signature]:
        return list(obj.signatures.all())


class PvIn(Schema):
    campaigns: list[int]
    title: str = ""


class ReserveIn(Schema):
    description: str
    anomaly: str | None = None
    due_on: date | None = None


class ReservePatch(Schema):
    description: str | None = None
    anomaly: str | None = None
    due_on: date | None = None


class DecideIn(Schema):
    decision: str
    reason: str = ""


class SignIn(Schema):
    password: str = ""
    otp: str = ""


class LiftIn(Schema):
    comment: str
    lifted_at: datetime | None = None


class ProblemOut(Schema):
    code: str
    entry: int
    message: str


class VerifyOut(Schema):
    ok: bool
    entries: int
    problems: list[ProblemOut]


# --- PV ---------------------------------------------------------------------------------------------------------


def _pv(project: Project, pv_id: int) -> ProcesVerbal:
    try:
        return selectors.pv_detail(project, pv_id)
    except ProcesVerbal.DoesNotExist:
        raise Http404 from None


def _anomaly(project: Project, reference: str | None) -> Anomaly | None:
    if not reference:
        return None
    found = Anomaly.objects.filter(project=project, reference=reference).first()
    if found is None:
        from oeuvre.core.errors import ValidationFailed

        raise ValidationFailed({"anomaly": [f"unknown anomaly {reference!r}"]})
    return found


@router.get("/projects/{code}/pv", response={200: list[PvOut], **_READ}, summary="List the PV de recette")
def list_pv(request: HttpRequest, code: str) -> Any:
    return list(selectors.pv_list(_project(request, code)))


@router.post("/projects/{code}/pv", response={201: PvDetailOut, **_WRITE}, summary="Create a PV from campaigns")
@requires(PV_PREPARE)
def create_pv(request: HttpRequest, code: str, payload: PvIn, response: HttpResponse) -> Any:
    project = _project(request, code, PV_PREPARE)
    campaigns = list(Campaign.objects.filter(project=project, pk__in=payload.campaigns))
    missing = sorted(set(payload.campaigns) - {c.pk for c in campaigns})
    if missing:
        from oeuvre.core.errors import ValidationFailed

        raise ValidationFailed({"campaigns": [f"unknown campaign id(s) in this project: {missing}"]})
    pv = services.pv_create(actor=current_user(request), project=project, campaigns=campaigns, title=payload.title)
    pv = _pv(project, pv.pk)
    set_etag(response, pv)
    return Status(201, pv)


@router.get("/projects/{code}/pv/{pv_id}", response={200: PvDetailOut, **_READ}, summary="A PV with its proposal")
def get_pv(request: HttpRequest, code: str, pv_id: int, response: HttpResponse) -> Any:
    pv = _pv(_project(request, code), pv_id)
    set_etag(response, pv)
    return pv


@router.post(
    "/projects/{code}/pv/{pv_id}/refresh", response={200: PvDetailOut, **_WRITE}, summary="Recompute (If-Match)"
)
@requires(PV_PREPARE)
def refresh_pv(request: HttpRequest, code: str, pv_id: int, response: HttpResponse) -> Any:
    project = _project(request, code, PV_PREPARE)
    pv = services.pv_refresh_proposal(
        actor=current_user(request), pv=_pv(project, pv_id), expected_version=if_match(request)
    )
    pv = _pv(project, pv.pk)
    set_etag(response, pv)
    return pv


@router.post(
    "/projects/{code}/pv/{pv_id}/decide", response={200: PvDetailOut, **_WRITE}, summary="Decide (MOA, If-Match)"
)
@requires(PV_DECIDE)
def decide_pv(request: HttpRequest, code: str, pv_id: int, payload: DecideIn, response: HttpResponse) -> Any:
    project = _project(request, code, PV_DECIDE)
    pv = services.pv_decide(
        actor=current_user(request),
        pv=_pv(project, pv_id),
        decision=payload.decision,
        reason=payload.reason,
        expected_version=if_match(request),
    )
    pv = _pv(project, pv.pk)
    set_etag(response, pv)
    return pv


@router.post("/projects/{code}/pv/{pv_id}/sign", response={201: SignatureOut, **_WRITE}, summary="Sign (MOA, password)")
@requires(PV_SIGN)
def sign_pv(request: HttpRequest, code: str, pv_id: int, payload: SignIn) -> Any:
    project = _project(request, code, PV_SIGN)
    signature = services.pv_sign(
        actor=current_user(request), pv=_pv(project, pv_id), password=payload.password, otp=payload.otp
    )
    return Status(201, signature)


@router.post(
    "/projects/{code}/pv/{pv_id}/countersign", response={201: SignatureOut, **_WRITE}, summary="Countersign (MOE)"
)
@requires(PV_COUNTERSIGN)
def countersign_pv(request: HttpRequest, code: str, pv_id: int, payload: SignIn) -> Any:
    project = _project(request, code, PV_COUNTERSIGN)
    signature = services.pv_countersign(
        actor=current_user(request), pv=_pv(project, pv_id), password=payload.password, otp=payload.otp
    )
    return Status(201, signature)


@router.get("/projects/{code}/pv/{pv_id}/signatures/{signature_id}/pdf", response={200: None, **_READ})
def signature_pdf(request: HttpRequest, code: str, pv_id: int, signature_id: int) -> Any:
    project = _project(request, code)
    signature = get_object_or_404(
        Signature.objects.select_related("ledger_entry", "pv"), project=project, pv_id=pv_id, pk=signature_id
    )
    try:
        handle = ledger.document_path(signature.ledger_entry.document_name).open("rb")
    except (OSError, ValueError):
        raise Http404("the signed document is missing: run the verification") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{signature.pv.reference}-{signature.role}.pdf",
        content_type="application/pdf",
    )


# --- Réserves ---------------------------------------------------------------------------------------------------


def _reserve(project: Project, pv_id: int, reserve_id: int) -> Reserve:
    return get_object_or_404(Reserve.objects.select_related("anomaly"), project=project, pv_id=pv_id, pk=reserve_id)


@router.post("/projects/{code}/pv/{pv_id}/reserves", response={201: ReserveOut, **_WRITE}, summary="Add a réserve")
@requires(PV_PREPARE)
def add_reserve(request: HttpRequest, code: str, pv_id: int, payload: ReserveIn, response: HttpResponse) -> Any:
    project = _project(request, code, PV_PREPARE)
    reserve = services.reserve_add(
        actor=current_user(request),
        pv=get_object_or_404(ProcesVerbal, project=project, pk=pv_id),
        description=payload.description,
        anomaly=_anomaly(project, payload.anomaly),
        due_on=payload.due_on,
    )
    set_etag(response, reserve)
    return Status(201, reserve)


@router.patch(
    "/projects/{code}/pv/{pv_id}/reserves/{reserve_id}", response={200: ReserveOut, **_WRITE}, summary="Edit (If-Match)"
)
@requires(PV_PREPARE)
def update_reserve(
    request: HttpRequest, code: str, pv_id: int, reserve_id: int, payload: ReservePatch, response: HttpResponse
) -> Any:
    project = _project(request, code, PV_PREPARE)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "anomaly" in changes:
        changes["anomaly"] = _anomaly(project, changes["anomaly"])
    reserve = services.reserve_update(
        actor=current_user(request),
        reserve=_reserve(project, pv_id, reserve_id),
        expected_version=if_match(request),
        **changes,
    )
    set_etag(response, reserve)
    return reserve


@router.delete("/projects/{code}/pv/{pv_id}/reserves/{reserve_id}", response={204: None, **_WRITE})
@requires(PV_PREPARE)
def delete_reserve(request: HttpRequest, code: str, pv_id: int, reserve_id: int) -> Any:
    project = _project(request, code, PV_PREPARE)
    services.reserve_delete(actor=current_user(request), reserve=_reserve(project, pv_id, reserve_id))
    return Status(204, None)


@router.post(
    "/projects/{code}/pv/{pv_id}/reserves/{reserve_id}/lift", response={200: ReserveOut, **_WRITE}, summary="Lift"
)
@requires(RESERVE_LIFT)
def lift_reserve(
    request: HttpRequest, code: str, pv_id: int, reserve_id: int, payload: LiftIn, response: HttpResponse
) -> Any:
    project = _project(request, code, RESERVE_LIFT)
    reserve = services.reserve_lift(
        actor=current_user(request),
        reserve=_reserve(project, pv_id, reserve_id),
        comment=payload.comment,
        lifted_at=payload.lifted_at,
        expected_version=if_match(request),
    )
    set_etag(response, reserve)
    return reserve


@router.get("/projects/{code}/verify", response={200: VerifyOut, **_READ}, summary="Verify the hash chain")
def verify(request: HttpRequest, code: str) -> Any:
    project = _project(request, code)
    problems = ledger.ledger_verify(project)
    return {
        "ok": not problems,
        "entries": selectors.ledger_entries(project).count(),
        "problems": [{"code": p.code, "entry": p.entry, "message": p.message} for p in problems],
    }


# --- Timers -----------------------------------------------------------------------------------------------------


class TimelineOut(Schema):
    mom_on: date | None = None
    va_decided_on: date | None = None
    va_outcome: str = ""
    vsr_started_on: date | None = None
    vsr_ended_on: date | None = None
    vsr_outcome: str = ""
    admission_decided_on: date | None = None
    admission_decision: str = ""
    final_decided_on: date | None = None
    final_decision: str = ""
    refaction_percent: Decimal | None = None
    deprivation_days: int = 0
    notes: str = ""
    version: int = 1


class TimelinePatch(Schema):
    mom_on: date | None = None
    va_decided_on: date | None = None
    va_outcome: str | None = None
    vsr_started_on: date | None = None
    vsr_ended_on: date | None = None
    vsr_outcome: str | None = None
    admission_decided_on: date | None = None
    admission_decision: str | None = None
    final_decided_on: date | None = None
    final_decision: str | None = None
    refaction_percent: Decimal | None = None
    deprivation_days: int | None = None
    notes: str | None = None


class DeadlineOut(Schema):
    key: str
    label: str
    start: date
    due: date
    status: str
    done_on: date | None
    late: bool
    days_left: int
    article: str
    alert: bool


class AvailabilityOut(Schema):
    equipment: str
    outages: int
    use_hours: float
    outage_hours: float
    percent: float
    max_percent: float
    regular: bool


class DeadlinesOut(Schema):
    today: date
    admission_date: date | None
    admission_tacit: bool
    garantie_end: date | None
    rejected: bool
    deadlines: list[DeadlineOut]
    alerts: list[str]
    availability: list[AvailabilityOut]
    error: str


class OutageIn(Schema):
    equipment: str
    started_at: datetime
    ended_at: datetime
    description: str = ""


class OutageOut(Schema):
    id: int
    equipment: str
    started_at: datetime
    ended_at: datetime
    description: str


@router.get("/projects/{code}/timeline", response={200: TimelineOut, **_READ}, summary="Acceptance facts (CCAG-TIC)")
def get_timeline(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    timeline = timeline_of(_project(request, code))
    set_etag(response, timeline)
    return timeline


@router.patch("/projects/{code}/timeline", response={200: TimelineOut, **_WRITE}, summary="Record facts (If-Match)")
@requires(TIMERS_RECORD)
def update_timeline(request: HttpRequest, code: str, payload: TimelinePatch, response: HttpResponse) -> Any:
    project = _project(request, code, TIMERS_RECORD)
    timeline = timer_services.timeline_update(
        actor=current_user(request),
        project=project,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    set_etag(response, timeline)
    return timeline


@router.get("/projects/{code}/deadlines", response={200: DeadlinesOut, **_READ}, summary="Deadlines and admission")
def deadlines(request: HttpRequest, code: str) -> Any:
    board = dashboard(_project(request, code))
    return {**board, "alerts": [d["key"] for d in board["alerts"]]}


@router.get("/projects/{code}/outages", response={200: list[OutageOut], **_READ}, summary="VSR outages")
def list_outages(request: HttpRequest, code: str) -> Any:
    return list(Outage.objects.filter(timeline__project=_project(request, code)).order_by("started_at"))


@router.post("/projects/{code}/outages", response={201: OutageOut, **_WRITE}, summary="Record an outage")
@requires(TIMERS_RECORD)
def add_outage(request: HttpRequest, code: str, payload: OutageIn) -> Any:
    project = _project(request, code, TIMERS_RECORD)
    outage = timer_services.outage_add(actor=current_user(request), project=project, **payload.dict())
    return Status(201, outage)


@router.delete("/projects/{code}/outages/{outage_id}", response={204: None, **_WRITE})
@requires(TIMERS_RECORD)
def delete_outage(request: HttpRequest, code: str, outage_id: int) -> Any:
    project = _project(request, code, TIMERS_RECORD)
    outage = get_object_or_404(
        Outage.objects.select_related("timeline__project"), timeline__project=project, pk=outage_id
    )
    timer_services.outage_delete(actor=current_user(request), outage=outage)
    return Status(204, None)
