"""The recette stage's part of "Mon travail": tests to run, anomalies to handle, PV to sign."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.roles import Role
from oeuvre.projects.models import Membership
from oeuvre.recette.models import Anomaly, AnomalyStatus, Execution, ExecutionStatus, ProcesVerbal, PvStatus
from oeuvre.web.work import WorkItem, WorkSource, register_work_source

_LIMIT = 100  # a person with more waiting than this sees the first ones and the stage's own list for the rest
_HANDLED = {AnomalyStatus.VERIFIEE, AnomalyStatus.CLOSE, AnomalyStatus.REJETEE}


def _executions(user: Any) -> list[WorkItem]:
    rows = (
        Execution.objects.filter(tester=user, status=ExecutionStatus.NON_EXECUTE, project__memberships__user=user)
        .select_related("project", "test_case", "iteration__campaign")
        .order_by("project__code", "pk")[:_LIMIT]
    )
    return [
        WorkItem(
            e.project.code,
            e.project.name,
            e.test_case.reference,
            e.test_case.title,
            reverse("recette:execution", args=[e.project.code, e.pk]),
            str(e.iteration.campaign.name) if e.iteration_id else "",
        )
        for e in rows
    ]


def _anomalies(user: Any) -> list[WorkItem]:
    rows = (
        Anomaly.objects.filter(assignee=user, project__memberships__user=user)
        .exclude(status__in=_HANDLED)
        .select_related("project")
        .order_by("project__code", "number", "pk")[:_LIMIT]
    )
    return [
        WorkItem(
            a.project.code,
            a.project.name,
            a.reference,
            a.title,
            reverse("recette:anomaly_detail", args=[a.project.code, a.pk]),
            a.get_status_display(),
        )
        for a in rows
    ]


def _signatures(user: Any) -> list[WorkItem]:
    """PV decided and waiting for the buyer's signature (the user is MOA there), or signed by the buyer and
    waiting for the contractor's countersignature (the user is MOE there)."""

    def as_role(role: str) -> Exists:
        return Exists(Membership.objects.filter(project=OuterRef("project"), user=user, role=role))

    pvs = (
        ProcesVerbal.objects.filter(
            Q(as_role(Role.MOA), status=PvStatus.DECIDE) | Q(as_role(Role.MOE), status=PvStatus.SIGNE_MOA)
        )
        .select_related("project")
        .order_by("project__code", "pk")[:_LIMIT]
    )
    return [
        WorkItem(
            pv.project.code,
            pv.project.name,
            pv.reference,
            pv.title,
            reverse("recette:pv_detail", args=[pv.project.code, pv.pk]),
            str(_("to sign") if pv.status == PvStatus.DECIDE else _("to countersign")),
        )
        for pv in pvs
    ]


def _deadlines(user: Any) -> list[WorkItem]:
    from oeuvre.recette.selectors.timers import approaching_deadlines

    return [
        WorkItem(
            d["project"].code,
            d["project"].name,
            d["article"] or "CCAG-TIC",
            d["label"],
            reverse("recette:timers", args=[d["project"].code]),
            str(_("silence = tacit admission")) if d["tacit"] else "",
            d["due"],
            d["overdue"],
        )
        for d in approaching_deadlines(user)
    ]


def register() -> None:
    register_work_source(WorkSource("tests", _("Tests to run"), _executions, 20, "bi-clipboard2-check"))
    register_work_source(WorkSource("anomalies", _("Anomalies assigned to me"), _anomalies, 30, "bi-bug"))
    register_work_source(WorkSource("signatures", _("PV waiting for my signature"), _signatures, 50, "bi-pen"))
    register_work_source(
        WorkSource("deadlines", _("Approaching CCAG-TIC deadlines"), _deadlines, 70, "bi-hourglass-split")
    )
