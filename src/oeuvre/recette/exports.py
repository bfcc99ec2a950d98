"""Exports of the recette stage: anomalies (xlsx) and the cahier de recette (DOCX with python-docx, PDF with
WeasyPrint from an HTML template), in the language active when they are built.

The PV's PDF belongs to the PV slice.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from oeuvre.interop.sheets import SheetColumn, SheetRow, write_xlsx
from oeuvre.projects.models import Project
from oeuvre.recette.models import ExecutionStatus, TestCase, TestCaseStatus, TestFolder, TestStep
from oeuvre.recette.selectors.anomalies import AnomalyFilters, anomalies_for, severity_labels
from oeuvre.recette.selectors.coverage import latest_results
from oeuvre.requirements.models import Exigence

__all__ = ["CahierCase", "CahierSection", "anomalies_xlsx", "cahier_book", "cahier_docx", "cahier_pdf"]

# Light fills of the severity colours, readable under black text.
SEVERITY_FILLS = {"bloquante": "F4B6B0", "majeure": "F9D3A8", "mineure": "FCEFB4"}
RESULT_FILLS = {"ok": "C6EFCE", "ko": "FFC7CE", "bloque": "FFEB9C"}


def anomalies_xlsx(project: Project, filters: AnomalyFilters | None = None) -> bytes:
    """One row per anomaly with the project's severity labels, the severity cell coloured, frozen header,
    auto-filter; text that a spreadsheet would run as a formula is neutralised by :func:`write_xlsx`."""
    labels = severity_labels(project)
    columns = [
        SheetColumn(_("Reference"), 11),
        SheetColumn(_("Title"), 45, wrap=True),
        SheetColumn(_("Kind"), 16),
        SheetColumn(_("Severity"), 14),
        SheetColumn(_("Priority"), 14),
        SheetColumn(_("Status"), 14),
        SheetColumn(_("Description"), 60, wrap=True),
        SheetColumn(_("Campaign"), 20),
        SheetColumn(_("Test case"), 11),
        SheetColumn(_("Failed step"), 8),
        SheetColumn(_("Requirement"), 11),
        SheetColumn(_("Found in release"), 12),
        SheetColumn(_("Fixed in release"), 12),
        SheetColumn(_("Reported by"), 18),
        SheetColumn(_("Assignee"), 18),
        SheetColumn(_("Reported on"), 12),
        SheetColumn(_("Status since"), 12),
        SheetColumn(_("Closed on"), 12),
        SheetColumn(_("Correction due on"), 12),
        SheetColumn(_("Resolution"), 40, wrap=True),
    ]

    def day(value: Any) -> date | None:
        return timezone.localtime(value).date() if value else None

    def rows() -> Any:
        for a in anomalies_for(project, filters).iterator(chunk_size=2000):
            yield SheetRow(
                [
                    a.reference,
                    a.title,
                    str(a.get_kind_display()),
                    labels.get(a.severity, a.severity),
                    str(a.get_priority_display()),
                    str(a.get_status_display()),
                    a.description,
                    a.campaign.name if a.campaign else "",
                    a.test_case.reference if a.test_case else "",
                    a.step_position,
                    a.exigence.reference if a.exigence else "",
                    a.release_found,
                    a.release_fixed,
                    str(a.reported_by) if a.reported_by else "",
                    str(a.assignee) if a.assignee else "",
                    day(a.created_at),
                    day(a.status_changed_at),
                    day(a.closed_at),
                    a.due_on,
                    a.resolution,
                ],
                {3: SEVERITY_FILLS[a.severity]} if a.severity in SEVERITY_FILLS else {},
            )

    return write_xlsx(
        columns,
        rows(),
        title=str(_("Anomalies")),
        legend=[(SEVERITY_FILLS[k], v) for k, v in labels.items()],
    )


# --- Cahier de recette ----------------------------------------------------------------------------------


@dataclass
class CahierCase:
    case: TestCase
    steps: list[TestStep]
    exigences: list[Exigence]
    result: str = ""  # latest result's label, when results are asked for
    result_code: str = ""


@dataclass
class CahierSection:
    title: str
    depth: int
    cases: list[CahierCase] = field(default_factory=list)


def cahier_book(project: Project, *, with_results: bool = False) -> list[CahierSection]:
    """The test book by folder (depth-first, in the book's order), obsolete cases left out: four queries."""
    folders = list(TestFolder.objects.filter(project=project).order_by("position", "name", "pk"))
    children: dict[int | None, list[TestFolder]] = defaultdict(list)
    for folder in folders:
        children[folder.parent_id].append(folder)
    cases = (
        TestCase.objects.filter(project=project)
        .exclude(status=TestCaseStatus.OBSOLETE)
        .order_by("number", "reference")
        .prefetch_related(
            Prefetch("steps", queryset=TestStep.objects.order_by("position")),
            Prefetch("exigences", queryset=Exigence.objects.order_by("number", "reference")),
        )
    )
    by_folder: dict[int | None, list[TestCase]] = defaultdict(list)
    for case in cases:
        by_folder[case.folder_id].append(case)
    results = latest_results(project, None) if with_results else {}
    labels = dict(ExecutionStatus.choices)

    def entry(case: TestCase) -> CahierCase:
        code = results.get(case.pk, "")
        return CahierCase(
            case,
            list(case.steps.all()),
            list(case.exigences.all()),
            str(labels[code]) if code else (str(_("Not run")) if with_results else ""),
            code,
        )

    sections: list[CahierSection] = []

    def walk(parent: int | None, depth: int) -> None:
        for folder in children.get(parent, []):
            sections.append(CahierSection(folder.name, depth, [entry(c) for c in by_folder.get(folder.pk, [])]))
            walk(folder.pk, depth + 1)

    walk(None, 0)
    if by_folder.get(None):
        sections.append(CahierSection(_("Test cases outside any folder"), 0, [entry(c) for c in by_folder[None]]))
    return sections


def _cover_facts(project: Project, sections: list[CahierSection]) -> dict[str, Any]:
    count = sum(len(s.cases) for s in sections)
    covered = {e.pk for s in sections for c in s.cases for e in c.exigences}
    return {
        "project": project,
        "sections": sections,
        "case_count": count,
        "exigence_count": len(covered),
        "today": timezone.localdate(),
    }


def cahier_docx(project: Project, *, with_results: bool = False) -> bytes:
    """The cahier de recette as a Word document: cover page, contents, then per folder each case with its
    objective, preconditions, data, steps table (action / expected result) and the exigences it covers."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    sections = cahier_book(project, with_results=with_results)
    facts = _cover_facts(project, sections)
    doc = Document()
    doc.core_properties.title = f"{_('Acceptance test book')} — {project.name}"
    doc.core_properties.language = get_language() or "fr"
    doc.add_heading(_("Acceptance test book"), level=0)
    doc.add_paragraph(project.name).runs[0].font.size = Pt(18)
    doc.add_paragraph(
        _("Project %(code)s · edition of %(date)s")
        % {"code": project.code, "date": facts["today"].strftime("%d/%m/%Y")}
    )
    doc.add_paragraph(
        _("%(cases)s test cases covering %(exigences)s requirements.")
        % {"cases": facts["case_count"], "exigences": facts["exigence_count"]}
    )
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading(_("Contents"), level=1)
    for section in sections:
        doc.add_paragraph(f"{'    ' * section.depth}{section.title} ({len(section.cases)})", style="List Bullet")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for section in sections:
        doc.add_heading(section.title, level=min(section.depth + 1, 4))
        for item in section.cases:
            case = item.case
            doc.add_heading(f"{case.reference} — {case.title}", level=min(section.depth + 2, 5))
            meta = doc.add_paragraph()
            meta.add_run(f"{_('Type')}: ").bold = True
            meta.add_run(f"{case.get_type_display()}   ")
            meta.add_run(f"{_('Priority')}: ").bold = True
            meta.add_run(f"{case.get_priority_display()}   ")
            meta.add_run(f"{_('Revision')}: ").bold = True
            meta.add_run(str(case.revision))
            if item.result:
                meta.add_run(f"   {_('Latest result')}: ").bold = True
                run = meta.add_run(item.result)
                if item.result_code == "ok":
                    run.font.color.rgb = RGBColor(0x1E, 0x7B, 0x34)
                elif item.result_code in {"ko", "bloque"}:
                    run.font.color.rgb = RGBColor(0xC0, 0x39, 0x2B)
            for label, text in (
                (_("Objective"), case.objective),
                (_("Preconditions"), case.preconditions),
                (_("Test data"), case.data),
            ):
                if text:
                    paragraph = doc.add_paragraph()
                    paragraph.add_run(f"{label}: ").bold = True
                    paragraph.add_run(text)
            if item.steps:
                table = doc.add_table(rows=1, cols=3)
                table.style = "Table Grid"
                header = table.rows[0].cells
                for cell, text in zip(header, ("#", _("Action"), _("Expected result")), strict=True):
                    cell.text = ""
                    cell.paragraphs[0].add_run(str(text)).bold = True
                for step in item.steps:
                    cells = table.add_row().cells
                    cells[0].text = str(step.position)
                    cells[1].text = step.action + (f"\n({_('Data')}: {step.data})" if step.data else "")
                    cells[2].text = step.expected
            covered = doc.add_paragraph()
            covered.add_run(f"{_('Requirements covered')}: ").bold = True
            covered.add_run(
                ", ".join(f"{e.reference} {e.title}" for e in item.exigences) or pgettext("exigences", "none")
            )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def cahier_pdf(project: Project, *, with_results: bool = False) -> bytes:
    """The same content as the DOCX, laid out by WeasyPrint from ``recette/anomalies/cahier_pdf.html``."""
    from weasyprint import HTML

    sections = cahier_book(project, with_results=with_results)
    html = render_to_string(
        "recette/anomalies/cahier_pdf.html",
        {**_cover_facts(project, sections), "with_results": with_results, "language": get_language() or "fr"},
    )
    # No base URL: the template is self-contained, so nothing is fetched from the network or the disk.
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
