"""The demo plan tells one coherent story: late by about a tenth, P80 past the contractual delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.planning import costing, selectors
from oeuvre.planning.analysis import risk_analysis
from oeuvre.planning.models import Baseline, Lot, Plan, Resource, Task, TaskKind, TimeEntry
from oeuvre.projects.models import Project


def test_it_builds_the_main_demo_plan_with_a_visible_slippage(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    plan = Plan.objects.get(project=project)

    assert Lot.objects.filter(project=project, parent__isnull=True).count() == 5
    assert Task.objects.filter(project=project).count() >= 78
    assert Task.objects.filter(project=project, kind=TaskKind.MILESTONE, milestone_type="contractual").exists()
    rates = sorted(Resource.objects.filter(project=project).values_list("tjm", flat=True))
    assert len(rates) == 8
    assert rates[0] <= Decimal(500)
    assert rates[-1] >= Decimal(1000)
    first = TimeEntry.objects.filter(project=project).earliest("date").date
    last = TimeEntry.objects.filter(project=project).latest("date").date
    assert (last - first).days >= 110  # about four months of imputations
    assert plan.baseline_id is not None
    assert Baseline.objects.filter(project=project).exists()

    summary = selectors.schedule_summary(project, plan)
    assert summary["slip_working_days"] > 0  # later than the baseline
    delivery_milestone = Task.objects.get(
        project=project, milestone_type="contractual", constraint_type="FNLT", constraint_date=project.delivery_date
    )
    assert delivery_milestone.early_finish > project.delivery_date  # the contractual delivery is missed

    now = costing.earned_value_report(project, plan)["money"]["now"]
    assert 0.85 <= now["spi"] <= 0.95
    assert now["cpi"] < 1.0

    risk = risk_analysis(project, plan, iterations=2000, seed=1)
    delivery = next(m for m in risk["milestones"] if m["deadline"] == project.delivery_date.isoformat())
    assert dt.date.fromisoformat(delivery["P80"]) > project.delivery_date
    assert delivery["probability"] < 0.5
