"""The dates the plan shows are the engine's, with the project calendar, progress and constraints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from oeuvre.core.errors import DomainError
from oeuvre.engine import Activity, Constraint, ConstraintType, Link, Network, WorkCalendar, schedule
from oeuvre.planning import services
from oeuvre.planning.models import Plan
from tests.planning.conftest import START

pytestmark = pytest.mark.django_db


def test_it_stores_the_engines_dates(small_plan: Any) -> None:
    t = small_plan.tasks
    # Independently: the same network through the engine's plain API, on the French calendar.
    cal = WorkCalendar.france(START, years=range(2025, 2030))
    net = Network(
        [Activity("A", 5), Activity("B", 10), Activity("C", 5), Activity("D", 3), Activity("M", 0)],
        [Link("A", "B"), Link("B", "C"), Link("C", "M"), Link("A", "D"), Link("D", "M")],
    )
    result = schedule(net)
    index = {a: i for i, a in enumerate(result.ids)}
    for code in "ABCD":
        assert t[code].early_start == cal.to_date([result.es[index[code]]])[0].item()
        assert t[code].early_finish == cal.finish_date([result.ef[index[code]]])[0].item()
        assert t[code].total_float == result.total_float[index[code]]
    # 14 July 2026 is a Tuesday holiday: B (10 days from 13 July) ends on 27 July, not 24.
    assert t["B"].early_start == dt.date(2026, 7, 13)
    assert t["B"].early_finish == dt.date(2026, 7, 27)
    # The milestone sits at the end of C's last day, as in MS Project.
    assert t["M"].early_start == t["M"].early_finish == t["C"].early_finish
    assert [t[c].is_critical for c in "ABCDM"] == [True, True, True, False, True]
    plan = Plan.objects.get(project=small_plan.project)
    assert plan.finish == t["C"].early_finish
    assert [pk for pk in plan.critical_path if pk != t["M"].pk] == [t["A"].pk, t["B"].pk, t["C"].pk]


def test_it_refuses_a_link_that_closes_a_loop_and_names_it(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    with pytest.raises(DomainError) as refused:
        services.dependency_add(actor=personas.moe, project=small_plan.project, predecessor=t["C"], successor=t["A"])
    loop = str(refused.value.message).split(": ", 1)[1].split(".")[0].split(" → ")
    assert loop[0] == loop[-1]
    assert "".join(loop[:-1]) in {"ABC", "BCA", "CAB"}
    assert not small_plan.project.dependencies.filter(predecessor=t["C"], successor=t["A"]).exists()


def test_it_reports_a_deadline_that_cannot_be_met(small_plan: Any, personas: Any) -> None:
    c = small_plan.tasks["C"]
    services.task_update(
        actor=personas.moe,
        task=c,
        expected_version=c.version,
        constraint_type="FNLT",
        constraint_date=dt.date(2026, 7, 31),
    )
    plan = Plan.objects.get(project=small_plan.project)
    assert [w["task"] for w in plan.schedule_warnings] == ["C"]
    c.refresh_from_db()
    assert c.total_float < 0


def test_it_moves_unstarted_work_after_the_status_date(small_plan: Any, personas: Any, settings: Any) -> None:
    project = small_plan.project
    plan = Plan.objects.get(project=project)
    services.plan_update(
        actor=personas.moe, project=project, expected_version=plan.version, status_date=dt.date(2026, 7, 15)
    )
    small_plan.refresh()
    # Nothing started by 15 July: A cannot start before the 16th.
    assert small_plan.tasks["A"].early_start == dt.date(2026, 7, 16)


def test_it_keeps_started_work_on_its_actual_dates(small_plan: Any, personas: Any) -> None:
    project = small_plan.project
    a = small_plan.tasks["A"]
    services.task_update(
        actor=personas.moe, task=a, expected_version=a.version, actual_start=START, actual_finish=dt.date(2026, 7, 8)
    )
    plan = Plan.objects.get(project=project)
    services.plan_update(
        actor=personas.moe, project=project, expected_version=plan.version, status_date=dt.date(2026, 7, 9)
    )
    small_plan.refresh()
    t = small_plan.tasks
    assert (t["A"].early_start, t["A"].early_finish) == (START, dt.date(2026, 7, 8))
    assert t["B"].early_start == dt.date(2026, 7, 10)  # the day after the status date


def test_it_lasts_the_remaining_effort_of_a_started_task(small_plan: Any, personas: Any) -> None:
    project = small_plan.project
    a = small_plan.tasks["A"]
    services.task_update(actor=personas.moe, task=a, expected_version=a.version, actual_start=START)
    plan = Plan.objects.get(project=project)
    services.plan_update(
        actor=personas.moe, project=project, expected_version=plan.version, status_date=dt.date(2026, 7, 7)
    )
    # 2 days elapsed (6 and 7 July); 6 person-days left at 1 unit -> 6 more days: 8..16 July (14th off).
    services.raf_set(actor=personas.moe, task=a, raf=Decimal(6), date=dt.date(2026, 7, 7))
    a.refresh_from_db()
    assert a.early_start == START
    assert a.early_finish == dt.date(2026, 7, 16)


def test_it_honours_must_start_on_like_the_engine(small_plan: Any, personas: Any) -> None:
    d = small_plan.tasks["D"]
    services.task_update(
        actor=personas.moe,
        task=d,
        expected_version=d.version,
        constraint_type="MSO",
        constraint_date=dt.date(2026, 7, 20),
    )
    d.refresh_from_db()
    cal = WorkCalendar.france(START, years=range(2025, 2030))
    net = Network(
        [Activity("A", 5), Activity("D", 3)],
        [Link("A", "D")],
        [Constraint.on_date("D", ConstraintType.MSO, dt.date(2026, 7, 20), cal)],
    )
    result = schedule(net)
    assert d.early_start == cal.to_date([result.es[1]])[0].item() == dt.date(2026, 7, 20)
