"""Earned value, landing and resource load against figures computed by hand (see each test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from oeuvre.planning import costing, services
from oeuvre.planning.models import Plan, Task

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 1, 5)


def _day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


@pytest.fixture
def evm_plan(personas: Any) -> dict[str, Any]:
    """Three 5-day tasks in a row: A (R1 at 500 €), B (R2 ×2 at 1,000 €), C (R1). Baseline before the start.

    Then A takes one more day (6 p-d), B has spent 8 p-d in four days and is re-estimated at 6 left.
    Status date: Friday 16 January (end of week 2).
    """
    project = personas.project
    project.start_date = MONDAY
    project.holiday_zone = "none"
    project.budget_effort = Decimal(25)
    project.budget_amount = Decimal(20000)
    project.save()
    moe = personas.moe
    Plan.objects.create(project=project, status_date=dt.date(2026, 1, 2))
    lot = services.lot_create(
        actor=moe, project=project, code="L1", name="Lot", budget_effort=Decimal(25), budget_amount=Decimal(20000)
    )
    a = services.task_create(actor=moe, project=project, lot=lot, code="A", name="A", duration=5, effort=Decimal(5))
    b = services.task_create(actor=moe, project=project, lot=lot, code="B", name="B", duration=5, effort=Decimal(10))
    c = services.task_create(actor=moe, project=project, lot=lot, code="C", name="C", duration=5, effort=Decimal(5))
    services.dependency_add(actor=moe, project=project, predecessor=a, successor=b)
    services.dependency_add(actor=moe, project=project, predecessor=b, successor=c)
    r1 = services.resource_create(actor=moe, project=project, name="R1", tjm=Decimal(500))
    r2 = services.resource_create(
        actor=moe, project=project, name="R2", kind="profile", tjm=Decimal(1000), capacity=Decimal(2)
    )
    services.assignment_add(actor=moe, task=a, resource=r1)
    services.assignment_add(actor=moe, task=b, resource=r2, units=Decimal(2))
    services.assignment_add(actor=moe, task=c, resource=r1)
    baseline = services.baseline_take(actor=moe, project=project, name="Référence")
    # Execution.
    for n in (0, 1, 2, 3, 4, 7):  # Monday 5 to Friday 9, then Monday 12
        services.timesheet_save(
            actor=moe, resource=r1, week=_day(n), cells={(a.pk, _day(n)): Decimal(1)}, expected_fingerprint=None
        )
    for n in (8, 9, 10, 11):  # Tuesday 13 to Friday 16
        services.timesheet_save(
            actor=moe, resource=r2, week=_day(n), cells={(b.pk, _day(n)): Decimal(2)}, expected_fingerprint=None
        )
    a.refresh_from_db()
    services.task_update(actor=moe, task=a, expected_version=a.version, actual_finish=_day(7))
    services.raf_set(actor=moe, task=b, raf=Decimal(6), date=_day(11))
    plan = Plan.objects.get(project=project)
    services.plan_update(actor=moe, project=project, expected_version=plan.version, status_date=_day(11))
    return {"project": project, "baseline": baseline, "a": a, "b": b, "c": c}


def test_it_computes_earned_value_as_by_hand(evm_plan: dict[str, Any]) -> None:
    project = evm_plan["project"]
    report = costing.earned_value_report(project, Plan.objects.get(project=project))
    money, effort = report["money"], report["effort"]
    assert report["weeks"][:3] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    # PV from the baseline: A's 2,500 € in week 1, B's 10,000 € in week 2, C's 2,500 € in week 3.
    assert money["pv"] == [2500, 12500, 15000]
    assert effort["pv"] == [5, 15, 20]
    # AC: week 1, five days of R1 (2,500 €); week 2, one more day of R1 and 8 p-d of R2 (8,500 €).
    assert money["ac"] == [2500, 11000]
    assert effort["ac"] == [5, 14]
    # EV: week 1, A complete (5 spent, nothing left); week 2, A done and B at 8 / (8 + 6).
    ev_now = 2500 + 10000 * 8 / 14
    assert money["ev"] == pytest.approx([2500, ev_now], abs=0.01)
    assert effort["ev"] == pytest.approx([5, 5 + 10 * 8 / 14], abs=0.01)
    now = money["now"]
    assert now["bac"] == 15000
    assert now["spi"] == pytest.approx(ev_now / 12500, abs=1e-4)
    assert now["cpi"] == pytest.approx(ev_now / 11000, abs=1e-4)
    assert now["sv"] == pytest.approx(ev_now - 12500, abs=0.01)
    assert now["cv"] == pytest.approx(ev_now - 11000, abs=0.01)
    # Bottom-up EAC: AC + B's 6 p-d at 1,000 € + C's 5 p-d at 500 €.
    assert now["eac"] == pytest.approx(11000 + 6000 + 2500, abs=0.01)
    assert now["eac_cpi"] == pytest.approx(15000 * 11000 / ev_now, abs=0.01)
    assert now["tcpi"] == pytest.approx((15000 - ev_now) / (15000 - 11000), abs=1e-4)
    # Earned schedule: EV sits between week 1 (2,500) and week 2 (12,500) of the PV curve.
    assert now["es"] == pytest.approx(1 + (ev_now - 2500) / 10000, abs=1e-4)
    assert now["at"] == 2
    assert now["spi_t"] == pytest.approx((1 + (ev_now - 2500) / 10000) / 2, abs=1e-4)


def test_it_lands_each_lot_and_the_project(evm_plan: dict[str, Any]) -> None:
    project = evm_plan["project"]
    result = costing.project_costs(project, Plan.objects.get(project=project))
    lot = result.lots[0]
    # Spent 14 p-d; remaining: A 0, B 6 (estimated), C 5 (not started) = 11; landing 25 = the sold 25.
    assert (lot.spent_effort, lot.raf_effort, lot.landing_effort, lot.gap_effort) == (14, 11, 25, 0)
    # In euros: spent 11,000; remaining 6 × 1,000 + 5 × 500 = 8,500; landing 19,500 against 20,000 sold.
    assert (lot.spent_cost, lot.raf_cost, lot.landing_cost, lot.gap_cost) == (11000, 8500, 19500, -500)
    by_name = {line.label: line for line in result.resources}
    assert (by_name["R1"].spent_effort, by_name["R1"].raf_effort) == (6, 5)
    assert (by_name["R2"].spent_cost, by_name["R2"].raf_cost) == (8000, 6000)
    assert result.project.landing_cost == 19500


def test_it_flags_a_person_working_on_two_tasks_at_once(personas: Any) -> None:
    project = personas.project
    project.start_date = MONDAY
    project.holiday_zone = "none"
    project.save()
    moe = personas.moe
    Plan.objects.create(project=project, status_date=dt.date(2026, 1, 2))
    lot = services.lot_create(actor=moe, project=project, name="Lot")
    x = services.task_create(actor=moe, project=project, lot=lot, name="X", duration=5)
    y = services.task_create(actor=moe, project=project, lot=lot, name="Y", duration=3)
    z = services.task_create(actor=moe, project=project, lot=lot, name="Z", duration=3)
    services.dependency_add(actor=moe, project=project, predecessor=x, successor=z)
    alice = services.resource_create(actor=moe, project=project, name="Alice")
    services.assignment_add(actor=moe, task=x, resource=alice)
    services.assignment_add(actor=moe, task=y, resource=alice, units=Decimal("0.5"))
    services.assignment_add(actor=moe, task=z, resource=alice)
    load = costing.resource_load(project, Plan.objects.get(project=project), first=MONDAY, weeks=3)
    assert load["resources"] == ["Alice"]
    # Week 1: X (5 days at 1) and Y (3 days at 0.5) overlap on Monday to Wednesday.
    assert load["load"][0][:2] == [6.5, 3.0]
    assert load["capacity"][0][:2] == [5.0, 5.0]
    assert [(o["week"], o["peak_units"], o["tasks"]) for o in load["over"]] == [
        ("2026-01-05", 1.5, sorted([Task.objects.get(pk=x.pk).code, Task.objects.get(pk=y.pk).code]))
    ]
