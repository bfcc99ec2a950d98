"""Time entries: the weekly grid's rules, and the CSV import (all or nothing, errors by row)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from oeuvre.core.errors import StaleVersion, ValidationFailed
from oeuvre.interop.timesheet_csv import TimeEntryFileError, read_time_entries
from oeuvre.planning import services
from oeuvre.planning.models import Plan, TimeEntry
from tests.planning.conftest import START

pytestmark = pytest.mark.django_db

WEEK = START + dt.timedelta(days=7)  # Monday 13 July 2026; Tuesday 14 is Bastille Day


def _save(plan: Any, actor: Any, cells: dict[tuple[str, dt.date], str], resource: str = "dev") -> Any:
    return services.timesheet_save(
        actor=actor,
        resource=plan.resources[resource],
        week=WEEK,
        cells={(plan.tasks[code].pk, day): Decimal(value) for (code, day), value in cells.items()},
        expected_fingerprint=None,
    )


def test_it_records_a_week_and_starts_the_task(small_plan: Any, personas: Any) -> None:
    result = _save(small_plan, personas.contributor, {("B", WEEK): "1", ("B", WEEK + dt.timedelta(days=2)): "0.5"})
    assert (result.saved, result.warnings) == (2, [])
    b = small_plan.tasks["B"]
    b.refresh_from_db()
    assert b.actual_start == WEEK
    assert sorted(TimeEntry.objects.filter(task=b).values_list("date", "effort")) == [
        (WEEK, Decimal("1.00")),
        (WEEK + dt.timedelta(days=2), Decimal("0.50")),
    ]
    # Zero removes an entry; the history keeps every change.
    _save(small_plan, personas.contributor, {("B", WEEK): "0"})
    assert TimeEntry.objects.filter(task=b).count() == 1
    assert TimeEntry.history.filter(task_id=b.pk).count() == 3


def test_it_refuses_a_negative_effort(small_plan: Any, personas: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _save(small_plan, personas.contributor, {("B", WEEK): "-1"})
    key = f"cell-{small_plan.tasks['B'].pk}-{WEEK.isoformat()}"
    assert list(refused.value.errors) == [key]
    assert not TimeEntry.objects.exists()


def test_it_refuses_days_off_and_names_the_reason(small_plan: Any, personas: Any) -> None:
    dev = small_plan.resources["dev"]
    services.absence_add(
        actor=personas.moe,
        resource=dev,
        start=WEEK + dt.timedelta(days=3),
        end=WEEK + dt.timedelta(days=3),
        label="RTT",
    )
    cells = {
        ("B", WEEK + dt.timedelta(days=1)): "1",  # Bastille Day
        ("B", WEEK + dt.timedelta(days=3)): "1",  # RTT
        ("B", WEEK + dt.timedelta(days=5)): "1",  # Saturday
        ("B", WEEK): "1",  # a good day, yet nothing is saved
    }
    with pytest.raises(ValidationFailed) as refused:
        _save(small_plan, personas.contributor, cells)
    messages = " ".join(m for msgs in refused.value.errors.values() for m in msgs)
    assert len(refused.value.errors) == 3
    assert "14/07/2026" in messages
    assert "férié" in messages
    assert "RTT" in messages
    assert "18/07/2026" in messages
    assert not TimeEntry.objects.exists()


def test_it_refuses_a_closed_period(small_plan: Any, personas: Any) -> None:
    plan = Plan.objects.get(project=small_plan.project)
    services.timesheet_close(actor=personas.moe, project=small_plan.project, until=WEEK, expected_version=plan.version)
    with pytest.raises(ValidationFailed) as refused:
        _save(small_plan, personas.contributor, {("B", WEEK): "1"})
    assert "13/07/2026" in str(refused.value)
    _save(small_plan, personas.contributor, {("B", WEEK + dt.timedelta(days=2)): "1"})  # after the closed period


def test_it_warns_above_capacity_without_refusing(small_plan: Any, personas: Any) -> None:
    result = _save(small_plan, personas.contributor, {("B", WEEK): "1", ("D", WEEK): "0.5"})
    assert result.saved == 2
    assert len(result.warnings) == 1
    assert "1.5" in result.warnings[0]
    assert "13/07/2026" in result.warnings[0]


def test_it_lets_people_record_only_their_own_time(small_plan: Any, personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        _save(small_plan, personas.contributor, {("A", WEEK): "1"}, resource="pm")
    _save(small_plan, personas.moe, {("A", WEEK): "1"}, resource="pm")  # the MOE records for the team
    with pytest.raises(PermissionDenied):
        _save(small_plan, personas.reader, {("B", WEEK): "1"})


def test_it_detects_a_concurrent_edit_of_the_week(small_plan: Any, personas: Any) -> None:
    dev = small_plan.resources["dev"]
    seen = services.timesheet_fingerprint(dev, WEEK, WEEK + dt.timedelta(days=6))
    _save(small_plan, personas.moe, {("B", WEEK): "1"})
    with pytest.raises(StaleVersion):
        services.timesheet_save(
            actor=personas.contributor,
            resource=dev,
            week=WEEK,
            cells={(small_plan.tasks["B"].pk, WEEK): Decimal("0.5")},
            expected_fingerprint=seen,
        )


def test_it_refuses_time_on_a_milestone_or_in_the_future(small_plan: Any, personas: Any) -> None:
    with pytest.raises(ValidationFailed):
        _save(small_plan, personas.contributor, {("M", WEEK): "1"})
    future = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())
    with pytest.raises(ValidationFailed) as refused:
        services.timesheet_save(
            actor=personas.contributor,
            resource=small_plan.resources["dev"],
            week=future,
            cells={(small_plan.tasks["B"].pk, future): Decimal(1)},
            expected_fingerprint=None,
        )
    assert future.strftime("%d/%m/%Y") in str(refused.value)


CSV = """Date;Personne;Tâche;Charge;Commentaire
13/07/2026;Alice Dev;B;1;
15/07/2026;contributor;B;0,5;revue
16/07/2026;Paul Chef;A;1;
"""


def test_it_imports_a_csv_of_time_entries(small_plan: Any, personas: Any) -> None:
    rows = read_time_entries(("\ufeff" + CSV).encode("utf-8"))
    result = services.time_entries_import(actor=personas.moe, project=small_plan.project, rows=rows)
    assert result.saved == 3
    assert TimeEntry.objects.get(date=dt.date(2026, 7, 15)).comment == "revue"


def test_it_imports_all_or_nothing_and_names_the_rows(small_plan: Any, personas: Any) -> None:
    bad = CSV + "17/07/2026;Bob Inconnu;B;1;\n18/07/2026;Alice Dev;B;1;\n20/07/2026;Alice Dev;ZZZ;1;\n"
    rows = read_time_entries(bad.encode("cp1252"))
    with pytest.raises(ValidationFailed) as refused:
        services.time_entries_import(actor=personas.moe, project=small_plan.project, rows=rows)
    errors = refused.value.errors
    assert set(errors) == {"row 5, person", "row 6", "row 7, task"}
    assert "18/07/2026" in errors["row 6"][0]  # a Saturday
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("text", "row", "field"),
    [
        ("date;person;task;effort\n31/02/2026;a;T;1\n", 2, "date"),
        ("date;person;task;effort\n02/03/2026;a;T;-1\n", 2, "effort"),
        ("date;person;task;effort\n02/03/2026;a;T;un\n", 2, "effort"),
        ("date;person;task;effort\n02/03/2026;a;T;7\n", 2, "effort"),
        ("date;person;effort\n02/03/2026;a;1\n", 1, "task"),
        ("date,person,task,effort\n02/03/2026,,T,1\n", 2, "person"),
    ],
)
def test_it_reads_bad_csv_rows_with_their_row_and_column(text: str, row: int, field: str) -> None:
    with pytest.raises((TimeEntryFileError, ValueError)) as refused:
        read_time_entries(text.encode())
    error: Any = refused.value
    assert (error.row, error.field) == (row, field)
