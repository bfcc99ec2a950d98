"""API flows: ETag/If-Match, the MOA's validation, imports as jobs, the RTM, baselines and impact."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.requirements.models import Exigence
from tests.requirements import helpers as h


def _client(user: Any) -> Client:
    _token, raw = token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _json(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", content_type="application/json", headers=headers
    )


def test_it_runs_the_workflow_over_the_api(personas: Any) -> None:
    base = f"/api/projects/{personas.project.code}/exigences"
    amoa, moa = _client(personas.amoa), _client(personas.moa)
    created = _json(amoa, "POST", base, {"title": "Payer en ligne", "type": "fonctionnelle", "priority": "must"})
    assert created.status_code == 201
    body = created.json()
    assert (body["reference"], body["status"]) == ("EX-001", "brouillon")
    url = f"{base}/{body['id']}"
    assert _json(amoa, "PATCH", url, {"title": "x"}).status_code == 428
    assert _json(amoa, "PATCH", url, {"title": "x"}, **{"If-Match": '"7"'}).status_code == 412
    patched = _json(amoa, "PATCH", url, {"title": "Payer"}, **{"If-Match": created["ETag"]})
    assert patched.status_code == 200
    submitted = _json(amoa, "POST", f"{url}/submit", {}, **{"If-Match": patched["ETag"]})
    assert submitted.json()["status"] == "soumise"
    assert _json(amoa, "POST", f"{url}/validate", {}, **{"If-Match": submitted["ETag"]}).status_code == 403
    validated = _json(moa, "POST", f"{url}/validate", {"comment": "OK"}, **{"If-Match": submitted["ETag"]})
    assert validated.json()["status"] == "validee"


def test_it_imports_a_file_as_a_job(personas: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client = _client(personas.amoa)
    url = f"/api/projects/{personas.project.code}/requirements/imports"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("cdc.xlsx", h.cdc_workbook(3)), "dry_run": "false"})
    assert response.status_code == 202, response.content
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "done"
    assert job["result"]["create"] == 3
    assert Exigence.objects.filter(project=personas.project).count() == 3
    bad = client.post(url, {"file": SimpleUploadedFile("cdc.xlsx", b"Ref;Titre\n")})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "file"


def test_it_serves_the_rtm_and_the_impact(personas: Any) -> None:
    c = h.chain(personas.project)
    client = _client(personas.reader)
    rtm = client.get(f"/api/projects/{personas.project.code}/rtm?gap=any").json()
    # The recette stage feeds the test columns: an exigence that no test case covers is a gap too.
    assert rtm["count"] == 3
    assert rtm["tests_available"] is True
    gaps = {row["reference"]: set(row["gaps"]) for row in rtm["items"]}
    assert gaps == {
        "EX-001": {"no_test"},
        "EX-002": {"spec_without_component", "no_test"},
        "EX-003": {"no_spec", "no_test"},
    }
    impact = client.get(f"/api/projects/{personas.project.code}/exigences/{c['ex1'].pk}/impact").json()
    assert [s["reference"] for s in impact["specifications"]] == ["SP-001"]
    assert [k["reference"] for k in impact["components"]] == ["CMP-001"]


def test_it_freezes_and_compares_over_the_api(personas: Any) -> None:
    h.exigence(personas.project, "EX-001", text="Délai de 5 jours.")
    base = f"/api/projects/{personas.project.code}/baselines"
    frozen = _json(_client(personas.moa), "POST", base, {"label": "V1.0"})
    assert frozen.json()["entries"] == 1
    Exigence.objects.filter(reference="EX-001").update(text="Délai de 3 jours.")
    compare = _client(personas.reader).get(f"{base}/compare?before={frozen.json()['id']}").json()
    (change,) = compare["changed"]
    assert {"op": "insert", "text": "3"} in change["text_diff"]


def test_it_sets_a_raci_with_exactly_one_accountable(personas: Any) -> None:
    client = _client(personas.moe)
    base = f"/api/projects/{personas.project.code}/deliverables"
    created = _json(client, "POST", base, {"kind": "dat", "title": "DAT"})
    url = f"{base}/{created.json()['id']}/raci"
    two = [{"username": "moa", "letter": "A"}, {"username": "moe", "letter": "A"}]
    assert _json(client, "PUT", url, two, **{"If-Match": created["ETag"]}).status_code == 422
    nameless = _json(client, "PUT", url, [{"username": "", "letter": "A"}], **{"If-Match": created["ETag"]})
    assert nameless.status_code == 422, "an empty name is refused by name, not a server error"
    assert [e["field"] for e in nameless.json()["errors"]] == ["raci"]
    one = [{"username": "moe", "letter": "A"}, {"username": "amoe", "letter": "R"}]
    response = _json(client, "PUT", url, one, **{"If-Match": created["ETag"]})
    assert response.status_code == 200
    assert sorted(a["letter"] for a in response.json()["raci"]) == ["A", "R"]
