"""Planning pages: content, inline edit, the Gantt endpoints, exports, imports, and query counts."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.planning import services
from oeuvre.planning.models import Plan, Task, TimeEntry
from tests.planning.conftest import START
from tests.planning.test_mspdi import _realistic_file

pytestmark = pytest.mark.django_db


def _url(plan: Any, suffix: str = "") -> str:
    return f"/p/{plan.project.code}/planning/{suffix}"


def _grow(plan: Any, personas: Any, n: int) -> None:
    """Add ``n`` chained tasks with assignments, time and estimates, so that an N+1 would show."""
    previous = plan.tasks["C"]
    dev = plan.resources["dev"]
    for k in range(n):
        task = services.task_create(
            actor=personas.moe, project=plan.project, lot=plan.lot_b, name=f"Tâche {k}", duration=2, effort=Decimal(2)
        )
        services.dependency_add(actor=personas.moe, project=plan.project, predecessor=previous, successor=task)
        services.assignment_add(actor=personas.moe, task=task, resource=dev, units=Decimal("0.5"))
        TimeEntry.objects.create(project=plan.project, resource=dev, task=task, date=START, effort=Decimal("0.5"))
        services.raf_set(actor=personas.moe, task=task, raf=Decimal(1), date=START)
        previous = task
    services.baseline_take(actor=personas.moe, project=plan.project, name="Référence")


PAGES = [
    "",
    "gantt/",
    "gantt/data/",
    "tasks/",
    "tasks/?format=csv",
    "lots/",
    "resources/",
    "resources/?format=csv",
    "load/",
    "timesheet/",
    "time/",
    "time/?format=csv",
    "raf/",
    "baselines/",
    "costs/",
    "costs/?format=csv",
    "levelling/",
    "risk/",
]


@pytest.mark.parametrize("page", PAGES)
def test_it_serves_each_page_in_a_bounded_number_of_queries(
    small_plan: Any, personas: Any, page: str, django_assert_max_num_queries: Any
) -> None:
    _grow(small_plan, personas, 25)
    client = personas.client(personas.moe)
    client.get(_url(small_plan, page))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(40):
        response = client.get(_url(small_plan, page))
    assert response.status_code == 200


def test_it_shows_the_engines_dates_in_the_gantt_data(small_plan: Any, personas: Any) -> None:
    data = personas.client(personas.reader).get(_url(small_plan, "gantt/data/")).json()
    bars = {bar["id"]: bar for bar in data["tasks"]}
    for task in Task.objects.filter(project=small_plan.project):
        bar = bars[str(task.pk)]
        assert (bar["start"], bar["end"]) == (task.early_start.isoformat(), task.early_finish.isoformat())
        assert bar["critical"] == task.is_critical
    assert bars[str(small_plan.tasks["C"].pk)]["dependencies"] == str(small_plan.tasks["B"].pk)
    assert bars[f"lot-{small_plan.lot_a.pk}"]["invalid"] is True  # lots are drawn, not dragged


def test_it_escapes_names_that_the_gantt_draws_as_html(small_plan: Any, personas: Any) -> None:
    a = small_plan.tasks["A"]
    services.task_update(actor=personas.moe, task=a, expected_version=a.version, name='<img src=x onerror="alert(1)">')
    data = personas.client(personas.moe).get(_url(small_plan, "gantt/data/")).json()
    name = next(bar["name"] for bar in data["tasks"] if bar["id"] == str(a.pk))
    assert "<img" not in name
    assert "&lt;img" in name


def test_it_moves_a_task_from_the_gantt_and_undoes_it(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.moe)
    b = small_plan.tasks["B"]
    c_before = small_plan.tasks["C"].early_start.isoformat()
    response = client.post(
        _url(small_plan, "gantt/move/"),
        json.dumps({"task": b.pk, "start": "2026-07-20", "end": "2026-08-03", "version": b.version}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert {m["code"] for m in body["moved"]} >= {"B", "C"}
    bars = {bar["id"]: bar for bar in body["plan"]["tasks"]}
    assert bars[str(b.pk)]["start"] == "2026-07-20"
    assert bars[str(small_plan.tasks["C"].pk)]["start"] > c_before
    undo = client.post(_url(small_plan, "gantt/restore/"), json.dumps(body["undo"]), content_type="application/json")
    assert undo.status_code == 200
    bars = {bar["id"]: bar for bar in undo.json()["plan"]["tasks"]}
    assert bars[str(small_plan.tasks["C"].pk)]["start"] == c_before


def test_it_refuses_an_impossible_drag_with_the_reason(small_plan: Any, personas: Any) -> None:
    b = small_plan.tasks["B"]
    response = personas.client(personas.moe).post(
        _url(small_plan, "gantt/move/"),
        json.dumps({"task": b.pk, "start": "2026-07-06", "end": "2026-07-17", "version": b.version}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["refused"] == "refused"
    assert "Spécifications" in response.json()["detail"]
    stale = personas.client(personas.moe).post(
        _url(small_plan, "gantt/move/"),
        json.dumps({"task": b.pk, "start": "2026-07-20", "end": "2026-08-03", "version": b.version + 5}),
        content_type="application/json",
    )
    assert stale.json()["refused"] == "stale"


def test_it_resizes_a_task_from_the_gantt(small_plan: Any, personas: Any) -> None:
    b = small_plan.tasks["B"]
    response = personas.client(personas.moe).post(
        _url(small_plan, "gantt/move/"),
        json.dumps({"task": b.pk, "start": b.early_start.isoformat(), "end": "2026-07-31", "version": b.version}),
        content_type="application/json",
    )
    assert response.status_code == 200
    b.refresh_from_db()
    assert b.duration == 14  # 13 to 31 July, Bastille Day excluded
    assert b.constraint_type == "ASAP"


def test_it_edits_a_task_row_in_place(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.moe)
    a = small_plan.tasks["A"]
    prefix = f"t{a.pk}"
    form = client.get(_url(small_plan, f"tasks/{a.pk}/row/edit/"))
    assert f'name="{prefix}-duration"' in form.content.decode()
    data = {
        f"{prefix}-{k}": v
        for k, v in {
            "version": a.version,
            "name": "Specs",
            "duration": 7,
            "effort": "10",
            "constraint_type": "ASAP",
        }.items()
    }
    saved = client.post(_url(small_plan, f"tasks/{a.pk}/row/edit/"), data)
    assert saved.status_code == 200
    assert "Specs" in saved.content.decode()
    a.refresh_from_db()
    assert (a.duration, a.early_finish) == (7, dt.date(2026, 7, 15))  # the 14th is a holiday
    data[f"{prefix}-duration"] = "0"
    data[f"{prefix}-version"] = str(a.version)
    refused = client.post(_url(small_plan, f"tasks/{a.pk}/row/edit/"), data)
    assert refused.status_code == 422
    assert "jalon" in refused.content.decode()


def test_it_saves_the_timesheet_grid_and_shows_errors_in_place(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.contributor)
    week = START + dt.timedelta(days=7)
    b = small_plan.tasks["B"]
    page = client.get(_url(small_plan, f"timesheet/?week={week.isoformat()}"))
    assert f'name="cell-{b.pk}-{week.isoformat()}"' in page.content.decode()
    bad = client.post(
        _url(small_plan, "timesheet/"),
        {
            "week": week.isoformat(),
            f"cell-{b.pk}-{week.isoformat()}": "1",
            f"cell-{b.pk}-{(week + dt.timedelta(days=1)).isoformat()}": "1",
        },
    )
    assert bad.status_code == 422
    assert "férié" in bad.content.decode()
    assert not TimeEntry.objects.exists()
    good = client.post(
        _url(small_plan, "timesheet/"), {"week": week.isoformat(), f"cell-{b.pk}-{week.isoformat()}": "0,5"}
    )
    assert good.status_code == 302
    assert TimeEntry.objects.get().effort == Decimal("0.5")


def test_it_exports_the_plan_in_three_formats(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.reader)
    xml = client.get(_url(small_plan, "export/mspdi/"))
    assert xml["Content-Type"] == "application/xml"
    assert b"<Name>Sp\xc3\xa9cifications</Name>" in xml.content
    book = openpyxl.load_workbook(io.BytesIO(client.get(_url(small_plan, "export/xlsx/")).content))
    header = [c.value for c in book.worksheets[0][1]]
    assert "Coût prévu (€)" in header
    # A reader may not see costs: the cost column stays empty.
    costs = [row[header.index("Coût prévu (€)")] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert set(costs) == {None}
    ics = client.get(_url(small_plan, "export/ics/"))
    assert ics.content.startswith(b"BEGIN:VCALENDAR")
    assert client.get(_url(small_plan, "export/pdf/")).status_code == 400


def test_it_imports_a_plan_file_as_a_job(personas: Any) -> None:
    project = personas.project
    project.start_date = dt.date(2026, 3, 2)
    project.save()
    Plan.objects.create(project=project, status_date=dt.date(2026, 2, 27))
    client = personas.client(personas.moe)
    upload = SimpleUploadedFile("sirh.xml", _realistic_file(), content_type="application/xml")
    response = client.post(f"/p/{project.code}/planning/import/", {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get(kind="planning.import", project=project)
    execute_job(job)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    page = client.get(f"/p/{project.code}/planning/import/")
    assert "4 tâches" not in page.content.decode()  # the summary reads lots, tasks, milestones
    assert "Dernier import : 2 lots, 3 tâches, 1 jalon, " in page.content.decode()  # French plurals: 1 jalon
    assert Task.objects.filter(project=project).count() == 4


def test_it_imports_time_entries_from_the_page_with_row_errors(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.moe)
    csv = "date;personne;tâche;charge\n13/07/2026;Alice Dev;B;1\n14/07/2026;Alice Dev;B;1\n"
    response = client.post(_url(small_plan, "time/import/"), {"file": SimpleUploadedFile("t.csv", csv.encode())})
    assert response.status_code == 422
    assert "ligne 3 : Le 14/07/2026 est un jour férié." in response.content.decode()
    assert not TimeEntry.objects.exists()
    bad = "date;personne;tâche;charge\n31/02/2026;Alice Dev;B;1\n"
    response = client.post(_url(small_plan, "time/import/"), {"file": SimpleUploadedFile("t.csv", bad.encode())})
    assert "t.csv, ligne 2, champ « date » : « 31/02/2026 » n&#x27;est pas une date" in response.content.decode()


def test_it_adds_the_schedule_to_the_project_home_page(small_plan: Any, personas: Any) -> None:
    services.baseline_take(actor=personas.moe, project=small_plan.project, name="Référence")
    plan = Plan.objects.get(project=small_plan.project)
    services.plan_update(
        actor=personas.moe, project=small_plan.project, expected_version=plan.version, status_date=dt.date(2026, 7, 17)
    )
    small_plan.refresh()
    home = personas.client(personas.moe).get(f"/p/{small_plan.project.code}/")
    content = home.content.decode()
    assert "Fin prévisionnelle" in content
    assert small_plan.tasks["C"].early_finish.strftime("%d/%m/%Y") in content
    assert "SPI / CPI" in content
    assert "SPI / CPI" not in personas.client(personas.reader).get(f"/p/{small_plan.project.code}/").content.decode()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("plan.exe", "Type de fichier inconnu .exe"), ("gros.xlsx", "Le fichier « gros.xlsx » dépasse 1 Mio.")],
)
def test_the_import_page_refuses_a_file_by_its_name_or_size_before_keeping_it(
    personas: Any, monkeypatch: Any, name: str, expected: str
) -> None:
    from oeuvre.planning import importing

    monkeypatch.setattr(importing, "plan_file_limit", lambda suffix: 1024 * 1024)
    monkeypatch.setattr(importing, "store_private", lambda *a, **k: pytest.fail("the file was kept"))
    upload = SimpleUploadedFile(name, b"PK\x03\x04" + b"0" * (1024 * 1024), content_type="application/octet-stream")
    client = personas.client(personas.moe)
    response = client.post(f"/p/{personas.project.code}/planning/import/", {"file": upload})
    assert response.status_code == 200
    assert expected in response.content.decode().replace("\u00a0", " ")
    assert not Job.objects.filter(kind="planning.import", project=personas.project).exists()
