"""Exports of the requirements stage: exigences (xlsx, CSV, ReqIF) and the traceability matrix (xlsx, CSV).

Exigence exports use the column names the importer recognises, so a file exported here re-imports
unchanged (and updates by reference).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from oeuvre.interop.reqif_io import ReqifExportItem, ReqifRelation, relation_kind, write_reqif
from oeuvre.interop.sheets import SheetColumn, SheetRow, write_csv, write_xlsx
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Exigence, ExigenceStatus, ExigenceType, Priority, TraceKind, TraceLink
from oeuvre.requirements.selectors import (
    GAP_NO_SPEC,
    GAP_NO_TEST,
    GAP_SPEC_WITHOUT_COMPONENT,
    RtmFilters,
    RtmRow,
    rtm_all,
)

__all__ = ["exigences_csv", "exigences_reqif", "exigences_xlsx", "rtm_csv", "rtm_xlsx"]

GAP_FILL = "FFC7CE"  # light red: a gap
WARN_FILL = "FFEB9C"  # amber: partly covered
OK_FILL = "C6EFCE"  # green: passed


def _exigence_columns() -> list[SheetColumn]:
    return [
        SheetColumn(_("Reference"), 12),
        SheetColumn(_("Title"), 40, wrap=True),
        SheetColumn(_("Text"), 70, wrap=True),
        SheetColumn(_("Type"), 16),
        SheetColumn(_("Priority"), 22),
        SheetColumn(_("Source"), 16),
        SheetColumn(_("Status"), 12),
        SheetColumn(_("Owner"), 20),
    ]


def _exigence_values(project: Project) -> Iterator[list[str]]:
    for e in (
        Exigence.objects.filter(project=project)
        .select_related("owner")
        .order_by("number", "reference")
        .iterator(chunk_size=2000)
    ):
        yield [
            e.reference,
            e.title,
            e.text,
            str(e.get_type_display()),
            str(e.get_priority_display()),
            e.source,
            str(e.get_status_display()),
            e.owner.username if e.owner else "",
        ]


def exigences_xlsx(project: Project) -> bytes:
    return write_xlsx(
        _exigence_columns(), (SheetRow(v) for v in _exigence_values(project)), title=str(_("Requirements"))
    )


def exigences_csv(project: Project) -> bytes:
    return write_csv([str(c.label) for c in _exigence_columns()], _exigence_values(project))


def _extras(values: dict[str, object]) -> dict[str, str | int | float | bool]:
    return {k: v if isinstance(v, str | int | float | bool) else str(v) for k, v in values.items() if v is not None}


def exigences_reqif(project: Project) -> bytes:
    """ReqIF with Type, Priority and Status as enumerations, the source as chapters (heading objects), the extra
    attributes an import kept written back with their names and types, refinements as relations under the name of
    the relation type they came from."""
    exigences = list(Exigence.objects.filter(project=project).order_by("number", "reference"))
    identifiers = {e.pk: e.external_id or f"_oeuvre-{project.code}-{e.pk}" for e in exigences}
    items = [
        ReqifExportItem(
            identifier=identifiers[e.pk],
            reference=e.reference,
            title=e.title,
            text=e.text,
            enums={"Type": e.type, "Priority": e.priority, "Status": e.status},
            chapter=e.source,
            extras=_extras(e.extra_attributes or {}),
        )
        for e in exigences
    ]
    relations = [
        ReqifRelation(source=identifiers[src], target=identifiers[dst], kind=relation_kind(comment or "refines"),
                      name=comment or "refines")
        for src, dst, comment in TraceLink.objects.filter(project=project, kind=TraceKind.REFINES).values_list(
            "src_exigence_id", "dst_exigence_id", "comment"
        )
        if src in identifiers and dst in identifiers
    ]  # fmt: skip
    return write_reqif(
        items,
        relations,
        title=f"{project.name} — CDC",
        enum_values={
            "Type": [(v, str(label)) for v, label in ExigenceType.choices],
            "Priority": [(v, str(label)) for v, label in Priority.choices],
            "Status": [(v, str(label)) for v, label in ExigenceStatus.choices],
        },
    )


# --- RTM -----------------------------------------------------------------------------------------------


def _rtm_columns(tests: bool) -> list[SheetColumn]:
    columns = [
        SheetColumn(_("Requirement"), 12),
        SheetColumn(_("Title"), 45, wrap=True),
        SheetColumn(_("Type"), 15),
        SheetColumn(_("Priority"), 20),
        SheetColumn(_("Status"), 12),
        SheetColumn(_("Specifications"), 24, wrap=True),
        SheetColumn(_("Components"), 24, wrap=True),
    ]
    if tests:
        columns += [
            SheetColumn(_("Tests"), 24, wrap=True),
            SheetColumn(_("Executed"), 10),
            SheetColumn(_("Passed"), 10),
        ]
    columns.append(SheetColumn(_("Gaps"), 40, wrap=True))
    return columns


def gap_labels() -> dict[str, str]:
    return {
        GAP_NO_SPEC: _("no specification"),
        GAP_SPEC_WITHOUT_COMPONENT: _("a specification has no component"),
        GAP_NO_TEST: _("no test"),
    }


def _rtm_values(row: RtmRow, tests: bool, labels: dict[str, str]) -> list[str | int | None]:
    specs = ", ".join(s.reference + ("" if s.has_component else " (!)") for s in row.specifications)
    values: list[str | int | None] = [
        row.reference,
        row.title,
        row.type_label,
        row.priority_label,
        row.status_label,
        specs,
        ", ".join(row.components),
    ]
    if tests:
        values += [", ".join(row.tests or ()), row.executed, row.passed]
    values.append("; ".join(labels[g] for g in row.gaps))
    return values


def rtm_xlsx(project: Project, filters: RtmFilters | None = None) -> bytes:
    rows, tests = rtm_all(project, filters)
    labels = gap_labels()
    columns = _rtm_columns(tests)
    spec_col, comp_col, gap_col = 5, 6, len(columns) - 1

    def sheet_rows() -> Iterator[SheetRow]:
        for row in rows:
            fills: dict[int, str] = {}
            if GAP_NO_SPEC in row.gaps:
                fills[spec_col] = GAP_FILL
            if GAP_SPEC_WITHOUT_COMPONENT in row.gaps or (row.specifications and not row.components):
                fills[comp_col] = GAP_FILL
            if tests:
                if GAP_NO_TEST in row.gaps:
                    fills[7] = GAP_FILL
                elif row.tests and row.passed == len(row.tests):
                    fills[9] = OK_FILL
                elif row.tests:
                    fills[9] = WARN_FILL
            if row.gaps:
                fills[gap_col] = GAP_FILL
            yield SheetRow(_rtm_values(row, tests, labels), fills)

    return write_xlsx(
        columns,
        sheet_rows(),
        title=str(_("Traceability matrix")),
        legend=[
            (GAP_FILL, str(_("Gap: nothing covers this level"))),
            (WARN_FILL, str(_("Tests not all passed"))),
            (OK_FILL, str(_("Every covering test passed"))),
        ],
    )


def rtm_csv(project: Project, filters: RtmFilters | None = None) -> bytes:
    rows, tests = rtm_all(project, filters)
    labels = gap_labels()
    return write_csv([str(c.label) for c in _rtm_columns(tests)], (_rtm_values(r, tests, labels) for r in rows))
