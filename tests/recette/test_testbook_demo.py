"""The demo's test book and campaigns: what the issue asks for, with deliberate gaps, and what later slices read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.projects.models import Project
from oeuvre.recette import models as m
from oeuvre.recette.selectors import testbook as selectors
from oeuvre.requirements.models import Exigence

TODAY = date(2026, 11, 28)


def test_it_builds_the_test_book_and_campaigns_of_the_guichet(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    cases = m.TestCase.objects.filter(project=project)
    assert cases.count() == 122  # 120 written by the AMOA, a load test and a scan measuring the DAT's criteria
    step_counts = {c.steps.count() for c in cases}
    assert min(step_counts) >= 2
    assert max(step_counts) <= 6
    assert m.TestFolder.objects.filter(project=project, parent__isnull=False).exists()
    exigences = Exigence.objects.filter(project=project).exclude(status="rejetee")
    covered = set(
        m.TestCase.exigences.through.objects.filter(testcase__project=project).values_list("exigence_id", flat=True)
    )
    gaps = [e for e in exigences if e.pk not in covered]
    assert 3 <= len(gaps) <= 10
    assert cases.filter(revision__gt=1).count() == 8
    campaigns = {c.kind: c for c in m.Campaign.objects.filter(project=project).exclude(kind="performance")}
    vabf = campaigns["vabf"]
    it1, it2 = vabf.iterations.order_by("number")
    progress = selectors.iteration_progress(vabf, planned=vabf.planned_tests.count())
    assert progress[it1.pk].ko > 5
    assert progress[it1.pk].bloque > 0
    assert progress[it1.pk].execution_rate > 85
    assert 0 < progress[it2.pk].executed < progress[it1.pk].executed
    usine = selectors.campaign_progress([campaigns["recette_usine"]])[campaigns["recette_usine"].pk]
    assert campaigns["recette_usine"].status == "terminee"
    assert usine.not_run == 0
    regression = campaigns["non_regression"]
    assert m.Execution.objects.filter(iteration__campaign=regression, source="junit").count() > 10
    assert m.Execution.objects.filter(iteration__campaign=vabf, status="ko").count() >= 32, "the anomalies demo uses 32"
    manual_ko = m.Execution.objects.filter(iteration__campaign=vabf, status="ko", source="manual")
    assert manual_ko.exists()
    assert all(e.step_results.filter(status="ko").count() == 1 for e in manual_ko)
    # Executions spread over the iterations' dates (the dashboards' burn-up needs it).
    assert m.Execution.objects.filter(iteration=it1).dates("executed_at", "day").count() > 5


@pytest.mark.django_db
def test_it_writes_the_large_campaign_in_bulk(personas: Any) -> None:
    """The large demo's campaign (5,000 cases × 10 iterations there), on a small scale."""
    from oeuvre.demo.generator import DemoContext
    from oeuvre.recette.demo.testbook import _large

    ctx = DemoContext(size="large", seed=7, today=TODAY, users={"amoa": personas.amoa})
    campaign = _large(ctx, personas.project, cases=30, iterations=3)
    assert m.Execution.objects.filter(iteration__campaign=campaign).count() == 90
    assert campaign.iterations.count() == 3
    progress = selectors.campaign_progress([campaign])[campaign.pk]
    assert progress.planned == 30
    assert progress.executed + progress.not_run == 30
    assert m.TestCase.objects.filter(project=personas.project).count() == 30
