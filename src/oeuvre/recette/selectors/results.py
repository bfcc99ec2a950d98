"""Reads of the performance and security results: the history of each criterion, for the design stage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.urls import reverse

from oeuvre.design.hooks import ResultPoint, VerifyingTest
from oeuvre.projects.models import Project
from oeuvre.recette.models import CriterionResult, SecurityFinding, TestCase

__all__ = ["criterion_history", "criterion_tests", "findings_of"]


def criterion_history(project: Project, criterion_ids: Iterable[int] | None) -> Mapping[int, list[ResultPoint]]:
    """Every result of the project's criteria (or of ``criterion_ids``), oldest first: one query."""
    rows = CriterionResult.objects.filter(project=project)
    if criterion_ids is not None:
        rows = rows.filter(criterion_id__in=list(criterion_ids))
    out: dict[int, list[ResultPoint]] = {}
    for r in rows.order_by("recorded_at", "pk").values_list(
        "criterion_id", "value", "unit", "met", "execution__iteration__campaign__name",
        "execution__iteration__number", "tool", "filename", "recorded_at", "execution_id",
    ):  # fmt: skip
        pk, value, unit, met, campaign, iteration, tool, filename, at, execution_id = r
        shown: float | str = value
        if unit != "version":
            try:
                shown = float(value)
            except ValueError:
                shown = value
        out.setdefault(pk, []).append(ResultPoint(shown, unit, met, campaign, iteration, tool, filename, at,
                                                  execution_id))  # fmt: skip
    return out


def findings_of(project: Project, limit: int = 200) -> list[SecurityFinding]:
    """The latest security findings of the project, the most severe first."""
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    rows = list(SecurityFinding.objects.filter(project=project).select_related("execution").order_by("-pk")[:limit])
    return sorted(rows, key=lambda f: (order.get(f.severity, 9), -f.pk))


def criterion_tests(project: Project, criterion_id: int) -> list[VerifyingTest]:
    """The test cases of the book that verify the criterion (one query)."""
    cases = TestCase.objects.filter(project=project, criteria__id=criterion_id).order_by("number", "pk")
    return [
        VerifyingTest(c.reference, c.title, reverse("recette:test_case", args=[project.code, c.pk]))
        for c in cases.only("pk", "reference", "title", "number")
    ]
