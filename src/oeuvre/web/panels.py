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

__all__ = ["HomePanel", "ItemPanel", "home_panels", "item_panels", "register_home_panel", "register_item_panel"]


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


# --- Panels on an item's page ------------------------------------------------------------------------
# A later stage adds a section to another stage's item page (the commits of an exigence, the incidents of a
# component…) without that page knowing it: the page writes ``{% item_panels item %}`` once, and each stage
# registers ``register_item_panel("requirements.exigence", ItemPanel(…))`` from its ``AppConfig.ready()``.


@dataclass(frozen=True)
class ItemPanel:
    key: str
    template: str
    context: Callable[[HttpRequest, Any, Any], dict[str, Any]]  # (request, project, item) -> context
    permission: str
    order: int


_ITEM_PANELS: dict[str, dict[str, ItemPanel]] = {}


def register_item_panel(model_label: str, panel: ItemPanel) -> None:
    """Show ``panel`` on the pages of items whose model is ``model_label`` (``app_label.modelname``)."""
    _ITEM_PANELS.setdefault(model_label, {})[panel.key] = panel


def item_panels(request: HttpRequest, project: Any, item: Any, granted: set[str]) -> list[dict[str, Any]]:
    """``[{"template": …, "context": …}]`` for the panels of ``item`` the user may see, in order."""
    panels = _ITEM_PANELS.get(item._meta.label_lower, {})
    return [
        {"key": p.key, "template": p.template, "context": p.context(request, project, item)}
        for p in sorted(panels.values(), key=lambda p: p.order)
        if p.permission in granted
    ]
