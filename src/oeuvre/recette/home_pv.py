"""The acceptance deadlines on the project home page (home panel ``recette_timers``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.recette.selectors.timers import dashboard
from oeuvre.web.panels import HomePanel, register_home_panel


def _context(request: HttpRequest, project: Any) -> dict[str, Any]:
    return {"board": dashboard(project)}


def register() -> None:
    register_home_panel(HomePanel("recette_timers", "recette/pv/_home_panel.html", _context, RECETTE_VIEW, 35))
