"""Monte Carlo with and without the open risks of the register that carry a schedule impact."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

from oeuvre.pilotage.models import RiskStatus
from oeuvre.pilotage.selectors.risks import schedule_risk_analysis, schedule_risk_events
from oeuvre.pilotage.services.risks import risk_create, risk_transition


def _risk(personas: Any, scope: str, days: float, chance: int | None = 100, **data: Any) -> Any:
    return risk_create(
        actor=personas.moe,
        project=personas.project,
        data={
            "title": f"Retard sur {scope}",
            "probability": 3,
            "impact": 3,
            "schedule_days_min": days,
            "schedule_days_likely": days,
            "schedule_days_max": days,
            "schedule_scope": scope,
            "schedule_probability": chance,
            **data,
        },
    )


def test_it_moves_the_p80_by_exactly_a_certain_delay_on_a_critical_task(personas: Any, small_plan: Any) -> None:
    _risk(personas, "B", 10)
    result = schedule_risk_analysis(personas.project, iterations=500)
    assert result is not None
    assert result["p80_shift_days"] == 10.0
    assert result["with_risks"]["P80_index"] - result["without_risks"]["P80_index"] == pytest.approx(10.0)
    assert result["with_risks"]["P80"] > result["without_risks"]["P80"]
    assert [(c["key"], c["p80_shift_days"]) for c in result["contributions"]] == [("RSK-001", 10.0)]
    (milestone,) = result["milestones"]
    assert milestone["code"] == "M"
    assert milestone["with_risks"]["P80"] == result["with_risks"]["P80"]
    assert milestone["without_risks"]["P80"] == result["without_risks"]["P80"]


def test_it_moves_nothing_for_a_risk_on_a_task_with_large_float(personas: Any, small_plan: Any) -> None:
    _risk(personas, "D", 5)  # Documentation (3 d) runs beside Build and Tests (15 d)
    result = schedule_risk_analysis(personas.project, iterations=500)
    assert result is not None
    assert result["p80_shift_days"] == 0.0
    assert result["with_risks"] == result["without_risks"]
    assert result["contributions"][0]["p80_shift_days"] == 0.0


def test_it_ignores_closed_risks_and_risks_with_no_chance(personas: Any, small_plan: Any) -> None:
    closed = _risk(personas, "B", 10)
    risk_transition(actor=personas.moe, risk=closed, status=RiskStatus.CLOS, expected_version=closed.version)
    _risk(personas, "C", 10, chance=0)
    risks, events, _missing = schedule_risk_events(personas.project)
    assert [r.reference for r in risks] == ["RSK-002"]
    assert events[0].probability == 0.0
    result = schedule_risk_analysis(personas.project, iterations=500)
    assert result is not None
    assert result["p80_shift_days"] == 0.0
    assert result["contributions"][0]["key"] == "RSK-002"
    assert result["contributions"][0]["p80_shift_days"] == 0.0


def test_it_adds_up_each_risks_own_contribution(personas: Any, small_plan: Any) -> None:
    _risk(personas, "A", 4)
    _risk(personas, "L2 — Réalisation", 2)  # the lot: B, C and D each take two more days, B and C in a row
    _risk(personas, "Z9, D", 1, chance=None, probability=1)
    _risks, events, missing = schedule_risk_events(personas.project)
    assert events[1].task_ids == (
        small_plan.tasks["B"].pk,
        small_plan.tasks["C"].pk,
        small_plan.tasks["D"].pk,
    )
    assert missing == [[], [], ["Z9"]]
    assert events[2].probability == pytest.approx(0.125)  # 1 on a 1–4 scale: the middle of 0–25 %
    result = schedule_risk_analysis(personas.project, iterations=500)
    assert result is not None
    shifts = {c["key"]: c["p80_shift_days"] for c in result["contributions"]}
    assert shifts == {"RSK-001": 4.0, "RSK-002": 4.0, "RSK-003": 0.0}
    assert result["p80_shift_days"] == 8.0
    assert result["contributions"][2]["unknown_codes"] == ["Z9"]


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", ("P80 sans les risques", "P80 avec les risques")), ("en", ("P80 without risks", "P80 with risks"))],
)
def test_it_shows_the_finish_with_and_without_risks(
    personas: Any, small_plan: Any, language: str, words: tuple[str, str]
) -> None:
    _risk(personas, "B", 10)
    client = personas.client(personas.reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/p/{personas.project.code}/pilotage/risks/schedule/")
    assert page.status_code == 200
    html = page.content.decode()
    for word in words:
        assert word in html
    result = schedule_risk_analysis(personas.project)
    assert result is not None
    # Dates in the reader's format (29/04/2027 in French), never ISO.
    with translation.override(language):
        for key in ("with_risks", "without_risks"):
            day = dt.date.fromisoformat(result[key]["P80"])
            assert date_format(day, "SHORT_DATE_FORMAT") in html
            assert result[key]["P80"] not in html
    if language == "fr":
        assert dt.date.fromisoformat(result["with_risks"]["P80"]).strftime("%d/%m/%Y") in html
    assert "RSK-001" in html


def test_it_keeps_the_result_until_the_plan_or_the_risks_change(
    personas: Any, small_plan: Any, monkeypatch: Any
) -> None:
    from oeuvre.pilotage.selectors import risks as selectors

    runs: list[int] = []
    real = selectors.schedule_risk_analysis

    def counted(project: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(project, **kwargs)

    monkeypatch.setattr(selectors, "schedule_risk_analysis", counted)
    risk = _risk(personas, "B", 10)
    url = f"/p/{personas.project.code}/pilotage/risks/schedule/"
    reader = personas.client(personas.reader)
    first = reader.get(url).content.decode()
    assert len(runs) == 1
    assert 'id="computed-at"' in first
    assert "recompute/" not in first  # a reader cannot ask for a new run
    second = reader.get(url).content.decode()
    assert len(runs) == 1  # kept: same plan, same risks

    def computed_at(html: str) -> str:
        return html.split('id="computed-at"')[1].split("</p>")[0]

    assert computed_at(second) == computed_at(first)
    # The risk register changes: computed again, and the page shows the new figure.
    risk_transition(actor=personas.moe, risk=risk, status=RiskStatus.CLOS, expected_version=None)
    third = reader.get(url).content.decode()
    assert len(runs) == 2
    assert "RSK-001" not in third  # closed: no longer a contribution
    # The plan changes: computed again.
    small_plan.tasks["C"].refresh_from_db()
    from oeuvre.planning.services import task_update

    task_update(actor=personas.moe, task=small_plan.tasks["C"], expected_version=None, duration=7)
    reader.get(url)
    assert len(runs) == 3
    # Asked for by who keeps the register: computed again though nothing changed.
    assert reader.post(f"{url}recompute/").status_code == 403
    assert personas.client(personas.moe).post(f"{url}recompute/").status_code == 302
    assert len(runs) == 4
    reader.get(url)
    assert len(runs) == 4


def test_it_gives_both_figures_and_the_contributions_through_the_api_and_the_cli(
    personas: Any, small_plan: Any, monkeypatch: Any, capsys: Any
) -> None:
    from oeuvre import cli

    _risk(personas, "B", 10)
    client = personas.client(personas.reader)
    answer = client.get(f"/api/projects/{personas.project.code}/risks/schedule?iterations=500")
    assert answer.status_code == 200
    body = answer.json()
    assert body["p80_shift_days"] == 10.0
    assert body["contributions"][0]["key"] == "RSK-001"
    assert client.get(f"/api/projects/{personas.project.code}/risks/schedule?iterations=5").status_code == 422

    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    assert cli.main(["pilotage", "risks", "--project", personas.project.code, "--json", "--iterations", "500"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["p80_with_risks"] == body["with_risks"]["P80"]
    assert data["p80_without_risks"] == body["without_risks"]["P80"]
    assert data["p80_with_risks"] > data["p80_without_risks"]
    assert [(c["key"], c["p80_shift_days"]) for c in data["contributions"]] == [("RSK-001", 10.0)]
