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
