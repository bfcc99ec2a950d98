"""Reads of change requests: the filtered list, one request with its items and task impacts, the météo's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from oeuvre.pilotage.models import (
    WAITING_CHANGE_STATUSES,
    ChangeItem,
    ChangeRequest,
    ChangeStatus,
    ChangeTaskImpact,
    Decision,
)
from oeuvre.projects.models import Project

__all__ = [
    "ChangeFilters",
    "age_days",
    "change_as_json",
    "change_detail",
    "change_facts",
    "changes_for",
    "waiting_changes",
]


@dataclass(frozen=True)
class ChangeFilters:
    q: str = ""
    status: str = ""
    waiting_only: bool = False


def changes_for(project: Project, filters: ChangeFilters | None = None) -> QuerySet[ChangeRequest]:
    """The project's change requests with their people, items and task impacts joined (no per-row query)."""
    f = filters or ChangeFilters()
    qs = ChangeRequest.objects.filter(project=project).select_related(
        "requested_by", "analysed_by", "decided_by", "baseline", "cdc_version"
    )
    if f.q:
        qs = qs.filter(Q(reference__icontains=f.q) | Q(title__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.waiting_only:
        qs = qs.filter(status__in=WAITING_CHANGE_STATUSES)
    items = ChangeItem.objects.select_related("exigence").order_by("pk")
    impacts = ChangeTaskImpact.objects.select_related("task").order_by("task__code", "pk")
    decisions = Decision.objects.select_related("committee").order_by("number")
    return qs.prefetch_related(
        Prefetch("items", queryset=items),
        Prefetch("task_impacts", queryset=impacts),
        Prefetch("decisions", queryset=decisions),
    ).order_by("number", "pk")


def change_detail(project: Project, pk: int) -> ChangeRequest:
    return get_object_or_404(changes_for(project), pk=pk)


def waiting_changes(project: Project) -> list[ChangeRequest]:
    return list(changes_for(project, ChangeFilters(waiting_only=True)))


def age_days(change: ChangeRequest, today: dt.date) -> int:
    """Days since the request was submitted (waiting for the MOA's decision)."""
    if change.submitted_at is None:
        return 0
    return max((today - timezone.localdate(change.submitted_at)).days, 0)


def change_facts(project: Project, today: dt.date | None = None) -> dict[str, Any]:
    """The scope axis' inputs: the age of each waiting request, their cumulated analysed impact, and the accepted
    changes altering price or deadline that still have no avenant (two queries)."""
    today = today or timezone.localdate()
    waiting = list(
        ChangeRequest.objects.filter(project=project, status__in=WAITING_CHANGE_STATUSES).values_list(
            "submitted_at", "extra_cost", "delay_days"
        )
    )
    ages = [max((today - timezone.localdate(s)).days, 0) for s, _c, _d in waiting if s is not None]
    # A deferred request is decided for now; once its review date has passed without it being taken up again
    # (submitted again or withdrawn), it waits again, counted from that date.
    overdue_reviews = ChangeRequest.objects.filter(
        project=project, status=ChangeStatus.AJOURNEE, review_on__lt=today
    ).values_list("review_on", flat=True)
    ages = sorted([*ages, *((today - r).days for r in overdue_reviews if r is not None)], reverse=True)
    accepted = ChangeRequest.objects.filter(
        project=project, status=ChangeStatus.ACCEPTEE, avenant_number__isnull=True
    ).filter(Q(extra_cost__gt=0) | Q(delay_days__gt=0))
    return {
        "change_wait_days": ages,
        "change_waiting_cost": float(sum((c or Decimal(0) for _s, c, _d in waiting), Decimal(0))),
        "change_waiting_delay_days": sum(d or 0 for _s, _c, d in waiting),
        "changes_without_avenant": accepted.count(),
    }


def applied_lines(change: ChangeRequest) -> list[dict[str, Any]]:
    """What the acceptance applied to the exigences, one line per item of the change, each with its message in the
    reader's language (the service keeps codes, see ``services.changes._apply_items``)."""
    from django.utils.translation import gettext as _

    messages = {
        "updated": _("%(ref)s: statement replaced"),
        "unchanged": _("%(ref)s: statement already as asked, nothing to change"),
        "removed": _("%(ref)s: removed from the CDC (rejected, kept in its history)"),
        "already_removed": _("%(ref)s: already rejected, nothing to change"),
        "created": _("%(ref)s: added to the CDC"),
        "missing_exigence": _("not applied: the exigence this item named no longer exists"),
        "missing_text": _("not applied: the item gives no statement"),
    }
    out = []
    for line in change.applied or []:
        template = messages.get(line.get("outcome", ""), "%(ref)s")
        out.append({**line, "message": template % {"ref": line.get("exigence") or "—"}})
    return out


def change_as_json(change: ChangeRequest, today: dt.date | None = None) -> dict[str, Any]:
    """One request as the API and the CLI give it (plain JSON: numbers as numbers, dates as ISO strings)."""
    today = today or timezone.localdate()

    def user(u: Any) -> str | None:
        return u.username if u is not None else None

    def day(d: Any) -> str | None:
        return d.isoformat() if d is not None else None

    return {
        "id": change.pk,
        "reference": change.reference,
        "title": change.title,
        "justification": change.justification,
        "origin": change.origin,
        "status": change.status,
        "requested_by": user(change.requested_by),
        "submitted_at": change.submitted_at.isoformat() if change.submitted_at else None,
        "waiting_days": age_days(change, today) if change.is_waiting else None,
        "items": [
            {
                "id": i.pk,
                "kind": i.kind,
                "exigence": i.exigence.reference if i.exigence else None,
                "text": i.text,
            }
            for i in change.items.all()
        ],
        "analysis": None
        if change.analysed_at is None
        else {
            "analysed_by": user(change.analysed_by),
            "analysed_at": change.analysed_at.isoformat(),
            "extra_effort_days": float(change.extra_effort or 0),
            "day_rate": float(change.day_rate or 0),
            "extra_cost": float(change.extra_cost or 0),
            "delay_days": change.delay_days,
            "finish_before": day(change.finish_before),
            "finish_after": day(change.finish_after),
            "reach": change.reach,
            "tasks": [
                {"task": t.task.code, "extra_days": t.extra_days, "extra_effort_days": float(t.extra_effort)}
                for t in change.task_impacts.all()
            ],
            "note": change.analysis_note,
        },
        "decision": None
        if change.decided_at is None
        else {
            "decided_by": user(change.decided_by),
            "decided_at": change.decided_at.isoformat(),
            "reason": change.decision_reason,
            "review_on": day(change.review_on),
        },
        "committee_decisions": [
            {"number": d.number, "committee": d.committee.title, "held_on": day(d.committee.held_on), "text": d.text}
            for d in change.decisions.all()
        ],
        "needs_avenant": change.needs_avenant,
        "avenant_number": change.avenant_number,
        "avenant_signed_on": day(change.avenant_signed_on),
        "baseline": change.baseline.name if change.baseline else None,
        "cdc_version": change.cdc_version.label if change.cdc_version else None,
        "applied": applied_lines(change),
        "version": change.version,
    }


def changes_carried(project: Project, exigence_references: set[str]) -> list[Any]:
    """Accepted change requests reaching one of these exigences: what a release delivering them carries.

    Registered with the deployment stage's release notes (an earlier stage cannot import this one).
    """
    from oeuvre.mep.release_notes import CarriedChange

    if not exigence_references:
        return []
    carried = []
    for change in changes_for(project, ChangeFilters(status=ChangeStatus.ACCEPTEE)):
        named = {item.exigence.reference for item in change.items.all() if item.exigence is not None}
        reached = set((change.reach or {}).get("exigences", []))
        if (named | reached) & exigence_references:
            carried.append(CarriedChange(change.reference, change.title, change.status, change.avenant_number))
    return carried
