"""Plan services: validation, concurrency, permissions, moves, baselines, levelling, risk and jobs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.planning import services
from oeuvre.planning.models import Baseline, Plan, RafEstimate, Task
from tests.planning.conftest import START

pytestmark = pytest.mark.django_db


def _reload(plan: Any) -> dict[str, Any]:
    plan.refresh()
    return plan.tasks


def test_it_validates_tasks_and_names_the_field(small_plan: Any, personas: Any) -> None:
    lot = small_plan.lot_a
    make = services.task_create
    with pytest.raises(ValidationFailed) as refused:
        make(actor=personas.moe, project=small_plan.project, lot=lot, name="Zéro", duration=0)
    assert list(refused.value.errors) == ["duration"]
    with pytest.raises(ValidationFailed) as refused:
        make(actor=personas.moe, project=small_plan.project, lot=lot, name="X", constraint_type="SNET")
    assert list(refused.value.errors) == ["constraint_date"]
    with pytest.raises(ValidationFailed) as refused:
        make(actor=personas.moe, project=small_plan.project, lot=lot, name="X", duration=5, pessimistic_duration=3)
    assert list(refused.value.errors) == ["pessimistic_duration"]
    with pytest.raises(ValidationFailed) as refused:
        make(actor=personas.moe, project=small_plan.project, lot=lot, code="A", name="Doublon")
    assert list(refused.value.errors) == ["code"]
    milestone = make(actor=personas.moe, project=small_plan.project, lot=lot, name="Jalon", kind="milestone")
    assert (milestone.code, milestone.duration, milestone.milestone_type) == ("J-01", 0, "internal")


def test_it_refuses_a_stale_edit(small_plan: Any, personas: Any) -> None:
    a = small_plan.tasks["A"]
    services.task_update(actor=personas.moe, task=a, expected_version=a.version, name="Premier")
    with pytest.raises(StaleVersion):
        services.task_update(actor=personas.amoe, task=a, expected_version=a.version, name="Second")
    a.refresh_from_db()
    assert a.name == "Premier"


def test_it_checks_permissions_on_every_write(small_plan: Any, personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.task_create(actor=personas.reader, project=small_plan.project, lot=small_plan.lot_a, name="Non")
    with pytest.raises(PermissionDenied):
        services.resource_create(actor=personas.contributor, project=small_plan.project, name="Moi")
    with pytest.raises(PermissionDenied):
        services.baseline_take(actor=personas.moa, project=small_plan.project, name="B")


def test_it_protects_work_that_has_time_recorded(small_plan: Any, personas: Any) -> None:
    b = small_plan.tasks["B"]
    services.timesheet_save(
        actor=personas.contributor,
        resource=small_plan.resources["dev"],
        week=START + dt.timedelta(days=7),
        cells={(b.pk, START + dt.timedelta(days=7)): Decimal(1)},
        expected_fingerprint=None,
    )
    with pytest.raises(DomainError):
        services.task_delete(actor=personas.moe, task=b)
    with pytest.raises(DomainError):
        services.resource_delete(actor=personas.moe, resource=small_plan.resources["dev"])
    with pytest.raises(DomainError):
        services.lot_delete(actor=personas.moe, lot=small_plan.lot_b)


def test_it_moves_a_task_later_and_its_successors_follow(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    before_c = t["C"].early_start
    result = services.task_move(
        actor=personas.moe, task=t["B"], expected_version=t["B"].version, start=dt.date(2026, 7, 20)
    )
    t = _reload(small_plan)
    assert (t["B"].constraint_type, t["B"].constraint_date) == ("SNET", dt.date(2026, 7, 20))
    assert t["B"].early_start == dt.date(2026, 7, 20)
    assert t["C"].early_start > before_c
    moved = {m["code"] for m in result.moved}
    assert {"B", "C", "M"} <= moved
    # Undo: what the move replaced comes back, and so do the dates.
    services.task_update(
        actor=personas.moe,
        task=t["B"],
        expected_version=t["B"].version,
        constraint_type=result.undo["constraint_type"],
        constraint_date=None,
        duration=result.undo["duration"],
    )
    t = _reload(small_plan)
    assert t["C"].early_start == before_c


def test_it_refuses_a_move_before_a_predecessor_with_the_reason(small_plan: Any, personas: Any) -> None:
    b = small_plan.tasks["B"]
    with pytest.raises(DomainError) as refused:
        services.task_move(actor=personas.moe, task=b, expected_version=b.version, start=START)
    message = str(refused.value)
    assert "13/07/2026" in message  # the earliest start the network allows
    assert "A « Spécifications »" in message  # the predecessor that drives it
    b.refresh_from_db()
    assert b.constraint_type == "ASAP"


def test_it_refuses_a_move_that_breaks_a_deadline_downstream(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    services.task_update(
        actor=personas.moe,
        task=t["M"],
        expected_version=t["M"].version,
        constraint_type="FNLT",
        constraint_date=dt.date(2026, 8, 7),
    )
    b = Task.objects.get(pk=t["B"].pk)
    with pytest.raises(DomainError) as refused:
        services.task_move(actor=personas.moe, task=b, expected_version=b.version, duration=20)
    assert "M « Livraison »" in str(refused.value)
    assert "07/08/2026" in str(refused.value)
    b.refresh_from_db()
    assert b.duration == 10


def test_it_takes_baselines_and_keeps_the_reference(small_plan: Any, personas: Any) -> None:
    first = services.baseline_take(actor=personas.moe, project=small_plan.project, name="V1")
    plan = Plan.objects.get(project=small_plan.project)
    assert plan.baseline == first
    assert first.tasks.count() == 5
    a = first.tasks.get(code="A")
    assert (a.start, a.finish, a.effort, a.cost) == (START, dt.date(2026, 7, 10), Decimal(10), Decimal(9000))
    second = services.baseline_take(actor=personas.moe, project=small_plan.project, name="V2", make_reference=False)
    with pytest.raises(DomainError):
        services.baseline_delete(actor=personas.moe, baseline=first)
    services.baseline_select(actor=personas.moe, project=small_plan.project, baseline=second, expected_version=None)
    services.baseline_delete(actor=personas.moe, baseline=first)
    assert list(Baseline.objects.filter(project=small_plan.project)) == [second]


def test_it_lets_assignees_re_estimate_their_tasks_only(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    estimate = services.raf_set(actor=personas.contributor, task=t["B"], raf=Decimal(12), date=dt.date(2026, 7, 3))
    assert estimate.author == personas.contributor
    with pytest.raises(PermissionDenied):
        services.raf_set(actor=personas.contributor, task=t["A"], raf=Decimal(3))
    with pytest.raises(StaleVersion):
        services.raf_set(actor=personas.moe, task=t["B"], raf=Decimal(10), expected_latest=0)
    services.raf_set(
        actor=personas.moe, task=t["B"], raf=Decimal(10), date=dt.date(2026, 7, 3), expected_latest=estimate.pk
    )
    assert list(RafEstimate.objects.filter(task=t["B"]).values_list("raf", flat=True)) == [Decimal(10)]


def test_it_levels_an_over_allocated_plan_and_applies_the_proposal(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    # D (0.5 of the developer) runs beside B (1.0): the developer is over-allocated for three days.
    job = services.levelling_start(actor=personas.moe, project=small_plan.project, method="heuristic", time_limit=2)
    job = execute_job(job)
    assert job.status == Job.Status.DONE, job.error
    result = job.result
    assert [m["code"] for m in result["moved"]] != []
    assert sum(result["overload_after"]) == 0
    assert sum(result["overload_before"]) > 0
    services.levelling_apply(actor=personas.moe, project=small_plan.project, job=Job.objects.get(pk=job.pk))
    t = _reload(small_plan)
    plan = Plan.objects.get(project=small_plan.project)
    assert plan.finish.isoformat() == result["levelled_finish"]
    moved = {m["code"]: m for m in result["moved"]}
    for code, move in moved.items():
        assert t[code].early_start.isoformat() == move["to"]
    # A proposal computed on an older plan is refused.
    job2 = execute_job(services.levelling_start(actor=personas.moe, project=small_plan.project))
    services.task_update(actor=personas.moe, task=t["A"], expected_version=t["A"].version, duration=6)
    with pytest.raises(DomainError):
        services.levelling_apply(actor=personas.moe, project=small_plan.project, job=Job.objects.get(pk=job2.pk))


def test_it_refuses_to_level_a_demand_above_capacity(small_plan: Any, personas: Any) -> None:
    a = small_plan.tasks["A"]
    assignment = a.assignments.get()
    services.assignment_update(
        actor=personas.moe, assignment=assignment, expected_version=assignment.version, units=Decimal(2)
    )
    job = execute_job(services.levelling_start(actor=personas.moe, project=small_plan.project))
    assert job.status == Job.Status.FAILED
    assert "A" in job.error
    assert "Paul Chef" in job.error


def test_it_simulates_the_finish_and_the_contractual_milestone(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    services.task_update(
        actor=personas.moe,
        task=t["M"],
        expected_version=t["M"].version,
        constraint_type="FNLT",
        constraint_date=dt.date(2026, 8, 3),
    )
    job = execute_job(services.risk_start(actor=personas.moe, project=small_plan.project, iterations=2000, seed=3))
    assert job.status == Job.Status.DONE, job.error
    result = job.result
    percentiles = [result["percentiles"][f"P{p}"] for p in (10, 50, 80, 90)]
    assert percentiles == sorted(percentiles)
    milestone = result["focus"]
    assert milestone["code"] == "M"
    assert milestone["deadline"] == "2026-08-03"
    # The deterministic date is 3 August: optimistic durations are a little shorter (× 0.9), pessimistic
    # ones much longer (× 1.3), so the chance of meeting 3 August is well below one half.
    assert 0 < milestone["probability"] < 0.5
    assert milestone["P80"] > "2026-08-03"
    assert [row["code"] for row in result["tornado"]][:1] in (["B"], ["C"], ["A"])
    # Same seed, same result.
    again = execute_job(services.risk_start(actor=personas.moe, project=small_plan.project, iterations=2000, seed=3))
    assert again.result["percentiles"] == result["percentiles"]


@pytest.mark.parametrize("lag", [3, 10, 17])
def test_it_keeps_calendar_day_lags_exact_in_levelling_and_risk(small_plan: Any, personas: Any, lag: int) -> None:
    """A lag in calendar days (a drying time, a legal notice) means the same date to the critical path, to the
    levelling and to Monte Carlo; converting it to ``round(lag × 5 / 7)`` working days moved their dates."""
    from oeuvre.planning.models import Dependency

    t = small_plan.tasks
    project = small_plan.project
    link = Dependency.objects.get(project=project, predecessor=t["C"], successor=t["M"])
    services.dependency_update(
        actor=personas.moe, dependency=link, expected_version=link.version, lag=lag, lag_calendar_days=True
    )
    cpm_finish = Plan.objects.get(project=project).finish
    risk = execute_job(services.risk_start(actor=personas.moe, project=project, iterations=200, seed=3))
    assert risk.status == Job.Status.DONE, risk.error
    assert risk.result["deterministic_finish"] == cpm_finish.isoformat()
    job = execute_job(services.levelling_start(actor=personas.moe, project=project, method="heuristic", time_limit=2))
    assert job.status == Job.Status.DONE, job.error
    services.levelling_apply(actor=personas.moe, project=project, job=Job.objects.get(pk=job.pk))
    assert Plan.objects.get(project=project).finish.isoformat() == job.result["levelled_finish"]


def test_it_reschedules_a_large_plan_in_a_job(small_plan: Any, personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SYNC_TASK_LIMIT", 2)
    a = small_plan.tasks["A"]
    before = Task.objects.get(pk=small_plan.tasks["C"].pk).early_start
    services.task_update(actor=personas.moe, task=a, expected_version=a.version, duration=8)
    plan = Plan.objects.get(project=small_plan.project)
    assert not plan.up_to_date
    assert Task.objects.get(pk=small_plan.tasks["C"].pk).early_start == before  # not yet
    job = Job.objects.get(kind="planning.schedule", project=small_plan.project)
    execute_job(job)
    assert Plan.objects.get(project=small_plan.project).up_to_date
    assert Task.objects.get(pk=small_plan.tasks["C"].pk).early_start > before


def test_it_links_tasks_to_specifications_and_answers_the_impact_analysis(small_plan: Any, personas: Any) -> None:
    from oeuvre.requirements.models import Component, Specification
    from oeuvre.requirements.traces import ImpactQuery, hanging_items

    project = small_plan.project
    spec = Specification.objects.create(project=project, reference="SFD-001", title="Prise de rendez-vous")
    other = Specification.objects.create(project=personas.other_project, reference="SFD-001", title="Ailleurs")
    component = Component.objects.create(project=project, reference="CMP-01", name="Portail")
    b = small_plan.tasks["B"]
    with pytest.raises(ValidationFailed) as refused:
        services.task_update(actor=personas.moe, task=b, expected_version=b.version, specifications=[other])
    assert list(refused.value.errors) == ["specifications"]
    services.task_update(
        actor=personas.moe, task=b, expected_version=b.version, specifications=[spec], components=[component]
    )
    items = hanging_items(ImpactQuery(project, frozenset(), frozenset({spec.pk}), frozenset({component.pk})))
    assert [(i.group, i.reference, i.via) for i in items] == [("tasks", "B", ("CMP-01", "SFD-001"))]
    assert items[0].url.endswith(f"/planning/tasks/{b.pk}/")
    # The link is in the task's history too.
    assert b.history.first().specifications.count() == 1
