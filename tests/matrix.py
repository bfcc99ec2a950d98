"""The catalogue of every project endpoint (HTML and API) with the permission it needs.

Each stage adds its endpoints in ``tests/<stage>/endpoints.py`` (listed in STAGE_MODULES); the matrix
test then checks every role × endpoint cell against :data:`oeuvre.accounts.permissions.MATRIX`, and
the completeness test fails when a URL or API operation is missing from the catalogue.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STAGE_MODULES = [
    "tests.foundation.endpoints",
    "tests.requirements.endpoints",
    "tests.design.endpoints",
    "tests.planning.endpoints",
    "tests.recette.endpoints",
    "tests.pilotage.endpoints",
    "tests.web.endpoints",
    "tests.mep.endpoints",
    "tests.forge.endpoints",
]


@dataclass(frozen=True)
class Endpoint:
    name: str  # URL name ("projects:edit") or "api:<METHOD> <path template>"
    method: str
    path: Callable[[Any], str]
    permission: str
    data: Callable[[Any], dict[str, Any]] = field(default=lambda p: {})
    headers: Callable[[Any], dict[str, str]] = field(default=lambda p: {})
    ok: tuple[int, ...] = (200,)
    api: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.name}"


def catalogue() -> list[Endpoint]:
    endpoints: list[Endpoint] = []
    for module in STAGE_MODULES:
        endpoints.extend(importlib.import_module(module).ENDPOINTS)
    return endpoints


def not_project_scoped() -> set[str]:
    names: set[str] = set()
    for module in STAGE_MODULES:
        names |= set(getattr(importlib.import_module(module), "NOT_PROJECT_SCOPED", set()))
    return names


def if_match(obj_getter: Callable[[Any], Any]) -> Callable[[Any], dict[str, str]]:
    def headers(personas: Any) -> dict[str, str]:
        obj = obj_getter(personas)
        obj.refresh_from_db()
        return {"If-Match": obj.etag}

    return headers
