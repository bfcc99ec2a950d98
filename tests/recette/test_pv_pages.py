"""The PV and timers pages, API and CLI: what users see and do, refusals shown, query counts bounded."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from oeuvre.accounts.services import token_create
from oeuvre.recette.models import AcceptanceTimeline, Outage, ProcesVerbal, PvStatus
from oeuvre.recette.services import pv as svc
from oeuvre.recette.services.ledger import document_path, sha256_bytes
from tests.recette.pv_factories import PASSWORD, anomaly, campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private(settings: Any, tmp_path: Any) -> None:
    settings.OEUVRE_PRIVATE_DIR = str(tmp_path / "private")


def _pv(p: Any, minors: int = 2) -> ProcesVerbal:
    camp = campaign(p.project, results="oooo")
    for _ in range(minors):
        anomaly(p.project, camp, "mineure")
    return svc.pv_create(actor=p.amoa, project=p.project, campaigns=[camp])


def _signed(p: Any, minors: int = 2) -> ProcesVerbal:
    pv = _pv(p, minors)
    pv = svc.pv_decide(actor=p.moa, pv=pv, decision=pv.proposed_decision, expected_version=None)
    svc.pv_sign(actor=p.moa, pv=pv, password=PASSWORD)
    svc.pv_countersign(actor=p.moe, pv=pv, password=PASSWORD)
    pv.refresh_from_db()
    return pv


def _url(p: Any, pv: ProcesVerbal, tail: str = "") -> str:
    return f"/p/{p.project.code}/recette/pv/{pv.pk}/{tail}"


def test_it_shows_the_proposal_reasons_results_and_reserves(personas: Any) -> None:
    pv = _pv(personas)
    with translation.override("fr"):
        html = personas.client(personas.amoa).get(_url(personas, pv), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "PV-001" in html
    assert "ANO-001" in html
    assert 'name="password"' not in html  # not decided: no signature form yet


def test_it_refuses_a_web_signature_without_the_password(personas: Any) -> None:
    pv = _pv(personas)
    client = personas.client(personas.moa)
    client.post(_url(personas, pv, "decide/"), {"decision": pv.proposed_decision})
    response = client.post(_url(personas, pv, "sign/"), {"password": ""}, follow=True)
    assert (
        "Enter your password again to sign" in response.content.decode() or "mot de passe" in response.content.decode()
    )
    pv.refresh_from_db()
    assert pv.status == PvStatus.DECIDE
    assert not pv.signatures.exists()
    client.post(_url(personas, pv, "sign/"), {"password": PASSWORD})
    pv.refresh_from_db()
    assert pv.status == PvStatus.SIGNE_MOA


def test_it_refuses_a_web_departure_without_a_reason(personas: Any) -> None:
    pv = _pv(personas)
    client = personas.client(personas.moa)
    client.post(_url(personas, pv, "decide/"), {"decision": "refusee", "decision_reason": ""})
    pv.refresh_from_db()
    assert pv.decision == ""
    client.post(_url(personas, pv, "decide/"), {"decision": "refusee", "decision_reason": "Performances insuffisantes"})
    pv.refresh_from_db()
    assert (pv.decision, pv.decision_reason) == ("refusee", "Performances insuffisantes")


def test_it_serves_the_signed_pdf_as_an_attachment_matching_the_chain(personas: Any) -> None:
    pv = _signed(personas)
    signature = pv.signatures.get(role="moa")
    response = personas.client(personas.reader).get(_url(personas, pv, f"signatures/{signature.pk}/pdf/"))
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert sha256_bytes(body) == signature.ledger_entry.document_sha256


def test_it_verifies_the_chain_from_the_page(personas: Any) -> None:
    pv = _signed(personas)
    client = personas.client(personas.reader)
    with translation.override("en"):
        ok = client.get(f"/p/{personas.project.code}/recette/pv/chain/?verify=1", HTTP_ACCEPT_LANGUAGE="en")
    assert ok.status_code == 200
    ProcesVerbal.objects.filter(pk=pv.pk).update(decision_reason="ajout")
    bad = client.get(f"/p/{personas.project.code}/recette/pv/chain/?verify=1").content.decode()
    assert "PV-001" in bad
    assert "modifié après signature (entrée n° 1)" in bad


def test_it_keeps_the_pv_page_queries_flat(personas: Any, django_assert_max_num_queries: Any) -> None:
    pv = _signed(personas, minors=12)
    client = personas.client(personas.moa)
    client.get(_url(personas, pv))  # warm the session and the permission cache
    with django_assert_max_num_queries(20):
        assert client.get(_url(personas, pv)).status_code == 200


def test_it_keeps_the_pv_list_queries_flat(personas: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(6):
        _pv(personas, minors=3)
    client = personas.client(personas.reader)
    with django_assert_max_num_queries(16):
        response = client.get(f"/p/{personas.project.code}/recette/pv/")
    assert response.content.decode().count("/recette/pv/") >= 6


def test_it_keeps_the_timers_page_queries_flat(personas: Any, django_assert_max_num_queries: Any) -> None:
    today = dt.date.today()
    timeline = AcceptanceTimeline.objects.create(
        project=personas.project,
        mom_on=today - dt.timedelta(days=45),
        va_decided_on=today - dt.timedelta(days=12),
        va_outcome="positive",
        vsr_started_on=today - dt.timedelta(days=10),
    )
    for i in range(20):
        start = dt.datetime.combine(today - dt.timedelta(days=1 + i % 9), dt.time(9), tzinfo=dt.UTC)
        Outage.objects.create(
            timeline=timeline, equipment=f"eq{i % 4}", started_at=start, ended_at=start + dt.timedelta(minutes=30)
        )
    client = personas.client(personas.exploitation)
    with django_assert_max_num_queries(16):
        html = client.get(f"/p/{personas.project.code}/recette/timers/").content.decode()
    assert "eq3" in html
    assert 'id="timers-chart"' in html


def test_it_shows_the_pv_and_the_deadlines_on_the_overview_and_the_home_page(personas: Any) -> None:
    _signed(personas)
    client = personas.client(personas.reader)
    overview = client.get(f"/p/{personas.project.code}/recette/").content.decode()
    assert "PV-001" in overview
    home = client.get(f"/p/{personas.project.code}/").content.decode()
    assert 'id="recette-timers-title"' in home


def _api(user: Any) -> Client:
    _token, raw = token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_it_signs_through_the_api_only_with_the_password(personas: Any) -> None:
    pv = _pv(personas)
    moa = _api(personas.moa)
    base = f"/api/projects/{personas.project.code}/pv/{pv.pk}"
    detail = moa.get(base)
    assert detail.json()["reasons"][0]["code"] == "mineures"
    decided = moa.post(
        f"{base}/decide",
        json.dumps({"decision": "avec_reserves"}),
        content_type="application/json",
        headers={"If-Match": detail["ETag"]},
    )
    assert decided.status_code == 200
    refused = moa.post(f"{base}/sign", json.dumps({}), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    signed = moa.post(f"{base}/sign", json.dumps({"password": PASSWORD}), content_type="application/json")
    assert signed.status_code == 201
    assert signed.json()["chain_sequence"] == 2
    verify = moa.get(f"/api/projects/{personas.project.code}/verify").json()
    assert verify == {"ok": True, "entries": 2, "problems": []}


def test_it_lists_pv_and_timers_on_the_command_line(personas: Any) -> None:
    _signed(personas)
    today = dt.date.today()
    AcceptanceTimeline.objects.create(
        project=personas.project,
        mom_on=today - dt.timedelta(days=80),
        va_decided_on=today - dt.timedelta(days=60),
        va_outcome="positive",
        vsr_started_on=today - dt.timedelta(days=50),
    )
    out = StringIO()
    with translation.override("en"):
        call_command("recette", "pv", "--project", personas.project.code, stdout=out)
        call_command("recette", "timers", "--project", personas.project.code, stdout=out)
    text = out.getvalue()
    assert "PV-001" in text
    assert "provisional" in text
    assert "admission:" in text
    assert "(tacit)" in text  # fifty days after the VSR started, nobody decided
    document = document_path(ProcesVerbal.objects.get().signatures.first().ledger_entry.document_name)
    assert document.exists()
