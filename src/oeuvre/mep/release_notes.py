"""Release notes (notes de version) generated from a release's computed content, in Markdown or PDF, French or English.

The content is read from the other stages (never typed): the anomalies fixed in the release, the exigences and
specifications it delivers (the exigences whose tests passed in the campaigns run on it, and those of its fixed
anomalies), the change requests it carries (a later stage, pilotage, registers :func:`register_change_source`),
the campaigns that tested it, and the anomalies found in it still open (known issues).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from oeuvre.mep.models import Release
from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly, Campaign
from oeuvre.recette.selectors.anomalies import OPEN_STATUSES, anomalies_for
from oeuvre.recette.selectors.coverage import coverage_per_exigence
from oeuvre.recette.selectors.testbook import campaigns_for
from oeuvre.requirements.models import Exigence, Specification
from oeuvre.requirements.selectors import exigences_for, specifications_for

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "CarriedChange",
    "NotesContent",
    "NotesDocument",
    "notes_content",
    "notes_document",
    "notes_filename",
    "register_change_source",
    "render_markdown",
    "render_notes",
    "render_pdf",
]

FORMATS = ("md", "pdf")
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class CarriedChange:
    """A change request the release carries, as the stage that owns change requests describes it."""

    reference: str
    title: str
    status: str
    avenant: int | None


#: Functions (project, references of the exigences delivered) → change requests carried, filled by later stages.
_CHANGE_SOURCES: list[Callable[[Project, set[str]], list[CarriedChange]]] = []


def register_change_source(source: Callable[[Project, set[str]], list[CarriedChange]]) -> None:
    if source not in _CHANGE_SOURCES:
        _CHANGE_SOURCES.append(source)


@dataclass(frozen=True)
class NotesContent:
    release: Release
    fixed_anomalies: list[Anomaly]
    exigences: list[Exigence]
    specifications: list[Specification]
    changes: list[CarriedChange]
    campaigns: list[Campaign]
    known_issues: list[Anomaly]
    generated_at: datetime


def notes_content(release: Release) -> NotesContent:
    """What the notes say, computed now from the other stages' selectors."""
    project = release.project
    fixed = list(
        anomalies_for(project).filter(release_fixed=release.number).select_related("exigence").order_by("reference")
    )
    campaigns = list(campaigns_for(project).filter(release=release.number).order_by("pk"))
    delivered: set[int] = {a.exigence_id for a in fixed if a.exigence_id is not None}
    for campaign in campaigns:
        delivered |= {row.id for row in coverage_per_exigence(project, campaign.pk) if row.state == "passed"}
    exigences = list(exigences_for(project).filter(pk__in=delivered).order_by("number", "reference"))
    specifications = list(
        specifications_for(project).filter(exigences__in=delivered).distinct().order_by("number", "reference")
    )
    references = {e.reference for e in exigences}
    changes: list[CarriedChange] = []
    for source in _CHANGE_SOURCES:
        changes.extend(source(project, references))
    known = list(
        anomalies_for(project).filter(release_found=release.number, status__in=OPEN_STATUSES).order_by("reference")
    )
    return NotesContent(release, fixed, exigences, specifications, changes, campaigns, known, timezone.now())


_SPACES = re.compile(r"[ \t\r\n]+")  # not the no-break spaces of French typography
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Text safe inside a Markdown list item (no markup, no HTML, one line)."""
    return _MD_SPECIAL.sub(r"\\\1", _SPACES.sub(" ", str(text)).strip())


def _day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


@dataclass(frozen=True)
class NotesSection:
    title: str
    rows: list[tuple[str, str]]  # (reference, text); the reference may be empty
    empty: str


@dataclass(frozen=True)
class NotesDocument:
    """The notes in the active language, as both renderings lay them out."""

    heading: str
    subtitle: str
    facts: str
    summary: str
    sections: list[NotesSection]
    footer: str


def _avenant(c: CarriedChange) -> str:
    if not c.avenant:
        return ""
    return " (" + _("avenant no. %(n)s") % {"n": c.avenant} + ")"


def notes_document(content: NotesContent) -> NotesDocument:
    r = content.release
    sections = [
        NotesSection(
            _("Anomalies fixed"),
            [(a.reference, f"{a.title} ({a.get_severity_display()})") for a in content.fixed_anomalies],
            _("No anomaly names this release as its fix."),
        ),
        NotesSection(
            _("Requirements delivered"),
            [(e.reference, e.title) for e in content.exigences],
            _("No requirement delivered in this release."),
        ),
        NotesSection(
            _("Specifications delivered"),
            [(s.reference, s.title) for s in content.specifications],
            _("No specification delivered in this release."),
        ),
        NotesSection(
            _("Change requests carried"),
            [(c.reference, c.title + _avenant(c)) for c in content.changes],
            _("No change request carried by this release."),
        ),
        NotesSection(
            _("Campaigns that tested it"),
            [("", f"{c.name} ({c.get_kind_display()}, {c.get_status_display()})") for c in content.campaigns],
            _("No campaign names this release."),
        ),
        NotesSection(
            _("Known issues"),
            [(a.reference, f"{a.title} ({a.get_severity_display()})") for a in content.known_issues],
            _("No open anomaly found in this release."),
        ),
    ]
    generated = date_format(timezone.localtime(content.generated_at), "DATETIME_FORMAT")
    return NotesDocument(
        heading=_("Release notes — %(project)s %(number)s") % {"project": r.project.name, "number": r.number},
        subtitle=r.title,
        facts=_("Status: %(status)s · planned go-live: %(planned)s · actual go-live: %(actual)s")
        % {"status": r.get_status_display(), "planned": _day(r.planned_date), "actual": _day(r.actual_date)},
        summary=_(
            "Anomalies fixed: %(anomalies)s · requirements delivered: %(exigences)s"
            " · change requests carried: %(changes)s."
        )
        % {
            "anomalies": len(content.fixed_anomalies),
            "exigences": len(content.exigences),
            "changes": len(content.changes),
        },
        sections=sections,
        footer=_("Generated on %(when)s from the project's records.") % {"when": generated},
    )


def render_markdown(content: NotesContent) -> str:
    """The notes as Markdown in the active language."""
    doc = notes_document(content)
    lines = [f"# {_md(doc.heading)}", ""]
    if doc.subtitle:
        lines += [f"**{_md(doc.subtitle)}**", ""]
    lines += [_md(doc.facts), "", _md(doc.summary)]
    for section in doc.sections:
        lines += ["", f"## {_md(section.title)}", ""]
        if not section.rows:
            lines.append(f"_{_md(section.empty)}_")
        for ref, text in section.rows:
            lines.append(f"- **{_md(ref)}** {_md(text)}" if ref else f"- {_md(text)}")
    lines += ["", "---", "", _md(doc.footer), ""]
    return "\n".join(lines)


def render_pdf(content: NotesContent) -> bytes:
    """The same notes laid out by WeasyPrint (self-contained HTML: nothing fetched from the network or the disk)."""
    from weasyprint import HTML

    html = render_to_string(
        "mep/release_notes_pdf.html", {"doc": notes_document(content), "LANGUAGE_CODE": translation.get_language()}
    )
    pdf = HTML(string=html).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def render_notes(release: Release, *, fmt: str, language: str) -> bytes:
    """The notes of ``release`` in ``fmt`` (``md`` or ``pdf``) and ``language`` (``fr`` or ``en``)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if language not in LANGUAGES:
        raise ValueError(language)
    with translation.override(language):
        content = notes_content(release)
        if fmt == "md":
            return render_markdown(content).encode()
        return render_pdf(content)


def notes_filename(release: Release, fmt: str, language: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{release.project.code}-{release.number}").strip("-")
    return f"release-notes-{safe}-{language}.{fmt}"
