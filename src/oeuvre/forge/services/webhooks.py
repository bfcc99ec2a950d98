"""Outgoing webhooks: subscriptions to the project's domain events, signed deliveries, retries, the log.

The kernel's :func:`oeuvre.core.events.emit` calls :func:`on_event` after each commit; for every active
subscription of the project that wants the event, one :class:`WebhookDelivery` is written and a job sends
it. A failed attempt (no answer within the timeout, or not 2xx) is retried with exponential backoff — 1, 2,
4, 8… minutes, :data:`MAX_ATTEMPTS` attempts in all — by the periodic ``forge.retry_webhooks`` job; the log
keeps status, response code and duration, and a delivery can be sent again by hand.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import EVENT_TYPES, Event
from oeuvre.core.jobs import Progress, job_enqueue, job_handler
from oeuvre.core.models import Job
from oeuvre.core.services import delete_with_history, full_clean, model_update, save_with_history
from oeuvre.forge.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from oeuvre.forge.permissions import WEBHOOKS_MANAGE
from oeuvre.forge.secrets import decrypt_secret, encrypt_secret
from oeuvre.interop import webhook_out
from oeuvre.projects.models import Project

__all__ = [
    "MAX_ATTEMPTS",
    "deliveries_retry_due",
    "delivery_attempt",
    "delivery_redeliver",
    "on_event",
    "payload_of",
    "subscription_create",
    "subscription_delete",
    "subscription_test",
    "subscription_update",
]

DELIVER_JOB = "forge.deliver_webhook"
RETRY_JOB = "forge.retry_webhooks"
MAX_ATTEMPTS = 6
BACKOFF = timedelta(minutes=1)
TIMEOUT_SECONDS = 10.0
TEST_EVENT = "webhook.test"


def allow_private() -> bool:
    return bool(getattr(settings, "OEUVRE_WEBHOOKS_ALLOW_PRIVATE", False))


def _check_url(url: str) -> str:
    url = (url or "").strip()
    try:
        webhook_out.check_address(url, allow_private=allow_private())
    except webhook_out.AddressRefused as exc:
        raise ValidationFailed(
            {"url": [_("This address cannot receive webhooks: %(reason)s.") % {"reason": exc}]}
        ) from None
    return url


def _check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise ValidationFailed({"events": [_("Unknown events: %(names)s.") % {"names": ", ".join(unknown)}]})
    if not events:
        raise ValidationFailed({"events": [_("Choose at least one event.")]})
    return sorted(set(events))


@transaction.atomic
def subscription_create(
    *, actor: User, project: Project, url: str, events: list[str], description: str = "", secret: str = ""
) -> tuple[WebhookSubscription, str]:
    """Register an address; returns the subscription and its secret in clear (shown once)."""
    require(actor, project, WEBHOOKS_MANAGE)
    secret = secret.strip() or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise ValidationFailed({"secret": [_("Give a secret of at least %(count)d characters.") % {"count": 16}]})
    subscription = WebhookSubscription(
        project=project,
        url=_check_url(url),
        events=_check_events(list(events)),
        description=description.strip(),
        secret_encrypted=encrypt_secret(secret),
    )
    full_clean(subscription)
    save_with_history(subscription, actor=actor)
    return subscription, secret


@transaction.atomic
def subscription_update(
    *, actor: User, subscription: WebhookSubscription, expected_version: int | None, **changes: Any
) -> WebhookSubscription:
    require(actor, subscription.project, WEBHOOKS_MANAGE)
    if "url" in changes:
        changes["url"] = _check_url(changes["url"])
    if "events" in changes:
        changes["events"] = _check_events(list(changes["events"]))
    fresh, _changed = model_update(
        instance=subscription,
        fields={"url", "events", "description", "is_active"},
        data=changes,
        actor=actor,
        expected_version=expected_version,
    )
    return fresh


@transaction.atomic
def subscription_delete(*, actor: User, subscription: WebhookSubscription) -> None:
    require(actor, subscription.project, WEBHOOKS_MANAGE)
    delete_with_history(subscription, actor=actor)


def payload_of(event: Event, delivery_id: uuid.UUID) -> dict[str, Any]:
    """The JSON document sent, schema version 1 (see ``WebhookPayload`` in the OpenAPI components)."""
    return {
        "schema_version": webhook_out.SCHEMA_VERSION,
        "id": str(delivery_id),
        "event": event.name,
        "occurred_at": event.when.isoformat(),
        "project": {"id": event.project_id, "code": event.project_code},
        "object": {"type": event.object_type, "id": event.object_id, "reference": event.reference},
        "actor_id": event.actor_id,
        "data": event.data,
    }


def _new_delivery(subscription: WebhookSubscription, event: Event) -> WebhookDelivery:
    delivery_id = uuid.uuid4()
    body = json.dumps(payload_of(event, delivery_id), ensure_ascii=False, sort_keys=True, default=str)
    return WebhookDelivery.objects.create(
        subscription=subscription, project_id=event.project_id, uuid=delivery_id, event_name=event.name, body=body
    )


def on_event(event: Event) -> None:
    """The kernel's listener: queue one delivery per subscription that wants ``event`` (after the commit)."""
    # A subscription receives what happens after it is registered, not the events of the transaction that
    # registered it (the demo builds a project's history and its webhook in one transaction).
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(project_id=event.project_id, is_active=True)
        if event.name in (s.events or []) and s.created_at <= event.when
    ]
    if not subscriptions:
        return
    with transaction.atomic():
        for subscription in subscriptions:
            delivery = _new_delivery(subscription, event)
            job_enqueue(kind=DELIVER_JOB, params={"delivery": delivery.pk}, project=subscription.project)


def delivery_attempt(delivery_id: int, *, now: datetime | None = None) -> WebhookDelivery:
    """Send one delivery once, record the outcome, schedule the next attempt when it failed."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if delivery.status == DeliveryStatus.SUCCEEDED:
        return delivery
    subscription = delivery.subscription
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Oeuvre-Webhooks/1",
        "X-Oeuvre-Event": delivery.event_name,
        "X-Oeuvre-Delivery": str(delivery.uuid),
        "X-Oeuvre-Signature": webhook_out.signature_header(
            decrypt_secret(subscription.secret_encrypted), timestamp, body
        ),
    }
    try:
        webhook_out.check_address(subscription.url, allow_private=allow_private())
    except webhook_out.AddressRefused as exc:  # checked again at each attempt: DNS may have changed since
        attempt = webhook_out.Attempt(False, None, 0, str(exc))
    else:
        attempt = webhook_out.send(subscription.url, body, headers, timeout=TIMEOUT_SECONDS)
    moment = now or timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = moment
    delivery.response_code = attempt.status
    delivery.duration_ms = attempt.duration_ms
    delivery.error = attempt.error[:500]
    if attempt.ok:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = moment + BACKOFF * (2 ** (delivery.attempts - 1))
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "response_code",
            "duration_ms",
            "error",
            "last_attempt_at",
        ]
    )
    return delivery


def deliveries_retry_due(now: datetime | None = None) -> int:
    """Attempt again every delivery whose next attempt is due; returns how many were attempted."""
    moment = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=DeliveryStatus.RETRYING, next_attempt_at__lte=moment)
    count = 0
    for pk in list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:500]):
        delivery_attempt(pk, now=moment)
        count += 1
    return count


def delivery_redeliver(*, actor: User, delivery: WebhookDelivery) -> Job:
    """Send a logged delivery again, by hand (the same body and delivery id; a new signature)."""
    require(actor, delivery.project, WEBHOOKS_MANAGE)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, next_attempt_at=None)
        return job_enqueue(kind=DELIVER_JOB, params={"delivery": delivery.pk}, actor=actor, project=delivery.project)


def subscription_test(*, actor: User, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send a ``webhook.test`` delivery now, in this process, and return its logged outcome."""
    require(actor, subscription.project, WEBHOOKS_MANAGE)
    if not subscription.is_active:
        raise DomainError(_("This webhook is paused."))
    event = Event(
        name=TEST_EVENT,
        project_id=subscription.project_id,
        project_code=subscription.project.code,
        actor_id=actor.pk,
        object_type="forge.webhooksubscription",
        object_id=str(subscription.pk),
        reference="",
        data={"message": "Test delivery from Œuvre"},
    )
    delivery = _new_delivery(subscription, event)
    return delivery_attempt(delivery.pk)


@job_handler(DELIVER_JOB)
def _deliver_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress.start(1)
    delivery = delivery_attempt(int(job.params["delivery"]))
    progress.advance(1)
    return {"delivery": delivery.pk, "status": delivery.status, "response_code": delivery.response_code}


@job_handler(RETRY_JOB)
def _retry_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress.start(1)
    count = deliveries_retry_due()
    progress.advance(1)
    return {"attempted": count}
