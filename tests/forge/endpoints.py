"""Forge endpoints for the role × endpoint matrix test (pages and API operations)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint

SECRET = "un-secret-de-webhook-assez-long"

# Authenticated by the forge's signature, not by a member: tested in tests/forge/test_hooks.py.
NOT_PROJECT_SCOPED = {"api:POST /api/forge/hooks/{token}"}


def _p(p: Any) -> str:
    return f"/p/{p.project.code}/forge"


def _a(p: Any) -> str:
    return f"/api/projects/{p.project.code}/forge"


def _repository(p: Any) -> Any:
    from oeuvre.forge.models import Repository
    from oeuvre.forge.secrets import encrypt_secret

    found, _ = Repository.objects.get_or_create(
        project=p.project, name="moe/portail", defaults={"kind": "gitlab", "secret_encrypted": encrypt_secret(SECRET)}
    )
    return found


def _event(p: Any) -> Any:
    from django.utils import timezone

    from oeuvre.forge.models import ForgeEvent

    repository = _repository(p)
    found, _ = ForgeEvent.objects.get_or_create(
        repository=repository,
        project=p.project,
        body_sha256="0" * 64,
        defaults={
            "event_name": "Push Hook",
            "body": b'{"object_kind": "push", "commits": []}',
            "received_at": timezone.now(),
        },
    )
    return found


def _form(p: Any) -> dict[str, Any]:
    return {
        "kind": "github",
        "name": "moe/api",
        "secret": SECRET,
        "fix_policy": "keyword",
        "retention_days": 90,
    }


def _edit(p: Any) -> dict[str, Any]:
    r = _repository(p)
    return {"name": "moe/portail", "fix_policy": "never", "retention_days": 30, "version": r.version}


ENDPOINTS: list[Endpoint] = [
    Endpoint("forge:index", "GET", lambda p: f"{_p(p)}/", "forge.view"),
    Endpoint("forge:repository_new", "GET", lambda p: f"{_p(p)}/repositories/new/", "forge.manage"),
    Endpoint(
        "forge:repository_new", "POST", lambda p: f"{_p(p)}/repositories/new/", "forge.manage", data=_form, ok=(302,)
    ),
    Endpoint("forge:repository", "GET", lambda p: f"{_p(p)}/repositories/{_repository(p).pk}/", "forge.view"),
    Endpoint(
        "forge:repository_edit", "GET", lambda p: f"{_p(p)}/repositories/{_repository(p).pk}/edit/", "forge.manage"
    ),
    Endpoint(
        "forge:repository_edit",
        "POST",
        lambda p: f"{_p(p)}/repositories/{_repository(p).pk}/edit/",
        "forge.manage",
        data=_edit,
        ok=(302,),
    ),
    Endpoint(
        "forge:repository_delete",
        "POST",
        lambda p: f"{_p(p)}/repositories/{_repository(p).pk}/delete/",
        "forge.manage",
        ok=(302,),
    ),
    Endpoint(
        "forge:event_replay", "POST", lambda p: f"{_p(p)}/events/{_event(p).pk}/replay/", "forge.manage", ok=(302,)
    ),
    Endpoint(
        "api:GET /api/projects/{code}/forge/repositories",
        "GET",
        lambda p: f"{_a(p)}/repositories",
        "forge.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/forge/repositories",
        "POST",
        lambda p: f"{_a(p)}/repositories",
        "forge.manage",
        data=_form,
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/forge/repositories/{repository_id}",
        "DELETE",
        lambda p: f"{_a(p)}/repositories/{_repository(p).pk}",
        "forge.manage",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/forge/repositories/{repository_id}/events",
        "GET",
        lambda p: f"{_a(p)}/repositories/{_repository(p).pk}/events",
        "forge.view",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/forge/events/{event_id}/replay",
        "POST",
        lambda p: f"{_a(p)}/events/{_event(p).pk}/replay",
        "forge.manage",
        ok=(202,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/forge/links/{reference}",
        "GET",
        lambda p: f"{_a(p)}/links/EX-001",
        "forge.view",
        api=True,
    ),
]
