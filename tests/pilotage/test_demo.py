"""The demo's météo story: twelve weekly snapshots, a slippage caught then recovered, today's live météo last."""

from __future__ import annotations

from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.pilotage.models import MeteoSnapshot
from oeuvre.pilotage.selectors.meteo import trend_of
from oeuvre.projects.models import Project


def test_it_tells_a_slippage_caught_then_recovered(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    snapshots = list(MeteoSnapshot.objects.filter(project=project).order_by("taken_on"))
    assert len(snapshots) == 12
    assert snapshots[-1].taken_on == demo_db.today
    schedule = [s.axes["schedule"]["verdict"] for s in snapshots[:-1]]
    worst = max(range(len(schedule)), key=lambda i: ["sun", "cloud", "rain", "storm"].index(schedule[i]))
    assert schedule[0] == "sun"
    assert schedule[worst] in ("rain", "storm")
    assert schedule[-1] in ("sun", "cloud")  # recovered
    # Each past verdict carries the reasons the rules gave for that week's figures.
    spi = next(r for r in snapshots[worst].axes["schedule"]["rules"] if r["code"] == "spi")
    assert spi["params"]["value"] < 0.90
    assert len(trend_of(project)["history"]) == 12


def test_it_has_five_change_requests_one_of_each_fate(demo_db: Any) -> None:
    from oeuvre.pilotage.models import ChangeRequest, ChangeStatus
    from oeuvre.pilotage.selectors.changes import change_facts
    from oeuvre.planning.models import Plan

    project = Project.objects.get(code=MAIN_PROJECT)
    changes = {c.status: c for c in ChangeRequest.objects.filter(project=project)}
    assert set(changes) == {
        ChangeStatus.ACCEPTEE,
        ChangeStatus.REFUSEE,
        ChangeStatus.ANALYSEE,
        ChangeStatus.AJOURNEE,
        ChangeStatus.BROUILLON,
    }
    assert ChangeRequest.objects.filter(project=project).count() == 5
    deferred = changes[ChangeStatus.AJOURNEE]
    assert deferred.decision_reason
    assert deferred.review_on is not None
    assert deferred.review_on > demo_db.today  # not waiting again yet: the scope axis leaves it out
    assert deferred.decided_by.username == "moa"
    accepted = changes[ChangeStatus.ACCEPTEE]
    assert accepted.avenant_number == 1
    assert accepted.baseline is not None
    # The accepted change's added exigence is in the CDC, validated, and in the change's CDC baseline.
    added = [line for line in accepted.applied if line["outcome"] == "created"]
    assert len(added) == 1
    assert accepted.cdc_version.entries.filter(reference=added[0]["exigence"], status="validee").exists()
    assert Plan.objects.get(project=project).baseline_id == accepted.baseline_id
    waiting = changes[ChangeStatus.ANALYSEE]
    assert waiting.extra_cost
    assert waiting.extra_cost > 0
    assert waiting.delay_days is not None
    facts = change_facts(project, demo_db.today)
    assert facts["change_wait_days"] == [12]
    assert facts["changes_without_avenant"] == 0
    scope = MeteoSnapshot.objects.filter(project=project).order_by("-taken_on").first().axes["scope"]
    assert scope["verdict"] == "sun"
    assert any(r["code"] == "changes_impact" for r in scope["rules"])


def test_it_puts_a_few_open_risks_on_tasks_of_the_plan_for_the_monte_carlo(demo_db: Any) -> None:
    from oeuvre.pilotage.selectors.risks import schedule_risk_analysis, schedule_risk_events

    project = Project.objects.get(code=MAIN_PROJECT)
    risks, events, missing = schedule_risk_events(project)
    assert len(risks) >= 3
    assert all(e.task_ids for e in events)
    assert not any(missing)
    result = schedule_risk_analysis(project, iterations=500)
    assert result is not None
    assert result["with_risks"]["P80"] >= result["without_risks"]["P80"]
    assert any(c["p80_shift_days"] > 0 for c in result["contributions"])


def test_a_generated_project_of_the_large_demo_gets_todays_live_meteo_and_a_trend(personas: Any) -> None:
    import datetime as dt

    from oeuvre.demo.generator import DemoContext
    from oeuvre.pilotage.demo import demo_meteo
    from oeuvre.pilotage.selectors.meteo import meteo_of
    from oeuvre.pilotage.selectors.portfolio import portfolio_of

    today = dt.date(2026, 11, 25)
    project = personas.project  # not the demo project: the small demo leaves it alone
    demo_meteo(DemoContext(size="small", seed=42, today=today), project)
    assert not MeteoSnapshot.objects.filter(project=project).exists()
    demo_meteo(DemoContext(size="large", seed=42, today=today), project)
    snapshots = list(MeteoSnapshot.objects.filter(project=project).order_by("taken_on"))
    assert [s.taken_on for s in snapshots] == [today - dt.timedelta(days=7 * w) for w in (3, 2, 1, 0)]
    assert snapshots[-1].overall == meteo_of(project, today)["overall"]  # the live météo, computed once
    assert all(s.overall in ("sun", "cloud", "rain", "storm") for s in snapshots)
    row = next(p for p in portfolio_of(personas.moe) if p.pk == project.pk)
    assert (row.meteo, row.meteo_on, row.meteo_before) == (
        snapshots[-1].overall,
        today,
        snapshots[-2].overall,
    )  # the portfolio shows today's météo and its trend
