"""The planning API (ETag/If-Match, errors, the calendar feed) and the CLI commands."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.planning.models import Plan, Task, TimeEntry
from tests.planning.test_mspdi import _realistic_file

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    _token, raw = token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_it_creates_and_updates_tasks_with_etags(small_plan: Any, personas: Any) -> None:
    client = _api(personas.moe)
    base = f"/api/projects/{small_plan.project.code}/planning"
    created = client.post(
        f"{base}/tasks",
        json.dumps({"lot_id": small_plan.lot_b.pk, "name": "Recette", "duration": 4, "effort": "4"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["code"] == "T-001"
    assert task["early_start"] == "2026-07-06"  # scheduled on creation
    etag = created["ETag"]
    url = f"{base}/tasks/{task['id']}"
    missing = client.patch(url, json.dumps({"duration": 5}), content_type="application/json")
    assert missing.status_code == 428
    ok = client.patch(url, json.dumps({"duration": 5}), content_type="application/json", headers={"If-Match": etag})
    assert ok.status_code == 200
    assert ok.json()["early_finish"] == "2026-07-10"  # Monday 6 to Friday 10 July
    stale = client.patch(url, json.dumps({"duration": 6}), content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412


def test_it_refuses_a_loop_and_an_impossible_move_with_the_reason(small_plan: Any, personas: Any) -> None:
    client = _api(personas.moe)
    base = f"/api/projects/{small_plan.project.code}/planning"
    t = small_plan.tasks
    loop = client.post(
        f"{base}/dependencies",
        json.dumps({"predecessor_id": t["M"].pk, "successor_id": t["A"].pk}),
        content_type="application/json",
    )
    assert loop.status_code == 409
    detail = loop.json()["detail"]
    assert "A →" in detail
    assert "M →" in detail
    move = client.post(
        f"{base}/tasks/{t['C'].pk}/move",
        json.dumps({"start": "2026-07-13"}),
        content_type="application/json",
        headers={"If-Match": t["C"].etag},
    )
    assert move.status_code == 409
    assert "B « Développement »" in move.json()["detail"]


def test_it_hides_day_rates_from_roles_that_may_not_see_costs(small_plan: Any, personas: Any) -> None:
    base = f"/api/projects/{small_plan.project.code}/planning"
    rates = {r["name"]: r["tjm"] for r in _api(personas.moe).get(f"{base}/resources").json()}
    assert rates == {"Alice Dev": "600.00", "Paul Chef": "900.00"}
    hidden = {r["name"]: r["tjm"] for r in _api(personas.reader).get(f"{base}/resources").json()}
    assert set(hidden.values()) == {None}
    assert _api(personas.reader).get(f"{base}/costs").status_code == 403


def test_it_serves_the_milestone_feed_to_a_calendar_with_a_token(small_plan: Any, personas: Any) -> None:
    _token, raw = token_create(user=personas.reader, name="agenda")
    url = f"/api/projects/{small_plan.project.code}/planning/milestones.ics"
    feed = Client().get(url, {"token": raw})
    assert feed.status_code == 200
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [f"{small_plan.project.code} · M Livraison"]
    assert Client().get(url, {"token": "oeu_wrong"}).status_code == 401
    assert Client().get(url, {"token": token_create(user=personas.outsider, name="x")[1]}).status_code == 404


def test_it_imports_time_entries_and_reports_rows(small_plan: Any, personas: Any) -> None:
    client = _api(personas.moe)
    url = f"/api/projects/{small_plan.project.code}/planning/time-entries/import"
    bad = client.post(
        url, json.dumps({"csv": "date;personne;tâche;charge\n31/02/2026;x;B;1\n"}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "row 2, date"
    good = client.post(
        url,
        json.dumps({"csv": "date;personne;tâche;charge\n13/07/2026;Alice Dev;B;1\n"}),
        content_type="application/json",
    )
    assert good.status_code == 200
    assert good.json()["saved"] == 1


def test_it_imports_a_plan_through_the_api_as_a_job(personas: Any) -> None:
    project = personas.project
    project.start_date = dt.date(2026, 3, 2)
    project.save()
    client = _api(personas.moe)
    content = base64.b64encode(_realistic_file()).decode()
    response = client.post(
        f"/api/projects/{project.code}/planning/import",
        json.dumps({"filename": "sirh.xml", "content_base64": content}),
        content_type="application/json",
    )
    assert response.status_code == 202
    job = execute_job(Job.objects.get(pk=response.json()["id"]))
    assert job.result["tasks"] == 3
    status = client.get(f"/api/jobs/{job.pk}").json()
    assert status["status"] == "done"


# --- CLI ----------------------------------------------------------------------------------------------


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_imports_schedules_and_exports_from_the_command_line(
    personas: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    project = personas.project
    project.start_date = dt.date(2026, 3, 2)
    project.delivery_date = dt.date(2026, 6, 30)
    project.save()
    Plan.objects.create(project=project, status_date=dt.date(2026, 2, 27))
    source = tmp_path / "sirh.xml"
    source.write_bytes(_realistic_file())
    out = _cli("plan", "import", str(source), "--project", project.code, "--as", personas.moe.username)
    assert "2 lots, 3 tasks, 1 milestone, " in out
    assert "Finish: 2026-" in out
    monkeypatch.setenv("LANGUAGE", "fr")
    out = _cli("plan", "import", str(source), "--project", project.code, "--replace", "--user", personas.moe.username)
    assert "Importé : 2 lots, 3 tâches, 1 jalon, " in out
    assert "Fin : 2026-" in out
    assert "Chemin critique (" in out
    monkeypatch.setenv("LANGUAGE", "en")
    out = _cli("plan", "schedule", "--project", project.code, "--risk", "500", "--user", "moe")
    assert "Critical path" in out
    assert "P80:" in out
    assert "Livraison: P50" in out
    for fmt, suffix in (("mspdi", "xml"), ("xlsx", "xlsx"), ("ics", "ics")):
        target = tmp_path / f"plan.{suffix}"
        _cli("plan", "export", "--project", project.code, "--format", fmt, "-o", str(target), "--user", "reader")
        assert target.stat().st_size > 100
    with pytest.raises(CommandError, match=r"rôle|role"):
        _cli("plan", "schedule", "--project", project.code, "--user", "reader")


def test_it_levels_from_the_command_line(small_plan: Any, personas: Any) -> None:
    out = _cli(
        "plan", "schedule", "--project", small_plan.project.code, "--level", "--time-limit", "2", "--user", "moe"
    )
    assert "Levelling (" in out
    assert Task.objects.filter(project=small_plan.project, levelling_start__isnull=False).exists()


def test_it_imports_time_from_a_csv_file(small_plan: Any, personas: Any, tmp_path: Path) -> None:
    source = tmp_path / "temps.csv"
    source.write_text(
        f"projet;date;personne;tâche;charge\n{small_plan.project.code};13/07/2026;Alice Dev;B;1\n", encoding="utf-8"
    )
    out = _cli("time", "import", str(source), "--user", "moe")
    assert "Imported 1 time entries" in out
    assert TimeEntry.objects.count() == 1
    source.write_text("date;personne;tâche;charge\n13/07/2026;Alice Dev;B;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="give --project"):
        _cli("time", "import", str(source))


def test_it_takes_one_user_option_and_never_falls_back_to_an_administrator(
    small_plan: Any, personas: Any, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """Through the real entry point: writing commands need --user (or OEUVRE_USER); export only reads."""
    from django.db import connections

    from oeuvre.cli import main

    # Django's run_from_argv closes every connection when a command ends; inside the test's
    # transaction on PostgreSQL that would leave the next command a closed connection.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.delenv("OEUVRE_USER", raising=False)
    code = small_plan.project.code
    with pytest.raises(SystemExit) as exited:
        main(["plan", "schedule", "--project", code])
    assert exited.value.code == 1
    assert "--user" in capsys.readouterr().err
    target = tmp_path / "plan.xml"
    assert main(["plan", "export", "--project", code, "--format", "mspdi", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"<?xml")
    monkeypatch.setenv("OEUVRE_USER", "moe")
    assert main(["plan", "schedule", "--project", code]) == 0
    assert main(["plan", "schedule", "--project", code, "--as", "moe"]) == 0, "--as stays as a deprecated alias"
    personas.moe.is_active = False
    personas.moe.save()
    with pytest.raises(SystemExit):
        main(["plan", "schedule", "--project", code, "--user", "moe"])
    assert "moe" in capsys.readouterr().err
