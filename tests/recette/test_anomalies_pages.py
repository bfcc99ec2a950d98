"""Pages and API of anomalies: board, list, detail, moves through htmx, labels everywhere, query counts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from oeuvre.accounts.services import token_create
from oeuvre.recette.models import Anomaly
from oeuvre.recette.services import anomalies as svc
from tests.recette import helpers_anomalies as h

pytestmark = pytest.mark.django_db


# Pages answer in the member's language (French for the personas); services' messages are checked in
# English in test_anomalies_services.


def _many(p: Any, n: int = 30) -> list[Anomaly]:
    case = h.make_case(p.project, 1, exigences=("EX-001",))
    camp = h.campaign(p.project, cases=[case])
    result = []
    for i in range(n):
        a = svc.anomaly_create(
            actor=p.amoa,
            project=p.project,
            title=f"Anomalie {i}",
            severity=["bloquante", "majeure", "mineure"][i % 3],
            test_case=case,
            campaign=camp,
            assignee=p.moe if i % 2 else None,
            exigence=case.exigences.first(),
        )
        if i % 4 == 1:
            a = svc.anomaly_qualify(actor=p.amoa, anomaly=a, expected_version=a.version)
        result.append(a)
    return result


def _api(p: Any, user: Any) -> Any:
    from django.test import Client

    _t, raw = token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_it_shows_the_board_in_workflow_columns_with_custom_labels(personas: Any) -> None:
    p = personas
    _many(p, 6)
    conf = svc.settings_for(p.project)
    svc.severity_labels_update(
        actor=p.moa, project=p.project, expected_version=conf.version, label_bloquante="Sévérité 1"
    )
    html = p.client(p.moe).get(f"/p/{p.project.code}/recette/anomalies/").content.decode()
    assert (
        html.index('data-status="nouvelle"') < html.index('data-status="qualifiee"') < html.index('data-status="close"')
    )
    assert "Sévérité 1" in html
    assert ">Bloquante<" not in html
    # The MOE may qualify and take into correction, never verify or close.
    assert "Lancer la correction" in html
    assert "Vérifier la correction" not in html


def test_it_filters_the_board(personas: Any) -> None:
    _many(personas, 6)
    html = (
        personas.client(personas.amoa)
        .get(f"/p/{personas.project.code}/recette/anomalies/?severity=bloquante")
        .content.decode()
    )
    assert "Anomalie 0" in html
    assert "Anomalie 3" in html
    assert "Anomalie 1<" not in html
    assert "Anomalie 2" not in html


def test_it_moves_a_card_through_htmx_and_returns_the_board(personas: Any) -> None:
    p = personas
    a = _many(p, 1)[0]
    response = p.client(p.amoa).post(
        f"/p/{p.project.code}/recette/anomalies/{a.pk}/move/",
        {"action": "qualify", "version": a.version, "from": "board", "query": "severity=bloquante"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="anomaly-board">')
    assert "autofocus" in html
    a.refresh_from_db()
    assert a.status == "qualifiee"


def test_it_explains_an_illegal_move(personas: Any) -> None:
    p = personas
    a = _many(p, 1)[0]
    response = p.client(p.amoa).post(
        f"/p/{p.project.code}/recette/anomalies/{a.pk}/move/", {"action": "close", "version": a.version}, follow=True
    )
    assert "n&#x27;est possible que depuis" in response.content.decode()
    a.refresh_from_db()
    assert a.status == "nouvelle"


def test_it_refuses_a_move_the_role_lacks(personas: Any) -> None:
    p = personas
    a = _many(p, 1)[0]
    Anomaly.objects.filter(pk=a.pk).update(status="livree")
    response = p.client(p.moe).post(
        f"/p/{p.project.code}/recette/anomalies/{a.pk}/move/", {"action": "verify", "version": a.version}
    )
    assert response.status_code == 403


def test_it_prefills_the_form_from_a_ko(personas: Any) -> None:
    p = personas
    case = h.make_case(p.project, 5, exigences=("EX-002",))
    camp = h.campaign(p.project, cases=[case])
    ex = h.run(camp.iterations.get(), case, "ko", h.at(date(2026, 3, 2)), failed_step=3, actual="Écran blanc")
    url = f"/p/{p.project.code}/recette/anomalies/new/?execution={ex.pk}&step=3"
    html = p.client(p.contributor).get(url).content.decode()
    assert "CT-005, étape 3 : Action 3 de CT-005" in html
    assert "Écran blanc" in html
    response = p.client(p.contributor).post(
        f"/p/{p.project.code}/recette/anomalies/new/",
        {"execution": ex.pk, "step": 3, "title": "Écran blanc à l'étape 3", "severity": "bloquante", "priority": "p1"},
    )
    assert response.status_code == 302
    a = Anomaly.objects.get()
    assert (a.execution, a.step_position, a.severity) == (ex, 3, "bloquante")


def test_it_shows_the_history_on_the_detail_page(personas: Any) -> None:
    p = personas
    a = _many(p, 1)[0]
    svc.anomaly_reject(actor=p.moa, anomaly=a, expected_version=a.version, reason="Comportement conforme au CCTP")
    html = p.client(p.reader).get(f"/p/{p.project.code}/recette/anomalies/{a.pk}/").content.decode()
    assert "Comportement conforme au CCTP" in html
    assert "Rejetée" in html


def test_it_keeps_board_list_and_dashboard_queries_flat(personas: Any, django_assert_max_num_queries: Any) -> None:
    p = personas
    _many(p, 40)
    client = p.client(p.amoe)
    base = f"/p/{p.project.code}/recette"
    camp = Anomaly.objects.first().campaign
    for url, limit in (
        (f"{base}/anomalies/", 16),
        (f"{base}/anomalies/list/", 16),
        (f"{base}/anomalies/list/?format=csv", 14),
        (f"{base}/dashboards/?campaign={camp.pk}", 20),
        (f"{base}/coverage/", 14),
        (f"{base}/", 20),
        (f"/api/projects/{p.project.code}/anomalies?page_size=100", 10),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_it_exports_the_list_as_csv_with_labels(personas: Any) -> None:
    _many(personas, 3)
    body = (
        personas.client(personas.reader)
        .get(f"/p/{personas.project.code}/recette/anomalies/list/?format=csv")
        .content.decode()
    )
    assert body.splitlines()[1].startswith("ANO-001;Anomalie 0;Anomalie;Bloquante")


def test_it_drives_the_workflow_through_the_api(personas: Any) -> None:
    p = personas
    client = _api(p, p.amoa)
    base = f"/api/projects/{p.project.code}/anomalies"
    created = client.post(base, json.dumps({"title": "API", "severity": "bloquante"}), content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["reference"] == "ANO-001"
    assert body["severity_label"] == "Bloquante"
    url = f"{base}/{body['id']}/transitions"
    no_match = client.post(url, json.dumps({"action": "qualify"}), content_type="application/json")
    assert no_match.status_code == 428
    moved = client.post(
        url,
        json.dumps({"action": "qualify", "priority": "p1"}),
        content_type="application/json",
        headers={"If-Match": created["ETag"]},
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "qualifiee"
    assert moved.json()["priority"] == "p1"
    stale = client.post(
        url,
        json.dumps({"action": "reject", "reason": "doublon"}),
        content_type="application/json",
        headers={"If-Match": created["ETag"]},
    )
    assert stale.status_code == 412
    illegal = client.post(
        url, json.dumps({"action": "close"}), content_type="application/json", headers={"If-Match": moved["ETag"]}
    )
    assert illegal.status_code == 409
    assert "n'est possible que depuis" in illegal.json()["detail"]
    moe = _api(p, p.moe)
    fix = moe.post(
        url,
        json.dumps({"action": "start_fix", "assignee": "moe"}),
        content_type="application/json",
        headers={"If-Match": moved["ETag"]},
    )
    assert fix.status_code == 200
    assert fix.json()["assignee"] == "moe"
    history = client.get(f"{base}/{body['id']}/history").json()
    assert [h["changes"][0]["new"] for h in history][:2] == ["En correction", "Qualifiée"]
    listed = client.get(f"{base}?status=en_correction").json()
    assert listed["count"] == 1


def test_it_names_the_field_of_an_unknown_reference_in_the_api(personas: Any) -> None:
    client = _api(personas, personas.amoa)
    response = client.post(
        f"/api/projects/{personas.project.code}/anomalies",
        json.dumps({"title": "x", "test_case": "CT-999"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "test_case"
    assert not Anomaly.objects.exists()


def test_it_relabels_through_the_api(personas: Any) -> None:
    client = _api(personas, personas.moa)
    url = f"/api/projects/{personas.project.code}/recette/severity-labels"
    got = client.get(url)
    put = client.put(
        url,
        json.dumps({"label_bloquante": "Sévérité 1", "label_majeure": "Sévérité 2", "label_mineure": "Sévérité 3"}),
        content_type="application/json",
        headers={"If-Match": got["ETag"]},
    )
    assert put.status_code == 200
    assert put.json()["effective"] == {"bloquante": "Sévérité 1", "majeure": "Sévérité 2", "mineure": "Sévérité 3"}


def test_it_serves_dashboard_data_through_the_api(personas: Any) -> None:
    p = personas
    case = h.make_case(p.project, 1)
    camp = h.campaign(p.project, cases=[case])
    h.run(camp.iterations.get(), case, "ok", h.at(date(2026, 3, 2)))
    client = _api(p, p.reader)
    data = client.get(f"/api/projects/{p.project.code}/campaigns/{camp.pk}/dashboard").json()
    assert data["pass_rate"] == 100.0
    assert data["burnup"][0]["passed"] == [1]
    coverage = client.get(f"/api/projects/{p.project.code}/recette/coverage").json()
    assert coverage["totals"]["exigences"] == 0


def test_it_shows_key_figures_on_the_home_page_and_the_overview(personas: Any) -> None:
    p = personas
    _many(p, 4)
    for url in (f"/p/{p.project.code}/", f"/p/{p.project.code}/recette/"):
        html = p.client(p.reader).get(url).content.decode()
        assert "VABF lot 1" in html, url
        assert 'class="sev sev-bloquante">Bloquante</span> <strong>2</strong>' in html, url
