"""Words for the PV's machine-readable data: the engine's reason codes and the meaning of each signature."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

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
        return _("%(count)s open blocking anomaly(ies) prevent a test step from starting (%(refs)s): rejection.") % {
            "count": p.get("count", 0),
            "refs": _refs(p),
        }
    if code == "majeures_above_threshold":
        return _("%(count)s open major anomalies, above the contract's threshold of %(max)s (%(refs)s): rejection.") % {
            "count": p.get("count", 0),
            "max": p.get("max", 0),
            "refs": _refs(p),
        }
    if code == "bloquante_during":
        return _(
            "%(count)s open blocking anomaly(ies) found during a test step (%(refs)s): deferral, corrections "
            "within %(days)s days."
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
        return _("%(count)s open major anomaly(ies), within the threshold of %(max)s (%(refs)s): réserves.") % {
            "count": p.get("count", 0),
            "max": p.get("max", 0),
            "refs": _refs(p),
        }
    if code == "mineures":
        return _("%(count)s open minor anomaly(ies) (%(refs)s): réserves.") % {
            "count": p.get("count", 0),
            "refs": _refs(p),
        }
    if code == "no_open_defect":
        return _("No open anomaly on these campaigns.")
    if code == "evolutions_excluded":
        return _("%(count)s change request(s) left out: they are not defects (%(refs)s).") % {
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
