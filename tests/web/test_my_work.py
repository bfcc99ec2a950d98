"""'Mon travail': what waits for a person across projects, read from the stages' registered sources."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oeuvre.pilotage.models import Action
from oeuvre.planning.models import Assignment, Lot, Resource, Task
from oeuvre.recette.models import AcceptanceTimeline, Anomaly, Execution, ProcesVerbal
from oeuvre.requirements.models import Deliverable, Exigence
from oeuvre.web.selectors import my_work
from tests.factories import MembershipFactory, ProjectFactory
from tests.recette.pv_factories import campaign

pytestmark = pytest.mark.django_db


def _waiting_work(project: Any, p: Any, n: int) -> None:
    """``n`` items of each source waiting for the personas of ``p`` on ``project``."""
    lot = Lot.objects.create(project=project, code=f"L{Lot.objects.count()}", name="Lot")
    resource, _ = Resource.objects.get_or_create(project=project, user=p.amoe, defaults={"name": "AMOE"})
    camp = campaign(project, results="n" * n)
    for i in range(n):
        task = Task.objects.create(project=project, lot=lot, code=f"T{lot.pk}-{i}", name=f"Tâche {i}")
        Assignment.objects.create(task=task, resource=resource, units=Decimal(1))
        number = Anomaly.objects.filter(project=project).count() + 1
        Anomaly.objects.create(
            project=project,
            reference=f"ANO-{number}",
            number=number,
            title=f"Ano {i}",
            assignee=p.amoe,
            severity="majeure",
            campaign=camp,
        )
        number = Exigence.objects.filter(project=project).count() + 1
        Exigence.objects.create(
            project=project, reference=f"EX-{number}", number=number, title=f"Exigence {i}", status="soumise"
        )
        Deliverable.objects.create(project=project, kind="sfd", title=f"SFD {i}", validator=p.moa, status="soumis")
        ProcesVerbal.objects.create(
            project=project, reference=f"PV-{number}", number=number, title="PV", status="decide"
        )
        Action.objects.create(
            project=project,
            number=Action.objects.filter(project=project).count() + 1,
            title=f"Relancer {i}",
            owner=p.amoe,
            due_on=dt.date(2020, 1, 1),
        )
    Execution.objects.filter(iteration__campaign=camp).update(tester=p.amoe)
    today = timezone.localdate()
    AcceptanceTimeline.objects.get_or_create(
        project=project,
        defaults={
            "mom_on": today - dt.timedelta(days=90),
            "va_decided_on": today - dt.timedelta(days=70),
            "va_outcome": "positive",
            "vsr_started_on": today - dt.timedelta(days=40),
            "vsr_ended_on": today - dt.timedelta(days=3),
        },
    )


def _keys(user: Any) -> dict[str, int]:
    return {g.key: len(g.items) for g in my_work(user)}


def test_it_lists_what_waits_for_each_person(personas: Any) -> None:
    _waiting_work(personas.project, personas, 1)

    amoe = _keys(personas.amoe)
    assert amoe["tasks"] == 1
    assert amoe["tests"] == 1
    assert amoe["anomalies"] == 1
    assert amoe["actions"] == 1
    assert amoe["validations"] == 0  # only the MOA validates, and the deliverable names the MOA
    moa = _keys(personas.moa)
    assert moa["validations"] == 2  # the submitted exigence and the deliverable
    assert moa["signatures"] == 1
    assert _keys(personas.moe)["signatures"] == 0  # decided, not yet signed by the buyer
    assert sum(_keys(personas.outsider).values()) == 0
    (action,) = next(g for g in my_work(personas.amoe) if g.key == "actions").items
    assert action.overdue


def test_it_reads_my_work_in_a_constant_number_of_queries(personas: Any) -> None:
    _waiting_work(personas.project, personas, 1)
    with CaptureQueriesContext(connection) as few:
        my_work(personas.amoe)
    second = ProjectFactory()
    MembershipFactory(project=second, user=personas.amoe, role="amoe")
    MembershipFactory(project=second, user=personas.moa, role="moa")
    _waiting_work(personas.project, personas, 4)
    _waiting_work(second, personas, 3)
    with CaptureQueriesContext(connection) as many:
        groups = my_work(personas.amoe)

    assert {g.key: len(g.items) for g in groups}["anomalies"] == 8
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_shows_the_page_and_the_api(personas: Any) -> None:
    _waiting_work(personas.project, personas, 1)
    client = personas.client(personas.amoe)

    page = client.get("/my-work/").content.decode()
    assert "Mon travail" in page
    assert "Ano 0" in page
    assert "Tâche 0" in page
    data = client.get("/api/me/work").json()
    assert {g["key"]: len(g["items"]) for g in data}["anomalies"] == 1
    client.post("/i18n/setlang/", {"language": "en", "next": "/my-work/"})
    assert "My work" in client.get("/my-work/").content.decode()


def test_it_shows_the_page_in_a_constant_number_of_queries(personas: Any) -> None:
    _waiting_work(personas.project, personas, 1)
    client = personas.client(personas.amoe)
    client.get("/my-work/")
    with CaptureQueriesContext(connection) as few:
        client.get("/my-work/")
    _waiting_work(personas.project, personas, 5)
    with CaptureQueriesContext(connection) as many:
        client.get("/my-work/")

    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_warns_of_the_tacit_admission_coming_in_a_week(personas: Any) -> None:

    today = timezone.localdate()
    # VSR ended 3 days ago, no decision yet: the 7-day window ends in 4 days, then admission is tacit.
    AcceptanceTimeline.objects.create(
        project=personas.project,
        mom_on=today - dt.timedelta(days=90),
        va_decided_on=today - dt.timedelta(days=70),
        va_outcome="positive",
        vsr_started_on=today - dt.timedelta(days=40),
        vsr_ended_on=today - dt.timedelta(days=3),
    )

    items = next(g for g in my_work(personas.moa) if g.key == "deadlines").items
    assert items, "the MOA is told"
    assert items[0].due_on is not None
    assert items[0].due_on >= today
    assert "tacite" in items[0].status or "tacit" in items[0].status
    assert not next(g for g in my_work(personas.reader) if g.key == "deadlines").items
    assert not next(g for g in my_work(personas.outsider) if g.key == "deadlines").items


def test_it_lists_the_go_no_go_waiting_for_the_buyer_until_it_is_decided(personas: Any) -> None:
    from oeuvre.mep import services as mep_services
    from tests.mep.builders import PASSWORD, attest_all, release

    rel = release(personas)
    assert not next(g for g in my_work(personas.moa) if g.key == "gonogo").items  # nothing attested yet
    attest_all(personas, rel)

    (item,) = next(g for g in my_work(personas.moa) if g.key == "gonogo").items
    assert item.reference == rel.number
    assert item.url == f"/p/{personas.project.code}/mep/releases/{rel.pk}/"
    assert not next(g for g in my_work(personas.moe) if g.key == "gonogo").items  # the MOE does not decide it
    assert not next(g for g in my_work(personas.outsider) if g.key == "gonogo").items
    mep_services.gonogo_decide(
        actor=personas.moa, release=rel, decision="no_go", reason="Formation à refaire", password=PASSWORD
    )
    assert not next(g for g in my_work(personas.moa) if g.key == "gonogo").items
