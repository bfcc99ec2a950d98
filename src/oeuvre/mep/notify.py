"""Who is told about an incident: its reporter, when its status changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oeuvre.core.events import Event
from oeuvre.mep.incidents import INCIDENT_STATUS_CHANGED
from oeuvre.mep.models import IncidentStatus
from oeuvre.web.models import NotificationKind
from oeuvre.web.notifications import Recipient, register_recipients


def _people(event: Event) -> list[Recipient]:
    reporter = event.data.get("reporter_id")
    return [Recipient(int(reporter), NotificationKind.STATUS)] if reporter else []


def _title(event: Event) -> str:
    status = event.data.get("status", "")
    label = IncidentStatus(status).label if status in IncidentStatus.values else status
    return _("Your incident is now « %(status)s »: %(title)s") % {"status": label, "title": event.data.get("title", "")}


register_recipients(
    INCIDENT_STATUS_CHANGED, _people, title=_title, url=lambda e: reverse("mep:incidents", args=[e.project_code])
)
