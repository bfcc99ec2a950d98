"""Deployment waves by site or population: plan, each wave's go/no-go, status; page, API and CLI."""

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
from oeuvre.mep import waves
from oeuvre.mep.models import DeploymentWave
from tests.mep.builders import release


def _plan(p: Any) -> tuple[Any, Any, Any]:
    rel = release(p, "3.0", planned_date=dt.date(2027, 3, 1))
    first = waves.wave_create(
        actor=p.moe, release=rel, name="Pilotes", sites="Paris, Lyon", users=120, prerequisites="Postes\n\nComptes"
    )
    second = waves.wave_create(actor=p.moe, release=rel, name="Généralisation", sites="Nantes, Lille", users=300)
    return rel, first, second


def test_waves_are_numbered_and_totals_count_the_users_reached(personas: Any) -> None:
    rel, first, second = _plan(personas)
    assert (first.position, second.position) == (1, 2)
    assert first.prerequisite_lines == ["Postes", "Comptes"]
    plan = waves.wave_plan(rel)
    assert (plan.users, plan.users_deployed) == (420, 0)
    with pytest.raises(ValidationFailed) as caught:
        waves.wave_update(actor=personas.moe, wave=first, expected_version=None, status="en_cours")
    assert "status" in caught.value.errors  # no roll-out before the wave's go
    waves.wave_decide(actor=personas.moa, wave=first, decision="go", note="", expected_version=None)
    first.refresh_from_db()
    assert first.status == "prete"
    with pytest.raises(ValidationFailed) as caught:
        waves.wave_update(actor=personas.moe, wave=first, expected_version=None, status="deployee")
    assert "actual_date" in caught.value.errors
    waves.wave_update(
        actor=personas.exploitation,
        wave=first,
        expected_version=first.version,
        status="deployee",
        actual_date=dt.date(2027, 3, 2),
    )
    assert waves.wave_plan(rel).users_deployed == 120
    with pytest.raises(ValidationFailed):
        waves.wave_decide(actor=personas.moa, wave=first, decision="no_go", note="trop tard", expected_version=None)


def test_only_the_moa_decides_a_wave_and_a_no_go_says_why(personas: Any) -> None:
    _rel, _first, second = _plan(personas)
    with pytest.raises(PermissionDenied):
        waves.wave_decide(actor=personas.moe, wave=second, decision="go", note="", expected_version=None)
    with pytest.raises(ValidationFailed) as caught:
        waves.wave_decide(actor=personas.moa, wave=second, decision="no_go", note=" ", expected_version=None)
    assert "note" in caught.value.errors
    decided = waves.wave_decide(
        actor=personas.moa, wave=second, decision="no_go", note="Formation à finir", expected_version=second.version
    )
    assert decided.status == "suspendue"
    assert decided.gonogo_by == personas.moa
    with pytest.raises(StaleVersion):
        waves.wave_decide(actor=personas.moa, wave=second, decision="go", note="", expected_version=second.version)
    assert DeploymentWave.history.filter(id=second.pk).count() == 2


def test_a_wave_needs_its_sites_and_a_reader_cannot_add_one(personas: Any) -> None:
    rel = release(personas, "3.0")
    with pytest.raises(ValidationFailed) as caught:
        waves.wave_create(actor=personas.moe, release=rel, name="Vague", sites="  ")
    assert "sites" in caught.value.errors
    with pytest.raises(PermissionDenied):
        waves.wave_create(actor=personas.reader, release=rel, name="Vague", sites="Paris")


def test_the_release_page_shows_the_waves_and_the_moa_decides_there(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    url = f"/p/alpha/mep/releases/{rel.pk}/"
    html = personas.client(personas.reader).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "0 utilisateurs sur 420 atteints par les vagues déployées." in html
    assert "Paris, Lyon" in html
    assert "wave_decide" not in html
    assert f"{url}waves/{first.pk}/gonogo/" not in html
    moa = personas.client(personas.moa)
    assert f"{url}waves/{first.pk}/gonogo/" in moa.get(url).content.decode()
    moa.post(f"{url}waves/{first.pk}/gonogo/", {"decision": "go", "note": "", "version": first.version})
    first.refresh_from_db()
    assert first.gonogo == "go"


def test_api_and_cli_list_add_and_decide_waves(personas: Any) -> None:
    rel, first, _second = _plan(personas)
    _token, raw = token_create(user=personas.moa, name="copil")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/alpha/mep/releases/{rel.pk}/waves"
    data = client.get(base).json()
    assert [w["name"] for w in data["waves"]] == ["Pilotes", "Généralisation"]
    assert data["users"] == 420
    url = f"{base}/{first.pk}/gonogo"
    assert client.post(url, {"decision": "go"}, content_type="application/json").status_code == 428
    done = client.post(
        url, {"decision": "go"}, content_type="application/json", headers={"If-Match": f'"{first.version}"'}
    )
    assert done.status_code == 200, done.content
    assert done.json()["waves"][0]["gonogo"] == "go"
    out = io.StringIO()
    call_command("mep", "waves", "--project", "alpha", "--release", "3.0", "--json", stdout=out)
    assert [w["status"] for w in json.loads(out.getvalue())["waves"]] == ["prete", "planifiee"]
