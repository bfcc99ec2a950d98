"""The météo through its edges: the page and the home panel, the API and ``oeuvre pilotage meteo|snapshot``."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oeuvre.pilotage.models import MeteoSnapshot
from oeuvre.pilotage.services.meteo import meteo_override_set
from tests.recette.pv_factories import anomaly, campaign


def test_it_shows_verdicts_reasons_and_override_on_the_page(personas: Any, django_assert_max_num_queries: Any) -> None:
    campaign_ = campaign(personas.project, results="ok")
    anomaly(personas.project, campaign_, "bloquante")
    meteo_override_set(
        actor=personas.moe, project=personas.project, axis="cost", verdict="rain", reason="Avenant 2 à venir"
    )
    client = personas.client(personas.reader)
    with django_assert_max_num_queries(60):
        response = client.get(f"/p/{personas.project.code}/pilotage/", headers={"Accept-Language": "fr"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Avenant 2 à venir" in body
    assert "1 anomalie bloquante ouverte" in body
    assert "taux de réussite 50,0 % &lt; 90 %" in body or "taux de réussite 50,0 % < 90 %" in body
    assert "Forcer un verdict" not in body  # a reader reads only
    home = client.get(f"/p/{personas.project.code}/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Météo du projet" in home


def test_it_lets_the_moe_override_from_the_page(personas: Any) -> None:
    client = personas.client(personas.moe)
    url = f"/p/{personas.project.code}/pilotage/overrides/"
    response = client.post(url, {"axis": "scope", "verdict": "cloud", "reason": ""}, headers={"Accept-Language": "fr"})
    assert response.status_code == 302
    page = client.get(response["Location"], headers={"Accept-Language": "fr"}).content.decode()
    assert "Indiquez pourquoi le verdict calculé est forcé." in page
    client.post(url, {"axis": "scope", "verdict": "cloud", "reason": "Lot 3 redéfini"})
    page = client.get(f"/p/{personas.project.code}/pilotage/").content.decode()
    assert "Lot 3 redéfini" in page


def test_it_serves_the_meteo_over_the_api(personas: Any) -> None:
    from oeuvre.accounts.services import token_create

    _token, raw = token_create(user=personas.amoe, name="t")
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/{personas.project.code}/meteo"
    data = client.get(base).json()
    assert set(data["axes"]) == {"quality", "cost", "schedule", "scope"}
    response = client.post(
        f"{base}/overrides",
        json.dumps({"axis": "cost", "verdict": "storm", "reason": "Dépassement annoncé"}),
        content_type="application/json",
    )
    assert response.json()["axes"]["cost"]["verdict"] == "storm"
    bad = client.post(
        f"{base}/overrides",
        json.dumps({"axis": "cost", "verdict": "hail", "reason": "x"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "verdict"
    assert client.post(f"{base}/snapshots").status_code == 201
    assert client.get(f"{base}/snapshots").json()[0]["axes"]["cost"]["verdict"] == "storm"
    thresholds = client.get(f"{base}/thresholds")
    patched = client.patch(
        f"{base}/thresholds",
        json.dumps({"spi_sun": 0.97}),
        content_type="application/json",
        headers={"If-Match": thresholds["ETag"]},
    )
    assert patched.status_code == 403  # only the MOE sets thresholds


def test_it_prints_the_meteo_as_json_on_the_command_line(personas: Any) -> None:
    campaign_ = campaign(personas.project, results="o")
    anomaly(personas.project, campaign_, "bloquante")
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("pilotage", "meteo", "--project", personas.project.code, "--json")
    data = json.loads(out.getvalue())
    assert data["overall"] in {"rain", "storm"}
    assert set(data["axes"]) == {"quality", "cost", "schedule", "scope"}
    quality = data["axes"]["quality"]
    assert quality["verdict"] == "rain"
    assert all(isinstance(r, str) for r in quality["reasons"])


def test_it_takes_a_snapshot_from_the_command_line_as_a_named_user(personas: Any) -> None:
    with pytest.raises(CommandError):
        call_command("pilotage", "snapshot", "--project", personas.project.code, "--user", "")
    with pytest.raises(CommandError):
        call_command("pilotage", "snapshot", "--project", personas.project.code, "--user", personas.reader.username)
    out = io.StringIO()
    call_command(
        "pilotage", "snapshot", "--project", personas.project.code, "--user", personas.moe.username, stdout=out
    )
    assert personas.project.code in out.getvalue()
    assert MeteoSnapshot.objects.filter(project=personas.project, author=personas.moe).count() == 1
