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


def _subscription(p: Any) -> Any:
    from oeuvre.forge.models import WebhookSubscription
    from oeuvre.forge.secrets import encrypt_secret

    # A documentation address (TEST-NET-1): refused by the address filter at once, so no test waits on the network.
    found, _ = WebhookSubscription.objects.get_or_create(
        project=p.project,
        url="https://192.0.2.1/hook",
        defaults={"events": ["forge.pipeline_failed"], "secret_encrypted": encrypt_secret(SECRET)},
    )
    return found


def _delivery(p: Any) -> Any:
    import uuid

    from oeuvre.forge.models import WebhookDelivery

    subscription = _subscription(p)
    found, _ = WebhookDelivery.objects.get_or_create(
        subscription=subscription,
        project=p.project,
        event_name="forge.pipeline_failed",
        defaults={"uuid": uuid.uuid4(), "body": "{}", "status": "failed"},
    )
    return found


def _webhook_form(p: Any) -> dict[str, Any]:
    return {"url": "https://93.184.215.14/hook", "events": ["forge.pipeline_failed"], "description": "SI client"}


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
    Endpoint("forge:webhooks", "GET", lambda p: f"{_p(p)}/webhooks/", "forge.manage_webhooks"),
    Endpoint(
        "forge:webhooks", "POST", lambda p: f"{_p(p)}/webhooks/", "forge.manage_webhooks", data=_webhook_form, ok=(302,)
    ),
    Endpoint("forge:webhook", "GET", lambda p: f"{_p(p)}/webhooks/{_subscription(p).pk}/", "forge.manage_webhooks"),
    Endpoint(
        "forge:webhook_test",
        "POST",
        lambda p: f"{_p(p)}/webhooks/{_subscription(p).pk}/test/",
        "forge.manage_webhooks",
        ok=(302,),
    ),
    Endpoint(
        "forge:webhook_delete",
        "POST",
        lambda p: f"{_p(p)}/webhooks/{_subscription(p).pk}/delete/",
        "forge.manage_webhooks",
        ok=(302,),
    ),
    Endpoint(
        "forge:delivery_redeliver",
        "POST",
        lambda p: f"{_p(p)}/deliveries/{_delivery(p).pk}/redeliver/",
        "forge.manage_webhooks",
        ok=(302,),
    ),
    Endpoint(
        "api:GET /api/projects/{code}/forge/webhooks",
        "GET",
        lambda p: f"{_a(p)}/webhooks",
        "forge.manage_webhooks",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/forge/webhooks",
        "POST",
        lambda p: f"{_a(p)}/webhooks",
        "forge.manage_webhooks",
        data=_webhook_form,
        ok=(201,),
        api=True,
    ),
    Endpoint(
        "api:DELETE /api/projects/{code}/forge/webhooks/{webhook_id}",
        "DELETE",
        lambda p: f"{_a(p)}/webhooks/{_subscription(p).pk}",
        "forge.manage_webhooks",
        ok=(204,),
        api=True,
    ),
    Endpoint(
        "api:GET /api/projects/{code}/forge/webhooks/{webhook_id}/deliveries",
        "GET",
        lambda p: f"{_a(p)}/webhooks/{_subscription(p).pk}/deliveries",
        "forge.manage_webhooks",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/forge/webhooks/{webhook_id}/test",
        "POST",
        lambda p: f"{_a(p)}/webhooks/{_subscription(p).pk}/test",
        "forge.manage_webhooks",
        api=True,
    ),
    Endpoint(
        "api:POST /api/projects/{code}/forge/deliveries/{delivery_id}/redeliver",
        "POST",
        lambda p: f"{_a(p)}/deliveries/{_delivery(p).pk}/redeliver",
        "forge.manage_webhooks",
        ok=(202,),
        api=True,
    ),
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
