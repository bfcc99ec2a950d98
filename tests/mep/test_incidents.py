"""Incidents after go-live: priority from the matrix, the workflow, GTI/GTR clocks and breaches on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.mep import incidents as svc
from oeuvre.mep.models import Incident


def _at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def test_the_priority_comes_from_impact_and_urgency(personas: Any) -> None:
    high = svc.incident_create(
        actor=personas.contributor, project=personas.project, title="Portail HS", impact=5, urgency=5
    )
    low = svc.incident_create(actor=personas.moa, project=personas.project, title="Coquille", impact="1", urgency="2")
    assert (high.reference, high.priority) == ("INC-001", 1)
    assert (low.reference, low.priority) == ("INC-002", 5)
    with pytest.raises(ValidationFailed) as caught:
        svc.incident_create(actor=personas.moe, project=personas.project, title="x", impact=0, urgency="six")
    assert set(caught.value.errors) == {"impact", "urgency"}
    with pytest.raises(PermissionDenied):
        svc.incident_create(actor=personas.reader, project=personas.project, title="x", impact=3, urgency=3)
    assert Incident.objects.count() == 2


def test_the_workflow_stops_the_clocks_and_refuses_a_wrong_move(personas: Any) -> None:
    incident = svc.incident_create(
        actor=personas.moa,
        project=personas.project,
        title="Lenteur",
        impact=3,
        urgency=3,
        opened_at=_at("2026-12-07T09:00"),
    )
    with pytest.raises(PermissionDenied):
        svc.incident_transition(actor=personas.moa, incident=incident, action="take", expected_version=None)
    taken = svc.incident_transition(
        actor=personas.exploitation, incident=incident, action="take", expected_version=None, at=_at("2026-12-07T10:00")
    )
    assert taken.status == "pris_en_charge"
    with pytest.raises(DomainError, match="ne s’applique pas"):
        svc.incident_transition(actor=personas.exploitation, incident=taken, action="close", expected_version=None)
    resolved = svc.incident_transition(
        actor=personas.moe, incident=taken, action="resolve", expected_version=None, at=_at("2026-12-08T11:00")
    )
    assert resolved.taken_at == _at("2026-12-07T10:00")
    assert resolved.resolved_at == _at("2026-12-08T11:00")
    (row,) = svc.incidents_board(personas.project, now=_at("2026-12-20T12:00"))
    # P3: 4 h to take charge (met after 1 h), 20 h of service time to restore (9 h + 3 h used, 8 h to spare).
    assert (row.take_charge.breached, row.restore.breached) == (False, False)
    assert row.restore.remaining == dt.timedelta(hours=8)


def test_the_clocks_count_service_hours_and_show_breaches(personas: Any, django_assert_max_num_queries: Any) -> None:
    friday_evening = _at("2026-12-11T17:30")
    for n in range(12):
        svc.incident_create(
            actor=personas.moe,
            project=personas.project,
            title=f"Incident {n}",
            impact=5,
            urgency=5,
            opened_at=friday_evening,
        )
    svc.incident_create(
        actor=personas.moe, project=personas.project, title="Mineur", impact=1, urgency=1, opened_at=friday_evening
    )
    board = svc.incidents_board(personas.project, now=_at("2026-12-14T08:15"))
    p1 = [r for r in board if r.incident.priority == 1]
    # P1: 30 min to take charge; Friday 17:30 → 18:00 used up, breached on Monday 8:00, not during the weekend.
    assert p1[0].take_charge.deadline == _at("2026-12-11T18:00")
    assert all(r.take_charge.breached for r in p1)
    assert p1[0].take_charge.remaining == -dt.timedelta(minutes=15)
    assert not any(r.restore.breached for r in p1)  # 4 h: 30 min on Friday, 15 min on Monday so far
    # The page counts on the real clock: incidents opened a week ago are past a 30-minute GTI whatever today is.
    Incident.objects.update(opened_at=timezone.now() - dt.timedelta(days=7))
    client = personas.client(personas.exploitation)
    with django_assert_max_num_queries(20):
        html = client.get(f"/p/{personas.project.code}/mep/incidents/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'id="breaches">13 incidents' in html
    assert 'value="take"' in html


def test_service_levels_are_configurable_per_project(personas: Any) -> None:
    svc.service_levels_update(
        actor=personas.moa, project=personas.project, expected_version=None, levels={"1": [60, 120]}, always=True
    )
    incident = svc.incident_create(
        actor=personas.moe,
        project=personas.project,
        title="Nuit",
        impact=5,
        urgency=5,
        opened_at=_at("2026-12-12T23:00"),
    )
    (row,) = svc.incidents_board(personas.project, now=_at("2026-12-13T00:30"))
    assert row.take_charge.deadline == _at("2026-12-13T00:00")
    assert row.take_charge.breached
    assert incident.priority == 1
    with pytest.raises(ValidationFailed):
        svc.service_levels_update(
            actor=personas.moa, project=personas.project, expected_version=None, levels={"1": [60, 30]}
        )
    with pytest.raises(PermissionDenied):
        svc.service_levels_update(
            actor=personas.exploitation, project=personas.project, expected_version=None, always=False
        )


def test_an_incident_has_its_own_page_with_its_status_history_and_its_discussion(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    from oeuvre.web.comments import comment_post

    incident = svc.incident_create(
        actor=personas.moa,
        project=personas.project,
        title="Portail lent",
        description="Depuis 9 h",
        impact=3,
        urgency=3,
    )
    taken = svc.incident_transition(
        actor=personas.exploitation, incident=incident, action="take", expected_version=None
    )
    svc.incident_transition(actor=personas.moe, incident=taken, action="resolve", expected_version=None)
    comment_post(
        actor=personas.moe, project=personas.project, object_type="mep.incident", object_id=str(incident.pk),
        body="Cause : **cache** saturé, @moa",
    )  # fmt: skip
    client = personas.client(personas.reader)
    url = f"/p/{personas.project.code}/mep/incidents/{incident.pk}/"

    with django_assert_max_num_queries(40):
        page = client.get(url).content.decode()
    assert "Portail lent" in page
    assert "Depuis 9 h" in page
    statuses = svc.incident_status_history(incident)
    assert [c.status for c in statuses] == ["nouveau", "pris_en_charge", "resolu"]
    assert [c.who for c in statuses] == [str(personas.moa), str(personas.exploitation), str(personas.moe)]
    history = page[page.index('id="status-history"') :]
    positions = [history.index(f"<strong>{c.label}</strong>") for c in statuses]
    assert positions == sorted(positions)
    assert "Historique des statuts" in page
    assert "<strong>cache</strong>" in page  # the discussion, its Markdown rendered
    listing = client.get(f"/p/{personas.project.code}/mep/incidents/?all=1").content.decode()
    assert f'href="{url}"' in listing
    assert personas.client(personas.outsider).get(url).status_code == 404
    with translation.override("fr"):  # the English request's language must not outlive this test
        client.post("/i18n/setlang/", {"language": "en", "next": url})
        page = client.get(url).content.decode()
    assert "Status history" in page
    assert "<strong>Taken in charge</strong>" in page


def test_the_list_shows_100_incidents_a_page_in_a_bounded_number_of_queries(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    from oeuvre.engine.service_levels import priority_of
    from oeuvre.mep.models import IncidentPause

    opened = _at("2026-11-02T09:00")
    created = Incident.objects.bulk_create(
        Incident(project=personas.project, reference=f"INC-{n:03d}", number=n, title=f"Charge {n}", impact=3,
                 urgency=3, priority=priority_of(3, 3), opened_at=opened + dt.timedelta(minutes=n),
                 status="en_attente" if n % 2 else "nouveau")
        for n in range(1, 231)
    )  # fmt: skip
    IncidentPause.objects.bulk_create(IncidentPause(incident=i, started_at=opened) for i in created if i.number % 2)
    client = personas.client(personas.moe)
    pages = []
    for number in (1, 2, 3):
        with django_assert_max_num_queries(20):  # the same bound whatever the page: no query per incident
            html = client.get(f"/p/{personas.project.code}/mep/incidents/?page={number}").content.decode()
        pages.append(html.count('<tr id="incident-'))
    assert pages == [100, 100, 30]
    assert "INC-230" in client.get(f"/p/{personas.project.code}/mep/incidents/").content.decode()  # newest first
    assert 'rel="prev"' in html
    assert 'rel="next"' not in html
