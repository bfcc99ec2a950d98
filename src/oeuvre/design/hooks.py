"""What later stages show in this one: measured results of the criteria (recette) and environments (mep).

The recette stage comes after this one and must not be imported here. It registers a **results provider** from its
``AppConfig.ready()``: ``fn(project, criterion_ids) -> Mapping[int, list[ResultPoint]]`` answers, in a constant
number of queries, every stored result of those criteria (``None``: all of the project's), oldest first. While no
provider is registered, every criterion shows "not measured".

The deployment stage registers an **environments provider**: ``fn(project) -> Mapping[str, Mapping[int, str]]``,
environment name → {component id: deployed version}, so the architecture view can be drawn per environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "EnvironmentsProvider",
    "ResultPoint",
    "ResultsProvider",
    "environments_for",
    "register_environments_provider",
    "register_results_provider",
    "results_for",
]


@dataclass(frozen=True)
class ResultPoint:
    """One measured value of a criterion: in which campaign and iteration, from which file and tool."""

    value: float | str
    unit: str
    met: bool
    campaign: str
    iteration: int
    tool: str
    filename: str
    at: datetime
    execution_id: int | None = None

    @property
    def display(self) -> str:
        """``1720 ms``, ``99.7 %``, ``2`` (a count), ``1.2`` (a version): the value as a person reads it."""
        value = self.value if isinstance(self.value, str) else f"{self.value:g}"
        return value if self.unit in {"count", "version"} else f"{value} {self.unit}"


ResultsProvider = Callable[[Any, "Iterable[int] | None"], Mapping[int, list[ResultPoint]]]
_PROVIDERS: list[ResultsProvider] = []


def register_results_provider(provider: ResultsProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def results_for(project: Any, criterion_ids: Iterable[int] | None = None) -> dict[int, list[ResultPoint]]:
    """Every registered provider's results, merged, oldest first per criterion."""
    ids = None if criterion_ids is None else list(criterion_ids)
    merged: dict[int, list[ResultPoint]] = {}
    for provider in _PROVIDERS:
        for pk, points in provider(project, ids).items():
            merged.setdefault(pk, []).extend(points)
    for points in merged.values():
        points.sort(key=lambda p: p.at)
    return merged


EnvironmentsProvider = Callable[[Any], Mapping[str, Mapping[int, str]]]
_ENVIRONMENTS: list[EnvironmentsProvider] = []


def register_environments_provider(provider: EnvironmentsProvider) -> None:
    if provider not in _ENVIRONMENTS:
        _ENVIRONMENTS.append(provider)


def environments_for(project: Any) -> dict[str, dict[int, str]]:
    """Environment name → {component id: deployed version}; empty while no stage provides environments."""
    merged: dict[str, dict[int, str]] = {}
    for provider in _ENVIRONMENTS:
        for name, deployed in provider(project).items():
            merged.setdefault(name, {}).update(deployed)
    return merged
