"""What later stages show in this one: measured results of the criteria (recette) and environments (mep).

The recette stage comes after this one and must not be imported here. It registers a **results provider** from its
``AppConfig.ready()``: ``fn(project, criterion_ids) -> Mapping[int, list[ResultPoint]]`` answers, in a constant
number of queries, every stored result of those criteria (``None``: all of the project's), oldest first. While no
provider is registered, every criterion shows "not measured".

It also registers a **tests provider**: ``fn(project, criterion_id) -> list[VerifyingTest]``, the test cases that
verify a criterion, shown on the criterion's page.

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
    "TestsProvider",
    "VerifyingTest",
    "environments_for",
    "register_environments_provider",
    "register_results_provider",
    "register_tests_provider",
    "results_for",
    "tests_for",
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
        """``1 720 ms``, ``99,7 %`` (French), ``2`` (a count), ``1.2`` (a version): the value as a person reads it,
        in the active language's number format."""
        from django.utils.formats import number_format

        if isinstance(self.value, str) or self.unit == "version":
            value = str(self.value)
        elif self.value == int(self.value):
            value = number_format(int(self.value), force_grouping=True)
        else:
            value = number_format(round(self.value, 2), decimal_pos=2, force_grouping=True)
        return value if self.unit in {"count", "version"} else f"{value}\N{NO-BREAK SPACE}{self.unit}"


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


@dataclass(frozen=True)
class VerifyingTest:
    """A test case that verifies a criterion, as the recette stage shows it."""

    reference: str
    title: str
    url: str


TestsProvider = Callable[[Any, int], list[VerifyingTest]]
_TESTS: list[TestsProvider] = []


def register_tests_provider(provider: TestsProvider) -> None:
    if provider not in _TESTS:
        _TESTS.append(provider)


def tests_for(project: Any, criterion_id: int) -> list[VerifyingTest]:
    """The test cases verifying the criterion (empty while no stage provides test cases)."""
    return [t for provider in _TESTS for t in provider(project, criterion_id)]


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
