"""The requirements stage's data tables (exigences, specifications, components) and their bulk actions.

Every bulk action calls the same service as the one-by-one page, so the workflow and the permission matrix
decide for each row."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.projects.models import Project
from oeuvre.requirements import selectors, services
from oeuvre.requirements.models import ComponentKind, ExigenceStatus, ExigenceType, Priority, SpecificationKind
from oeuvre.requirements.permissions import (
    ARCHITECTURE_EDIT,
    REQUIREMENTS_EDIT,
    REQUIREMENTS_SUBMIT,
    REQUIREMENTS_VALIDATE,
    REQUIREMENTS_VIEW,
    SPECIFICATIONS_EDIT,
)
from oeuvre.web.tables import BulkAction, Col, Filter, Param, Table, badge, choices_of

__all__ = ["COMPONENTS", "EXIGENCES", "SPECIFICATIONS", "members", "owner_of"]


def members(project: Project) -> list[tuple[str, str]]:
    users = User.objects.filter(memberships__project=project).order_by("last_name", "first_name", "username")
    return [(str(u.pk), str(u)) for u in users.distinct()]


def owner_of(project: Project, raw: dict[str, str]) -> dict[str, Any]:
    """Resolve the chosen person once for all rows (the choice was validated against the members)."""
    return {**raw, "owner": User.objects.get(pk=int(raw["owner"]))}


def _move(actor: Any, exigence: Any, version: int | None, values: dict[str, Any]) -> None:
    moves = {
        "submit": services.exigence_submit,
        "validate": services.exigence_validate,
        "reject": services.exigence_reject,
    }
    moves[values["move"]](actor=actor, exigence=exigence, expected_version=version, comment=values.get("comment", ""))


EXIGENCE_MOVES = [
    ("submit", gettext_lazy("Submit to the MOA")),
    ("validate", gettext_lazy("Validate")),
    ("reject", gettext_lazy("Reject")),
]

OWNER = Param("owner", gettext_lazy("Owner"), members)

EXIGENCES = Table(
    key="requirements.exigences",
    permission=REQUIREMENTS_VIEW,
    queryset=selectors.exigences_for,
    export_name="exigences",
    row_url=lambda p, e: reverse("requirements:detail", args=[p.code, e.pk]),
    columns=[
        Col("reference", gettext_lazy("Reference"), lambda e: e.reference, "number", link=True),
        Col("title", gettext_lazy("Title"), lambda e: e.title, "title", link=True),
        Col("type", gettext_lazy("Type"), lambda e: e.get_type_display(), "type"),
        Col("priority", gettext_lazy("Priority"), lambda e: e.get_priority_display(), "priority"),
        Col(
            "status",
            gettext_lazy("Status"),
            lambda e: e.get_status_display(),
            "status",
            html=lambda e: badge(e.get_status_display(), f"badge status-{e.status}"),
        ),
        Col("source", gettext_lazy("Source"), lambda e: e.source, "source"),
        Col("owner", gettext_lazy("Owner"), lambda e: e.owner, "owner__last_name"),
        Col("specs", gettext_lazy("Specifications"), lambda e: e.spec_count, "spec_count", num=True),
        Col("version", gettext_lazy("Version"), lambda e: e.version, "version", num=True, visible=False),
        Col("updated", gettext_lazy("Updated"), lambda e: e.updated_at, "updated_at", visible=False),
    ],
    default_sort="reference",
    search=["reference", "title", "text", "source"],
    search_hint=gettext_lazy("Reference, title, text"),
    filters=[
        Filter("type", gettext_lazy("Type"), "type", choices_of(ExigenceType)),
        Filter("priority", gettext_lazy("Priority"), "priority", choices_of(Priority)),
        Filter("status", gettext_lazy("Status"), "status", choices_of(ExigenceStatus)),
        Filter("owner", gettext_lazy("Owner"), "owner_id", members),
    ],
    actions=[
        BulkAction(
            "move",
            gettext_lazy("Change the status"),
            frozenset({REQUIREMENTS_SUBMIT, REQUIREMENTS_VALIDATE}),
            _move,
            params=[
                Param("move", gettext_lazy("Move"), lambda _p: [(k, str(label)) for k, label in EXIGENCE_MOVES]),
                Param("comment", gettext_lazy("Comment (needed to reject)"), required=False),
            ],
        ),
        BulkAction(
            "assign",
            gettext_lazy("Assign an owner"),
            frozenset({REQUIREMENTS_EDIT}),
            lambda actor, e, v, values: services.exigence_update(
                actor=actor, exigence=e, expected_version=v, owner=values["owner"]
            ),
            params=[OWNER],
            prepare=owner_of,
        ),
        BulkAction(
            "delete",
            gettext_lazy("Delete"),
            frozenset({REQUIREMENTS_EDIT}),
            lambda actor, e, v, values: services.exigence_delete(actor=actor, exigence=e),
            danger=True,
        ),
    ],
)

SPECIFICATIONS = Table(
    key="requirements.specifications",
    permission=REQUIREMENTS_VIEW,
    queryset=selectors.specifications_for,
    export_name="specifications",
    row_url=lambda p, s: reverse("requirements:specification", args=[p.code, s.pk]),
    columns=[
        Col("reference", gettext_lazy("Reference"), lambda s: s.reference, "number", link=True),
        Col("kind", gettext_lazy("Kind"), lambda s: s.get_kind_display(), "kind"),
        Col("title", gettext_lazy("Title"), lambda s: s.title, "title", link=True),
        Col("owner", gettext_lazy("Owner"), lambda s: s.owner, "owner__last_name"),
        Col("exigences", gettext_lazy("Requirements"), lambda s: s.exigence_count, "exigence_count", num=True),
        Col("components", gettext_lazy("Components"), lambda s: s.component_count, "component_count", num=True),
        Col("updated", gettext_lazy("Updated"), lambda s: s.updated_at, "updated_at", visible=False),
    ],
    default_sort="reference",
    search=["reference", "title", "text"],
    search_hint=gettext_lazy("Reference, title, text"),
    filters=[
        Filter("kind", gettext_lazy("Kind"), "kind", choices_of(SpecificationKind)),
        Filter("owner", gettext_lazy("Owner"), "owner_id", members),
    ],
    actions=[
        BulkAction(
            "assign",
            gettext_lazy("Assign an owner"),
            frozenset({SPECIFICATIONS_EDIT}),
            lambda actor, s, v, values: services.specification_update(
                actor=actor, specification=s, expected_version=v, owner=values["owner"]
            ),
            params=[OWNER],
            prepare=owner_of,
        ),
        BulkAction(
            "delete",
            gettext_lazy("Delete"),
            frozenset({SPECIFICATIONS_EDIT}),
            lambda actor, s, v, values: services.specification_delete(actor=actor, specification=s),
            danger=True,
        ),
    ],
)

COMPONENTS = Table(
    key="requirements.components",
    permission=REQUIREMENTS_VIEW,
    queryset=selectors.components_for,
    export_name="composants",
    row_url=lambda p, c: reverse("requirements:component", args=[p.code, c.pk]),
    columns=[
        Col("reference", gettext_lazy("Reference"), lambda c: c.reference, "number", link=True),
        Col("kind", gettext_lazy("Kind"), lambda c: c.get_kind_display(), "kind"),
        Col("name", gettext_lazy("Name"), lambda c: c.name, "name", link=True),
        Col("owner", gettext_lazy("Owner"), lambda c: c.owner, "owner__last_name"),
        Col(
            "specifications",
            gettext_lazy("Specifications"),
            lambda c: c.specification_count,
            "specification_count",
            num=True,
        ),
        Col("updated", gettext_lazy("Updated"), lambda c: c.updated_at, "updated_at", visible=False),
    ],
    default_sort="reference",
    search=["reference", "name", "description"],
    search_hint=gettext_lazy("Reference, name, description"),
    filters=[
        Filter("kind", gettext_lazy("Kind"), "kind", choices_of(ComponentKind)),
        Filter("owner", gettext_lazy("Owner"), "owner_id", members),
    ],
    actions=[
        BulkAction(
            "assign",
            gettext_lazy("Assign an owner"),
            frozenset({ARCHITECTURE_EDIT}),
            lambda actor, c, v, values: services.component_update(
                actor=actor, component=c, expected_version=v, owner=values["owner"]
            ),
            params=[OWNER],
            prepare=owner_of,
        ),
        BulkAction(
            "delete",
            gettext_lazy("Delete"),
            frozenset({ARCHITECTURE_EDIT}),
            lambda actor, c, v, values: services.component_delete(actor=actor, component=c),
            danger=True,
        ),
    ],
)
