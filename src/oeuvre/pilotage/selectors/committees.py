"""Reads of the committees: the list, one committee with its decisions and actions, the plan d'actions, my actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from oeuvre.accounts.permissions import can
from oeuvre.interop.ics import MilestoneEvent
from oeuvre.pilotage.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Committee,
    CommitteeKind,
    Decision,
    RiskAction,
)
from oeuvre.pilotage.permissions import PILOTAGE_VIEW
from oeuvre.projects.models import Project

__all__ = ["actions_of", "committee_detail", "committee_events", "committees_of", "decision_snapshot", "my_actions"]


def decision_snapshot(decision: Decision, committee: Committee, signer: Any) -> dict[str, Any]:
    """What the hash chain asserts about a committee decision (written on closing, compared by verify)."""
    snapshot = {
        "committee": committee.title,
        "held_on": committee.held_on.isoformat(),
        "number": decision.number,
        "text": decision.text,
        "risk": decision.risk.reference if decision.risk else None,
        "subject": decision.subject,
        "signed_by": signer.username if signer is not None else None,
    }
    # The change request decided (only when there is one, so entries written before the link still compare).
    if decision.change_id is not None:
        snapshot["change"] = decision.change.reference if decision.change else None
    return snapshot


def committees_of(project: Project) -> QuerySet[Committee]:
    return Committee.objects.filter(project=project).annotate(
        decision_count=Count("decisions", distinct=True), action_count=Count("actions", distinct=True)
    )


def committee_detail(project: Project, pk: int) -> Committee:
    decisions = Decision.objects.select_related("risk", "change").order_by("number")
    actions = Action.objects.select_related("owner", "decision").order_by("number")
    return get_object_or_404(
        Committee.objects.filter(project=project)
        .select_related("closed_by")
        .prefetch_related(Prefetch("decisions", queryset=decisions), Prefetch("actions", queryset=actions)),
        pk=pk,
    )


def actions_of(project: Project, *, open_only: bool = False) -> QuerySet[Action]:
    qs = Action.objects.filter(project=project).select_related("owner", "committee", "decision")
    if open_only:
        qs = qs.filter(status__in=OPEN_ACTION_STATUSES)
    return qs.order_by("due_on", "number")


def overdue(due_on: dt.date | None, status: str, today: dt.date | None = None) -> bool:
    return due_on is not None and status in OPEN_ACTION_STATUSES and due_on < (today or timezone.localdate())


def my_actions(user: Any) -> dict[str, Any]:
    """The open actions the user owns on every project they belong to: committee actions and risk mitigations
    (two queries whatever the number of projects)."""
    today = timezone.localdate()
    member = Q(project__memberships__user=user)
    steering = list(
        Action.objects.filter(member, owner=user, status__in=OPEN_ACTION_STATUSES)
        .select_related("project", "committee")
        .order_by("due_on", "project__code", "number")
        .distinct()
    )
    mitigations = list(
        RiskAction.objects.filter(
            risk__project__memberships__user=user,
            owner=user,
            status__in=("a_faire", "en_cours"),
            risk__status__in=OPEN_RISK_STATUSES,
        )
        .select_related("risk__project")
        .order_by("due_on", "pk")
        .distinct()
    )
    rows = [
        {
            "project": a.project,
            "label": f"A{a.number} — {a.title}",
            "origin": a.committee.title if a.committee else "",
            "due_on": a.due_on,
            "status": a.get_status_display(),
            "overdue": overdue(a.due_on, a.status, today),
            "url_name": "pilotage:actions",
            "kind": "action",
        }
        for a in steering
    ] + [
        {
            "project": m.risk.project,
            "label": m.title,
            "origin": m.risk.reference,
            "due_on": m.due_on,
            "status": m.get_status_display(),
            "overdue": overdue(m.due_on, m.status, today),
            "risk_id": m.risk_id,
            "kind": "mitigation",
        }
        for m in mitigations
    ]
    rows.sort(key=lambda r: (r["due_on"] is None, r["due_on"] or today))
    return {"rows": rows, "overdue": sum(1 for r in rows if r["overdue"])}


def _short_kind(kind: str) -> str:
    if kind == CommitteeKind.AUTRE:
        return pgettext("pilotage committee kind, short", "Committee")
    return kind.upper()  # COPIL, COPROJ: the same in both languages


def committee_events(project: Project, user: Any = None) -> list[MilestoneEvent]:
    """The project's committees as calendar events (planning's ICS asks for them through its registry).

    ``user`` ``None`` is the terminal; a reader who may not see the steering records gets none. One query.
    """
    if user is not None and not can(user, project, PILOTAGE_VIEW):
        return []
    events = []
    for committee in Committee.objects.filter(project=project).order_by("held_on", "pk"):
        kind = committee.get_kind_display()
        lines = [f"{kind} — {committee.get_status_display()}"]
        attendees = [line.strip() for line in committee.attendees.splitlines() if line.strip()]
        if attendees:
            lines.append(_("Attendees:"))
            lines.extend(f"- {line}" for line in attendees)
        events.append(
            MilestoneEvent(
                uid=f"committee-{committee.pk}@{project.code}.oeuvre",
                title=f"{project.code} · {_short_kind(committee.kind)} — {committee.title}",
                day=committee.held_on,
                description="\n".join(lines),
                categories=(kind, project.code),
                location=committee.location,
                busy=True,
            )
        )
    return events
