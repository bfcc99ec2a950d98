"""The stages of a project (Exigences, Planning, Recette, MEP, Pilotage) shown in its navigation.

A stage registers itself when its app is installed, so navigation never shows an empty page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

__all__ = ["Stage", "register_stage", "stages"]


@dataclass(frozen=True)
class Stage:
    key: str
    label: Promise
    url_name: str  # reversed with the project code
    permission: str
    order: int


_STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> None:
    _STAGES[stage.key] = stage


def stages() -> list[Stage]:
    return sorted(_STAGES.values(), key=lambda s: s.order)
