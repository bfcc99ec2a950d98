"""Who is told about the deployment: an incident's reporter when its status changes, the buyer when a release is
ready for the go/no-go they sign."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oeuvre.core.events import Event
from oeuvre.mep.incidents import INCIDENT_STATUS_CHANGED
from oeuvre.mep.models import IncidentStatus
from oeuvre.mep.permissions import GONOGO_DECIDE
from oeuvre.mep.services import RELEASE_READY
from oeuvre.web.models import NotificationKind
from oeuvre.web.notifications import Recipient, members_with, register_recipients


def _people(event: Event) -> list[Recipient]:
    reporter = event.data.get("reporter_id")
    return [Recipient(int(reporter), NotificationKind.STATUS)] if reporter else []


def _title(event: Event) -> str:
    status = event.data.get("status", "")
    label = IncidentStatus(status).label if status in IncidentStatus.values else status
    return _("Your incident is now « %(status)s »: %(title)s") % {"status": label, "title": event.data.get("title", "")}


register_recipients(
    INCIDENT_STATUS_CHANGED,
    _people,
    title=_title,
    url=lambda e: reverse("mep:incident_detail", args=[e.project_code, int(e.object_id)]),
)
register_recipients(
    RELEASE_READY,
    lambda e: [Recipient(pk, NotificationKind.SIGNATURE) for pk in members_with(e.project_id, GONOGO_DECIDE)],
    title=lambda e: (
        _("Release %(number)s is ready: the go/no-go waits for your decision and signature")
        % {"number": e.data.get("number", "")}
    ),
    url=lambda e: reverse("mep:release_detail", args=[e.project_code, int(e.object_id)]),
)
