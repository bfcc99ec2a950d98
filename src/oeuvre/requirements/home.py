"""The coverage summary on the project home page (a home panel)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oeuvre.requirements.permissions import REQUIREMENTS_VIEW
from oeuvre.requirements.selectors import coverage_summary
from oeuvre.web.panels import HomePanel, register_home_panel


def _context(request: HttpRequest, project: Any) -> dict[str, Any]:
    return {"summary": coverage_summary(project)}


def register() -> None:
    register_home_panel(HomePanel("requirements", "requirements/_home_panel.html", _context, REQUIREMENTS_VIEW, 10))
