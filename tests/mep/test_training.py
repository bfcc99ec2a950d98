"""Training sessions of a release: plan, attendance, users trained per wave, the go/no-go evidence; page, API, CLI."""

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
from oeuvre.mep.models import TrainingSession
from oeuvre.mep.selectors import gonogo_for
from tests.mep.builders import release

DAY = dt.date(2027, 2, 15)


def _plan(p: Any) -> tuple[Any, Any, Any]:
    rel = release(p, "3.0", planned_date=dt.date(2027, 3, 1))
    first = waves.wave_create(actor=p.moe, release=rel, name="Pilotes", sites="Paris, Lyon", users=120)
    second = waves.wave_create(actor=p.moe, release=rel, name="Généralisation", sites="Nantes, Lille", users=300)
    return rel, first, second


def _session(p: Any, rel: Any, wave: Any, *, capacity: int = 60, **data: Any) -> TrainingSession:
    return training.session_create(
        actor=p.moe, release=rel, wave=wave, audience="Agents", trainer="C. Martin", date=DAY, capacity=capacity, **data
    )


def test_users_trained_add_up_per_wave_from_the_recorded_attendance(personas: Any) -> None:
    rel, first, second = _plan(personas)
    a = _session(personas, rel, first)
    b = _session(personas, rel, first)
    _session(personas, rel, second)  # planned, attendance not recorded yet
    training.attendance_record(actor=personas.moe, session=a, attended=55, expected_version=a.version)
    training.attendance_record(actor=personas.moe, session=b, attended=40, expected_version=None)
    plan = training.training_plan(rel)
    rows = {row.wave.name: (row.sessions, row.trained, row.users) for row in plan.waves if row.wave}
    assert rows == {"Pilotes": (2, 95, 120), "Généralisation": (1, 0, 300)}
    assert (plan.trained, plan.users) == (95, 420)
    a.refresh_from_db()
    assert a.attended == 55
    assert [h.attended for h in a.history.order_by("history_date")] == [None, 55]


def test_attendance_is_checked_against_capacity_and_version(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    session = _session(personas, rel, first, capacity=10)
    with pytest.raises(ValidationFailed) as caught:
        training.attendance_record(actor=personas.moe, session=session, attended=11, expected_version=None)
    assert "attended" in caught.value.errors
    session.refresh_from_db()
    assert session.attended is None
    with pytest.raises(StaleVersion):
        training.attendance_record(actor=personas.moe, session=session, attended=5, expected_version=99)


def test_a_session_needs_its_audience_and_a_wave_of_its_release(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    other = release(personas, "4.0")
    foreign = waves.wave_create(actor=personas.moe, release=other, name="Ailleurs", sites="Brest", users=5)
    with pytest.raises(ValidationFailed) as caught:
        _session(personas, rel, foreign)
    assert "wave" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        _session(personas, rel, foreign.pk)
    assert "wave" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        training.session_create(actor=personas.moe, release=rel, audience=" ", trainer="X", date=DAY)
    assert "audience" in caught.value.errors
    assert not TrainingSession.objects.exists()
    assert _session(personas, rel, first.pk).wave == first


def test_readers_read_and_who_prepares_the_deployment_plans_sessions(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    with pytest.raises(PermissionDenied):
        training.session_create(actor=personas.reader, release=rel, audience="Agents", trainer="X", date=DAY)
    with pytest.raises(PermissionDenied):  # exploitation runs the cut-over, the MOE and AMOE plan the training
        training.session_create(actor=personas.exploitation, release=rel, audience="Agents", trainer="X", date=DAY)
    session = training.session_create(
        actor=personas.amoe, release=rel, wave=first, audience="Agents", trainer="X", date=DAY, capacity=5
    )
    with pytest.raises(PermissionDenied):
        training.attendance_record(actor=personas.moa, session=session, attended=5, expected_version=None)
    updated = training.session_update(
        actor=personas.moe, session=session, expected_version=session.version, place="Salle 2"
    )
    assert updated.place == "Salle 2"


def test_the_training_criterion_reads_the_sessions_and_stays_attested(personas: Any) -> None:
    rel, first, _second = _plan(personas)

    def criterion() -> Any:
        return next(c for c in gonogo_for(rel).criteria if c.code == "training")

    assert "formés" not in criterion().evidence
    session = _session(personas, rel, first)
    training.attendance_record(actor=personas.moe, session=session, attended=50, expected_version=None)
    shown = criterion()
    assert "50 / 420 utilisateurs formés." in shown.evidence
    assert not shown.met
    services.readiness_attest(actor=personas.moe, release=rel, item="training", done=True, evidence="Émargements")
    shown = criterion()
    assert not shown.met  # attested, but the first wave (no planned date: the next one) has users left to train
    assert "Émargements" in shown.evidence
    assert shown.evidence.endswith(
        "50 / 420 utilisateurs formés. Pilotes part en production avec 70 utilisateurs sur 120 encore à former."
    )
    more = _session(personas, rel, first, capacity=70)
    training.attendance_record(actor=personas.moe, session=more, attended=70, expected_version=None)
    shown = criterion()
    assert shown.met  # the second wave goes live later, under its own go/no-go
    assert shown.evidence.endswith("120 / 420 utilisateurs formés.")


def test_the_release_page_shows_users_trained_per_wave_in_french(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    url = f"/p/alpha/mep/releases/{rel.pk}/"
    html = personas.client(personas.reader).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Aucune session de formation pour l’instant." in html
    session = _session(personas, rel, first, place="Salle Colbert")
    training.attendance_record(actor=personas.moe, session=session, attended=48, expected_version=None)
    html = personas.client(personas.reader).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "48 / 420 utilisateurs formés." in html
    assert "Salle Colbert" in html
    assert "48 / 60" in html


def test_api_and_cli_list_and_add_sessions(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    base = f"/api/projects/alpha/mep/releases/{rel.pk}/training"
    _token, raw = token_create(user=personas.moe, name="formation")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    made = client.post(
        base,
        {"audience": "Agents pilotes", "trainer": "C. Martin", "date": "2027-02-15", "wave": first.pk, "capacity": 20},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["sessions"][0]["wave"] == first.pk
    bad = client.post(base, {"audience": "", "trainer": "X", "date": "2027-02-15"}, content_type="application/json")
    assert bad.status_code == 422
    data = client.get(base).json()
    assert [(w["name"], w["sessions"]) for w in data["waves"]] == [("Pilotes", 1), ("Généralisation", 0)]
    out = io.StringIO()
    call_command("mep", "training", "--project", "alpha", "--release", "3.0", "--json", stdout=out)
    assert json.loads(out.getvalue())["sessions"][0]["audience"] == "Agents pilotes"
    out = io.StringIO()
    call_command("mep", "training", "--project", "alpha", "--release", "3.0", stdout=out)
    assert "Agents pilotes" in out.getvalue()
    assert "0 / 420" in out.getvalue()
