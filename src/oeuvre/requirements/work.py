"""The requirements stage's part of "Mon travail": exigences and deliverables waiting for the user's validation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.roles import Role
from oeuvre.requirements.models import Deliverable, DeliverableStatus, Exigence, ExigenceStatus
from oeuvre.web.work import WorkItem, WorkSource, register_work_source

_LIMIT = 100


def _validations(user: Any) -> list[WorkItem]:
    # Only the MOA validates exigences (the matrix's requirements.validate); a deliverable names its validator.
    exigences = (
        Exigence.objects.filter(
            status=ExigenceStatus.SOUMISE, project__memberships__user=user, project__memberships__role=Role.MOA
        )
        .select_related("project")
        .order_by("project__code", "number", "pk")[:_LIMIT]
    )
    deliverables = (
        Deliverable.objects.filter(validator=user, status=DeliverableStatus.SOUMIS, project__memberships__user=user)
        .select_related("project")
        .order_by("due_date", "pk")[:_LIMIT]
    )
    items = [
        WorkItem(
            d.project.code,
            d.project.name,
            d.reference or d.get_kind_display(),
            d.title,
            reverse("requirements:deliverable", args=[d.project.code, d.pk]),
            str(_("Deliverable")),
            d.due_date,
        )
        for d in deliverables
    ]
    items += [
        WorkItem(
            e.project.code,
            e.project.name,
            e.reference,
            e.title,
            reverse("requirements:detail", args=[e.project.code, e.pk]),
            str(_("Requirement")),
        )
        for e in exigences
    ]
    return items


def register() -> None:
    register_work_source(
        WorkSource("validations", _("Waiting for my validation"), _validations, 40, "bi-check2-circle")
    )
