"""The mep stage's part of "Mon travail": the go/no-go decisions waiting for the buyer who signs them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import MATRIX
from oeuvre.accounts.roles import ADMIN
from oeuvre.mep.models import GoNoGoDecision, ReadinessCheck, ReadinessItem, Release, ReleaseStatus
from oeuvre.mep.permissions import GONOGO_DECIDE
from oeuvre.projects.models import Membership
from oeuvre.web.work import WorkItem, WorkSource, register_work_source

_LIMIT = 100


def _decider(user: Any) -> Exists:
    granted = MATRIX[GONOGO_DECIDE]
    condition = Q(role__in=granted.roles)
    if ADMIN in granted.roles:
        condition |= Q(is_admin=True)
    return Exists(Membership.objects.filter(condition, project=OuterRef("project"), user=user))


def _gonogos(user: Any) -> list[WorkItem]:
    """Releases whose readiness criteria are all attested and that have no go/no-go taken since the last
    attestation, on the projects where the user decides it."""
    done = ReadinessCheck.objects.filter(release=OuterRef("pk"), done=True)
    decided_since = GoNoGoDecision.objects.filter(release=OuterRef("pk"), decided_at__gte=OuterRef("last_attested"))
    rows = (
        Release.objects.filter(_decider(user), status__in=(ReleaseStatus.PLANIFIEE, ReleaseStatus.EN_RECETTE))
        .annotate(
            attested=Subquery(done.order_by().values("release").annotate(n=Count("pk")).values("n")),
            last_attested=Subquery(done.order_by("-attested_at").values("attested_at")[:1]),
        )
        .filter(attested__gte=len(ReadinessItem.values))
        .exclude(Exists(decided_since))
        .select_related("project")
        .order_by("planned_date", "project__code", "pk")[:_LIMIT]
    )
    return [
        WorkItem(
            r.project.code,
            r.project.name,
            r.number,
            r.title or str(_("Go/no-go of release %(number)s") % {"number": r.number}),
            reverse("mep:release_detail", args=[r.project.code, r.pk]),
            str(_("go/no-go to decide and sign")),
            r.planned_date,
        )
        for r in rows
    ]


def register() -> None:
    register_work_source(WorkSource("gonogo", _("Go/no-go waiting for my decision"), _gonogos, 55, "bi-signpost-split"))
