"""The dry run (run à blanc) of a runbook: recorded step by step on the same live board as the cut-over, then
compared with the plan and the cut-over (drift per step, total elapsed, late steps), on the page, in the API and
in the CLI; its result is the evidence of the go/no-go's « dry run done » criterion."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.mep import runbook as svc
from oeuvre.mep import selectors
from oeuvre.mep.models import DryRunStep, RunbookStep
from tests.mep.test_runbook import _at, _runbook


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _dry(p: Any, step: RunbookStep, action: str, at: str, note: str = "", who: Any = None) -> DryRunStep:
    row = DryRunStep.objects.filter(step=step).first()
    record = svc.runbook_step_act(
        actor=who or p.exploitation,
        step=step,
        action=action,
        expected_version=row.version if row else 0,
        note=note,
        at=_at(at),
        run="dry",
    )
    assert isinstance(record, DryRunStep)
    return record


def _cut(p: Any, step: RunbookStep, action: str, at: str) -> None:
    step.refresh_from_db()
    svc.runbook_step_act(actor=p.moe, step=step, action=action, expected_version=step.version, at=_at(at))


def _both_runs(p: Any) -> tuple[Any, list[RunbookStep]]:
    """Plan 90 min (15 + 60 + 15). Dry run on 2026-12-01: 15, then 85 (+25, late), the third skipped.
    Cut-over on 2026-12-12: 20 (+5), 65 (+5), 20 (+5): none late at 10 min of tolerance."""
    rel, steps = _runbook(p)
    first, second, third = steps
    _dry(p, first, "start", "2026-12-01T20:00")
    _dry(p, first, "done", "2026-12-01T20:15", who=p.moe)
    _dry(p, second, "start", "2026-12-01T20:15")
    _dry(p, second, "done", "2026-12-01T21:40")
    _dry(p, third, "skip", "2026-12-01T21:40", note="Nobody from the MOA in staging")
    for step, start, end in ((first, "20:05", "20:25"), (second, "20:25", "21:30"), (third, "21:30", "21:50")):
        _cut(p, step, "start", f"2026-12-12T{start}")
        _cut(p, step, "done", f"2026-12-12T{end}")
    return rel, steps


def test_the_dry_run_is_compared_with_the_plan_and_the_cut_over(personas: Any) -> None:
    rel, (first, _second, third) = _both_runs(personas)
    c = svc.runbook_comparison(rel, now=_at("2026-12-13T08:00"))
    assert c.planned_minutes == 90
    figures = [
        (r.dry_minutes, r.dry_drift, r.dry_late, r.cutover_minutes, r.cutover_drift, r.cutover_late) for r in c.rows
    ]
    assert figures == [
        (15, 0, False, 20, 5, False),
        (85, 25, True, 65, 5, False),
        (None, None, False, 20, 5, False),  # skipped in the dry run: no duration, not late
    ]
    assert (c.dry.finished, c.dry.elapsed_minutes, c.dry.late, c.dry.done) == (True, 100, 1, 3)
    assert (c.cutover.finished, c.cutover.elapsed_minutes, c.cutover.late) == (True, 105, 0)
    assert c.dry.started_at == _at("2026-12-01T20:00")
    # A tighter tolerance makes every overrun late.
    tight = svc.runbook_comparison(rel, tolerance=4)
    assert (tight.dry.late, tight.cutover.late) == (1, 3)
    with pytest.raises(ValidationFailed):
        svc.runbook_comparison(rel, tolerance=-1)
    # The two runs keep their own actuals: the plan's step holds the cut-over, its dry-run row the rehearsal.
    first.refresh_from_db()
    assert (first.started_at, first.started_by) == (_at("2026-12-12T20:05"), personas.moe)
    dry = DryRunStep.objects.get(step=first)
    assert (dry.started_by, dry.finished_by) == (personas.exploitation, personas.moe)
    assert DryRunStep.objects.get(step=third).note == "Nobody from the MOA in staging"


def test_the_dry_run_board_times_steps_against_the_plan_moved_to_its_day(personas: Any) -> None:
    rel, (first, second, _third) = _runbook(personas)
    with pytest.raises(DomainError, match="waits for step"):
        _dry(personas, second, "start", "2026-12-01T20:00")
    _dry(personas, first, "start", "2026-12-01T20:00")
    _dry(personas, first, "done", "2026-12-01T20:20")
    _dry(personas, second, "start", "2026-12-01T20:30")
    board = svc.runbook_board(rel, run="dry", now=_at("2026-12-01T20:40"))
    rows = {r.step.pk: r for r in board.rows}
    # The plan starts at 20:00 on the 12th; the dry run started at 20:00 on the 1st: the step 2 planned at 20:15.
    assert rows[second.pk].start_delay_minutes == 15
    assert (rows[first.pk].elapsed_minutes, rows[first.pk].overrun) == (20, True)
    assert (board.run, board.done, board.elapsed_minutes) == ("dry", 1, 40)
    assert board.as_dict()["steps"][1]["status"] == "en_cours"
    # The cut-over board is untouched by the rehearsal.
    cutover = svc.runbook_board(rel, now=_at("2026-12-01T20:40"))
    assert {r.rec.status for r in cutover.rows} == {"a_faire"}
    assert cutover.elapsed_minutes is None
    with pytest.raises(ValidationFailed):
        svc.runbook_board(rel, run="rehearsal")


def test_two_people_on_the_dry_run_board_never_overwrite_each_other(personas: Any) -> None:
    _rel, (first, _second, _third) = _runbook(personas)
    # Both boards were drawn before anyone acted in the dry run (version 0: no row yet).
    svc.runbook_step_act(actor=personas.exploitation, step=first, action="start", expected_version=0, run="dry")
    with pytest.raises(StaleVersion):
        svc.runbook_step_act(actor=personas.moe, step=first, action="start", expected_version=0, run="dry")
    seen = DryRunStep.objects.get(step=first).version
    svc.runbook_step_act(actor=personas.moe, step=first, action="done", expected_version=seen, run="dry")
    with pytest.raises(StaleVersion):
        svc.runbook_step_act(
            actor=personas.exploitation, step=first, action="fail", expected_version=seen, note="x", run="dry"
        )
    row = DryRunStep.objects.get(step=first)
    assert (row.status, row.started_by, row.finished_by) == ("fait", personas.exploitation, personas.moe)
    assert list(row.history.order_by("history_date").values_list("status", flat=True)) == [
        "a_faire",
        "en_cours",
        "fait",
    ]


@pytest.mark.parametrize(
    ("role", "allowed"), [("exploitation", True), ("moe", True), ("reader", False), ("moa", False)]
)
def test_exploitation_and_the_moe_run_the_dry_run_a_reader_does_not(personas: Any, role: str, allowed: bool) -> None:
    _rel, (first, _second, _third) = _runbook(personas)
    user = getattr(personas, role)
    if allowed:
        svc.runbook_step_act(actor=user, step=first, action="start", expected_version=0, run="dry")
        assert DryRunStep.objects.get(step=first).started_by == user
    else:
        with pytest.raises(PermissionDenied):
            svc.runbook_step_act(actor=user, step=first, action="start", expected_version=0, run="dry")
        assert not DryRunStep.objects.filter(step=first).exists()


def test_the_dry_run_board_and_the_comparison_read_in_a_few_queries(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    rel, _steps = _both_runs(personas)
    for i in range(6):  # more steps must not mean more queries
        svc.runbook_step_create(actor=personas.moe, release=rel, title=f"Check {i}", planned_minutes=5)
    with django_assert_max_num_queries(2):  # the steps with their dry-run rows and people; the rollback plan
        board = svc.runbook_board(rel, run="dry")
        assert [r.rec.started_by for r in board.rows][:1] == [personas.exploitation]
    with django_assert_max_num_queries(1):
        compared = svc.runbook_comparison(rel)
        assert len(compared.rows) == 9


def test_the_go_no_go_takes_its_dry_run_evidence_from_the_runbook(personas: Any) -> None:
    from oeuvre.mep import services

    rel, (first, _second, _third) = _runbook(personas)
    _dry(personas, first, "start", "2026-12-01T20:00")

    def evidence() -> tuple[bool, str]:
        found = next(c for c in selectors.gonogo_for(rel).criteria if c.code == "dry_run")
        return found.met, found.evidence

    met, text = evidence()
    assert not met
    assert "No finished dry run on the runbook (0 of 3 steps)." in text
    rel, _steps = _both_runs_after(personas, rel)
    services.readiness_attest(
        actor=personas.exploitation, release=rel, item="dry_run", done=True, evidence="Report filed"
    )
    met, text = evidence()
    assert met  # still attested by a person
    assert text.endswith("Report filed Dry run on 01/12: 1 h 40 for 1 h 30 planned, 1 step late.")
    with translation.override("fr"):
        _met, text = evidence()
    assert "Run à blanc le 01/12\u00a0: 1\u00a0h\u00a040 pour 1\u00a0h\u00a030 prévues, 1\u00a0étape en retard." in text


def _both_runs_after(p: Any, rel: Any) -> tuple[Any, list[RunbookStep]]:
    first, second, third = list(RunbookStep.objects.filter(release=rel).order_by("position"))
    _dry(p, first, "done", "2026-12-01T20:15")
    _dry(p, second, "start", "2026-12-01T20:15")
    _dry(p, second, "done", "2026-12-01T21:40")
    _dry(p, third, "skip", "2026-12-01T21:40", note="No MOA in staging")
    return rel, [first, second, third]


def test_the_dry_run_through_the_api_and_the_cli(personas: Any) -> None:
    rel, (first, _second, _third) = _runbook(personas)
    _token, raw = token_create(user=personas.exploitation, name="pipeline")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/alpha/mep/releases/{rel.pk}/runbook"
    board = client.get(f"{base}?run=dry").json()
    assert (board["run"], board["steps"][0]["version"], board["steps"][0]["status"]) == ("dry", 0, "a_faire")
    url = f"{base}/steps/{first.pk}/act"
    started = client.post(
        url, {"action": "start", "run": "dry"}, content_type="application/json", headers={"If-Match": '"0"'}
    )
    assert started.status_code == 200
    assert (started.json()["status"], started.json()["id"]) == ("en_cours", first.pk)
    again = client.post(
        url, {"action": "start", "run": "dry"}, content_type="application/json", headers={"If-Match": '"0"'}
    )
    assert again.status_code in (409, 412)
    done = client.post(
        url, {"action": "done", "run": "dry"}, content_type="application/json", headers={"If-Match": started["ETag"]}
    )
    assert done.status_code == 200
    assert client.get(base).json()["steps"][0]["status"] == "a_faire"  # the cut-over has not begun
    compared = client.get(f"{base}/comparison?tolerance=0").json()
    assert compared["steps"][0]["dry_minutes"] is not None
    assert compared["steps"][0]["cutover_minutes"] is None
    assert compared["dry"]["done"] == 1
    assert client.get(f"{base}?run=nope").status_code == 422

    out = io.StringIO()
    call_command("mep", "runbook", "--project", "alpha", "--release", "2.0", "--run", "dry", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["run"], data["steps"][0]["status"], data["comparison"]["planned_minutes"]) == ("dry", "fait", 90)
    out = io.StringIO()
    call_command("mep", "runbook", "--project", "alpha", "--release", "2.0", "--run", "dry", stdout=out)
    text = out.getvalue()
    # French, the commands' default language.
    assert "Run à blanc de 2.0\u00a0: 1 étape(s) faite(s) ou sautée(s) sur 3" in text
    assert "Durée totale" in text


def test_the_runbook_page_shows_the_dry_run_board_and_the_comparison(personas: Any) -> None:
    rel, (_first, _second, _third) = _both_runs(personas)
    client = personas.client(personas.exploitation)
    page = client.get(f"/p/alpha/mep/releases/{rel.pk}/runbook/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="comparison"' in html
    assert f'id="compare-{_second_pk(rel)}" class="table-warning"' in html  # late in the dry run
    assert 'id="compare-dry-total">100<' in html
    dry = client.get(f"/p/alpha/mep/releases/{rel.pk}/runbook/?run=dry", headers={"HX-Request": "true"})
    assert b'data-run="dry"' in dry.content
    assert b"?run=dry" in dry.content  # the board keeps polling the dry run
    # A fresh release: act in the dry run from the board.
    rel2, (step, _s2, _s3) = _runbook_named(personas, "3.0")
    posted = client.post(
        f"/p/alpha/mep/releases/{rel2.pk}/runbook/steps/{step.pk}/act/",
        {"action": "start", "version": "0", "run": "dry"},
        headers={"HX-Request": "true"},
    )
    assert posted.status_code == 200
    assert b'data-run="dry"' in posted.content
    assert f'id="step-{step.pk}" data-status="en_cours"'.encode() in posted.content.replace(
        b'class="list-group-item d-flex gap-2 align-items-start list-group-item-info" ', b""
    )
    step.refresh_from_db()
    assert step.status == "a_faire"
    reader = personas.client(personas.reader)
    refused = reader.post(
        f"/p/alpha/mep/releases/{rel2.pk}/runbook/steps/{step.pk}/act/",
        {"action": "done", "version": "1", "run": "dry"},
    )
    assert refused.status_code == 403


def _second_pk(rel: Any) -> int:
    return RunbookStep.objects.get(release=rel, position=2).pk


def _runbook_named(p: Any, number: str) -> tuple[Any, list[RunbookStep]]:
    from tests.mep.builders import release

    rel = release(p, number)
    first = svc.runbook_step_create(actor=p.moe, release=rel, title="Stop", planned_minutes=10)
    second = svc.runbook_step_create(actor=p.moe, release=rel, title="Go", depends_on=[first.pk])
    third = svc.runbook_step_create(actor=p.moe, release=rel, title="Open", depends_on=[second.pk])
    return rel, [first, second, third]
