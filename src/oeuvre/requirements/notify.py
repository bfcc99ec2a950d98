"""Who is told about the requirements' events: the buyer validates submitted exigences, the owner follows the
decision, a deliverable's validator is told it waits for them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from oeuvre.core.events import Event
from oeuvre.requirements.models import ExigenceStatus
from oeuvre.requirements.permissions import DELIVERABLES_DECIDE, REQUIREMENTS_VALIDATE
from oeuvre.requirements.services import DELIVERABLE_SUBMITTED, EXIGENCE_STATUS_CHANGED
from oeuvre.web.models import NotificationKind
from oeuvre.web.notifications import Recipient, members_with, register_recipients


def _exigence_people(event: Event) -> list[Recipient]:
    if event.data.get("status") in {ExigenceStatus.SOUMISE, ExigenceStatus.MODIFIEE}:
        return [
            Recipient(pk, NotificationKind.VALIDATION) for pk in members_with(event.project_id, REQUIREMENTS_VALIDATE)
        ]
    owner = event.data.get("owner_id")
    return [Recipient(int(owner), NotificationKind.STATUS)] if owner else []


def _exigence_title(event: Event) -> str:
    if event.data.get("status") in {ExigenceStatus.SOUMISE, ExigenceStatus.MODIFIEE}:
        return _("Waits for your validation: %(title)s") % {"title": event.data.get("title", "")}
    return _("Now « %(status)s »: %(title)s") % {
        "status": ExigenceStatus(event.data["status"]).label if event.data.get("status") in ExigenceStatus.values
        else event.data.get("status", ""),
        "title": event.data.get("title", ""),
    }  # fmt: skip


def _deliverable_people(event: Event) -> list[Recipient]:
    validator = event.data.get("validator_id")
    people = [int(validator)] if validator else members_with(event.project_id, DELIVERABLES_DECIDE)
    return [Recipient(pk, NotificationKind.VALIDATION) for pk in people]


register_recipients(
    EXIGENCE_STATUS_CHANGED, _exigence_people, title=_exigence_title,
    url=lambda e: reverse("requirements:detail", args=[e.project_code, int(e.object_id)]),
)  # fmt: skip
register_recipients(
    DELIVERABLE_SUBMITTED, _deliverable_people,
    title=lambda e: _("Deliverable waiting for your validation: %(title)s") % {"title": e.data.get("title", "")},
    url=lambda e: reverse("requirements:deliverable", args=[e.project_code, int(e.object_id)]),
)  # fmt: skip
