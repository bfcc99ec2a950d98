"""Who is told about the steering's events: an action's owner, when it is given to them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oeuvre.core.events import Event
from oeuvre.pilotage.services.committees import ACTION_ASSIGNED
from oeuvre.web.models import NotificationKind
from oeuvre.web.notifications import Recipient, register_recipients


def _people(event: Event) -> list[Recipient]:
    owner = event.data.get("owner_id")
    return [Recipient(int(owner), NotificationKind.ASSIGNED)] if owner else []


register_recipients(
    ACTION_ASSIGNED, _people,
    title=lambda e: _("An action is yours: %(title)s") % {"title": e.data.get("title", "")},
    url=lambda e: reverse("pilotage:actions", args=[e.project_code]),
)  # fmt: skip
