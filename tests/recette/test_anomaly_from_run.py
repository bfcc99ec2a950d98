"""A KO leads to a pre-filled anomaly form (nothing created by the click) that warns about open duplicates."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.recette import models as m
from oeuvre.recette.services import anomalies as anomaly_services
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(personas: Any) -> m.Execution:
    case = h.make_case(personas, exigences=[h.exigence(personas)])
    campaign = h.campaign(personas, cases=[case])
    run = services.execution_start(actor=personas.contributor, iteration=campaign.iterations.get(), test_case=case)
    services.execution_record_step(
        actor=personas.contributor, execution=run, position=2, status="ko", actual="Page blanche"
    )
    run.refresh_from_db()
    return run


def test_it_does_not_create_an_anomaly_when_the_quick_action_is_clicked(personas: Any, failed: m.Execution) -> None:
    client = personas.client(personas.contributor)
    for _click in range(2):
        response = client.post(f"/p/alpha/recette/executions/{failed.pk}/anomaly/", {"step": 2})
        assert response.status_code == 302
        assert response["Location"] == f"/p/alpha/recette/anomalies/new/?execution={failed.pk}&step=2"
    assert not m.Anomaly.objects.exists()


def test_it_shows_the_form_pre_filled_from_the_failed_step(personas: Any, failed: m.Execution) -> None:
    client = personas.client(personas.contributor)
    page = client.get(f"/p/alpha/recette/anomalies/new/?execution={failed.pk}&step=2").content.decode()
    assert "Page blanche" in page  # the actual result, in the description
    assert failed.test_case.reference in page
    assert 'id="possible-duplicates"' not in page
    response = client.post(
        "/p/alpha/recette/anomalies/new/",
        {
            "execution": failed.pk,
            "step": 2,
            "title": "Écran blanc à la validation",
            "description": "Vu à l'étape 2",
            "kind": "anomalie",
            "severity": "mineure",
            "priority": "p2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    anomaly = m.Anomaly.objects.get()
    assert (anomaly.title, anomaly.severity, anomaly.execution_id) == (
        "Écran blanc à la validation",
        "mineure",
        failed.pk,
    )
    assert anomaly.step_position == 2


def test_it_warns_when_an_anomaly_is_already_open_for_the_run(personas: Any, failed: m.Execution) -> None:
    first = anomaly_services.anomaly_create_from_execution(
        actor=personas.contributor, execution=failed, step_position=2
    )
    client = personas.client(personas.contributor)
    page = client.get(f"/p/alpha/recette/anomalies/new/?execution={failed.pk}&step=2").content.decode()
    assert 'id="possible-duplicates"' in page
    assert first.reference in page
    assert "déjà ouverte" in page
    anomaly_services.anomaly_transition(
        actor=personas.amoa, anomaly=first, action="reject", expected_version=first.version, reason="doublon"
    )
    page = client.get(f"/p/alpha/recette/anomalies/new/?execution={failed.pk}&step=2").content.decode()
    assert 'id="possible-duplicates"' not in page  # a rejected one is no duplicate
