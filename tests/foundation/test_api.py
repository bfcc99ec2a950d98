"""The REST API: tokens, OpenAPI, one error format, pagination, ETag/If-Match."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from oeuvre.accounts.models import ApiToken
from oeuvre.accounts.services import token_authenticate, token_create
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


def _client(user: Any) -> Client:
    _token, raw = token_create(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _json(client: Client, method: str, path: str, data: Any = None, **headers: str) -> Any:
    return client.generic(
        method, path, json.dumps(data) if data is not None else "", content_type="application/json", headers=headers
    )


def test_it_serves_a_valid_openapi_schema_and_a_docs_page(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/projects/{code}" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_it_stores_only_a_digest_of_tokens_and_honours_revocation_and_expiry() -> None:
    user = UserFactory()
    token, raw = token_create(user=user, name="CI")
    assert raw not in {token.digest, token.prefix}
    assert raw.startswith(f"oeu_{token.prefix}_")
    assert token_authenticate(raw) == user
    assert token_authenticate(raw + "x") is None
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert token_authenticate(raw) is None
    token.expires_at = None
    token.revoked_at = timezone.now()
    token.save()
    assert token_authenticate(raw) is None


@pytest.mark.django_db
def test_it_refuses_a_token_of_a_deactivated_user() -> None:
    user = UserFactory()
    _token, raw = token_create(user=user, name="CI")
    user.is_active = False
    user.save()
    assert token_authenticate(raw) is None


@pytest.mark.django_db
def test_it_creates_lists_and_revokes_my_tokens_through_the_api() -> None:
    user = UserFactory()
    client = _client(user)
    created = _json(client, "POST", "/api/me/tokens", {"name": "pipeline"})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("oeu_")
    assert ApiToken.objects.filter(user=user).count() == 2
    new = Client(headers={"Authorization": f"Bearer {body['token']}"})
    assert new.get("/api/me").json()["username"] == user.username
    assert _json(client, "DELETE", f"/api/me/tokens/{body['id']}").status_code == 204
    assert new.get("/api/me").status_code == 401


@pytest.mark.django_db
def test_it_answers_401_in_the_common_error_shape_without_credentials(client: Client) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_it_names_the_field_on_422(personas: Any) -> None:
    client = _client(personas.moe)
    project = personas.project
    response = _json(
        client, "PATCH", f"/api/projects/{project.code}", {"budget_amount": -5}, **{"If-Match": project.etag}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["budget_amount"]
    response = _json(
        client, "PATCH", f"/api/projects/{project.code}", {"end_date": "2025-01-01"}, **{"If-Match": project.etag}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "end_date"
    project.refresh_from_db()
    assert project.version == 1  # nothing changed


@pytest.mark.django_db
def test_it_refuses_a_stale_version_with_412_and_a_missing_one_with_428(personas: Any) -> None:
    client = _client(personas.moe)
    code = personas.project.code
    first = client.get(f"/api/projects/{code}")
    etag = first.headers["ETag"]
    ok = _json(client, "PATCH", f"/api/projects/{code}", {"name": "Premier"}, **{"If-Match": etag})
    assert ok.status_code == 200
    assert ok.headers["ETag"] != etag
    stale = _json(client, "PATCH", f"/api/projects/{code}", {"name": "Second"}, **{"If-Match": etag})
    assert stale.status_code == 412
    missing = _json(client, "PATCH", f"/api/projects/{code}", {"name": "Troisième"})
    assert missing.status_code == 428
    personas.project.refresh_from_db()
    assert personas.project.name == "Premier"


@pytest.mark.django_db
def test_it_hides_the_budget_from_roles_that_may_not_see_it(personas: Any) -> None:
    assert _client(personas.amoe).get(f"/api/projects/{personas.project.code}").json()["budget_amount"] == "500000.00"
    assert _client(personas.reader).get(f"/api/projects/{personas.project.code}").json()["budget_amount"] is None


@pytest.mark.django_db
def test_it_pages_the_projects_i_belong_to_and_never_others() -> None:
    user = UserFactory()
    mine = [ProjectFactory(code=f"p{i:02d}") for i in range(7)]
    for project in mine:
        MembershipFactory(project=project, user=user, role="reader")
    ProjectFactory(code="not-mine")
    client = _client(user)
    page = client.get("/api/projects?page=2&page_size=5").json()
    assert page["count"] == 7
    assert [p["code"] for p in page["items"]] == ["p05", "p06"]


@pytest.mark.django_db
def test_it_returns_404_for_a_project_of_another_team_even_by_exact_code(personas: Any) -> None:
    client = _client(personas.outsider)
    assert client.get(f"/api/projects/{personas.project.code}").status_code == 404
    assert client.get("/api/projects/does-not-exist").status_code == 404


@pytest.mark.django_db
def test_it_lets_staff_create_a_project_and_makes_them_its_administrator() -> None:
    staff = UserFactory(is_staff=True)
    client = _client(staff)
    moa = _json(client, "POST", "/api/organisations", {"name": "Ville de Test", "kind": "public"}).json()
    moe = _json(client, "POST", "/api/organisations", {"name": "ESN Test", "kind": "esn"}).json()
    payload = {
        "code": "nouveau",
        "name": "Nouveau",
        "moa_organisation_id": moa["id"],
        "moe_organisation_id": moe["id"],
        "role": "moe",
    }
    created = _json(client, "POST", "/api/projects", payload)
    assert created.status_code == 201, created.content
    members = client.get("/api/projects/nouveau/members").json()
    assert [(m["username"], m["role"], m["is_admin"]) for m in members] == [(staff.username, "moe", True)]
    duplicate = _json(client, "POST", "/api/projects", payload)
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["field"] == "code"


@pytest.mark.django_db
def test_it_refuses_project_creation_to_non_staff() -> None:
    user = UserFactory()
    org = ProjectFactory().moa_organisation
    payload = {"code": "x", "name": "X", "moa_organisation_id": org.pk, "moe_organisation_id": org.pk, "role": "moe"}
    assert _json(_client(user), "POST", "/api/projects", payload).status_code == 403


@pytest.mark.django_db
def test_it_keeps_the_last_administrator(personas: Any) -> None:
    client = _client(personas.admin)
    code = personas.project.code
    admin_membership = personas.project.memberships.get(user=personas.admin)
    response = _json(
        client,
        "PATCH",
        f"/api/projects/{code}/members/{admin_membership.pk}",
        {"role": "contributor", "is_admin": False},
        **{"If-Match": admin_membership.etag},
    )
    assert response.status_code == 409
    assert "administrat" in response.json()["detail"]


@pytest.mark.django_db
def test_it_answers_in_the_language_the_client_asks_for(personas: Any) -> None:
    client = _client(personas.reader)
    english = client.get("/api/projects/unknown", headers={"Accept-Language": "en"})
    french = client.get("/api/projects/unknown", headers={"Accept-Language": "fr"})
    assert english.json()["detail"] == "Not found."
    assert french.json()["detail"] == "Introuvable."


def test_no_two_schemas_of_the_api_share_a_name() -> None:
    """django-ninja names each schema of the OpenAPI document by its class name: two classes with one name (a
    stage's ``BaselineOut`` and another's) would describe one of them with the other's fields (issue 16, item 7)."""
    from ninja import Schema

    import oeuvre.api  # noqa: F401 — every router, so every schema class, is loaded

    names: dict[str, set[str]] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("oeuvre."):
            names.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: sorted(where) for name, where in names.items() if len(where) > 1} == {}
