"""Template tags of the PV slice: the stage overview's PV and deadlines section."""

from __future__ import annotations

from typing import Any

from django import template

from oeuvre.recette.selectors.pv import latest_pv_status
from oeuvre.recette.selectors.timers import dashboard

register = template.Library()


@register.simple_tag
def pv_overview(project: Any) -> dict[str, Any]:
    return {**latest_pv_status(project), "board": dashboard(project)}


@register.filter
def ledger_kind(kind: str) -> str:
    """A hash-chain entry's kind in words (the code stays in the data and the exports)."""
    from django.utils.translation import gettext as _

    labels = {
        "pv.decision": _("PV decision"),
        "pv.signature": _("PV signature"),
        "reserve.lift": _("Réserve lifted"),
    }
    return labels.get(kind, kind)
