"""The DAT (dossier d'architecture technique) as a Word document, built from the model in French or English.

Components, interfaces and criteria with their exigences, and the component and flow diagram as an image drawn
without a browser. A project-supplied template (a .docx with its styles, header, cover page) is opened after the
archive guard and the document is written after what it already holds.
"""

from __future__ import annotations

import contextlib
import io
from collections import defaultdict
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oeuvre.core.errors import ValidationFailed
from oeuvre.design.selectors import criterion_rows, interfaces_for
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.reports.architecture_png import Link, Node, architecture_png
from oeuvre.interop.safety import check_magic, check_zip
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Component, TraceKind, TraceLink

__all__ = ["dat_docx", "diagram_png"]


def diagram_png(project: Project) -> bytes:
    """The component and flow diagram of the project as a PNG image."""
    nodes = [Node(f"c{c.pk}", c.name, c.kind) for c in Component.objects.filter(project=project).order_by("number")]
    partners: dict[str, str] = {}
    links: list[Link] = []
    for i in interfaces_for(project).order_by("number", "pk"):
        target = partners.setdefault(i.partner, f"p{len(partners) + 1}") if i.target_id is None else f"c{i.target_id}"
        source = f"c{i.source_id}"
        if i.direction == i.Direction.INBOUND:
            source, target = target, source
        links.append(Link(source, target, i.reference, both_ways=i.direction == i.Direction.BOTH,
                          external=i.target_id is None))  # fmt: skip
    nodes += [Node(key, name, "partner") for name, key in partners.items()]
    return architecture_png(nodes, links)


def _open_template(template: bytes | None) -> Any:
    from docx import Document

    if template is None:
        return Document()
    try:
        check_magic(template, "xlsx")  # a .docx is the same OOXML zip container
        check_zip(template)
        return Document(io.BytesIO(template))
    except FileFormatError as exc:
        raise ValidationFailed(
            {"template": [_("The template is not a usable .docx file (%(e)s).") % {"e": exc}]}
        ) from None
    except (ValueError, KeyError) as exc:
        raise ValidationFailed(
            {"template": [_("The template is not a usable .docx file (%(e)s).") % {"e": exc}]}
        ) from None


def _table(doc: Any, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    with contextlib.suppress(KeyError, ValueError):  # a template without that style keeps its default style
        table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def _heading(doc: Any, text: str, level: int) -> None:
    try:
        doc.add_heading(text, level=level)
    except KeyError:  # a template without heading styles
        doc.add_paragraph().add_run(text).bold = True


def dat_docx(project: Project, *, language: str = "fr", template: bytes | None = None) -> bytes:
    """The DAT of ``project`` in ``language`` (``fr`` or ``en``), on ``template`` when given."""
    from docx.shared import Cm

    with translation.override(language):
        doc = _open_template(template)
        doc.core_properties.title = f"{_('Technical architecture document')} — {project.name}"
        doc.core_properties.language = language
        _heading(doc, _("Technical architecture document"), 0)
        doc.add_paragraph(project.name)
        doc.add_paragraph(
            _("Project %(code)s · generated from the model on %(date)s")
            % {"code": project.code, "date": timezone.localdate().strftime("%d/%m/%Y")}
        )
        components = list(Component.objects.filter(project=project).order_by("number", "pk"))
        allocated: dict[int, list[str]] = defaultdict(list)
        for component_id, reference in (
            TraceLink.objects.filter(project=project, kind=TraceKind.ALLOCATED)
            .order_by("src_exigence__number")
            .values_list("dst_component_id", "src_exigence__reference")
        ):
            allocated[component_id].append(reference)
        interfaces = list(interfaces_for(project).order_by("number", "pk"))
        rows = criterion_rows(project)

        _heading(doc, _("Architecture view"), 1)
        doc.add_picture(io.BytesIO(diagram_png(project)), width=Cm(16))
        doc.add_paragraph(_("Components and flows, generated from the model (an arrow is the direction of a flow)."))

        _heading(doc, _("Components"), 1)
        _table(doc, [_("Reference"), _("Name"), _("Kind"), _("Description"), _("Constraints"), _("Requirements")], [
            [c.reference, c.name, str(c.get_kind_display()), c.description,
             "\n".join(t for t in (c.performance_constraints, c.security_constraints) if t),
             ", ".join(allocated.get(c.pk, []))]
            for c in components
        ])  # fmt: skip

        _heading(doc, _("Interfaces and flows"), 1)
        _table(doc, [_("Reference"), _("Flow"), _("Protocol and format"), _("Volume and frequency"),
                     _("Security"), _("Status"), _("Requirements")], [
            [i.reference + "\n" + i.name,
             f"{i.source.name} → {i.target.name if i.target else i.partner}"
             + (f" ({i.get_direction_display()})" if i.direction != i.Direction.OUTBOUND else ""),
             " · ".join(t for t in (str(i.get_protocol_display()), i.data_format) if t),
             " · ".join(t for t in (i.volume, i.frequency) if t),
             " · ".join(t for t in (i.authentication, i.encryption) if t),
             str(i.get_status_display()),
             ", ".join(e.reference for e in i.exigences.all())]
            for i in interfaces
        ])  # fmt: skip

        _heading(doc, _("Performance and security criteria"), 1)
        state = {"met": _("met"), "not_met": _("not met"), "not_measured": _("not measured")}
        _table(doc, [_("Reference"), _("Applies to"), _("Criterion"), _("Requirements"), _("Last measure"),
                     _("Result")], [
            [r.criterion.reference, str(r.subject), r.criterion.describe(),
             ", ".join(e.reference for e in r.criterion.exigences.all()),
             "" if r.latest is None else f"{r.latest.display} ({r.latest.campaign} #{r.latest.iteration})",
             str(state[r.state])]
            for r in rows
        ])  # fmt: skip
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
