"""The forge stage's REST API: the webhook receiver, repositories, deliveries and links (thin)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.http.request import RawPostDataException
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from oeuvre.accounts.permissions import current_user, require
from oeuvre.core.api import CREATE, READ, WRITE, Pagination, requires
from oeuvre.forge import selectors
from oeuvre.forge.models import ForgeEvent, Repository
from oeuvre.forge.permissions import FORGE_MANAGE, FORGE_VIEW, WEBHOOKS_MANAGE
from oeuvre.forge.services import events as event_services
from oeuvre.forge.services import repositories as services
from oeuvre.forge.services import webhooks as webhook_services
from oeuvre.projects.models import Project
from oeuvre.projects.selectors import project_for

__all__ = ["router"]

router = Router(tags=["forge"])


def _project(request: HttpRequest, code: str, permission: str = FORGE_VIEW) -> Project:
    project = project_for(request.user, code)
    require(request.user, project, permission)
    return project


class HookOut(Schema):
    detail: str
    event_id: int | None = None


@router.post(
    "/forge/hooks/{token}",
    auth=None,
    response={200: HookOut, 202: HookOut, 401: HookOut, 404: HookOut, 409: HookOut, 413: HookOut},
    summary="Receive a forge's webhook delivery (GitLab, GitHub, Gitea/Forgejo)",
    description=(
        "The address given by a repository's `webhook_url`. The delivery must carry the repository's secret as its "
        "forge documents it: `X-Gitlab-Token` (GitLab), `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>` "
        "(GitHub), `X-Gitea-Signature: <hex HMAC-SHA256>` (Gitea, Forgejo). 401: missing or wrong proof; "
        "409: a delivery already received (same delivery id or same body); 413: too large; 202: stored and queued."
    ),
)
def receive_hook(request: HttpRequest, token: str) -> Any:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > event_services.max_payload():
        return Status(413, {"detail": f"payload larger than {event_services.max_payload()} bytes"})
    try:
        body = request.body
    except RawPostDataException:  # pragma: no cover - the body was already read as a form
        body = b""
    except Exception:  # Django refuses bodies above DATA_UPLOAD_MAX_MEMORY_SIZE
        return Status(413, {"detail": "payload too large"})
    headers = dict(request.headers.items())
    received = event_services.event_receive(token=token, headers=headers, body=body)
    return Status(received.status, {"detail": received.detail, "event_id": received.event_id})


class RepositoryIn(Schema):
    kind: Literal["gitlab", "github", "gitea"]
    name: str
    secret: str
    web_url: str = ""
    fix_policy: Literal["keyword", "reference", "never"] = "keyword"
    fix_release: str = ""
    retention_days: int = 90


class RepositoryOut(Schema):
    id: int
    kind: str
    name: str
    web_url: str
    webhook_url: str
    fix_policy: str
    fix_release: str
    retention_days: int
    rejected_count: int

    @staticmethod
    def resolve_webhook_url(obj: Repository) -> str:
        return obj.webhook_path


@router.get("/projects/{code}/forge/repositories", response={200: list[RepositoryOut], **READ}, summary="Repositories")
def list_repositories(request: HttpRequest, code: str) -> Any:
    return list(selectors.repositories_for(_project(request, code)))


@router.post(
    "/projects/{code}/forge/repositories",
    response={201: RepositoryOut, **CREATE},
    summary="Register a forge repository (the answer gives the webhook address)",
)
@requires(FORGE_MANAGE)
def create_repository(request: HttpRequest, code: str, payload: RepositoryIn) -> Any:
    project = _project(request, code)
    data = payload.dict()
    repository = services.repository_create(
        actor=current_user(request),
        project=project,
        kind=data.pop("kind"),
        name=data.pop("name"),
        secret=data.pop("secret"),
        **data,
    )
    return Status(201, repository)


@router.delete(
    "/projects/{code}/forge/repositories/{repository_id}", response={204: None, **WRITE}, summary="Remove a repository"
)
@requires(FORGE_MANAGE)
def delete_repository(request: HttpRequest, code: str, repository_id: int) -> Any:
    project = _project(request, code)
    repository = selectors.repository_of(project, repository_id)
    services.repository_delete(actor=current_user(request), repository=repository)
    return Status(204, None)


class EventOut(Schema):
    id: int
    repository: str
    delivery_id: str
    event_name: str
    event_type: str
    status: str
    summary: str
    error: str
    received_at: datetime
    processed_at: datetime | None
    purged: bool

    @staticmethod
    def resolve_repository(obj: ForgeEvent) -> str:
        return obj.repository.name


@router.get(
    "/projects/{code}/forge/repositories/{repository_id}/events",
    response={200: list[EventOut], **READ},
    summary="Deliveries received, newest first",
)
@paginate(Pagination)
def list_events(request: HttpRequest, code: str, repository_id: int) -> Any:
    project = _project(request, code)
    repository = selectors.repository_of(project, repository_id)
    return selectors.events_of(repository).select_related("repository")


class ForgeJobOut(Schema):
    job_id: str
    event_id: int


@router.post(
    "/projects/{code}/forge/events/{event_id}/replay",
    response={202: ForgeJobOut, **WRITE},
    summary="Process a stored delivery again",
)
@requires(FORGE_MANAGE)
def replay_event(request: HttpRequest, code: str, event_id: int) -> Any:
    project = _project(request, code)
    event = selectors.event_of(event_id, project)
    job = event_services.event_replay(actor=current_user(request), event=event)
    return Status(202, {"job_id": str(job.pk), "event_id": event.pk})


class LinkOut(Schema):
    kind: Literal["commit", "merge_request", "pipeline"]
    sha: str | None = None
    iid: int | str | None = None
    id: str | None = None
    title: str
    url: str
    state: str
    branch: str
    author: str
    repository: str
    occurred_at: datetime


@router.get(
    "/projects/{code}/forge/links/{reference}",
    response={200: list[LinkOut], **READ},
    summary="Commits, merge requests and pipelines linked to one reference (EX-012, T-045, ANO-007…)",
)
def links(request: HttpRequest, code: str, reference: str) -> Any:
    return selectors.links_for_reference(_project(request, code), reference)


# --- Outgoing webhooks ---------------------------------------------------------------------------------


class WebhookPayloadProject(Schema):
    id: int
    code: str


class WebhookPayloadObject(Schema):
    type: str
    id: str
    reference: str


class WebhookPayload(Schema):
    """The JSON document POSTed to a webhook's address (schema version 1).

    Headers: ``X-Oeuvre-Event`` (the event), ``X-Oeuvre-Delivery`` (this ``id``, the same on redelivery),
    ``X-Oeuvre-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook's secret>``.
    A receiver checks the signature over the raw body and refuses a ``t`` too far from its clock.
    """

    schema_version: Literal["1"]
    id: str
    event: str
    occurred_at: datetime
    project: WebhookPayloadProject
    object: WebhookPayloadObject
    actor_id: int | None
    data: dict[str, Any]


class SubscriptionIn(Schema):
    url: str
    events: list[str]
    description: str = ""
    secret: str = ""


class SubscriptionOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool


class SubscriptionCreated(SubscriptionOut):
    secret: str


class DeliveryOut(Schema):
    id: int
    uuid: str
    event_name: str
    status: str
    attempts: int
    response_code: int | None
    duration_ms: int | None
    error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None

    @staticmethod
    def resolve_uuid(obj: Any) -> str:
        return str(obj.uuid)


class TestOut(Schema):
    delivery: DeliveryOut
    payload: WebhookPayload


@router.get(
    "/projects/{code}/forge/webhooks", response={200: list[SubscriptionOut], **READ}, summary="Outgoing webhooks"
)
def list_webhooks(request: HttpRequest, code: str) -> Any:
    return list(selectors.subscriptions_for(_project(request, code, WEBHOOKS_MANAGE)))


@router.post(
    "/projects/{code}/forge/webhooks",
    response={201: SubscriptionCreated, **CREATE},
    summary="Register an outgoing webhook (the answer shows its secret once)",
)
@requires(WEBHOOKS_MANAGE)
def create_webhook(request: HttpRequest, code: str, payload: SubscriptionIn) -> Any:
    project = _project(request, code)
    subscription, secret = webhook_services.subscription_create(
        actor=current_user(request), project=project, **payload.dict()
    )
    return Status(
        201,
        {
            "id": subscription.pk,
            "url": subscription.url,
            "events": subscription.events,
            "description": subscription.description,
            "is_active": subscription.is_active,
            "secret": secret,
        },
    )


@router.delete(
    "/projects/{code}/forge/webhooks/{webhook_id}", response={204: None, **WRITE}, summary="Remove a webhook"
)
@requires(WEBHOOKS_MANAGE)
def delete_webhook(request: HttpRequest, code: str, webhook_id: int) -> Any:
    project = _project(request, code, WEBHOOKS_MANAGE)
    webhook_services.subscription_delete(
        actor=current_user(request), subscription=selectors.subscription_of(project, webhook_id)
    )
    return Status(204, None)


@router.get(
    "/projects/{code}/forge/webhooks/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], **READ},
    summary="The delivery log of a webhook, newest first",
)
@paginate(Pagination)
def list_deliveries(request: HttpRequest, code: str, webhook_id: int) -> Any:
    project = _project(request, code, WEBHOOKS_MANAGE)
    return selectors.deliveries_of(selectors.subscription_of(project, webhook_id))


@router.post(
    "/projects/{code}/forge/webhooks/{webhook_id}/test",
    response={200: TestOut, **WRITE},
    summary="Send a signed test delivery now; answers the logged outcome and the document sent",
)
@requires(WEBHOOKS_MANAGE)
def test_webhook(request: HttpRequest, code: str, webhook_id: int) -> Any:
    project = _project(request, code, WEBHOOKS_MANAGE)
    delivery = webhook_services.subscription_test(
        actor=current_user(request), subscription=selectors.subscription_of(project, webhook_id)
    )
    return {"delivery": delivery, "payload": json.loads(delivery.body)}


@router.post(
    "/projects/{code}/forge/deliveries/{delivery_id}/redeliver",
    response={202: ForgeJobOut, **WRITE},
    summary="Send a logged delivery again",
)
@requires(WEBHOOKS_MANAGE)
def redeliver(request: HttpRequest, code: str, delivery_id: int) -> Any:
    project = _project(request, code, WEBHOOKS_MANAGE)
    delivery = selectors.delivery_of(project, delivery_id)
    job = webhook_services.delivery_redeliver(actor=current_user(request), delivery=delivery)
    return Status(202, {"job_id": str(job.pk), "event_id": delivery.pk})
