"""Every write of the PV de recette: creation from campaigns, the proposal, réserves, the MOA's decision, the
signatures (after re-authentication) and the levée des réserves. Decisions, signatures and lifts are chained
into the project's ledger (:mod:`oeuvre.recette.services.ledger`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.engine import acceptance as engine
from oeuvre.projects.models import Project
from oeuvre.recette import pv_words
from oeuvre.recette.models import (
    Anomaly,
    Campaign,
    ProcesVerbal,
    PvDecision,
    PvStatus,
    RecetteSettings,
    Reserve,
    Signature,
    SignatureRole,
)
from oeuvre.recette.permissions import PV_COUNTERSIGN, PV_DECIDE, PV_PREPARE, PV_SIGN, RESERVE_LIFT
from oeuvre.recette.selectors import pv as pv_selectors
from oeuvre.recette.services import ledger

__all__ = [
    "pv_countersign",
    "pv_create",
    "pv_decide",
    "pv_refresh_proposal",
    "pv_sign",
    "reauthenticate",
    "reserve_add",
    "reserve_delete",
    "reserve_lift",
    "reserve_update",
]

_EDITABLE = (PvStatus.BROUILLON, PvStatus.DECIDE)


def _apply_proposal(pv: ProcesVerbal, campaigns: Sequence[Campaign]) -> None:
    stored, facts = pv_selectors.gather_facts(pv.project, list(campaigns))
    proposal = engine.propose_decision(facts)
    pv.facts = stored
    pv.proposed_decision = proposal.decision.value
    pv.proposal_reasons = [{"code": r.code, "params": r.params, "effect": r.effect.value} for r in proposal.reasons]
    pv.proposed_at = timezone.now()


def _propose_reserves(pv: ProcesVerbal) -> None:
    """One réserve per open major or minor anomaly of the facts that no réserve of this PV points to yet."""
    linked = set(pv.reserves.exclude(anomaly=None).values_list("anomaly_id", flat=True))
    number = max(pv.reserves.values_list("number", flat=True), default=0)
    for item in pv.facts.get("anomalies", []):
        if item["severity"] not in (engine.Severity.MAJEURE, engine.Severity.MINEURE) or item["id"] in linked:
            continue
        number += 1
        Reserve.objects.create(
            pv=pv,
            project=pv.project,
            number=number,
            description=f"{item['ref']} — {item['title']}",
            anomaly_id=item["id"],
        )


@transaction.atomic
def pv_create(*, actor: User, project: Project, campaigns: Sequence[Campaign], title: str = "") -> ProcesVerbal:
    """Create a PV for one or several campaigns of the project, with the rules' proposal and proposed réserves."""
    require(actor, project, PV_PREPARE)
    if not campaigns:
        raise ValidationFailed({"campaigns": [_("Choose at least one campaign.")]})
    foreign = [c.name for c in campaigns if c.project_id != project.pk]
    if foreign:
        raise ValidationFailed(
            {"campaigns": [_("Not a campaign of this project: %(names)s.") % {"names": ", ".join(foreign)}]}
        )
    RecetteSettings.objects.get_or_create(project=project)
    cfg = RecetteSettings.objects.select_for_update().get(project=project)
    number = cfg.next_pv_number
    cfg.next_pv_number = number + 1
    cfg.save(update_fields=["next_pv_number"])
    reference = f"{cfg.pv_prefix}-{number:0{cfg.reference_digits}d}"
    pv = ProcesVerbal(
        project=project,
        number=number,
        reference=reference,
        title=title.strip() or _("PV de recette — %(campaigns)s") % {"campaigns": ", ".join(c.name for c in campaigns)},
    )
    _apply_proposal(pv, campaigns)
    pv.save()
    pv.campaigns.set(campaigns)
    _propose_reserves(pv)
    return pv


@transaction.atomic
def pv_refresh_proposal(*, actor: User, pv: ProcesVerbal, expected_version: int | None) -> ProcesVerbal:
    """Recompute the proposal from the campaigns' current results (draft only: a decided PV keeps its facts)."""
    require(actor, pv.project, PV_PREPARE)
    pv = lock_for_update(pv, expected_version)
    if pv.status != PvStatus.BROUILLON:
        raise DomainError(_("%(ref)s is decided: its facts are frozen.") % {"ref": pv.reference})
    _apply_proposal(pv, list(pv.campaigns.all()))
    pv.save()
    _propose_reserves(pv)
    return pv


def _editable_pv(pv: ProcesVerbal) -> None:
    if pv.status not in _EDITABLE:
        raise DomainError(
            _("%(ref)s is signed: its réserves can no longer be edited, only lifted.") % {"ref": pv.reference}
        )


def _check_reserve(project: Project, description: str, anomaly: Anomaly | None) -> str:
    description = description.strip()
    if not description:
        raise ValidationFailed({"description": [_("Describe the réserve.")]})
    if anomaly is not None and anomaly.project_id != project.pk:
        raise ValidationFailed({"anomaly": [_("This anomaly belongs to another project.")]})
    return description


@transaction.atomic
def reserve_add(
    *, actor: User, pv: ProcesVerbal, description: str, anomaly: Anomaly | None = None, due_on: date | None = None
) -> Reserve:
    require(actor, pv.project, PV_PREPARE)
    pv = lock_for_update(pv, None)
    _editable_pv(pv)
    description = _check_reserve(pv.project, description, anomaly)
    number = max(pv.reserves.values_list("number", flat=True), default=0) + 1
    return Reserve.objects.create(
        pv=pv, project=pv.project, number=number, description=description, anomaly=anomaly, due_on=due_on
    )


_UNSET: Any = object()


@transaction.atomic
def reserve_update(
    *,
    actor: User,
    reserve: Reserve,
    expected_version: int | None,
    description: str = _UNSET,
    anomaly: Anomaly | None = _UNSET,
    due_on: date | None = _UNSET,
) -> Reserve:
    require(actor, reserve.project, PV_PREPARE)
    _editable_pv(ProcesVerbal.objects.get(pk=reserve.pv_id))
    reserve = lock_for_update(reserve, expected_version)
    if description is not _UNSET:
        reserve.description = description
    if anomaly is not _UNSET:
        reserve.anomaly = anomaly
    if due_on is not _UNSET:
        reserve.due_on = due_on
    reserve.description = _check_reserve(reserve.project, reserve.description, reserve.anomaly)
    reserve.save()
    return reserve


@transaction.atomic
def reserve_delete(*, actor: User, reserve: Reserve) -> None:
    require(actor, reserve.project, PV_PREPARE)
    _editable_pv(ProcesVerbal.objects.get(pk=reserve.pv_id))
    reserve.delete()


@transaction.atomic
def pv_decide(
    *, actor: User, pv: ProcesVerbal, decision: str, reason: str = "", expected_version: int | None
) -> ProcesVerbal:
    """The MOA decides: the proposal, or another decision with a written reason. Chained into the ledger."""
    require(actor, pv.project, PV_DECIDE)
    pv = lock_for_update(pv, expected_version)
    if pv.status not in _EDITABLE:
        raise DomainError(_("%(ref)s is signed: its decision can no longer change.") % {"ref": pv.reference})
    if decision not in PvDecision.values:
        raise ValidationFailed({"decision": [_("Choose one of the four decisions.")]})
    reason = reason.strip()
    if decision != pv.proposed_decision and not reason:
        raise ValidationFailed(
            {
                "decision_reason": [
                    _("You depart from the proposal (%(proposed)s): write the reason for your decision.")
                    % {"proposed": pv_words.decision_label(pv.proposed_decision)}
                ]
            }
        )
    open_reserves = pv.reserves.count()
    if decision == PvDecision.AVEC_RESERVES and not open_reserves:
        raise ValidationFailed({"decision": [_("Accepting with réserves needs at least one réserve: add it first.")]})
    if decision == PvDecision.SANS_RESERVE and open_reserves:
        raise ValidationFailed(
            {
                "decision": [
                    _("This PV lists %(n)s réserve(s): remove them to accept without réserves.") % {"n": open_reserves}
                ]
            }
        )
    now = timezone.now()
    pv.decision = decision
    pv.decision_reason = reason
    pv.decided_by = actor
    pv.decided_at = now
    pv.correction_due_on = None
    if decision == PvDecision.AJOURNEE:
        days = pv_selectors.recette_settings(pv.project).correction_days
        pv.correction_due_on = timezone.localdate(now) + timedelta(days=days)
    pv.status = PvStatus.DECIDE
    pv.save()
    emit(PV_DECIDED, project=pv.project, obj=pv, actor=actor, data={"title": pv.title[:200], "decision": decision})
    ledger.ledger_append(
        project=pv.project,
        kind="pv.decision",
        subject_type="recette.procesverbal",
        subject_id=pv.pk,
        payload=pv_selectors.pv_snapshot(pv),
        actor=actor,
    )
    return pv


REAUTH_MAX_FAILURES = 5
REAUTH_WINDOW_SECONDS = 15 * 60


def _failures_key(user: User) -> str:
    return f"recette:reauth-failures:{user.pk}"


def reauthenticate(user: User, password: str, otp: str = "") -> datetime:
    """Check the signer again in this very request: the password, and the TOTP code when the user has MFA.

    Raises ValidationFailed naming the field; a signature never happens without it. After
    ``REAUTH_MAX_FAILURES`` failures in ``REAUTH_WINDOW_SECONDS`` the check is refused outright, so a stolen
    session cannot guess the password through the signature form (the login form has its own limits).
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.cache import cache

    key = _failures_key(user)
    if int(cache.get(key, 0)) >= REAUTH_MAX_FAILURES:
        raise DomainError(_("Too many failed re-authentications: wait a quarter of an hour before signing again."))

    def failed(field: str, message: str) -> ValidationFailed:
        cache.add(key, 0, REAUTH_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, REAUTH_WINDOW_SECONDS)
        return ValidationFailed({field: [message]})

    if not password or not user.check_password(password):
        raise failed("password", _("Enter your password again to sign: it did not match."))
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None and (not otp or not TOTP(totp).validate_code(otp.strip())):
        raise failed("otp", _("Your account uses two-factor authentication: enter a valid code."))
    cache.delete(key)
    return timezone.now()


def _sign(
    *, actor: User, pv: ProcesVerbal, role: str, password: str, otp: str, expected_version: int | None
) -> Signature:
    from oeuvre.recette import pv_pdf

    reauthenticated_at = reauthenticate(actor, password, otp)
    pv = lock_for_update(pv, expected_version)
    expected_status = PvStatus.DECIDE if role == SignatureRole.MOA else PvStatus.SIGNE_MOA
    if pv.status != expected_status:
        if role == SignatureRole.MOA:
            message = _("%(ref)s cannot be signed now: the buyer signs once the decision is recorded, and only once.")
        else:
            message = _("%(ref)s cannot be countersigned now: the contractor countersigns after the buyer's signature.")
        raise DomainError(message % {"ref": pv.reference})
    signature = Signature(
        pv=pv,
        project=pv.project,
        role=role,
        meaning=pv_words.signature_meaning(role, pv.decision),
        signer=actor,
        signer_name=str(actor),
        signed_at=timezone.now(),
        reauthenticated_at=reauthenticated_at,
    )
    sequence, previous = ledger.chain_head(pv.project)
    pdf = pv_pdf.render_pv_pdf(pv, pending=signature, previous_hash=previous, sequence=sequence)
    digest = ledger.sha256_bytes(pdf)
    name = ledger.store_document(pdf, folder="pv", suffix=".pdf")
    entry = ledger.ledger_append(
        project=pv.project,
        kind="pv.signature",
        subject_type="recette.procesverbal",  # the signature row points to this entry (it needs it first)
        subject_id=pv.pk,
        payload=pv_selectors.signature_snapshot(pv, signature),
        actor=actor,
        document_name=name,
        document_sha256=digest,
    )
    signature.document_sha256 = digest
    signature.ledger_entry = entry
    signature.save()
    pv.status = PvStatus.SIGNE_MOA if role == SignatureRole.MOA else PvStatus.SIGNE
    if pv.status == PvStatus.SIGNE and not pv.reserves.filter(lifted_at=None).exists():
        pv.final_at = signature.signed_at
    pv.save()
    emit(PV_SIGNED, project=pv.project, obj=pv, actor=actor, data={"title": pv.title[:200], "role": role})
    return signature


PV_DECIDED = declare_event("pv.decided", gettext_lazy("PV decided, waiting for the buyer's signature"))
PV_SIGNED = declare_event("pv.signed", gettext_lazy("PV signed"))


@transaction.atomic
def pv_sign(
    *, actor: User, pv: ProcesVerbal, password: str, otp: str = "", expected_version: int | None = None
) -> Signature:
    """The MOA signs the decided PV after re-entering their password (and TOTP code when they have MFA)."""
    require(actor, pv.project, PV_SIGN)
    return _sign(
        actor=actor, pv=pv, role=SignatureRole.MOA, password=password, otp=otp, expected_version=expected_version
    )


@transaction.atomic
def pv_countersign(
    *, actor: User, pv: ProcesVerbal, password: str, otp: str = "", expected_version: int | None = None
) -> Signature:
    """The MOE countersigns the PV signed by the MOA, after re-authenticating the same way."""
    require(actor, pv.project, PV_COUNTERSIGN)
    return _sign(
        actor=actor, pv=pv, role=SignatureRole.MOE, password=password, otp=otp, expected_version=expected_version
    )


@transaction.atomic
def reserve_lift(
    *,
    actor: User,
    reserve: Reserve,
    comment: str,
    lifted_at: datetime | None = None,
    expected_version: int | None = None,
) -> Reserve:
    """Lift one réserve of a signed PV (chained); the PV becomes final when the last one is lifted."""
    require(actor, reserve.project, RESERVE_LIFT)
    pv = lock_for_update(ProcesVerbal.objects.get(pk=reserve.pv_id), None)
    if pv.status != PvStatus.SIGNE:
        raise DomainError(_("Réserves are lifted once the PV is signed and countersigned."))
    reserve = lock_for_update(reserve, expected_version)
    if reserve.lifted_at is not None:
        raise DomainError(_("Réserve %(n)s of %(ref)s is already lifted.") % {"n": reserve.number, "ref": pv.reference})
    comment = comment.strip()
    if not comment:
        raise ValidationFailed({"comment": [_("Say how the réserve was lifted.")]})
    now = timezone.now()
    if lifted_at is not None and lifted_at > now:
        raise ValidationFailed({"lifted_at": [_("A réserve cannot be lifted in the future.")]})
    reserve.lifted_at = lifted_at or now
    reserve.lifted_by = actor
    reserve.lifting_comment = comment
    reserve.save()
    reserve.pv = pv
    ledger.ledger_append(
        project=pv.project,
        kind="reserve.lift",
        subject_type="recette.reserve",
        subject_id=reserve.pk,
        payload=pv_selectors.reserve_lift_snapshot(reserve),
        actor=actor,
    )
    if not pv.reserves.filter(lifted_at=None).exists():
        pv.final_at = now
        pv.save()
    return reserve
