"""Builders for the anomalies/dashboards tests: test cases, campaigns and executions written straight to
the database (the test book's own services belong to another slice), with explicit dates."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from oeuvre.recette.models import (
    Campaign,
    Execution,
    Iteration,
    PlannedTest,
    StepResult,
    TestCase,
    TestCaseRevision,
    TestStep,
)
from tests.requirements import helpers as rh


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


BOOK_WRITTEN = at(date(2026, 1, 2))


def make_case(project: Any, number: int, *, exigences: tuple[str, ...] = (), steps: int = 3, **fields: Any) -> TestCase:
    reference = f"CT-{number:03d}"
    case, created = TestCase.objects.get_or_create(
        project=project,
        reference=reference,
        defaults={"number": number, "title": f"Cas {reference}", "status": "pret", **fields},
    )
    if created:
        for position in range(1, steps + 1):
            TestStep.objects.create(
                test_case=case,
                position=position,
                action=f"Action {position} de {reference}",
                expected=f"Résultat attendu {position}",
            )
        TestCaseRevision.objects.create(
            test_case=case,
            revision=1,
            content={
                "title": case.title,
                "steps": [
                    {"position": p, "action": f"Action {p} de {reference}", "expected": f"Résultat attendu {p}"}
                    for p in range(1, steps + 1)
                ],
            },
        )
    for ref in exigences:
        case.exigences.add(rh.exigence(project, ref, "validee"))
    # The test book is written before the runs these tests date in 2026 (coverage ignores older runs).
    TestCase.history.model.objects.filter(id=case.pk).update(history_date=BOOK_WRITTEN)
    return case


def campaign(
    project: Any, name: str = "VABF lot 1", *, iterations: int = 1, cases: list[TestCase] = (), **fields: Any
) -> Campaign:  # type: ignore[assignment]
    found = Campaign.objects.create(
        project=project, name=name, kind=fields.pop("kind", "vabf"), release="R1.0", **fields
    )
    for n in range(1, iterations + 1):
        Iteration.objects.create(campaign=found, number=n, release=f"R1.0.{n}")
    for position, case in enumerate(cases):
        PlannedTest.objects.create(campaign=found, test_case=case, position=position)
    return found


def run(
    iteration: Iteration,
    case: TestCase,
    status: str,
    when: datetime | None,
    *,
    failed_step: int | None = None,
    actual: str = "",
) -> Execution:
    execution = Execution.objects.create(
        project=iteration.campaign.project,
        iteration=iteration,
        test_case=case,
        test_case_revision=case.revisions.order_by("-revision").first(),
        status=status,
        executed_at=when,
    )
    if failed_step is not None:
        for position in range(1, failed_step + 1):
            StepResult.objects.create(
                execution=execution,
                position=position,
                status="ok" if position < failed_step else status,
                actual=actual if position == failed_step else "",
            )
    return execution
