"""The stages of a project (Exigences, Planning, Recette, MEP, Pilotage) shown in its navigation.

A stage registers itself when its app is installed, so navigation never shows an empty page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

__all__ = ["Stage", "register_stage", "stages"]

# Bootstrap Icons names of the stages that exist or are planned; a stage may pass its own ``icon``.
DEFAULT_ICONS = {
    "requirements": "bi-list-check",
    "design": "bi-diagram-3",
    "planning": "bi-calendar3-range",
    "recette": "bi-clipboard2-check",
    "mep": "bi-rocket-takeoff",
    "pilotage": "bi-speedometer2",
    "forge": "bi-git",
}


@dataclass(frozen=True)
class Stage:
    key: str
    label: Promise
    url_name: str  # reversed with the project code
    permission: str
    order: int
    icon: str = ""  # a Bootstrap Icons class such as "bi-list-check"

    @property
    def icon_class(self) -> str:
        return self.icon or DEFAULT_ICONS.get(self.key, "bi-folder2")


_STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> None:
    _STAGES[stage.key] = stage


def stages() -> list[Stage]:
    return sorted(_STAGES.values(), key=lambda s: s.order)
