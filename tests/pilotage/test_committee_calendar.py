"""Committee dates in the project's ICS: planning's calendar asks the registered stages, pilotage answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.utils import translation

from oeuvre.pilotage.services.committees import committee_create
from oeuvre.planning import exporting


def _copil(personas: Any) -> Any:
    return committee_create(
        actor=personas.moe,
        project=personas.project,
        data={
            "kind": "copil",
            "title": "COPIL n°3",
            "held_on": dt.date(2027, 3, 18),
            "location": "Salle du conseil",
            "attendees": "Claire Martin — directrice MOA\nPaul Chef — chef de projet MOE\n",
        },
    )


def _events(data: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_the_project_calendar_holds_the_committee_with_its_date_place_and_attendees(personas: Any) -> None:
    committee = _copil(personas)
    with translation.override("fr"):
        events = _events(exporting.export_ics(personas.project, user=personas.reader))
    [event] = [e for e in events if str(e["UID"]).startswith("committee-")]
    assert event["UID"] == f"committee-{committee.pk}@alpha.oeuvre"
    assert event.decoded("DTSTART") == dt.date(2027, 3, 18)
    assert event.decoded("DTEND") == dt.date(2027, 3, 19)
    assert str(event["SUMMARY"]) == "alpha · COPIL — COPIL n°3"
    assert str(event["LOCATION"]) == "Salle du conseil"
    assert str(event["TRANSP"]) == "OPAQUE"  # a meeting takes the attendees' time; a milestone does not
    description = str(event["DESCRIPTION"])
    assert "Claire Martin — directrice MOA" in description
    assert "Paul Chef — chef de projet MOE" in description
    assert "Participants" in description  # the reader's language
    with translation.override("en"):
        english = _events(exporting.export_ics(personas.project, user=personas.reader))
    assert "Attendees:" in str(english[0]["DESCRIPTION"])
    # A second export keeps the UID, so a subscribed calendar moves the event instead of adding one.
    assert [e["UID"] for e in english] == [event["UID"]]


def test_a_reader_without_access_gets_no_committee(personas: Any) -> None:
    _copil(personas)
    assert _events(exporting.export_ics(personas.project, user=personas.outsider)) == []
    assert len(_events(exporting.export_ics(personas.project))) == 1  # the terminal without --user sees all
    feed = personas.client(personas.outsider).get(f"/p/{personas.project.code}/planning/export/ics/")
    assert feed.status_code in (403, 404)
    assert b"COPIL" not in feed.content


def test_the_planning_pages_and_api_export_the_committees_too(personas: Any) -> None:
    _copil(personas)
    page = personas.client(personas.reader).get(f"/p/{personas.project.code}/planning/export/ics/")
    assert page.status_code == 200
    assert [str(e["SUMMARY"]) for e in _events(page.content)] == ["alpha · COPIL — COPIL n°3"]
    api = personas.client(personas.reader).get(f"/api/projects/{personas.project.code}/planning/milestones.ics")
    assert api.status_code == 200
    assert "COPIL n°3" in str(_events(api.content)[0]["SUMMARY"])
