"""The météo on the project home page (home panel ``pilotage``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oeuvre.pilotage.permissions import PILOTAGE_VIEW
from oeuvre.pilotage.selectors.meteo import meteo_of, trend_of
from oeuvre.web.panels import HomePanel, register_home_panel


def _context(request: HttpRequest, project: Any) -> dict[str, Any]:
    meteo = meteo_of(project)
    return {"meteo": meteo, "trend": trend_of(project, meteo["overall"])}


def register() -> None:
    register_home_panel(HomePanel("pilotage", "pilotage/_home_panel.html", _context, PILOTAGE_VIEW, 5))
