"""Who is told about the planning's events: the person behind a resource, when a task is given to it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oeuvre.core.events import Event
from oeuvre.planning.services import TASK_ASSIGNED
from oeuvre.web.models import NotificationKind
from oeuvre.web.notifications import Recipient, register_recipients


def _people(event: Event) -> list[Recipient]:
    user = event.data.get("user_id")
    return [Recipient(int(user), NotificationKind.ASSIGNED)] if user else []


register_recipients(
    TASK_ASSIGNED, _people,
    title=lambda e: _("A task is yours: %(title)s") % {"title": e.data.get("title", "")},
    url=lambda e: reverse("planning:task_detail", args=[e.project_code, int(e.object_id)]),
)  # fmt: skip
