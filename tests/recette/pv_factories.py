"""Builders for the PV tests: campaigns with planned tests, executions and anomalies, made row by row."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from oeuvre.recette.models import (
    Anomaly,
    Campaign,
    Execution,
    Iteration,
    PlannedTest,
    TestCase,
    TestCaseRevision,
)

PASSWORD = "correct-horse-battery"


def campaign(project: Any, name: str = "", *, results: str = "", kind: str = "vabf") -> Campaign:
    """A campaign with one iteration; ``results`` has one letter per planned test: o(k) k(o) b(loqué) n(ot run)."""
    name = name or f"VABF lot {Campaign.objects.filter(project=project).count() + 1}"
    camp = Campaign.objects.create(project=project, name=name, kind=kind, release="1.0")
    iteration = Iteration.objects.create(campaign=camp, number=1)
    status = {"o": "ok", "k": "ko", "b": "bloque", "n": "non_execute"}
    for i, letter in enumerate(results):
        number = TestCase.objects.filter(project=project).count() + 1
        case = TestCase.objects.create(
            project=project, reference=f"CT-{number:03d}", number=number, title=f"Cas {number}"
        )
        revision = TestCaseRevision.objects.create(test_case=case, revision=1, content={})
        PlannedTest.objects.create(campaign=camp, test_case=case, position=i)
        if letter != "-":
            Execution.objects.create(
                project=project,
                iteration=iteration,
                test_case=case,
                test_case_revision=revision,
                status=status[letter],
                executed_at=timezone.now(),
            )
    return camp


def anomaly(
    project: Any,
    camp: Campaign,
    severity: str,
    *,
    status: str = "qualifiee",
    kind: str = "anomalie",
    at_start: bool = False,
) -> Anomaly:
    number = Anomaly.objects.filter(project=project).count() + 1
    return Anomaly.objects.create(
        project=project,
        reference=f"ANO-{number:03d}",
        number=number,
        title=f"Anomalie {number}",
        severity=severity,
        status=status,
        kind=kind,
        blocks_step_start=at_start,
        campaign=camp,
    )
