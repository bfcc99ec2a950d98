"""Who is told about the recette: an anomaly's reporter and assignee, the signatories of a PV, and the people
who must act before a CCAG-TIC deadline (the decision whose silence is a tacit admission above all)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from oeuvre.core.events import Event
from oeuvre.engine import acceptance as engine
from oeuvre.engine.errors import InputError
from oeuvre.recette.models import AcceptanceTimeline, AnomalyStatus, PvDecision, SignatureRole
from oeuvre.recette.permissions import PV_COUNTERSIGN, PV_DECIDE, PV_SIGN, TIMERS_RECORD
from oeuvre.recette.selectors.pv import recette_settings
from oeuvre.recette.selectors.timers import DEADLINE_LABELS, timer_facts, timer_settings
from oeuvre.recette.services.anomalies import ANOMALY_ASSIGNED, ANOMALY_STATUS_CHANGED
from oeuvre.recette.services.pv import PV_DECIDED, PV_SIGNED
from oeuvre.web.models import NotificationKind
from oeuvre.web.notifications import Deadline, Recipient, members_with, register_deadlines, register_recipients


def _anomaly_url(event: Event) -> str:
    return reverse("recette:anomaly_detail", args=[event.project_code, int(event.object_id)])


def _pv_url(event: Event) -> str:
    return reverse("recette:pv_detail", args=[event.project_code, int(event.object_id)])


def _status_label(status: str) -> str:
    return str(AnomalyStatus(status).label) if status in AnomalyStatus.values else status


def _status_people(event: Event) -> list[Recipient]:
    ids = [event.data.get("reported_by_id"), event.data.get("assignee_id")]
    return [Recipient(int(pk), NotificationKind.STATUS) for pk in ids if pk]


def _assigned_people(event: Event) -> list[Recipient]:
    assignee = event.data.get("assignee_id")
    return [Recipient(int(assignee), NotificationKind.ASSIGNED)] if assignee else []


def _signers(event: Event) -> list[Recipient]:
    if event.name == PV_SIGNED:
        if event.data.get("role") != SignatureRole.MOA:
            return []
        permission = PV_COUNTERSIGN
    else:
        permission = PV_SIGN
    return [Recipient(pk, NotificationKind.SIGNATURE) for pk in members_with(event.project_id, permission)]


def _pv_title(event: Event) -> str:
    if event.name == PV_SIGNED:
        return _("Signed by the buyer, waits for your countersignature: %(title)s") % {"title": event.data["title"]}
    decision = event.data.get("decision", "")
    label = PvDecision(decision).label if decision in PvDecision.values else decision
    return _("Decided (%(decision)s), waits for your signature: %(title)s") % {
        "decision": label,
        "title": event.data.get("title", ""),
    }


register_recipients(
    ANOMALY_STATUS_CHANGED, _status_people, url=_anomaly_url,
    title=lambda e: _("Now « %(status)s »: %(title)s")
    % {"status": _status_label(e.data.get("status", "")), "title": e.data.get("title", "")},
)  # fmt: skip
register_recipients(
    ANOMALY_ASSIGNED, _assigned_people, url=_anomaly_url,
    title=lambda e: _("Assigned to you: %(title)s") % {"title": e.data.get("title", "")},
)  # fmt: skip
register_recipients(PV_DECIDED, _signers, title=_pv_title, url=_pv_url)
register_recipients(PV_SIGNED, _signers, title=_pv_title, url=_pv_url)


def _deadline_title(key: str, due: dt.date, tacit: bool) -> Callable[[], str]:
    def title() -> str:
        label = DEADLINE_LABELS().get(key, key)
        if tacit:
            return _("%(label)s: decide by %(date)s, or the system is admitted tacitly") % {
                "label": label,
                "date": date_format(due, "SHORT_DATE_FORMAT"),
            }
        return _("%(label)s: due on %(date)s") % {"label": label, "date": date_format(due, "SHORT_DATE_FORMAT")}

    return title


def approaching_deadlines(today: dt.date) -> Iterator[Deadline]:
    """The CCAG-TIC deadlines in their alert window, for the buyer (who decides) and whoever records the dates."""
    for timeline in AcceptanceTimeline.objects.select_related("project"):
        project = timeline.project
        cfg = recette_settings(project)
        try:
            result = engine.compute_timers(timer_settings(cfg, project), timer_facts(timeline, project), today)
        except InputError:
            continue
        alerts = [d for d in engine.alerts(result.deadlines, today, cfg.alert_days) if d.due >= today]
        if not alerts:
            continue
        people = sorted(set(members_with(project.pk, PV_DECIDE)) | set(members_with(project.pk, TIMERS_RECORD)))
        url = reverse("recette:timers", args=[project.code])
        for deadline in alerts:
            for user_id in people:
                yield Deadline(
                    user_id=user_id, key=f"ccag:{project.pk}:{deadline.key}:{deadline.due.isoformat()}",
                    project_id=project.pk, title=_deadline_title(deadline.key, deadline.due, deadline.tacit_on_expiry),
                    url=url, object_type="recette.acceptancetimeline", object_id=str(timeline.pk),
                )  # fmt: skip


register_deadlines(approaching_deadlines)
