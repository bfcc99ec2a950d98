"""What the forge adds to other pages: the code of an item of the chain, and a panel on the project home."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oeuvre.forge import selectors
from oeuvre.forge.permissions import FORGE_VIEW
from oeuvre.web.panels import HomePanel, ItemPanel, register_home_panel, register_item_panel

__all__ = ["register"]

CHAIN_MODELS = (
    "requirements.exigence",
    "requirements.specification",
    "requirements.component",
    "planning.task",
    "recette.anomaly",
)


def _item_context(request: HttpRequest, project: Any, item: Any) -> dict[str, Any]:
    return {"code": selectors.item_code(project, item._meta.label_lower, item.pk)}


def _home_context(request: HttpRequest, project: Any) -> dict[str, Any]:
    return {"status": selectors.integration_summary(project)}


def register() -> None:
    for label in CHAIN_MODELS:
        register_item_panel(label, ItemPanel("forge", "forge/_item_code.html", _item_context, FORGE_VIEW, 50))
    register_home_panel(HomePanel("forge", "forge/_home_panel.html", _home_context, FORGE_VIEW, 35))
