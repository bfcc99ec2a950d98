"""Words for the PV's machine-readable data: the engine's reason codes and the meaning of each signature."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.recette.models import PvDecision, SignatureRole

__all__ = ["decision_label", "reason_text", "signature_meaning"]


def _refs(params: dict[str, Any]) -> str:
    return ", ".join(str(r) for r in params.get("refs", []))


def _pct(value: Any) -> str:
    """A rate in the active language's number format (98,0 % in French)."""
    return f"{number_format(float(value) * 100, 1)} %"


def reason_text(reason: dict[str, Any]) -> str:
    """One sentence for one reason of the proposal (``code`` and ``params`` from the engine)."""
    code, p = reason.get("code", ""), dict(reason.get("params", {}))
    if code == "bloquante_at_start":
        return ngettext(
            "%(count)s open blocking anomaly prevents a test step from starting (%(refs)s): rejection.",
            "%(count)s open blocking anomalies prevent a test step from starting (%(refs)s): rejection.",
            int(p.get("count", 0)),
        ) % {
            "count": p.get("count", 0),
            "refs": _refs(p),
        }
    if code == "majeures_above_threshold":
        return ngettext(
            "%(count)s open major anomaly, above the contract's threshold of %(max)s (%(refs)s): rejection.",
            "%(count)s open major anomalies, above the contract's threshold of %(max)s (%(refs)s): rejection.",
            int(p.get("count", 0)),
        ) % {
            "count": p.get("count", 0),
            "max": p.get("max", 0),
            "refs": _refs(p),
        }
    if code == "bloquante_during":
        return ngettext(
            "%(count)s open blocking anomaly found during a test step (%(refs)s): deferral, corrections "
            "within %(days)s days.",
            "%(count)s open blocking anomalies found during a test step (%(refs)s): deferral, corrections "
            "within %(days)s days.",
            int(p.get("count", 0)),
        ) % {"count": p.get("count", 0), "refs": _refs(p), "days": p.get("correction_deadline_days", "")}
    if code == "no_tests":
        return _("No test was planned in these campaigns: the verification has not been done.")
    if code == "execution_incomplete":
        return _(
            "Only %(rate)s of the planned tests ran to a verdict (%(executed)s of %(planned)s; minimum %(min)s)."
        ) % {
            "rate": _pct(p.get("rate", 0)),
            "min": _pct(p.get("min", 0)),
            "executed": p.get("executed", ""),
            "planned": p.get("planned", ""),
        }
    if code == "pass_rate_low":
        return _("Pass rate %(rate)s (%(passed)s of %(executed)s executed), under the minimum of %(min)s.") % {
            "rate": _pct(p.get("rate", 0)),
            "min": _pct(p.get("min", 0)),
            "passed": p.get("passed", ""),
            "executed": p.get("executed", ""),
        }
    if code == "majeures_within_threshold":
        return ngettext(
            "%(count)s open major anomaly, within the threshold of %(max)s (%(refs)s): réserves.",
            "%(count)s open major anomalies, within the threshold of %(max)s (%(refs)s): réserves.",
            int(p.get("count", 0)),
        ) % {
            "count": p.get("count", 0),
            "max": p.get("max", 0),
            "refs": _refs(p),
        }
    if code == "mineures":
        return ngettext(
            "%(count)s open minor anomaly (%(refs)s): réserves.",
            "%(count)s open minor anomalies (%(refs)s): réserves.",
            int(p.get("count", 0)),
        ) % {
            "count": p.get("count", 0),
            "refs": _refs(p),
        }
    if code == "no_open_defect":
        return _("No open anomaly on these campaigns.")
    if code == "evolutions_excluded":
        return ngettext(
            "%(count)s change request left out: it is not a defect (%(refs)s).",
            "%(count)s change requests left out: they are not defects (%(refs)s).",
            int(p.get("count", 0)),
        ) % {
            "count": p.get("count", 0),
            "refs": _refs(p),
        }
    return str(code)


def decision_label(decision: str) -> str:
    return str(PvDecision(decision).label) if decision else ""


def signature_meaning(role: str, decision: str) -> str:
    """What a signature means, shown before signing and recorded with it."""
    if role == SignatureRole.MOE:
        return _("Acknowledges the buyer's decision: %(decision)s") % {"decision": decision_label(decision)}
    return {
        PvDecision.SANS_RESERVE: _("Pronounces acceptance without réserves"),
        PvDecision.AVEC_RESERVES: _("Pronounces acceptance with réserves"),
        PvDecision.AJOURNEE: _("Pronounces the deferral (ajournement) of acceptance"),
        PvDecision.REFUSEE: _("Refuses acceptance (rejet)"),
    }[PvDecision(decision)]
