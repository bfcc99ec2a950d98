"""The execution screen, evidence uploads (hostile ones too), the API of executions, and query counts."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.recette import models as m
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def run(personas: Any) -> m.Execution:
    case = h.make_case(personas, exigences=[h.exigence(personas)])
    campaign = h.campaign(personas, cases=[case])
    return services.execution_start(actor=personas.contributor, iteration=campaign.iterations.get(), test_case=case)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("server.log", "ERROR 500\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("ecran.png", PNG, "image/png"),
        ("capture.JPEG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("rapport.pdf", PDF, "application/pdf"),
        ("journaux.zip", _zip(), "application/zip"),
        ("serveur.log", "2026-11-20 ERREUR délai dépassé\n".encode(), "text/plain"),
    ],
)
def test_it_accepts_evidence_by_its_content(
    personas: Any, run: m.Execution, name: str, data: bytes, content_type: str
) -> None:
    evidence = services.evidence_add(actor=personas.contributor, execution=run, filename=name, data=data)
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert name not in evidence.stored_name
    assert services.evidence_path(evidence).read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ecran.png", b"GIF89a not a png"),  # wrong magic for the name
        ("ecran.png", b"<html><script>alert(1)</script></html>"),  # HTML disguised as an image
        ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("notes.txt", b"<svg onload=alert(1)>"),  # SVG as text
        ("page.html", b"<!DOCTYPE html><p>hi</p>"),
        ("programme.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40),  # binary, not an accepted kind
        ("vide.png", b""),
        ("rapport.pdf", PNG),  # a PNG named .pdf
    ],
)
def test_it_refuses_hostile_evidence(personas: Any, run: m.Execution, name: str, data: bytes) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.evidence_add(actor=personas.contributor, execution=run, filename=name, data=data)
    assert "file" in caught.value.errors
    assert not m.Evidence.objects.exists()
    assert not list(services.evidence_root().rglob("*.*")) if services.evidence_root().exists() else True


def test_it_refuses_oversized_evidence(personas: Any, run: m.Execution, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 1024)
    with pytest.raises(ValidationFailed) as caught:
        services.evidence_add(actor=personas.contributor, execution=run, filename="big.log", data=b"a" * 1025)
    assert "1024" not in caught.value.errors["file"][0]
    assert "big.log" in caught.value.errors["file"][0]
    services.evidence_add(actor=personas.contributor, execution=run, filename="ok.log", data=b"a" * 1024)


def test_it_never_uses_the_users_path(personas: Any, run: m.Execution) -> None:
    for hostile in ("../../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/cron.d/x.log", "a\x00b.txt"):
        evidence = services.evidence_add(actor=personas.contributor, execution=run, filename=hostile, data=b"x")
        path = services.evidence_path(evidence)
        assert path.parent.parent == services.evidence_root()
        assert "/" not in evidence.original_name
        assert "\\" not in evidence.original_name
        assert ".." not in path.name
    m.Evidence.objects.filter(pk=evidence.pk).update(stored_name="../../settings.py")
    evidence.refresh_from_db()
    with pytest.raises(DomainError):
        services.evidence_path(evidence)


def test_it_serves_evidence_as_an_attachment_to_members_only(personas: Any, run: m.Execution) -> None:
    evidence = services.evidence_add(
        actor=personas.contributor, execution=run, filename="trace.log", data=b"<b>hi</b> in a log"
    )
    url = f"/p/alpha/recette/evidence/{evidence.pk}/"
    response = personas.client(personas.reader).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain"
    assert b"".join(response.streaming_content) == b"<b>hi</b> in a log"
    assert personas.client(personas.outsider).get(url).status_code == 404


def test_it_uploads_evidence_through_the_page_and_the_api(personas: Any, run: m.Execution) -> None:
    page = personas.client(personas.contributor).post(
        f"/p/alpha/recette/executions/{run.pk}/evidence/", {"file": SimpleUploadedFile("ecran.png", PNG), "step": "2"}
    )
    assert page.status_code == 302
    assert m.Evidence.objects.get().step_position == 2
    _token, raw = token_create(user=personas.moe, name="ci")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/recette/executions/{run.pk}/evidence"
    bad = client.post(url, {"file": SimpleUploadedFile("ecran.png", b"<html></html>")}, format="multipart")
    assert bad.status_code == 422
    good = client.post(url, {"file": SimpleUploadedFile("pv.pdf", PDF)}, format="multipart")
    assert good.status_code == 201
    assert good.json()["content_type"] == "application/pdf"
    _token, reader = token_create(user=personas.reader, name="r")
    refused = Client(headers={"Authorization": f"Bearer {reader}"}).post(
        url, {"file": SimpleUploadedFile("pv.pdf", PDF)}, format="multipart"
    )
    assert refused.status_code == 403


def test_it_moves_to_the_next_step_after_an_ok_and_stays_on_a_ko(personas: Any, run: m.Execution) -> None:
    client = personas.client(personas.contributor)
    url = f"/p/alpha/recette/executions/{run.pk}/step/"
    htmx = {"HX-Request": "true"}
    first = client.post(url, {"position": 1, "status": "ok", "version": run.version}, headers=htmx)
    assert first.status_code == 200
    assert 'data-step="2"' in first.content.decode()
    run.refresh_from_db()
    missing = client.post(url, {"position": 2, "status": "ko", "version": run.version}, headers=htmx)
    assert 'data-step="2"' in missing.content.decode()
    assert 'id="step-error"' in missing.content.decode()
    ko = client.post(url, {"position": 2, "status": "ko", "actual": "Erreur 500", "version": run.version}, headers=htmx)
    body = ko.content.decode()
    assert 'data-step="2"' in body
    assert 'id="raise-anomaly"' in body
    run.refresh_from_db()
    assert run.status == "ko"
    assert list(run.step_results.values_list("status", flat=True)) == ["ok", "ko", "non_execute"]
    stale = client.post(url, {"position": 3, "status": "ok", "version": run.version - 1}, headers=htmx)
    assert 'id="step-error"' in stale.content.decode()
    assert run.step_results.get(position=3).status == "non_execute"


def test_it_raises_the_anomaly_of_a_ko_through_the_pre_filled_form(personas: Any, run: m.Execution) -> None:
    services.execution_record_step(
        actor=personas.contributor, execution=run, position=3, status="ko", actual="Page blanche"
    )
    client = personas.client(personas.contributor)
    click = client.post(f"/p/alpha/recette/executions/{run.pk}/anomaly/", {"step": "3"})
    assert click.status_code == 302
    assert click["Location"] == f"/p/alpha/recette/anomalies/new/?execution={run.pk}&step=3"
    assert not m.Anomaly.objects.exists(), "the click only opens the form"
    form = client.get(click["Location"]).content.decode()
    assert "Page blanche" in form
    assert run.test_case.reference in form
    saved = client.post(
        "/p/alpha/recette/anomalies/new/",
        {
            "execution": run.pk,
            "step": 3,
            "title": "Page blanche à l'étape 3",
            "description": "Résultat obtenu : Page blanche",
            "kind": "anomalie",
            "severity": "majeure",
            "priority": "p2",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    anomaly = m.Anomaly.objects.get()
    assert anomaly.execution_id == run.pk
    assert anomaly.step_position == 3
    assert anomaly.test_case_id == run.test_case_id
    assert "Page blanche" in anomaly.description


def test_it_runs_an_execution_through_the_api(personas: Any, run: m.Execution) -> None:
    _token, raw = token_create(user=personas.exploitation, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/alpha/recette/executions/{run.pk}"
    etag = client.get(base)["ETag"]
    no_match = client.put(f"{base}/steps/1", {"status": "ok"}, content_type="application/json")
    assert no_match.status_code == 428
    step = client.put(f"{base}/steps/1", {"status": "ok"}, content_type="application/json", headers={"If-Match": etag})
    assert step.status_code == 200
    assert step.json()["steps"][0]["status"] == "ok"
    stale = client.put(f"{base}/steps/2", {"status": "ok"}, content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412
    done = client.post(
        f"{base}/status", {"comment": "RAS", "duration_seconds": 90}, content_type="application/json",
        headers={"If-Match": step["ETag"]},
    )  # fmt: skip
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["duration_seconds"]) == ("non_execute", 90.0)
    _token, reader = token_create(user=personas.reader, name="r")
    refused = Client(headers={"Authorization": f"Bearer {reader}"}).put(
        f"{base}/steps/2", {"status": "ok"}, content_type="application/json", headers={"If-Match": done["ETag"]}
    )
    assert refused.status_code == 403


def test_it_creates_a_test_case_with_steps_through_the_api(personas: Any) -> None:
    exigence = h.exigence(personas)
    _token, raw = token_create(user=personas.amoa, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = "/api/projects/alpha/recette/test-cases"
    payload = {"title": "Paiement", "steps": [{"action": "Payer", "expected": "Reçu"}], "exigences": ["EX-001"]}
    created = client.post(url, payload, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["reference"], body["revision"], body["exigences"]) == ("CT-001", 1, [exigence.reference])
    unknown = client.post(url, {**payload, "exigences": ["EX-999"]}, content_type="application/json")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "exigences"
    patched = client.patch(
        f"{url}/{body['id']}", {"steps": [{"action": "Payer par carte", "expected": "Reçu"}]},
        content_type="application/json", headers={"If-Match": created["ETag"]},
    )  # fmt: skip
    assert patched.json()["revision"] == 2
    revisions = client.get(f"{url}/{body['id']}/revisions").json()
    assert [r["content"]["steps"][0]["action"] for r in revisions] == ["Payer par carte", "Payer"]


def _bulk(personas: Any, n: int) -> m.Campaign:
    folder = services.folder_create(actor=personas.amoa, project=personas.project, name="Lot")
    exigences = [h.exigence(personas, f"EX-{i:03d}") for i in range(1, 4)]
    cases = [h.make_case(personas, f"Cas {i}", folder=folder, exigences=exigences) for i in range(n)]
    campaign = h.campaign(personas, cases=cases)
    iteration = campaign.iterations.get()
    for case in cases:
        execution = services.execution_start(actor=personas.contributor, iteration=iteration, test_case=case)
        services.execution_record_step(
            actor=personas.contributor, execution=execution, position=1, status="ko", actual="KO"
        )
    return campaign


@pytest.mark.parametrize("n", [3, 12])
def test_it_keeps_list_pages_flat_in_queries(personas: Any, n: int, django_assert_max_num_queries: Any) -> None:
    campaign = _bulk(personas, n)
    client = personas.client(personas.reader)
    execution = m.Execution.objects.filter(iteration__campaign=campaign).first()
    assert execution is not None
    pages = [
        "/p/alpha/recette/book/",
        "/p/alpha/recette/executions/",
        "/p/alpha/recette/executions/?status=ko&sort=-test_case",
        "/p/alpha/recette/campaigns/",
        f"/p/alpha/recette/campaigns/{campaign.pk}/",
        f"/p/alpha/recette/executions/{execution.pk}/",
        f"/p/alpha/recette/book/{execution.test_case_id}/",
        "/api/projects/alpha/recette/test-cases",
        f"/api/projects/alpha/recette/campaigns/{campaign.pk}/executions",
    ]
    for url in pages:
        with django_assert_max_num_queries(22):
            assert client.get(url).status_code == 200, url


def test_evidence_and_comment_attachments_pass_the_one_upload_guard(
    personas: Any, run: m.Execution, monkeypatch: Any
) -> None:
    from oeuvre.core import files

    seen: list[str] = []

    def spy(filename: str, data: bytes, *args: Any, **kwargs: Any) -> Any:
        seen.append(filename)
        return files.check_upload(filename, data, *args, **kwargs)

    monkeypatch.setattr(services, "check_upload", spy)
    services.evidence_add(actor=personas.contributor, execution=run, filename="ecran.png", data=PNG)
    assert seen == ["ecran.png"]
    # What evidence accepted before the guard was shared stays accepted, on evidence and attachments alike:
    # a HAR capture and a log written by a Windows tool (cp1252).
    windows_log = "Erreur : délai dépassé\r\n".encode("cp1252")
    for name, data in (("session.har", b'{"log": {"entries": []}}'), ("iis.log", windows_log)):
        evidence = services.evidence_add(actor=personas.contributor, execution=run, filename=name, data=data)
        assert evidence.content_type == "text/plain"
        assert files.check_upload(name, data).content_type == "text/plain"
    with pytest.raises(ValidationFailed) as caught:
        services.evidence_add(actor=personas.contributor, execution=run, filename="page.html", data=b"<html><script>")
    assert "file" in caught.value.errors
