"""Words for the météo's machine-readable reasons (``code`` and ``params`` from :mod:`oeuvre.engine.health`)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.pilotage.models import Axis, Weather

__all__ = ["axis_label", "reason_text", "weather_label"]

WEATHER_ICONS = {"sun": "bi-sun", "cloud": "bi-cloud-sun", "rain": "bi-cloud-rain", "storm": "bi-cloud-lightning-rain"}
WEATHER_TONES = {"sun": "success", "cloud": "info", "rain": "warning", "storm": "danger"}


def weather_label(value: str) -> str:
    return str(Weather(value).label) if value in Weather.values else value


def axis_label(value: str) -> str:
    return str(Axis(value).label) if value in Axis.values else value


def _num(value: Any, digits: int = 2) -> str:
    """In the page's locale, grouped: 791 548 € in French, 791,548 € in English."""
    # Rounded first: Django's number_format cuts extra decimals (an SPI of 0.967 would read 0,96).
    return str(number_format(round(float(value), digits), digits, force_grouping=True))


def _cmp(p: dict[str, Any]) -> str:
    return {">=": "≥", "<=": "≤", ">": ">", "<": "<"}.get(str(p.get("op", "")), "")


def reason_text(reason: dict[str, Any]) -> str:
    """One phrase naming the figure and the threshold it was compared with."""
    code, p = reason.get("code", ""), dict(reason.get("params", {}))
    value = p.get("value", 0)
    if code in ("spi", "spi_t", "cpi"):
        name = {"spi": "SPI", "spi_t": "SPI(t)", "cpi": "CPI"}[code]
        return f"{name} {_num(value)} {_cmp(p)} {_num(p.get('threshold', 0))}"
    if code in ("spi_unknown", "cpi_unknown"):
        return _("%(name)s unknown: no reference baseline or no progress recorded yet") % {
            "name": "SPI" if code == "spi_unknown" else "CPI"
        }
    if code == "slip":
        if int(value) <= 0:
            return _("no contractual milestone slipping against the reference baseline")
        return ngettext(
            "a contractual milestone slips %(days)s working day against the baseline (%(op)s %(max)s)",
            "a contractual milestone slips %(days)s working days against the baseline (%(op)s %(max)s)",
            int(value),
        ) % {"days": value, "op": _cmp(p), "max": p.get("threshold", 0)}
    if code == "slip_unknown":
        return _("milestone slippage unknown: no reference baseline or no contractual milestone")
    if code == "p50_late":
        return ngettext(
            "P50 of the go-live is %(days)s day after the contractual date",
            "P50 of the go-live is %(days)s days after the contractual date",
            int(value),
        ) % {"days": value}
    if code == "p80_late":
        return ngettext(
            "P80 of the go-live is %(days)s day after the contractual date",
            "P80 of the go-live is %(days)s days after the contractual date",
            int(value),
        ) % {"days": value}
    if code == "p80_on_time":
        return _("P80 of the go-live is on or before the contractual date")
    if code == "monte_carlo_unknown":
        return _("no risk analysis (Monte Carlo) against a contractual date yet")
    if code == "deadlines_overdue":
        return ngettext("%(count)s CCAG-TIC deadline passed", "%(count)s CCAG-TIC deadlines passed", int(value)) % {
            "count": value
        }
    if code == "deadlines_at_risk":
        return ngettext("%(count)s CCAG-TIC deadline close", "%(count)s CCAG-TIC deadlines close", int(value)) % {
            "count": value
        }
    if code == "critical_risks":
        return ngettext("%(count)s critical risk open", "%(count)s critical risks open", int(value)) % {"count": value}
    if code == "landing":
        return _("atterrissage %(landing)s € against %(sold)s € sold: %(gap)s %% (%(op)s %(max)s %%)") % {
            "landing": _num(p.get("landing", 0), 0),
            "sold": _num(p.get("sold", 0), 0),
            "gap": ("+" if float(value) > 0 else "") + _num(value, 1),
            "op": _cmp(p),
            "max": _num(p.get("threshold", 0), 0),
        }
    if code == "landing_unknown":
        return _("atterrissage unknown: no sold amount")
    if code == "bloquantes":
        if not value:
            return _("no open blocking anomaly")
        return ngettext(
            "%(count)s open blocking anomaly (oldest: %(days)s days)",
            "%(count)s open blocking anomalies (oldest: %(days)s days)",
            int(value),
        ) % {"count": value, "days": p.get("oldest", 0)}
    if code == "majeures":
        return ngettext(
            "%(count)s open major anomaly (PV threshold %(max)s)",
            "%(count)s open major anomalies (PV threshold %(max)s)",
            int(value),
        ) % {"count": value, "max": p.get("threshold", 0)}
    if code in ("coverage", "pass_rate"):
        name = _("test coverage") if code == "coverage" else _("pass rate")
        return f"{name} {_num(value, 1)} % {_cmp(p)} {_num(p.get('threshold', 0), 0)} %"
    if code == "coverage_unknown":
        return _("test coverage unknown: no exigence yet")
    if code == "pass_rate_unknown":
        return _("pass rate unknown: no test executed yet")
    if code == "missed":
        return _("%(count)s quality criteria missed") % {"count": value}
    if code == "bloquante_old":
        return _("a blocking anomaly has been open for %(days)s days (≥ %(max)s)") % {
            "days": value,
            "max": p.get("threshold", 0),
        }
    if code == "bloquante_new":
        return _("a blocking anomaly has been open for %(days)s days (< %(max)s)") % {
            "days": value,
            "max": p.get("threshold", 0),
        }
    if code == "pv_refused":
        return _("the latest PV de recette is refused or deferred")
    if code == "reserves_open":
        return ngettext("%(count)s réserve not lifted", "%(count)s réserves not lifted", int(value)) % {"count": value}
    if code == "changes_waiting":
        if not value:
            return _("no change request waiting more than %(max)s days") % {"max": p.get("threshold", 0)}
        return ngettext(
            "%(count)s change request waiting more than %(max)s days (oldest: %(days)s days)",
            "%(count)s change requests waiting more than %(max)s days (oldest: %(days)s days)",
            int(value),
        ) % {"count": value, "max": p.get("threshold", 0), "days": p.get("oldest", 0)}
    if code == "changes_impact":
        return ngettext(
            "%(count)s change request waiting: %(cost)s € and %(days)s working days if accepted as analysed",
            "%(count)s change requests waiting: %(cost)s € and %(days)s working days if accepted as analysed",
            int(value),
        ) % {"count": value, "cost": _num(p.get("cost", 0), 0), "days": p.get("delay", 0)}
    if code == "exigences_rejected":
        return ngettext(
            "%(count)s exigence rejected after validation",
            "%(count)s exigences rejected after validation",
            int(value),
        ) % {"count": value}
    if code == "changes_without_avenant":
        return ngettext(
            "%(count)s accepted change without its avenant",
            "%(count)s accepted changes without their avenant",
            int(value),
        ) % {"count": value}
    return str(code)
