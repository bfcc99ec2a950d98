"""Reads of change requests: the filtered list, one request with its items and task impacts, the météo's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from oeuvre.pilotage.models import WAITING_CHANGE_STATUSES, ChangeItem, ChangeRequest, ChangeStatus, ChangeTaskImpact
from oeuvre.projects.models import Project

__all__ = ["ChangeFilters", "change_detail", "change_facts", "changes_for", "waiting_changes"]


@dataclass(frozen=True)
class ChangeFilters:
    q: str = ""
    status: str = ""
    waiting_only: bool = False


def changes_for(project: Project, filters: ChangeFilters | None = None) -> QuerySet[ChangeRequest]:
    """The project's change requests with their people, items and task impacts joined (no per-row query)."""
    f = filters or ChangeFilters()
    qs = ChangeRequest.objects.filter(project=project).select_related(
        "requested_by", "analysed_by", "decided_by", "baseline"
    )
    if f.q:
        qs = qs.filter(Q(reference__icontains=f.q) | Q(title__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.waiting_only:
        qs = qs.filter(status__in=WAITING_CHANGE_STATUSES)
    items = ChangeItem.objects.select_related("exigence").order_by("pk")
    impacts = ChangeTaskImpact.objects.select_related("task").order_by("task__code", "pk")
    return qs.prefetch_related(Prefetch("items", queryset=items), Prefetch("task_impacts", queryset=impacts)).order_by(
        "number", "pk"
    )


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
    ages = sorted(
        (max((today - timezone.localdate(s)).days, 0) for s, _c, _d in waiting if s is not None), reverse=True
    )
    accepted = ChangeRequest.objects.filter(
        project=project, status=ChangeStatus.ACCEPTEE, avenant_number__isnull=True
    ).filter(Q(extra_cost__gt=0) | Q(delay_days__gt=0))
    return {
        "change_wait_days": ages,
        "change_waiting_cost": float(sum((c or Decimal(0) for _s, c, _d in waiting), Decimal(0))),
        "change_waiting_delay_days": sum(d or 0 for _s, _c, d in waiting),
        "changes_without_avenant": accepted.count(),
    }
