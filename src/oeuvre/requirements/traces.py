"""The extension point through which later stages show what hangs on the requirements chain.

The requirements stage owns exigences → specifications → components. Tasks (planning) and test cases
(recette) hang on them but live in apps this one must not import. Those stages register two kinds of
provider here, from their ``AppConfig.ready()``:

* an **impact provider**, ``fn(query: ImpactQuery) -> Iterable[HangingItem]``: given sets of exigence,
  specification and component ids of one project, it returns the items of its stage that hang on any
  of them (the impact analysis lists them under "tasks" or "tests");
* a **coverage provider**, ``fn(project, exigence_ids) -> Mapping[int, TestCoverage]``: for each exigence
  id (``None`` means every exigence of the project) the test cases that cover it and how many of those
  were executed and passed on their latest run (the RTM's test columns and the "no test" gap).

Both must answer in a constant number of queries, whatever the number of ids: the RTM asks once per
page (or once for a full export of thousands of rows). Example, in ``recette/apps.py``::

    from oeuvre.requirements.traces import register_coverage_provider, register_impact_provider
    register_impact_provider("recette.tests", recette_selectors.tests_hanging_on)
    register_coverage_provider(recette_selectors.exigence_test_coverage)

A stage that models the architecture (design: interfaces between components) registers an **architecture
provider**, ``fn(project, exigence_ids, specs_of) -> Mapping[int, set[str]]``: for each exigence id the references
of the architecture items (interfaces) pointing at it or at one of its specifications (``specs_of``: exigence id →
specification ids). The RTM lists them beside the components. A new impact group names itself with
:func:`register_group_label`.

While no provider is registered, the impact analysis simply has no task or test section and the RTM
shows its test columns as "not available" instead of flagging every exigence as untested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

__all__ = [
    "CoverageProvider",
    "HangingItem",
    "ImpactProvider",
    "ImpactQuery",
    "TestCoverage",
    "architecture_for",
    "coverage_available",
    "coverage_for",
    "group_label",
    "hanging_items",
    "register_architecture_provider",
    "register_coverage_provider",
    "register_group_label",
    "register_impact_provider",
]


@dataclass(frozen=True)
class ImpactQuery:
    """What changed: ids of exigences, and of the specifications and components that trace to them."""

    project: Any
    exigence_ids: frozenset[int]
    specification_ids: frozenset[int]
    component_ids: frozenset[int]


@dataclass(frozen=True)
class HangingItem:
    """An item of another stage that hangs on the chain (a task, a test case…)."""

    group: str  # "tasks" or "tests" (or any other group a stage introduces)
    reference: str
    title: str
    via: tuple[str, ...] = ()  # references of the exigences/specifications/components it hangs on
    url: str = ""
    status: str = ""


@dataclass(frozen=True)
class TestCoverage:
    """The tests covering one exigence (``verifies`` links, owned by the recette stage)."""

    __test__ = False  # not a pytest test class

    tests: tuple[str, ...] = ()  # references of the covering test cases
    executed: int = 0  # how many of them have a latest execution (any result but "non exécuté")
    passed: int = 0  # how many of them passed on their latest execution
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def covered(self) -> bool:
        return bool(self.tests)


ImpactProvider = Callable[[ImpactQuery], Iterable[HangingItem]]
# Headings of the groups the planning and recette stages use; a new group shows its own name.
GROUP_LABELS: dict[str, Any] = {"tasks": gettext_lazy("Tasks"), "tests": gettext_lazy("Tests")}


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, group))


def register_group_label(group: str, label: Any) -> None:
    """The heading (a lazy translation) of a group a stage introduces in the impact analysis."""
    GROUP_LABELS[group] = label


ArchitectureProvider = Callable[[Any, "list[int]", "Mapping[int, list[int]]"], Mapping[int, set[str]]]
_ARCHITECTURE: list[ArchitectureProvider] = []


def register_architecture_provider(provider: ArchitectureProvider) -> None:
    if provider not in _ARCHITECTURE:
        _ARCHITECTURE.append(provider)


def architecture_for(project: Any, exigence_ids: list[int], specs_of: Mapping[int, list[int]]) -> dict[int, set[str]]:
    """Exigence id → references of the architecture items (interfaces) pointing at it or at its specifications."""
    merged: dict[int, set[str]] = {}
    for provider in _ARCHITECTURE:
        for pk, refs in provider(project, exigence_ids, specs_of).items():
            merged.setdefault(pk, set()).update(refs)
    return merged


CoverageProvider = Callable[[Any, "Iterable[int] | None"], Mapping[int, TestCoverage]]

_IMPACT: dict[str, ImpactProvider] = {}
_COVERAGE: list[CoverageProvider] = []


def register_impact_provider(key: str, provider: ImpactProvider) -> None:
    """Add (or replace, on reload) the provider named ``key``."""
    _IMPACT[key] = provider


def impact_provider_keys() -> list[str]:
    """The keys of the registered impact providers, sorted (the impact page lists them)."""
    return sorted(_IMPACT)


def register_coverage_provider(provider: CoverageProvider) -> None:
    if provider not in _COVERAGE:
        _COVERAGE.append(provider)


def hanging_items(query: ImpactQuery) -> list[HangingItem]:
    """Every registered stage's items hanging on ``query``, sorted by group then reference."""
    items: list[HangingItem] = []
    for _key, provider in sorted(_IMPACT.items()):
        items.extend(provider(query))
    return sorted(items, key=lambda i: (i.group, i.reference))


def coverage_available() -> bool:
    return bool(_COVERAGE)


def coverage_for(project: Any, exigence_ids: Iterable[int] | None) -> dict[int, TestCoverage]:
    """Merge the registered coverage providers' answers (usually just the recette stage's)."""
    ids = None if exigence_ids is None else list(exigence_ids)
    merged: dict[int, TestCoverage] = {}
    for provider in _COVERAGE:
        for exigence_id, coverage in provider(project, ids).items():
            known = merged.get(exigence_id)
            if known is None:
                merged[exigence_id] = coverage
            else:
                merged[exigence_id] = TestCoverage(
                    tests=known.tests + coverage.tests,
                    executed=known.executed + coverage.executed,
                    passed=known.passed + coverage.passed,
                    extra={**known.extra, **coverage.extra},
                )
    return merged


def _reset_for_tests() -> tuple[dict[str, ImpactProvider], list[CoverageProvider]]:
    """Detach every provider (tests use it to check both states); returns what to restore."""
    saved = (dict(_IMPACT), list(_COVERAGE))
    _IMPACT.clear()
    _COVERAGE.clear()
    return saved


def _restore_for_tests(saved: tuple[dict[str, ImpactProvider], list[CoverageProvider]]) -> None:
    _IMPACT.clear()
    _IMPACT.update(saved[0])
    _COVERAGE.clear()
    _COVERAGE.extend(saved[1])
