"""The risk register: scores on the project's scale, the status workflow, mitigation actions, the heat map."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.pilotage.models import Risk, RiskStatus
from oeuvre.pilotage.selectors.meteo import gather_facts
from oeuvre.pilotage.selectors.risks import critical_open_risks, heat_map
from oeuvre.pilotage.services.meteo import meteo_settings_update
from oeuvre.pilotage.services.risks import (
    risk_action_add,
    risk_action_update,
    risk_create,
    risk_transition,
    risk_update,
)


def _risk(personas: Any, **data: Any) -> Risk:
    return risk_create(
        actor=personas.moe,
        project=personas.project,
        data={"title": "Reprise des données", "probability": 3, "impact": 3, **data},
    )


def test_it_numbers_risks_and_counts_critical_ones_in_the_meteo(personas: Any) -> None:
    first = _risk(personas)
    second = _risk(personas, probability=2, impact=4)
    assert (first.reference, second.reference) == ("RSK-001", "RSK-002")
    assert (first.criticality, second.criticality) == (9, 8)
    assert critical_open_risks(personas.project) == 1  # 9 ≥ 9, 8 < 9
    assert gather_facts(personas.project).critical_risks == 1
    meteo_settings_update(actor=personas.moe, project=personas.project, data={"risk_critical": 8})
    assert critical_open_risks(personas.project) == 2
    risk_transition(actor=personas.moe, risk=first, status=RiskStatus.CLOS, expected_version=first.version)
    assert critical_open_risks(personas.project) == 1


def test_it_refuses_scores_off_the_scale_and_bad_schedule_impacts(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        _risk(personas, probability=5, schedule_days_min=3, schedule_days_likely=2, schedule_days_max=9)
    assert set(info.value.errors) == {"probability", "schedule_days_likely"}
    with pytest.raises(ValidationFailed) as info:
        _risk(personas, owner=personas.outsider)
    assert set(info.value.errors) == {"owner"}
    meteo_settings_update(actor=personas.moe, project=personas.project, data={"risk_scale": 5})
    risk = _risk(personas, probability=5)
    assert risk.criticality == 15
    with pytest.raises(ValidationFailed) as info:
        meteo_settings_update(actor=personas.moe, project=personas.project, data={"risk_scale": 4})
    assert "risk_scale" in info.value.errors
    assert Risk.objects.count() == 1


def test_it_moves_risks_along_the_workflow_only(personas: Any) -> None:
    risk = _risk(personas)
    with pytest.raises(DomainError):
        risk_transition(actor=personas.moe, risk=risk, status="n_importe", expected_version=risk.version)
    risk = risk_transition(
        actor=personas.moe, risk=risk, status=RiskStatus.SURVENU, expected_version=risk.version, reason="Reprise KO"
    )
    with pytest.raises(DomainError):
        risk_transition(actor=personas.moe, risk=risk, status=RiskStatus.IDENTIFIE, expected_version=risk.version)
    with pytest.raises(StaleVersion):
        risk_transition(actor=personas.moe, risk=risk, status=RiskStatus.CLOS, expected_version=risk.version - 1)
    with pytest.raises(PermissionDenied):
        risk_transition(actor=personas.reader, risk=risk, status=RiskStatus.CLOS, expected_version=risk.version)
    assert Risk.history.filter(id=risk.pk, history_change_reason="Reprise KO").count() == 1


def test_it_treats_a_risk_once_it_has_an_action_and_dates_the_done_ones(personas: Any) -> None:
    risk = _risk(personas)
    action = risk_action_add(actor=personas.amoe, risk=risk, data={"title": "Reprise à blanc", "owner": personas.amoe})
    risk.refresh_from_db()
    assert risk.status == RiskStatus.EN_TRAITEMENT
    action = risk_action_update(
        actor=personas.amoe, action=action, data={"status": "fait"}, expected_version=action.version
    )
    assert action.done_on is not None
    with pytest.raises(ValidationFailed):
        risk_action_add(actor=personas.amoe, risk=risk, data={"title": "x", "owner": personas.outsider})


def test_it_edits_with_the_version_read(personas: Any) -> None:
    risk = _risk(personas)
    risk = risk_update(actor=personas.moa, risk=risk, data={"impact": 4}, expected_version=risk.version)
    assert risk.criticality == 12
    with pytest.raises(StaleVersion):
        risk_update(actor=personas.moa, risk=risk, data={"impact": 1}, expected_version=risk.version - 1)


def test_it_draws_the_heat_map_of_open_risks(personas: Any) -> None:
    _risk(personas)
    _risk(personas, probability=1, impact=4)
    closed = _risk(personas, probability=4, impact=4)
    risk_transition(actor=personas.moe, risk=closed, status=RiskStatus.CLOS, expected_version=closed.version)
    heat = heat_map(personas.project)
    cells = {(row["probability"], c["impact"]): c for row in heat["rows"] for c in row["cells"]}
    assert cells[(3, 3)]["count"] == 1
    assert cells[(3, 3)]["tone"] == "danger"
    assert cells[(1, 4)]["count"] == 1
    assert cells[(4, 4)]["count"] == 0
    assert [row["probability"] for row in heat["rows"]] == [4, 3, 2, 1]


def test_it_lists_risks_without_a_query_per_row(personas: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(30):
        risk = _risk(personas, probability=1 + n % 4, owner=personas.moe)
        risk_action_add(actor=personas.moe, risk=risk, data={"title": f"Action {n}", "owner": personas.amoe})
    client = personas.client(personas.reader)
    with django_assert_max_num_queries(30):
        response = client.get(f"/p/{personas.project.code}/pilotage/risks/?sort=-criticality")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(">RSK-0") == 30
    csv = client.get(f"/p/{personas.project.code}/pilotage/risks/?format=csv&status=en_traitement")
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 31


def test_it_keeps_the_register_through_the_api(personas: Any) -> None:
    from oeuvre.accounts.services import token_create

    _token, raw = token_create(user=personas.amoa, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/{personas.project.code}/risks"
    created = client.post(
        base,
        json.dumps({"title": "Recette décalée", "probability": 2, "impact": 4, "owner": "moe"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    risk = created.json()
    assert (risk["reference"], risk["criticality"], risk["owner"]) == ("RSK-001", 8, "moe")
    url = f"{base}/{risk['id']}"
    assert client.patch(url, json.dumps({"impact": 3}), content_type="application/json").status_code == 428
    patched = client.patch(
        url, json.dumps({"impact": 3}), content_type="application/json", headers={"If-Match": created["ETag"]}
    )
    assert patched.json()["criticality"] == 6
    bad = client.post(base, json.dumps({"title": "x", "probability": 9, "impact": 1}), content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "probability"
    action = client.post(f"{url}/actions", json.dumps({"title": "Relancer la MOA"}), content_type="application/json")
    assert action.status_code == 201
    assert client.get(url).json()["status"] == "en_traitement"
