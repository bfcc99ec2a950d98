"""The load page: a week is red only when its load exceeds its capacity; a daily peak inside a week that stays
within its capacity is listed apart (orange), not as an over-allocation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from oeuvre.planning import costing, services
from oeuvre.planning.models import Plan

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 1, 5)


def _plan(personas: Any) -> Any:
    project = personas.project
    project.start_date = MONDAY
    project.holiday_zone = "none"
    project.save()
    moe = personas.moe
    Plan.objects.create(project=project, status_date=dt.date(2026, 1, 2))
    lot = services.lot_create(actor=moe, project=project, name="Lot")
    alice = services.resource_create(actor=moe, project=project, name="Alice")
    bruno = services.resource_create(actor=moe, project=project, name="Bruno")
    # Alice: two 2-day tasks at once in week 1 (4 p-d for 5 available: a peak, not an over-allocation).
    a1 = services.task_create(actor=moe, project=project, lot=lot, name="A1", duration=2)
    a2 = services.task_create(actor=moe, project=project, lot=lot, name="A2", duration=2)
    services.assignment_add(actor=moe, task=a1, resource=alice)
    services.assignment_add(actor=moe, task=a2, resource=alice)
    # Bruno: two 5-day tasks at once in week 1 (10 p-d for 5: over-allocated).
    b1 = services.task_create(actor=moe, project=project, lot=lot, name="B1", duration=5)
    b2 = services.task_create(actor=moe, project=project, lot=lot, name="B2", duration=5)
    services.assignment_add(actor=moe, task=b1, resource=bruno)
    services.assignment_add(actor=moe, task=b2, resource=bruno)
    return project


def test_it_lists_only_weeks_above_capacity_as_over_allocated(personas: Any) -> None:
    project = _plan(personas)
    load = costing.resource_load(project, Plan.objects.get(project=project), first=MONDAY, weeks=2)
    assert load["resources"] == ["Alice", "Bruno"]
    assert load["load"][0][0] == 4.0
    assert load["load"][1][0] == 10.0
    assert [(o["resource"], o["week"]) for o in load["over"]] == [("Bruno", "2026-01-05")]
    assert [(o["resource"], o["week"], o["peak_units"]) for o in load["peaks"]] == [("Alice", "2026-01-05", 2.0)]
    assert load["state"] == [[1, 0], [2, 0]]


def test_it_marks_the_over_allocated_rows_on_the_page(personas: Any) -> None:
    project = _plan(personas)
    page = personas.client(personas.moe).get(f"/p/{project.code}/planning/load/?from=2026-01-05").content.decode()
    over_table, _, rest = page.partition("table-danger")[2].partition("</table>")
    assert "Bruno" in over_table
    assert "Alice" not in over_table
    assert "05/01/2026" in over_table  # a French date, not ISO
    assert 'class="table-warning"><td>Alice' in rest
    data = page.split('id="load-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data)["state"][1][0] == 2
