"""From a reference written in a commit (``EX-012``, ``T-045``, ``ANO-007``) to the item of the chain it names.

Each stage's items are found through that stage's selectors: a **resolver** ``fn(project, references) ->
{reference: Target}`` answers, in one query, which of the references exist in the project as its kind of
item. Resolvers are registered in :func:`register_defaults` (called from ``ForgeConfig.ready()``); a later
stage (MEP's incidents, pilotage's change requests) adds its own with :func:`register_resolver`.

References are matched as written and with the number zero-padded to the project's digits, so ``EX-12``
in a branch name finds ``EX-012``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["Target", "item_url", "register_resolver", "resolve", "target_labels"]


@dataclass(frozen=True)
class Target:
    target_type: str  # "requirements.exigence"
    target_id: int
    reference: str  # as the item spells it: "EX-012"
    title: str
    status: str = ""


Resolver = Callable[[Any, set[str]], dict[str, Target]]


@dataclass(frozen=True)
class _Registered:
    target_type: str
    label: Promise | str
    resolver: Resolver
    url: Callable[[Any, int], str]


_RESOLVERS: dict[str, _Registered] = {}


def register_resolver(
    target_type: str, label: Promise | str, resolver: Resolver, url: Callable[[Any, int], str]
) -> None:
    _RESOLVERS[target_type] = _Registered(target_type, label, resolver, url)


def target_labels() -> dict[str, Promise | str]:
    return {key: entry.label for key, entry in _RESOLVERS.items()}


def item_url(project: Any, target_type: str, target_id: int) -> str:
    entry = _RESOLVERS.get(target_type)
    return entry.url(project, target_id) if entry else ""


def _variants(references: Iterable[str], digits: int) -> dict[str, str]:
    """``{spelling to look up: reference as written}`` with zero-padded numbers (``EX-12`` → ``EX-012``)."""
    variants: dict[str, str] = {}
    for ref in references:
        variants[ref] = ref
        prefix, _sep, number = ref.rpartition("-")
        if number.isdigit():
            variants.setdefault(f"{prefix}-{int(number):0{digits}d}", ref)
            variants.setdefault(f"{prefix}-{int(number)}", ref)
    return variants


def resolve(project: Any, references: Iterable[str]) -> dict[str, Target]:
    """``{reference as written: Target}`` for the references that name an item of ``project``."""
    wanted = set(references)
    found: dict[str, Target] = {}
    if not wanted:
        return found
    for entry in _RESOLVERS.values():
        for written, target in entry.resolver(project, wanted).items():
            found.setdefault(written, target)
    return found


# --- the stages of the chain ---------------------------------------------------------------------------


def _lookup(
    queryset: Any, field: str, references: set[str], digits: int, make: Callable[[Any], Target]
) -> dict[str, Target]:
    variants = _variants(references, digits)
    found: dict[str, Target] = {}
    # The stages' list selectors join what their rows show; a link needs none of it.
    for item in queryset.select_related(None).filter(**{f"{field}__in": list(variants)}):
        found.setdefault(variants[getattr(item, field)], make(item))
    return found


def _requirements_digits(project: Any) -> int:
    from oeuvre.requirements.selectors import requirements_settings

    return int(requirements_settings(project).reference_digits)


def _exigences(project: Any, references: set[str]) -> dict[str, Target]:
    from oeuvre.requirements.selectors import exigences_for

    return _lookup(
        exigences_for(project).only("pk", "reference", "title", "status"),
        "reference",
        references,
        _requirements_digits(project),
        lambda e: Target("requirements.exigence", e.pk, e.reference, e.title, e.status),
    )


def _specifications(project: Any, references: set[str]) -> dict[str, Target]:
    from oeuvre.requirements.selectors import specifications_for

    return _lookup(
        specifications_for(project).only("pk", "reference", "title"),
        "reference",
        references,
        _requirements_digits(project),
        lambda s: Target("requirements.specification", s.pk, s.reference, s.title),
    )


def _components(project: Any, references: set[str]) -> dict[str, Target]:
    from oeuvre.requirements.selectors import components_for

    return _lookup(
        components_for(project).only("pk", "reference", "name"),
        "reference",
        references,
        _requirements_digits(project),
        lambda c: Target("requirements.component", c.pk, c.reference, c.name),
    )


def _tasks(project: Any, references: set[str]) -> dict[str, Target]:
    from oeuvre.planning.models import Task

    # tasks_of() annotates costs the links do not need: the plain project filter is the same set of tasks.
    return _lookup(
        Task.objects.filter(project=project).only("pk", "code", "name"),
        "code",
        references,
        3,
        lambda t: Target("planning.task", t.pk, t.code, t.name),
    )


def _anomalies(project: Any, references: set[str]) -> dict[str, Target]:
    from oeuvre.recette.selectors.anomalies import anomalies_for

    return _lookup(
        anomalies_for(project).only("pk", "reference", "title", "status"),
        "reference",
        references,
        3,
        lambda a: Target("recette.anomaly", a.pk, a.reference, a.title, a.status),
    )


def register_defaults() -> None:
    register_resolver(
        "requirements.exigence",
        _("Requirement"),
        _exigences,
        lambda p, pk: reverse("requirements:detail", args=[p.code, pk]),
    )
    register_resolver(
        "requirements.specification",
        _("Specification"),
        _specifications,
        lambda p, pk: reverse("requirements:specification", args=[p.code, pk]),
    )
    register_resolver(
        "requirements.component",
        _("Component"),
        _components,
        lambda p, pk: reverse("requirements:component", args=[p.code, pk]),
    )
    register_resolver(
        "planning.task", _("Task"), _tasks, lambda p, pk: reverse("planning:task_detail", args=[p.code, pk])
    )
    register_resolver(
        "recette.anomaly",
        _("Anomaly"),
        _anomalies,
        lambda p, pk: reverse("recette:anomaly_detail", args=[p.code, pk]),
    )
