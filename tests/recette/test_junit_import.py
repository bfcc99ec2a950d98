"""JUnit results from CI: real pytest output, Surefire and Jest shapes, through the service, the CLI and the API."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import ValidationFailed
from oeuvre.recette import models as m
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db

PYTEST_SUITE = """
import pytest

def test_CT_001_login():
    assert True

def test_ct_002_logout():
    assert 1 == 2, "still logged in"

@pytest.mark.parametrize("who", ["usager", "agent"])
def test_ct002_logout_roles(who):
    assert who

@pytest.mark.skip(reason="needs the SMS gateway")
def test_ct_3_sms():
    pass

def test_without_reference():
    assert True
"""

SUREFIRE = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="fr.guichet.LoginIT" time="3.2" tests="3"
           errors="1" skipped="0" failures="0">
  <properties><property name="java.version" value="21"/></properties>
  <testcase name="ct001ConnexionFranceConnect" classname="fr.guichet.LoginIT" time="1.2"/>
  <testcase name="ct003EnvoiSms" classname="fr.guichet.LoginIT" time="0.8">
    <error message="Connection refused" type="java.net.ConnectException">java.net.ConnectException: refused
\tat fr.guichet.SmsClient.send(SmsClient.java:42)</error>
    <system-out>sms gateway down</system-out>
  </testcase>
  <testcase name="exportPdf" classname="fr.guichet.ExportIT" time="1.2"/>
</testsuite>
"""

JEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.5">
  <testsuite name="Connexion" errors="0" failures="1" skipped="0" timestamp="2026-11-20T10:00:00" time="1.2" tests="2">
    <testcase classname="Connexion CT-001 affiche le formulaire" name="Connexion CT-001 affiche le formulaire"
              time="0.4"></testcase>
    <testcase classname="Connexion CT-002 refuse un mot de passe faux"
              name="Connexion CT-002 refuse un mot de passe faux" time="0.8">
      <failure message="Error: expect(received).toBe(expected)">Error: expect(received).toBe(expected)
Expected: "Mot de passe incorrect"
Received: ""</failure></testcase>
  </testsuite>
</testsuites>
"""


@pytest.fixture
def book(personas: Any) -> dict[str, Any]:
    exigence = h.exigence(personas)
    cases = [
        h.make_case(personas, "Connexion", exigences=[exigence]),
        h.make_case(personas, "Déconnexion", exigences=[exigence]),
        h.make_case(personas, "Code par SMS"),
    ]
    campaign = h.campaign(personas, "Non-régression", cases=cases[:1])
    return {"cases": cases, "campaign": campaign, "exigence": exigence}


def _pytest_report(tmp_path: Path) -> bytes:
    """Run pytest for real on a small suite and return the JUnit XML it writes."""
    (tmp_path / "test_portail.py").write_text(PYTEST_SUITE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-q",
         "--junitxml=report.xml", "test_portail.py"],
        cwd=tmp_path, env=env, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    return (tmp_path / "report.xml").read_bytes()


def test_it_imports_a_real_pytest_report(personas: Any, book: dict[str, Any], tmp_path: Path) -> None:
    data = _pytest_report(tmp_path)
    result = services.junit_import(actor=personas.amoe, campaign=book["campaign"], data=data, filename="report.xml")
    ct1, ct2, ct3 = book["cases"]
    by_case = {e.test_case_id: e for e in m.Execution.objects.filter(iteration__campaign=book["campaign"])}
    assert result.total == 6
    assert result.created == 3
    assert by_case[ct1.pk].status == "ok"
    # test_ct_002_logout failed and two parametrised runs passed: the worst outcome wins.
    assert by_case[ct2.pk].status == "ko"
    assert "still logged in" in by_case[ct2.pk].message
    assert by_case[ct3.pk].status == "non_execute"
    assert by_case[ct1.pk].source == "junit"
    assert by_case[ct1.pk].test_case_revision.revision == 1
    assert result.unmapped == ["test_portail.test_without_reference"]
    assert result.planned == 2, "CT-002 and CT-003 were not planned yet"
    [failure] = result.failures
    assert failure["test_case"] == ct2.pk
    assert failure["exigence"] == book["exigence"].pk
    assert failure["campaign"] == book["campaign"].pk
    assert "still logged in" in failure["description"]


def test_it_reads_surefire_and_jest_shapes(personas: Any, book: dict[str, Any]) -> None:
    surefire = services.junit_import(actor=personas.moe, campaign=book["campaign"], data=SUREFIRE, filename="s.xml")
    assert surefire.by_status == {"ok": 1, "ko": 1}
    assert surefire.unmapped == ["fr.guichet.ExportIT.exportPdf"]
    assert "Connection refused" in surefire.failures[0]["description"]
    jest = services.junit_import(actor=personas.moe, campaign=book["campaign"], data=JEST, filename="jest.xml")
    assert jest.by_status == {"ok": 1, "ko": 1}
    assert jest.unmapped == []


def test_it_uses_a_saved_mapping_before_the_name(personas: Any, book: dict[str, Any]) -> None:
    first = services.junit_import(actor=personas.moe, campaign=book["campaign"], data=SUREFIRE, filename="s.xml")
    assert first.unmapped == ["fr.guichet.ExportIT.exportPdf"]
    services.junit_mapping_save(
        actor=personas.moe, project=personas.project, junit_name="fr.guichet.ExportIT.exportPdf",
        test_case=book["cases"][2],
    )  # fmt: skip
    second = services.junit_import(actor=personas.moe, campaign=book["campaign"], data=SUREFIRE, filename="s.xml")
    assert second.unmapped == []
    latest = m.Execution.objects.filter(test_case=book["cases"][2]).latest("pk")
    # CT-003 now gets the error of ct003EnvoiSms and the pass of exportPdf: the worst wins.
    assert latest.status == "ko"


def test_it_refuses_a_broken_file_and_writes_nothing(personas: Any, book: dict[str, Any]) -> None:
    for data in (b"<testsuite><testcase name='CT-001'></testsuite>", b"<html><body/></html>", b"",
                 b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><testsuite>&e;</testsuite>'):  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            services.junit_import(actor=personas.moe, campaign=book["campaign"], data=data, filename="bad.xml")
        assert caught.value.errors["file"][0].startswith("bad.xml")
    assert not m.Execution.objects.exists()


def test_it_refuses_ci_results_to_a_tester_without_the_right(personas: Any, book: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    for user in (personas.contributor, personas.reader, personas.moa):
        with pytest.raises(PermissionDenied):
            services.junit_import(actor=user, campaign=book["campaign"], data=JEST, filename="jest.xml")


def test_it_imports_through_the_cli(personas: Any, book: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "surefire.xml"
    path.write_bytes(SUREFIRE)
    out = io.StringIO()
    call_command(
        "recette", "junit", str(path), "--project", "alpha", "--campaign", "Non-régression", "--user", "amoe",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "3 results, 2 executions created" in text
    assert "1 unmapped" in text
    assert "fr.guichet.ExportIT.exportPdf" in text
    assert "1 failures" in text
    with pytest.raises(CommandError, match=r"rôle|role"):
        call_command(
            "recette", "junit", str(path), "--project", "alpha", "--campaign", "Non-régression", "--user", "reader",
            stdout=io.StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="unknown campaign"):
        call_command("recette", "junit", str(path), "--project", "alpha", "--campaign", "Nope", "--user", "amoe")
    out = io.StringIO()
    call_command("recette", "campaigns", "--project", "alpha", "--user", "reader", stdout=out)
    assert "Non-régression" in out.getvalue()


def test_it_imports_through_the_api_with_a_token(personas: Any, book: dict[str, Any]) -> None:
    _token, raw = token_create(user=personas.amoe, name="ci")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/recette/campaigns/{book['campaign'].pk}/junit"
    response = client.post(url, {"file": io.BytesIO(JEST)}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["by_status"], body["iteration"]) == (2, {"ok": 1, "ko": 1}, 1)
    assert body["failures"][0]["test_case_reference"] == "CT-002"
    bad = client.post(url, {"file": io.BytesIO(b"<testsuite><oops></testsuite>")}, format="multipart")
    assert bad.status_code == 422
    assert "line" in bad.json()["errors"][0]["message"]
    missing_iteration = client.post(url, {"file": io.BytesIO(JEST), "iteration": "7"}, format="multipart")
    assert missing_iteration.status_code == 422
    mapping = client.post(
        "/api/projects/alpha/recette/junit-mappings",
        {"junit_name": "fr.guichet.ExportIT.exportPdf", "test_case": "CT-003"},
        content_type="application/json",
    )
    assert mapping.status_code == 201
    assert client.get("/api/projects/alpha/recette/junit-mappings").json()[0]["test_case"] == "CT-003"


def test_it_raises_the_anomaly_of_a_ci_failure_from_the_import_page(personas: Any, book: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = personas.client(personas.amoe)
    url = f"/p/alpha/recette/campaigns/{book['campaign'].pk}/junit/"
    page = client.post(url, {"file": SimpleUploadedFile("jest.xml", JEST), "iteration": "1"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="junit-result"' in body
    failed = m.Execution.objects.get(status="ko")
    form_url = f"/p/alpha/recette/anomalies/new/?execution={failed.pk}"
    assert form_url in body
    assert not m.Anomaly.objects.exists(), "the import proposes anomalies, it does not create them"
    form = client.get(form_url)
    assert form.status_code == 200
    assert book["cases"][1].reference in form.content.decode()
    response = client.post(
        "/p/alpha/recette/anomalies/new/",
        {
            "execution": failed.pk,
            "title": "Échec en intégration continue",
            "description": "Vu dans le rapport JUnit",
            "kind": "anomalie",
            "severity": "mineure",
            "priority": "p2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    anomaly = m.Anomaly.objects.get()
    assert anomaly.execution_id == failed.pk
    assert anomaly.test_case_id == book["cases"][1].pk
    broken = client.post(url, {"file": SimpleUploadedFile("bad.xml", b"<testsuite><x></testsuite>")})
    assert 'role="alert"' in broken.content.decode()
    assert "bad.xml" in broken.content.decode()


def test_it_imports_a_report_as_a_job(personas: Any, book: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oeuvre.core.jobs import execute_job
    from oeuvre.core.models import Job

    _token, raw = token_create(user=personas.amoe, name="ci")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/recette/campaigns/{book['campaign'].pk}/junit"
    response = client.post(url, {"file": SimpleUploadedFile("jest.xml", JEST), "background": "true"})
    assert response.status_code == 202, response.content
    assert not m.Execution.objects.exists()
    job = execute_job(Job.objects.get(pk=response.json()["id"]))
    assert job.status == "done", job.error
    assert job.result["created"] == 2
    assert job.result["by_status"] == {"ok": 1, "ko": 1}
    assert m.Execution.objects.count() == 2
    assert not list(services._junit_root().iterdir()), "the stored report is removed"
    broken = client.post(url, {"file": SimpleUploadedFile("bad.xml", b"<testsuite><x></testsuite>"), "background": "1"})
    failed = execute_job(Job.objects.get(pk=broken.json()["id"]))
    assert failed.status == "failed"
    assert "bad.xml" in failed.error
