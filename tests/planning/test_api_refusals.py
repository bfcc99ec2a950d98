"""Bad input is refused with a 4xx that says why, never a server error (issue 16, item 6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.planning.test_api_cli import _api

BIG = "9" * 30  # beyond 64 bits: an id no database holds


def _post(client: Any, url: str, body: object) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_job_id_that_is_not_one_is_a_404(personas: Any) -> None:
    client = _api(personas.moe)
    for bad in ("not-a-uuid", "0", BIG):
        response = client.get(f"/api/jobs/{bad}")
        assert response.status_code == 404, (bad, response.status_code)
    assert client.get("/jobs/not-a-uuid/").status_code == 404, "the page too"


@pytest.mark.parametrize("job", ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000", BIG])
def test_levelling_apply_with_a_bad_job_is_a_4xx(small_plan: Any, personas: Any, job: str) -> None:
    client = _api(personas.moe)
    response = _post(client, f"/api/projects/{small_plan.project.code}/planning/levelling/apply", {"job": job})
    assert response.status_code in {404, 422}, response.content


def test_an_overflowing_remaining_effort_is_a_422(small_plan: Any, personas: Any) -> None:
    client = _api(personas.moe)
    url = f"/api/projects/{small_plan.project.code}/planning/tasks/{small_plan.tasks['B'].pk}/raf"
    for raf in (1e308, "1e308", "NaN", "Infinity"):
        response = _post(client, url, {"raf": raf})
        assert response.status_code == 422, (raf, response.status_code, response.content[:300])


def test_ids_beyond_64_bits_are_a_404_on_every_database(small_plan: Any, personas: Any) -> None:
    client = _api(personas.moe)
    base = f"/api/projects/{small_plan.project.code}/planning"
    for url in (f"{base}/tasks/{BIG}", f"{base}/tasks/-{BIG}"):
        response = client.get(url)
        assert response.status_code in {404, 422}, (url, response.status_code)


@pytest.mark.parametrize("filename", ["", ".", "..", "../../etc/passwd", "C:\\plans\\", "plan.exe", "plan"])
def test_the_plan_import_refuses_a_name_it_cannot_read_before_queueing_anything(personas: Any, filename: str) -> None:
    from oeuvre.core.models import Job

    client = _api(personas.moe)
    url = f"/api/projects/{personas.project.code}/planning/import"
    before = Job.objects.count()
    response = _post(client, url, {"filename": filename, "content_base64": "PHhtbC8+"})
    assert response.status_code == 422, (filename, response.status_code, response.content[:300])
    (error,) = response.json()["errors"]
    assert error["field"] == "file"
    assert ".xlsx" in error["message"]
    assert Job.objects.count() == before  # no job that would fail later, no file kept


def test_a_path_like_plan_name_keeps_only_its_last_part(personas: Any) -> None:
    from oeuvre.core.models import Job

    client = _api(personas.moe)
    url = f"/api/projects/{personas.project.code}/planning/import"
    response = _post(client, url, {"filename": "../../plans\\lot 1.xml", "content_base64": "PHhtbC8+"})
    assert response.status_code == 202, response.content
    assert Job.objects.latest("created_at").params["filename"] == "lot 1.xml"


def test_a_body_over_the_limit_is_a_413_that_says_so(personas: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = _api(personas.moe)
    url = f"/api/projects/{personas.project.code}/planning/import"
    body = {"filename": "plan.xml", "content_base64": "A" * (2 * 1024 * 1024)}
    response = _post(client, url, body)
    assert response.status_code == 413, (response.status_code, response.content[:300])
    assert "1 Mio" in response.json()["detail"]  # in French, the default language


def test_an_unknown_export_format_is_a_400_in_the_apis_error_shape(personas: Any) -> None:
    response = _api(personas.moe).get(f"/api/projects/{personas.project.code}/planning/export/pdf")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["errors"] == [{"field": "fmt", "message": body["detail"]}]
    assert "« pdf »" in body["detail"]
