"""CCAG-TIC timers through the app: facts recorded by the services, deadlines computed by the engine on edge
dates (weekends, public holidays, Alsace-Moselle, tacit admission), alerts and VSR availability per equipment."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from oeuvre.core.errors import ValidationFailed
from oeuvre.recette.selectors.timers import dashboard
from oeuvre.recette.services import timers as svc

pytestmark = pytest.mark.django_db
D = dt.date
PARIS = ZoneInfo("Europe/Paris")


def _due(board: dict[str, Any], key: str) -> tuple[dt.date, str]:
    item = next(d for d in board["deadlines"] if d["key"] == key)
    return item["due"], item["status"]


def test_it_moves_a_deadline_falling_on_a_weekend_to_monday(personas: Any) -> None:
    svc.timeline_update(actor=personas.amoe, project=personas.project, expected_version=None, mom_on=D(2025, 1, 2))
    board = dashboard(personas.project, today=D(2025, 1, 20))
    assert _due(board, "va_decision") == (D(2025, 2, 3), "due")  # 1 Feb 2025 is a Saturday


def test_it_moves_a_deadline_falling_on_a_public_holiday(personas: Any) -> None:
    svc.timeline_update(actor=personas.amoe, project=personas.project, expected_version=None, mom_on=D(2025, 6, 14))
    assert _due(dashboard(personas.project, today=D(2025, 6, 20)), "va_decision")[0] == D(2025, 7, 15)  # 14 July


def test_it_uses_the_alsace_moselle_holidays_of_the_project(personas: Any) -> None:
    personas.project.holiday_zone = "alsace_moselle"
    personas.project.save()
    svc.timeline_update(actor=personas.amoe, project=personas.project, expected_version=None, mom_on=D(2025, 11, 26))
    assert _due(dashboard(personas.project, today=D(2025, 12, 1)), "va_decision")[0] == D(2025, 12, 29)


def test_it_keeps_the_day_when_the_contract_does_not_shift_deadlines(personas: Any) -> None:
    svc.timer_settings_update(
        actor=personas.moa, project=personas.project, expected_version=None, shift_to_working_day=False
    )
    svc.timeline_update(actor=personas.amoe, project=personas.project, expected_version=None, mom_on=D(2025, 1, 2))
    assert _due(dashboard(personas.project, today=D(2025, 1, 20)), "va_decision")[0] == D(2025, 2, 1)


def _vsr(p: Any, start: dt.date) -> None:
    svc.timeline_update(
        actor=p.amoe,
        project=p.project,
        expected_version=None,
        mom_on=start - dt.timedelta(days=32),
        va_decided_on=start - dt.timedelta(days=3),
        va_outcome="positive",
        vsr_started_on=start,
    )


def test_it_shows_the_tacit_admission_when_the_buyer_stays_silent(personas: Any) -> None:
    _vsr(personas, D(2025, 2, 3))
    during = dashboard(personas.project, today=D(2025, 3, 10))
    assert _due(during, "vsr_end") == (D(2025, 3, 5), "done")
    assert _due(during, "vsr_decision") == (D(2025, 3, 12), "due")
    assert during["admission_date"] is None
    assert during["expected_admission"] == D(2025, 3, 12)  # if the buyer stays silent
    assert [a["key"] for a in during["alerts"]] == ["vsr_decision"]  # within the 7 alert days

    after = dashboard(personas.project, today=D(2025, 3, 20))
    assert _due(after, "vsr_decision") == (D(2025, 3, 12), "tacit")
    assert after["admission_date"] == D(2025, 3, 12)
    assert after["admission_tacit"] is True
    assert after["garantie_end"] == D(2026, 3, 12)
    assert after["alerts"] == []


def test_it_lets_only_the_buyer_record_the_decision_after_the_vsr(personas: Any) -> None:
    _vsr(personas, D(2025, 2, 3))
    with pytest.raises(PermissionDenied):
        svc.timeline_update(
            actor=personas.amoe,
            project=personas.project,
            expected_version=None,
            admission_decided_on=D(2025, 3, 7),
            admission_decision="admission",
        )
    timeline = svc.timeline_update(
        actor=personas.moa,
        project=personas.project,
        expected_version=None,
        admission_decided_on=D(2025, 3, 7),
        admission_decision="admission",
        deprivation_days=10,
    )
    board = dashboard(personas.project, today=D(2025, 3, 20))
    assert board["admission_date"] == D(2025, 3, 7)
    assert board["admission_tacit"] is False
    assert board["garantie_end"] == D(2026, 3, 17)  # twelve months plus ten days deprived of use
    assert timeline.version >= 1


def test_it_refuses_dates_out_of_order_naming_the_field(personas: Any) -> None:
    svc.timeline_update(actor=personas.amoe, project=personas.project, expected_version=None, mom_on=D(2025, 3, 1))
    with pytest.raises(ValidationFailed) as caught:
        svc.timeline_update(
            actor=personas.amoe,
            project=personas.project,
            expected_version=None,
            va_decided_on=D(2025, 2, 1),
            va_outcome="positive",
        )
    assert "va_decided_on" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        svc.timeline_update(
            actor=personas.amoe, project=personas.project, expected_version=None, vsr_started_on=D(2025, 3, 5)
        )
    assert "vsr_started_on" in caught.value.errors  # no positive VA yet


def test_it_measures_the_vsr_availability_of_each_equipment(personas: Any) -> None:
    _vsr(personas, D(2025, 3, 3))
    at = lambda s: dt.datetime.fromisoformat(s).replace(tzinfo=PARIS)  # noqa: E731
    svc.outage_add(
        actor=personas.exploitation,
        project=personas.project,
        equipment="web",
        started_at=at("2025-03-07T17:00"),
        ended_at=at("2025-03-10T09:30"),
    )  # Fri 17:00 -> Mon 09:30
    svc.outage_add(
        actor=personas.exploitation,
        project=personas.project,
        equipment="base",
        started_at=at("2025-03-04T08:00"),
        ended_at=at("2025-03-04T09:00"),
    )
    svc.outage_add(
        actor=personas.exploitation,
        project=personas.project,
        equipment="base",
        started_at=at("2025-03-04T08:30"),
        ended_at=at("2025-03-04T09:00"),
    )  # overlaps: counted once
    rows = {r["equipment"]: r for r in dashboard(personas.project, today=D(2025, 3, 14))["availability"]}
    assert rows["web"]["use_hours"] == 100.0
    assert (rows["web"]["percent"], rows["web"]["regular"]) == (2.5, False)
    assert (rows["base"]["percent"], rows["base"]["regular"], rows["base"]["outages"]) == (1.0, True, 2)


def test_it_does_not_count_a_public_holiday_as_use_time(personas: Any) -> None:
    _vsr(personas, D(2025, 5, 5))
    at = lambda s: dt.datetime.fromisoformat(s).replace(tzinfo=PARIS)  # noqa: E731
    svc.outage_add(
        actor=personas.amoe,
        project=personas.project,
        equipment="web",
        started_at=at("2025-05-08T08:00"),
        ended_at=at("2025-05-08T18:00"),
    )  # 8 May: a holiday
    row = dashboard(personas.project, today=D(2025, 5, 9))["availability"][0]
    assert (row["use_hours"], row["percent"], row["regular"]) == (40.0, 0.0, True)


def test_it_refuses_an_outage_ending_before_it_starts(personas: Any) -> None:
    _vsr(personas, D(2025, 3, 3))
    moment = dt.datetime(2025, 3, 4, 10, tzinfo=PARIS)
    with pytest.raises(ValidationFailed) as caught:
        svc.outage_add(actor=personas.amoe, project=personas.project, equipment=" ", started_at=moment, ended_at=moment)
    assert set(caught.value.errors) == {"equipment", "ended_at"}
    with pytest.raises(PermissionDenied):
        svc.outage_add(
            actor=personas.reader,
            project=personas.project,
            equipment="web",
            started_at=moment,
            ended_at=moment + dt.timedelta(hours=1),
        )


def test_it_extends_the_vsr_after_an_ajournement_and_records_the_final_decision(personas: Any) -> None:
    _vsr(personas, D(2025, 2, 3))  # VSR ends 5 March
    svc.timeline_update(
        actor=personas.moa,
        project=personas.project,
        expected_version=None,
        admission_decided_on=D(2025, 3, 10),
        admission_decision="ajournement",
    )
    board = dashboard(personas.project, today=D(2025, 3, 20))
    assert _due(board, "vsr_extension_end") == (D(2025, 4, 9), "due")  # 30 days (the contract's) from the decision
    assert _due(board, "final_decision")[0] == D(2025, 4, 16)
    assert board["expected_admission"] == D(2025, 4, 16)
    with pytest.raises(ValidationFailed) as caught:
        svc.timeline_update(
            actor=personas.moa,
            project=personas.project,
            expected_version=None,
            final_decided_on=D(2025, 4, 14),
            final_decision="ajournement",  # only one extension
        )
    assert "final_decision" in caught.value.errors
    svc.timeline_update(
        actor=personas.moa,
        project=personas.project,
        expected_version=None,
        final_decided_on=D(2025, 4, 14),
        final_decision="refaction",
        refaction_percent=5,
    )
    after = dashboard(personas.project, today=D(2025, 4, 20))
    assert (after["admission_date"], after["admission_tacit"]) == (D(2025, 4, 14), False)
