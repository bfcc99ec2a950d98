"""Panels that stages add to the project home page (a coverage summary, a schedule, a weather report…).

A stage registers a panel in its ``AppConfig.ready()``; the home page renders, in order, the panels whose
permission the user holds, each with the context its function builds::

    register_home_panel(HomePanel("requirements", "requirements/_home_panel.html", build, "requirements.view", 10))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

__all__ = ["HomePanel", "home_panels", "register_home_panel"]


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any]]
    permission: str
    order: int


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(panel: HomePanel) -> None:
    _PANELS[panel.key] = panel


def home_panels(request: HttpRequest, project: Any, granted: set[str]) -> list[dict[str, Any]]:
    """``[{"template": …, "context": …}]`` for the panels the user may see, in order."""
    return [
        {"key": p.key, "template": p.template, "context": p.context(request, project)}
        for p in sorted(_PANELS.values(), key=lambda p: p.order)
        if p.permission in granted
    ]
