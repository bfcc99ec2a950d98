"""Outgoing webhooks against a real HTTP server on localhost: signature, failure then retry, backoff, log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oeuvre.core.errors import ValidationFailed
from oeuvre.core.models import Job
from oeuvre.forge.models import DeliveryStatus, WebhookDelivery
from oeuvre.forge.services import webhooks
from oeuvre.forge.services.events import event_process, event_receive
from oeuvre.interop import webhook_out
from tests.forge import payloads as p
from tests.forge.helpers import chain_items, repository, run_queued_jobs


class Receiver:
    """A webhook receiver: answers the status codes queued in ``answers`` (then 200) and keeps each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/oeuvre"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.OEUVRE_WEBHOOKS_ALLOW_PRIVATE = True  # the test's server is on loopback
    server = Receiver()
    yield server
    server.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "ftp://example.com/x",
        "file:///etc/passwd",
    ],
)
def test_it_refuses_internal_addresses_by_default(url: str) -> None:
    with pytest.raises(webhook_out.AddressRefused):
        webhook_out.check_address(url, allow_private=False)


def test_it_accepts_a_public_address_and_internal_ones_when_the_instance_allows() -> None:
    webhook_out.check_address("https://93.184.215.14/hook", allow_private=False)
    webhook_out.check_address("http://127.0.0.1:9000/x", allow_private=True)


@pytest.mark.django_db
def test_a_subscription_to_a_loopback_address_is_refused_unless_allowed(personas: Any, settings: Any) -> None:
    settings.OEUVRE_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationFailed) as caught:
        webhooks.subscription_create(
            actor=personas.moe,
            project=personas.project,
            url="http://127.0.0.1:8080/h",
            events=["forge.pipeline_failed"],
        )
    assert "url" in caught.value.errors
    settings.OEUVRE_WEBHOOKS_ALLOW_PRIVATE = True
    subscription, secret = webhooks.subscription_create(
        actor=personas.moe, project=personas.project, url="http://127.0.0.1:8080/h", events=["forge.pipeline_failed"]
    )
    assert len(secret) >= 32
    assert secret not in subscription.secret_encrypted


@pytest.mark.django_db
def test_a_merged_request_is_sent_signed_then_retried_after_a_failure(
    personas: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    chain_items(personas)
    _subscription, secret = webhooks.subscription_create(
        actor=personas.moe, project=personas.project, url=receiver.url, events=["forge.merge_request_merged"]
    )
    repo = repository(personas, "gitlab")
    body = p.body_of(p.gitlab_merge_request(30, "EX-001 connexion", "merged", "merge", "feature/cmp-003"))
    with django_capture_on_commit_callbacks(execute=True):
        received = event_receive(token=repo.hook_token, headers=p.headers("gitlab", "merge_request", body), body=body)
        assert received.event_id is not None
    with django_capture_on_commit_callbacks(execute=True):
        event_process(received.event_id)
    receiver.answers = [500]  # the first attempt fails
    run_queued_jobs("forge.deliver_webhook")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.RETRYING, 1, 500)
    assert delivery.next_attempt_at is not None
    # Not due yet: nothing is sent.
    assert webhooks.deliveries_retry_due(now=delivery.last_attempt_at + timedelta(seconds=30)) == 0
    assert webhooks.deliveries_retry_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.SUCCEEDED, 2, 200)
    assert delivery.duration_ms is not None
    assert len(receiver.requests) == 2
    headers, sent = receiver.requests[-1]
    assert webhook_out.verify_signature(secret, headers["X-Oeuvre-Signature"], sent)
    assert not webhook_out.verify_signature("un-autre-secret-quelconque", headers["X-Oeuvre-Signature"], sent)
    assert headers["X-Oeuvre-Delivery"] == str(delivery.uuid)
    document = json.loads(sent)
    assert document["schema_version"] == "1"
    assert document["event"] == "forge.merge_request_merged"
    assert document["project"]["code"] == "alpha"
    assert document["data"]["references"] == ["CMP-003", "EX-001"]  # title and branch name
    assert document["data"]["key"] == "30"


@pytest.mark.django_db
def test_retries_back_off_exponentially_then_give_up(personas: Any, receiver: Receiver) -> None:
    subscription, _secret = webhooks.subscription_create(
        actor=personas.moe, project=personas.project, url=receiver.url, events=["forge.pipeline_failed"]
    )
    receiver.answers = [503] * webhooks.MAX_ATTEMPTS
    test = webhooks.subscription_test(actor=personas.moe, subscription=subscription)
    gaps = []
    moment = test.last_attempt_at
    while test.status == DeliveryStatus.RETRYING:
        assert test.next_attempt_at is not None
        gaps.append(test.next_attempt_at - moment)
        moment = test.next_attempt_at
        test = webhooks.delivery_attempt(test.pk, now=moment)
    assert gaps == [timedelta(minutes=2**n) for n in range(webhooks.MAX_ATTEMPTS - 1)]
    assert (test.status, test.attempts, test.response_code) == (DeliveryStatus.FAILED, webhooks.MAX_ATTEMPTS, 503)
    assert len(receiver.requests) == webhooks.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_failed_delivery_can_be_sent_again_by_hand(personas: Any, receiver: Receiver) -> None:
    subscription, _secret = webhooks.subscription_create(
        actor=personas.moe, project=personas.project, url=receiver.url, events=["forge.pipeline_failed"]
    )
    receiver.answers = [500]
    failed = webhooks.subscription_test(actor=personas.moe, subscription=subscription)
    client = personas.client(personas.moe)
    response = client.post(f"/p/alpha/forge/deliveries/{failed.pk}/redeliver/")
    assert response.status_code == 302
    assert Job.objects.filter(kind="forge.deliver_webhook", status=Job.Status.QUEUED).count() == 1
    run_queued_jobs("forge.deliver_webhook")
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SUCCEEDED
    # The same delivery id both times: a receiver can recognise the redelivery.
    assert receiver.requests[0][0]["X-Oeuvre-Delivery"] == receiver.requests[1][0]["X-Oeuvre-Delivery"]
    page = client.get(f"/p/alpha/forge/webhooks/{subscription.pk}/").content.decode()
    assert "webhook.test" in page


@pytest.mark.django_db
def test_the_test_command_reports_the_outcome(personas: Any, receiver: Receiver) -> None:
    webhooks.subscription_create(
        actor=personas.moe, project=personas.project, url=receiver.url, events=["forge.pipeline_failed"]
    )
    out = StringIO()
    call_command("webhooks", "test", "--project", "alpha", receiver.url, "--user", "moe", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["status"], result["response_code"]) == ("succeeded", 200)
    receiver.answers = [404]
    with pytest.raises(CommandError, match="HTTP 404"):
        call_command("webhooks", "test", "--project", "alpha", receiver.url, "--user", "moe", stdout=StringIO())
    with pytest.raises(CommandError, match="no webhook"):
        call_command("webhooks", "test", "--project", "alpha", "http://127.0.0.1:1/none", "--user", "moe")
