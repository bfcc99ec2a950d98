"""The training plan: courses with deliverables as materials, named attendees and their attendance, readiness per
wave and per role, the go/no-go's training criterion; services, page forms, API and CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import StaleVersion, ValidationFailed
from oeuvre.mep import services, training, waves
from oeuvre.mep.models import TrainingAttendee, TrainingCourse, TrainingSession
from oeuvre.mep.selectors import gonogo_for
from oeuvre.requirements.models import Deliverable
from tests.mep.builders import release

DAY = dt.date(2027, 2, 15)


def _plan(p: Any) -> tuple[Any, Any, Any]:
    rel = release(p, "3.0", planned_date=dt.date(2027, 3, 1))
    first = waves.wave_create(
        actor=p.moe, release=rel, name="Pilotes", sites="Paris", users=4, planned_date=dt.date(2027, 3, 1)
    )
    second = waves.wave_create(
        actor=p.moe, release=rel, name="Généralisation", sites="Lille", users=300, planned_date=dt.date(2027, 4, 1)
    )
    return rel, first, second


def _course(p: Any, rel: Any, title: str = "Instruire un dossier", **data: Any) -> TrainingCourse:
    return training.course_create(actor=p.moe, release=rel, title=title, audience="Instructeurs", **data)


def _session(p: Any, rel: Any, course: Any, wave: Any, **data: Any) -> TrainingSession:
    data.setdefault("capacity", 10)
    return training.session_create(
        actor=p.moe, release=rel, course=course, wave=wave, trainer="C. Martin", date=DAY, **data
    )


def _register(p: Any, session: Any, *people: tuple[str, str]) -> dict[str, int]:
    for name, role in people:
        training.attendee_add(actor=p.moe, session=session, name=name, role=role)
    return {a.name: a.pk for a in TrainingAttendee.objects.filter(session=session)}


def test_a_course_takes_deliverables_of_its_project_as_materials_with_history_and_versions(personas: Any) -> None:
    p = personas
    rel, _first, _second = _plan(p)
    guide = Deliverable.objects.create(project=p.project, kind="autre", title="Guide de l'agent", link="https://x.ex/g")
    foreign = Deliverable.objects.create(project=p.other_project, kind="autre", title="Ailleurs")
    with pytest.raises(ValidationFailed) as caught:
        _course(p, rel, materials=[guide.pk, foreign.pk])
    assert caught.value.errors["materials"] == [f"Aucun livrable {foreign.pk} sur ce projet."]
    assert not TrainingCourse.objects.exists()
    course = _course(p, rel, duration_minutes=180, materials=[guide.pk, guide.pk])
    assert course.materials == [guide.pk]
    assert training.training_plan(rel).courses[0].materials == [guide]
    with pytest.raises(ValidationFailed) as caught:
        _course(p, rel)
    assert "title" in caught.value.errors
    updated = training.course_update(actor=p.amoe, course=course, expected_version=course.version, duration_minutes=240)
    assert [h.duration_minutes for h in updated.history.order_by("history_date")] == [180, 240]
    with pytest.raises(StaleVersion):
        training.course_update(actor=p.moe, course=updated, expected_version=course.version, title="Autre")
    with pytest.raises(PermissionDenied):
        training.course_create(actor=p.exploitation, release=rel, title="X", audience="Y")


def test_the_sign_in_sheet_marks_attendees_and_the_session_counts_those_present(personas: Any) -> None:
    p = personas
    rel, first, _second = _plan(p)
    session = _session(p, rel, _course(p, rel), first, capacity=3)
    assert session.audience == "Instructeurs"  # the course's audience when none is given
    ids = _register(p, session, ("Anne", "Instructeurs"), ("Bruno", "Agents"), ("Chloé", ""))
    with pytest.raises(ValidationFailed) as caught:
        training.attendance_record(
            actor=p.amoa,
            session=session,
            expected_version=session.version,
            marks={ids["Anne"]: ("present", 6), ids["Bruno"]: ("absent", 4)},
        )
    assert caught.value.errors == {
        "Anne": ["La note de satisfaction va de 1 à 5."],
        "Bruno": ["Seule une personne présente donne une note de satisfaction."],
    }
    assert set(TrainingAttendee.objects.values_list("attendance", flat=True)) == {"inscrit"}
    marks = {ids["Anne"]: ("present", 5), ids["Bruno"]: ("excuse", None), ids["Chloé"]: ("present", 3)}
    recorded = training.attendance_record(actor=p.amoa, session=session, expected_version=session.version, marks=marks)
    assert recorded.attended == 2
    row = training.training_plan(rel).rows[0]
    assert (row.trained, row.satisfaction, row.answers) == (2, 4.0, 2)
    anne = TrainingAttendee.objects.get(pk=ids["Anne"])
    assert [(h.attendance, h.satisfaction) for h in anne.history.order_by("history_date")] == [
        ("inscrit", None),
        ("present", 5),
    ]
    with pytest.raises(StaleVersion):  # someone recorded the sheet meanwhile: refused, not overwritten
        training.attendance_record(actor=p.moe, session=session, expected_version=session.version, marks=marks)
    with pytest.raises(ValidationFailed) as caught:
        training.attendance_record(actor=p.moe, session=recorded, expected_version=recorded.version, attended=3)
    assert "attended" in caught.value.errors
    with pytest.raises(PermissionDenied):  # exploitation runs the cut-over, not the training
        training.attendance_record(actor=p.exploitation, session=recorded, expected_version=None, marks={})


def test_readiness_per_wave_and_role_counts_people_trained_on_every_course(personas: Any) -> None:
    p = personas
    rel, first, second = _plan(p)
    basics, advanced = _course(p, rel), _course(p, rel, "Cas complexes")
    morning = _session(p, rel, basics, first)
    ids = _register(p, morning, ("Anne", "Instructeurs"), ("Bruno", "Instructeurs"), ("Chloé", "Accueil"))
    training.attendance_record(
        actor=p.moe,
        session=morning,
        expected_version=None,
        marks={ids["Anne"]: ("present", None), ids["Bruno"]: ("absent", None), ids["Chloé"]: ("present", None)},
    )
    catch_up = _session(p, rel, basics, first)  # Bruno comes again and is present this time
    again = _register(p, catch_up, ("bruno", "Instructeurs"))
    training.attendance_record(
        actor=p.moe, session=catch_up, expected_version=None, marks={again["bruno"]: ("present", None)}
    )
    deeper = _session(p, rel, advanced, first)  # Chloé is registered to a second course, not held yet
    _register(p, deeper, ("Chloé", "Accueil"))
    counted = _session(p, rel, basics, second, capacity=200)  # a sheet counted, without names
    training.attendance_record(actor=p.moe, session=counted, attended=150, expected_version=None)

    plan = training.training_plan(rel)
    by_wave = {w.wave.name: (w.trained, w.to_train, w.going_live) for w in plan.waves if w.wave}
    assert by_wave == {"Pilotes": (2, 2, True), "Généralisation": (150, 150, False)}
    assert {(r.role, r.trained, r.to_train) for r in plan.roles} == {
        ("Instructeurs", 2 + 150, 0),  # Anne and Bruno by name, the counted sheet under the course's audience
        ("Accueil", 0, 1),
    }
    assert [w.wave.name for w in plan.left_going_live if w.wave] == ["Pilotes"]
    assert plan.training_left == 2


def test_the_training_criterion_is_not_met_while_a_wave_going_live_has_users_left_to_train(personas: Any) -> None:
    p = personas
    rel, first, _second = _plan(p)
    services.readiness_attest(actor=p.moe, release=rel, item="training", done=True, evidence="Émargements")

    def criterion() -> Any:
        return next(c for c in gonogo_for(rel).criteria if c.code == "training")

    assert criterion().met  # no session recorded in Œuvre: the attestation alone, as before
    session = _session(p, rel, _course(p, rel), first)
    ids = _register(p, session, *[(name, "Instructeurs") for name in ("Anne", "Bruno", "Chloé", "David")])
    training.attendance_record(actor=p.moe, session=session, expected_version=None, marks={ids["Anne"]: ("present", 4)})
    shown = criterion()
    assert not shown.met
    assert shown.evidence.endswith(
        "1 / 304 utilisateurs formés. Pilotes part en production avec 3 utilisateurs sur 4 encore à former."
    )
    training.attendance_record(
        actor=p.moe,
        session=session,
        expected_version=None,
        marks={pk: ("present", None) for name, pk in ids.items() if name != "Anne"},
    )
    shown = criterion()
    assert shown.met  # the second wave goes live later, under its own go/no-go
    assert shown.evidence.endswith("4 / 304 utilisateurs formés.")


def test_the_training_page_plans_and_records_attendance_with_few_queries(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    p = personas
    rel, first, second = _plan(p)
    guide = Deliverable.objects.create(project=p.project, kind="autre", title="Guide de l'agent")
    url = f"/p/alpha/mep/releases/{rel.pk}/training/"
    moe = p.client(p.moe)
    made = moe.post(
        f"{url}courses/new/",
        {
            "title": "Instruire un dossier",
            "audience": "Instructeurs",
            "duration_minutes": "180",
            "materials": [guide.pk],
        },
    )
    assert made.status_code == 302
    course = TrainingCourse.objects.get()
    assert course.materials == [guide.pk]
    moe.post(
        f"{url}sessions/new/",
        {"course": course.pk, "wave": first.pk, "trainer": "C. Martin", "date": "2027-02-15", "capacity": "8"},
    )
    session = TrainingSession.objects.get()
    for name in ("Anne", "Bruno"):
        moe.post(f"{url}sessions/{session.pk}/attendees/", {"name": name, "role": "Instructeurs"})
    moe.post(f"{url}sessions/{session.pk}/attendees/", {"member": p.reader.username})
    for extra in range(3):  # more sessions and attendees do not add queries
        more = _session(p, rel, course, second)
        _register(p, more, (f"Agent {extra}", "Accueil"))
    ids = {a.name: a.pk for a in TrainingAttendee.objects.filter(session=session)}
    assert len(ids) == 3
    amoa = p.client(p.amoa)
    session.refresh_from_db()
    sent = amoa.post(
        f"{url}sessions/{session.pk}/attendance/",
        {
            "version": session.version,
            f"attendance-{ids['Anne']}": "present",
            f"satisfaction-{ids['Anne']}": "4",
            f"attendance-{ids['Bruno']}": "absent",
        },
    )
    assert sent.status_code == 302
    session.refresh_from_db()
    assert session.attended == 1
    stale = amoa.post(
        f"{url}sessions/{session.pk}/attendance/",
        {"version": "1", f"attendance-{ids['Bruno']}": "present"},
        follow=True,
    )
    assert stale.status_code == 200
    assert TrainingAttendee.objects.get(pk=ids["Bruno"]).attendance == "absent"
    reader = p.client(p.reader)
    with django_assert_max_num_queries(30):
        html = reader.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pilotes part en production avec 3 utilisateurs sur 4 encore à former." in html
    assert "Enregistrer les présences" not in html  # readers read
    with django_assert_max_num_queries(60):
        page = reader.get(f"/p/alpha/mep/releases/{rel.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Préparation de la formation" in page.content.decode()
    assert reader.post(f"{url}courses/new/", {"title": "X", "audience": "Y"}).status_code == 403


def test_api_and_cli_courses_attendees_and_attendance(personas: Any) -> None:
    p = personas
    rel, first, _second = _plan(p)
    base = f"/api/projects/alpha/mep/releases/{rel.pk}/training"
    _token, raw = token_create(user=p.moe, name="formation")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    made = client.post(
        f"{base}/courses",
        {"title": "Instruire", "audience": "Instructeurs", "duration_minutes": 90},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    course = made.json()["courses"][0]
    patched = client.patch(
        f"{base}/courses/{course['id']}",
        {"duration_minutes": 120},
        content_type="application/json",
        headers={"If-Match": f'"{course["version"]}"'},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["courses"][0]["duration_minutes"] == 120
    made = client.post(
        base,
        {"course": course["id"], "wave": first.pk, "trainer": "C. Martin", "date": "2027-02-15", "capacity": 5},
        content_type="application/json",
    )
    session = made.json()["sessions"][0]
    assert session["audience"] == "Instructeurs"
    added = client.post(
        f"{base}/sessions/{session['id']}/attendees",
        {"name": "Anne", "role": "Instructeurs"},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    anne = added.json()["sessions"][0]["attendees"][0]
    body = {"marks": [{"attendee": anne["id"], "attendance": "present", "satisfaction": 5}]}
    assert (
        client.post(f"{base}/sessions/{session['id']}/attendance", body, content_type="application/json").status_code
        == 428
    )
    stale = client.post(
        f"{base}/sessions/{session['id']}/attendance",
        body,
        content_type="application/json",
        headers={"If-Match": '"99"'},
    )
    assert stale.status_code == 412
    done = client.post(
        f"{base}/sessions/{session['id']}/attendance",
        body,
        content_type="application/json",
        headers={"If-Match": f'"{session["version"]}"'},
    )
    assert done.status_code == 200, done.content
    data = done.json()
    assert data["sessions"][0]["attended"] == 1
    assert data["roles"] == [{"role": "Instructeurs", "trained": 1, "to_train": 0}]
    assert data["waves"][0] == {
        "wave": first.pk,
        "name": "Pilotes",
        "users": 4,
        "trained": 1,
        "to_train": 3,
        "going_live": True,
        "sessions": 1,
    }
    assert data["training_left"] == 3
    _token, raw = token_create(user=p.exploitation, name="formation")
    refused = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        f"{base}/courses", {"title": "X", "audience": "Y"}, content_type="application/json"
    )
    assert refused.status_code == 403

    out = io.StringIO()
    call_command("mep", "training", "--project", "alpha", "--release", "3.0", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["courses"][0]["title"] == "Instruire"
    assert shown["sessions"][0]["attendees"][0]["attendance"] == "present"
    out = io.StringIO()
    call_command("mep", "training", "--project", "alpha", "--release", "3.0", stdout=out)
    text = out.getvalue()
    assert "Instruire" in text
    assert "Anne (Instructeurs)" in text
    assert "Pilotes *" in text
