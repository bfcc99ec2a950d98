"""The steering portfolio: every project the user may see with its météo, trend, next milestone, budget consumed
and open bloquantes, in one query whatever the number of projects.

The météo of a project in the portfolio is its latest snapshot (weekly by the job worker, or on demand), shown
with its date: computing each project's live météo reads a few dozen queries per project (see
``bench/portfolio.py``), the snapshot is one correlated subquery. The trend compares the latest snapshot with the
one before; the budget consumed is the snapshot's consommé over the sold amount; the next milestone and the open
bloquantes are live.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, IntegerField, JSONField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from oeuvre.pilotage.models import MeteoSnapshot
from oeuvre.projects.models import Membership, Project

__all__ = ["WEATHER_RANK", "budget_consumed", "may_see_every_project", "portfolio_of", "trend_arrow"]

WEATHER_RANK = {"sun": 0, "cloud": 1, "rain": 2, "storm": 3}


def may_see_every_project(user: Any) -> bool:
    """An instance administrator (staff) sees every project in the portfolio, member or not."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _rank(field: str) -> Case:
    return Case(
        *[When(**{field: value}, then=Value(rank)) for value, rank in WEATHER_RANK.items()],
        default=Value(-1),
        output_field=IntegerField(),
    )


def portfolio_of(user: Any, today: dt.date | None = None) -> QuerySet[Project]:
    """The projects ``user`` may see, annotated with their steering figures (one query for the whole page)."""
    from oeuvre.planning.models import Task, TaskKind
    from oeuvre.recette.models import Anomaly, AnomalyKind, Severity
    from oeuvre.recette.selectors.anomalies import OPEN_STATUSES

    today = today or timezone.localdate()
    if not user.is_authenticated:
        return Project.objects.none()
    mine = Membership.objects.filter(project=OuterRef("pk"), user=user)
    projects = Project.objects.all() if may_see_every_project(user) else Project.objects.filter(memberships__user=user)
    snapshots = MeteoSnapshot.objects.filter(project=OuterRef("pk")).order_by("-taken_on")
    milestones = Task.objects.filter(
        project=OuterRef("pk"), kind=TaskKind.MILESTONE, actual_finish__isnull=True, early_finish__gte=today
    ).order_by("early_finish", "code")
    bloquantes = (
        Anomaly.objects.filter(
            project=OuterRef("pk"), severity=Severity.BLOQUANTE, kind=AnomalyKind.ANOMALIE, status__in=OPEN_STATUSES
        )
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        projects.select_related("moa_organisation", "moe_organisation")
        .annotate(
            my_role=Subquery(mine.values("role")[:1]),
            meteo=Subquery(snapshots.values("overall")[:1]),
            meteo_on=Subquery(snapshots.values("taken_on")[:1]),
            meteo_before=Subquery(snapshots.values("overall")[1:2]),
            meteo_figures=Subquery(snapshots.values("figures")[:1], output_field=JSONField()),
            next_milestone_code=Subquery(milestones.values("code")[:1]),
            next_milestone_name=Subquery(milestones.values("name")[:1]),
            next_milestone_on=Subquery(milestones.values("early_finish")[:1]),
            bloquantes=Coalesce(Subquery(bloquantes, output_field=IntegerField()), Value(0)),
        )
        .annotate(meteo_rank=_rank("meteo"))
    )


def trend_arrow(project: Any) -> str:
    """``up`` when the latest snapshot is better than the one before, ``down`` when worse, else ``flat``."""
    now, before = getattr(project, "meteo", None), getattr(project, "meteo_before", None)
    if now not in WEATHER_RANK or before not in WEATHER_RANK:
        return "flat"
    delta = WEATHER_RANK[now] - WEATHER_RANK[before]
    return "down" if delta > 0 else "up" if delta < 0 else "flat"


def budget_consumed(project: Any) -> float | None:
    """The consommé over the sold amount (percent) from the latest snapshot, ``None`` when unknown."""
    figures = getattr(project, "meteo_figures", None) or {}
    spent, sold = figures.get("spent"), figures.get("sold")
    if spent is None or not sold:
        return None
    return round(100.0 * float(spent) / float(sold), 1)
