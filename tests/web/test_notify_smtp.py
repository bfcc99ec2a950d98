"""The digest goes out through a real SMTP server on localhost, as a multipart text + HTML message."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from oeuvre.web import notifications
from oeuvre.web.models import Notification


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Any:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_it_sends_the_digest_through_a_real_smtp_server(personas: Any, settings: Any, smtp_server: Any) -> None:
    inbox, port = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    personas.moe.language = "en"
    personas.moe.save()
    for user, title in [(personas.moe, "Signature waiting"), (personas.moa, "Validation attendue")]:
        Notification.objects.create(
            recipient=user, kind="signature", key=f"k-{user.pk}", project=personas.project, title=title, url="/p/alpha/"
        )
    totals = notifications.digest_send()
    assert totals == {"people": 2, "notifications": 2}
    received = {to[0]: message for to, message in inbox.messages}
    english = received[personas.moe.email]
    assert english["Subject"] == "Œuvre: 1 thing waits for you"
    parts = {part.get_content_type(): part.get_content() for part in english.walk() if not part.is_multipart()}
    assert "Signature waiting" in parts["text/plain"]
    assert 'href="http://127.0.0.1:8000/p/alpha/"' in parts["text/html"]
    assert received[personas.moa.email]["Subject"] == "Œuvre : 1 élément vous attend"
    assert Notification.objects.filter(emailed_at=None).count() == 0
