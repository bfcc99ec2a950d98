"""An MS Project plan keeps its dates when imported: its start, its status date, and a start in the future.

Before, every imported plan restarted after today: work not started is scheduled after the status date, and a
file without one took today. The samples are MS Project's own files from ``../shared/interop-samples``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from oeuvre.interop.mspdi import read_mspdi
from oeuvre.planning.importing import import_summary, plan_import
from oeuvre.planning.models import Plan, Task, TaskKind
from tests.requirements.test_reqif_tools import SAMPLES

MSPDI = SAMPLES / "mspdi"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (MSPDI / "sample.xml").exists(), reason=f"no interop samples at {SAMPLES}"),
]


def test_it_keeps_the_start_of_a_plan_made_years_ago(personas: Any) -> None:
    project = personas.project
    project.start_date = None
    project.save()
    data = read_mspdi((MSPDI / "sample.xml").read_bytes())
    assert data.start == dt.date(2003, 1, 7)
    assert data.status_date is None
    with translation.override("en"):
        result = plan_import(actor=personas.moe, project=project, plan=data)
    project.refresh_from_db()
    assert project.start_date == dt.date(2003, 1, 7)
    assert result["start"] == "2003-01-07"
    assert result["finish"] is not None
    assert result["finish"] < "2004-01-01"
    # No progress and no status date in the file: the plan is dated as of the day before its start, and says so.
    assert Plan.objects.get(project=project).status_date == dt.date(2003, 1, 6)
    assert any("status date" in note for note in result["notes"])
    first = Task.objects.filter(project=project, kind=TaskKind.TASK).order_by("early_start").first()
    assert first is not None
    assert first.early_start == dt.date(2003, 1, 7)
    with translation.override("fr"):
        assert import_summary(result).endswith("; le plan commence le 07/01/2003")
    with translation.override("en"):
        assert "; the plan starts on " in import_summary(result)


def test_it_keeps_the_status_date_the_file_gives(personas: Any) -> None:
    project = personas.project
    project.start_date = None
    project.save()
    data = read_mspdi((MSPDI / "sample.xml").read_bytes())
    data.status_date = dt.date(2003, 2, 3)
    plan_import(actor=personas.moe, project=project, plan=data)
    assert Plan.objects.get(project=project).status_date == dt.date(2003, 2, 3)
    # Nothing was done by then, so the work not started moves after the status date.
    first = Task.objects.filter(project=project, kind=TaskKind.TASK).order_by("early_start").first()
    assert first is not None
    assert first.early_start is not None
    assert first.early_start > dt.date(2003, 2, 3)


def test_a_plan_starting_in_the_future_does_not_start_tomorrow(personas: Any) -> None:
    project = personas.project
    start = timezone.localdate() + dt.timedelta(days=90)
    while start.weekday() >= 5:
        start += dt.timedelta(days=1)
    project.start_date = start
    project.save()
    data = read_mspdi((MSPDI / "sample.xml").read_bytes())
    with translation.override("en"):
        result = plan_import(actor=personas.moe, project=project, plan=data)
    assert Plan.objects.get(project=project).status_date is None  # the plan follows today, as a live plan does
    assert result["start"] == start.isoformat()
    assert any("is kept" in note for note in result["notes"])  # the file's 2003 start is not the project's
