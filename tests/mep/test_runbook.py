"""The cut-over runbook: planned steps run on the day, who and when, no lost update, the rollback proposed when a
step fails before the point of no return; the rollback plan and the go/no-go criterion resting on it; the CLI, the
API a pipeline reports through, the garantie's days left, and the GTR pause while an incident waits."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.mep import incidents as incident_svc
from oeuvre.mep import runbook as svc
from oeuvre.mep import selectors, services
from oeuvre.mep.models import IncidentPause, ReleaseStatus, RunbookStep
from tests.mep.builders import release


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def _runbook(p: Any) -> tuple[Any, list[RunbookStep]]:
    rel = release(p, "2.0")
    first = svc.runbook_step_create(
        actor=p.moe,
        release=rel,
        title="Stop the batches",
        owner=p.exploitation,
        planned_start=_at("2026-12-12T20:00"),
        planned_minutes=15,
        rollback="Restart the batches",
    )
    second = svc.runbook_step_create(
        actor=p.moe,
        release=rel,
        title="Migrate the database",
        planned_start=_at("2026-12-12T20:15"),
        planned_minutes=60,
        depends_on=[first.pk],
        point_of_no_return=True,
        rollback="Restore the backup",
    )
    third = svc.runbook_step_create(
        actor=p.moe,
        release=rel,
        title="Go/no-go of the night",
        planned_start=_at("2026-12-12T21:15"),
        planned_minutes=15,
        depends_on=[second.pk],
        checkpoint=True,
    )
    return rel, [first, second, third]


def _act(p: Any, step: RunbookStep, action: str, at: str, note: str = "", who: Any = None) -> RunbookStep:
    step.refresh_from_db()
    return svc.runbook_step_act(
        actor=who or p.exploitation, step=step, action=action, expected_version=step.version, note=note, at=_at(at)
    )


def test_it_plans_steps_in_order_with_their_dependencies(personas: Any) -> None:
    rel, steps = _runbook(personas)
    assert [s.position for s in steps] == [1, 2, 3]
    assert steps[1].depends_on == [steps[0].pk]
    with pytest.raises(ValidationFailed) as caught:
        svc.runbook_step_create(actor=personas.moe, release=rel, title="x", depends_on=[999999])
    assert "999999" in str(caught.value.errors["depends_on"])
    with pytest.raises(ValidationFailed) as caught:
        svc.runbook_step_create(actor=personas.moe, release=rel, title="x", planned_minutes=0)
    assert set(caught.value.errors) == {"planned_minutes"}
    with pytest.raises(PermissionDenied):
        svc.runbook_step_create(actor=personas.moa, release=rel, title="x")
    assert RunbookStep.objects.filter(release=rel).count() == 3


def test_it_runs_the_day_with_who_and_when_and_a_failed_step_proposes_the_rollback(personas: Any) -> None:
    rel, (first, second, third) = _runbook(personas)
    with pytest.raises(DomainError, match="waits for step"):
        _act(personas, second, "start", "2026-12-12T20:00")
    with pytest.raises(PermissionDenied):
        _act(personas, first, "start", "2026-12-12T20:00", who=personas.moa)
    _act(personas, first, "start", "2026-12-12T20:05")
    done = _act(personas, first, "done", "2026-12-12T20:25", who=personas.moe)
    assert (done.status, done.started_by, done.finished_by) == ("fait", personas.exploitation, personas.moe)

    _act(personas, second, "start", "2026-12-12T20:25")
    with pytest.raises(ValidationFailed) as caught:
        _act(personas, second, "fail", "2026-12-12T20:40")
    assert set(caught.value.errors) == {"note"}
    _act(personas, second, "fail", "2026-12-12T20:40", note="Lock timeout on the accounts table")

    board = svc.runbook_board(rel, now=_at("2026-12-12T20:45"))
    rows = {r.step.pk: r for r in board.rows}
    assert rows[first.pk].elapsed_minutes == 20
    assert rows[first.pk].overrun is True  # 20 min for 15 planned
    assert rows[first.pk].start_delay_minutes == 5
    assert rows[second.pk].start_delay_minutes == 10
    assert board.propose_rollback is True
    assert [r.step.pk for r in board.failed] == [second.pk]
    assert (board.planned_minutes, board.elapsed_minutes) == (90, 40)

    retried = _act(personas, second, "retry", "2026-12-12T20:50")
    assert (retried.status, retried.failures, retried.finished_at) == ("en_cours", 1, None)
    _act(personas, second, "done", "2026-12-12T21:30")
    _act(personas, third, "skip", "2026-12-12T21:30", note="Decided at the COPIL")
    board = svc.runbook_board(rel, now=_at("2026-12-13T08:00"))
    assert (board.done, board.total, board.no_return_passed, board.propose_rollback) == (3, 3, True, False)
    assert board.elapsed_minutes == 85  # the runbook ended at 21:30: the clock no longer runs
    # History keeps the failure and the retry.
    statuses = list(second.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["a_faire", "en_cours", "echec", "en_cours", "fait"]


def test_two_people_on_the_board_never_overwrite_each_other(personas: Any) -> None:
    _rel, (first, _second, _third) = _runbook(personas)
    seen = first.version  # both boards were drawn at this version
    svc.runbook_step_act(actor=personas.exploitation, step=first, action="start", expected_version=seen)
    with pytest.raises(StaleVersion):
        svc.runbook_step_act(actor=personas.moe, step=first, action="start", expected_version=seen)
    first.refresh_from_db()
    assert first.started_by == personas.exploitation


def test_the_rollback_plan_is_required_before_attesting_it(personas: Any) -> None:
    rel = release(personas, "2.0")
    with pytest.raises(ValidationFailed) as caught:
        services.readiness_attest(
            actor=personas.exploitation, release=rel, item="rollback_plan", done=True, evidence="approved"
        )
    assert set(caught.value.errors) == {"item"}
    plan = svc.rollback_plan_save(
        actor=personas.moe,
        release=rel,
        expected_version=None,
        steps="Restore the backup\n\nSwitch the DNS back",
        decision_criterion="Portal down at H+2",
        max_minutes="90",
    )
    assert plan.step_lines == ["Restore the backup", "Switch the DNS back"]
    with pytest.raises(ValidationFailed) as caught:
        svc.rollback_plan_save(actor=personas.moe, release=rel, expected_version=plan.version, max_minutes="soon")
    assert set(caught.value.errors) == {"max_minutes"}
    with pytest.raises(StaleVersion):
        svc.rollback_plan_save(actor=personas.moe, release=rel, expected_version=plan.version + 5, max_minutes=60)
    with pytest.raises(PermissionDenied):
        svc.rollback_plan_save(actor=personas.moa, release=rel, expected_version=None, max_minutes=60)
    with pytest.raises(ValidationFailed) as caught:  # neither tested nor approved
        services.readiness_attest(
            actor=personas.exploitation, release=rel, item="rollback_plan", done=True, evidence="approved"
        )
    assert "approved" in caught.value.errors["item"][0]
    plan = svc.rollback_plan_save(
        actor=personas.moe, release=rel, expected_version=None, tested_on=dt.date(2026, 11, 2), test_result="OK"
    )
    with pytest.raises(PermissionDenied):  # the buyer approves, not the contractor
        svc.rollback_plan_approve(actor=personas.moe, release=rel, expected_version=plan.version)
    plan = svc.rollback_plan_approve(actor=personas.moa, release=rel, expected_version=plan.version)
    assert plan.approved_by == personas.moa
    # A change after the approval withdraws it; saving the same text again keeps it.
    plan = svc.rollback_plan_save(actor=personas.moe, release=rel, expected_version=None, max_minutes=90)
    assert plan.approved_at is not None
    plan = svc.rollback_plan_save(actor=personas.moe, release=rel, expected_version=None, max_minutes=120)
    assert plan.approved_at is None
    svc.rollback_plan_approve(actor=personas.moa, release=rel, expected_version=plan.version)
    check = services.readiness_attest(
        actor=personas.exploitation, release=rel, item="rollback_plan", done=True, evidence="approved"
    )
    assert check.done


def test_the_cli_prints_the_runbook_as_json_and_the_releases_with_their_garantie(personas: Any) -> None:
    rel, (first, _second, _third) = _runbook(personas)
    _act(personas, first, "start", "2026-12-12T20:05")
    out = io.StringIO()
    call_command("mep", "runbook", "--project", "alpha", "--release", "2.0", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["release"], data["total"], data["done"], data["rollback_plan"]) == ("2.0", 3, 0, None)
    step = data["steps"][0]
    assert (step["title"], step["status"], step["started_by"], step["owner"]) == (
        "Stop the batches",
        "en_cours",
        "exploitation",
        "exploitation",
    )
    assert step["started_at"].startswith("2026-12-12T")
    out = io.StringIO()
    call_command("mep", "runbook", "--project", "alpha", "--release", "2.0", stdout=out)
    assert "Stop the batches" in out.getvalue()

    services.release_update(
        actor=personas.moe,
        release=rel,
        expected_version=None,
        status=ReleaseStatus.EN_PRODUCTION,
        actual_date=timezone.localdate() - dt.timedelta(days=65),
    )
    out = io.StringIO()
    call_command("mep", "releases", "--project", "alpha", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    # No admission recorded by the recette stage: twelve months from the go-live (CCAG-TIC art. 36).
    assert row["garantie"]["source"] == "go_live"
    assert 295 <= row["garantie"]["days_left"] <= 301


def test_a_pipeline_reports_steps_through_the_api(personas: Any) -> None:
    rel, (_first, second, _third) = _runbook(personas)
    _token, raw = token_create(user=personas.exploitation, name="pipeline")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/alpha/mep/releases/{rel.pk}/runbook"
    board = client.get(base).json()
    step = board["steps"][0]
    url = f"{base}/steps/{step['id']}/act"
    refused = client.post(url, {"action": "start"}, content_type="application/json")
    assert refused.status_code == 428  # If-Match is required
    started = client.post(
        url, {"action": "start"}, content_type="application/json", headers={"If-Match": f'"{step["version"]}"'}
    )
    assert started.status_code == 200
    assert started.json()["status"] == "en_cours"
    stale = client.post(
        url, {"action": "done"}, content_type="application/json", headers={"If-Match": f'"{step["version"]}"'}
    )
    assert stale.status_code in (409, 412)
    done = client.post(url, {"action": "done"}, content_type="application/json", headers={"If-Match": started["ETag"]})
    assert done.status_code == 200
    assert done.json()["finished_by"] == "exploitation"
    wrong = client.post(
        f"{base}/steps/{second.pk}/act",
        {"action": "done"},
        content_type="application/json",
        headers={"If-Match": f'"{second.version}"'},
    )
    assert wrong.status_code == 409  # still to do: it cannot be done before it starts


def test_the_gtr_stands_still_while_the_incident_waits_on_the_client(personas: Any) -> None:
    incident = incident_svc.incident_create(
        actor=personas.moa,
        project=personas.project,
        title="Export refused",
        impact=5,
        urgency=5,  # P1: 30 min to take charge, 4 h to restore
        opened_at=_at("2026-12-08T09:00"),
    )
    moves = [("take", "2026-12-08T09:10"), ("wait", "2026-12-08T10:00"), ("take", "2026-12-08T15:00")]
    for action, at in moves:
        incident = incident_svc.incident_transition(
            actor=personas.exploitation, incident=incident, action=action, expected_version=None, at=_at(at)
        )
    waiting = incident_svc.incident_transition(
        actor=personas.exploitation, incident=incident, action="wait", expected_version=None, at=_at("2026-12-08T16:30")
    )
    page = personas.client(personas.exploitation).get("/p/alpha/mep/incidents/")
    assert f'id="gtr-paused-{waiting.pk}"'.encode() in page.content
    incident = incident_svc.incident_transition(
        actor=personas.exploitation, incident=waiting, action="take", expected_version=None, at=_at("2026-12-08T16:30")
    )
    pause = IncidentPause.objects.get(incident=incident, started_at=_at("2026-12-08T10:00"))
    assert (pause.started_at, pause.ended_at) == (_at("2026-12-08T10:00"), _at("2026-12-08T15:00"))
    (row,) = incident_svc.incidents_board(personas.project, now=_at("2026-12-08T16:00"))
    # 1 h ran before the wait, 1 h since: 2 h left of 4, the deadline moved by the 5 h of waiting.
    assert row.restore.deadline == _at("2026-12-08T18:00")
    assert not row.restore.breached
    assert row.restore.remaining == dt.timedelta(hours=2)


def test_the_release_page_shows_the_garantie_and_the_runbook_page_the_board(personas: Any) -> None:
    rel, (first, _second, _third) = _runbook(personas)
    services.release_update(
        actor=personas.moe,
        release=rel,
        expected_version=None,
        status=ReleaseStatus.EN_PRODUCTION,
        actual_date=timezone.localdate() - dt.timedelta(days=10),
    )
    client = personas.client(personas.exploitation)
    page = client.get(f"/p/alpha/mep/releases/{rel.pk}/")
    assert page.status_code == 200
    assert b'id="garantie"' in page.content
    board = client.get(f"/p/alpha/mep/releases/{rel.pk}/runbook/")
    assert board.status_code == 200
    assert b"Stop the batches" in board.content
    partial = client.get(f"/p/alpha/mep/releases/{rel.pk}/runbook/", headers={"HX-Request": "true"})
    assert partial.content.lstrip().startswith(b'<section id="runbook-board"')
    posted = client.post(
        f"/p/alpha/mep/releases/{rel.pk}/runbook/steps/{first.pk}/act/",
        {"action": "start", "version": str(first.version)},
        headers={"HX-Request": "true"},
    )
    assert posted.status_code == 200
    assert b'data-status="en_cours"' in posted.content
    stale = client.post(
        f"/p/alpha/mep/releases/{rel.pk}/runbook/steps/{first.pk}/act/",
        {"action": "done", "version": str(first.version)},
        headers={"HX-Request": "true"},
    )
    assert b'id="board-error"' in stale.content
    rel.refresh_from_db()
    assert selectors.garantie_for(personas.project, [rel])[rel.pk].days_left > 300
