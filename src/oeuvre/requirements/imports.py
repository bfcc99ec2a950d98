"""Import exigences from Excel, CSV or ReqIF: read, map columns, dry run, then one atomic commit.

The file is read by :mod:`oeuvre.interop` into a table. The user maps each column to a field of the
exigence (or keeps it as an extra attribute, or ignores it). :func:`plan_import` then says, row by row,
what would be created, updated or refused, without writing; :func:`apply_import` re-plans against the
database as it is at that moment and writes everything in one transaction — or nothing if any row is
refused. Re-importing a file updates the exigences that have the same reference.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.activity import record_bulk_change
from oeuvre.core.errors import DomainError
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.reqif_io import (
    CHAPTER_COLUMN,
    IDENTIFIER_COLUMN,
    TITLE_ATTRIBUTES,
    TITLE_COLUMN,
    TYPE_COLUMN,
    ReqifRelation,
    read_reqif,
)
from oeuvre.interop.safety import sniff_format
from oeuvre.interop.tabular import Cell, Table, read_table
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Exigence, ExigenceStatus, ExigenceType, Priority, TraceKind, TraceLink
from oeuvre.requirements.permissions import REQUIREMENTS_IMPORT
from oeuvre.requirements.services import allocate_references, reference_number, settings_locked

__all__ = [
    "IMPORT_FIELDS",
    "ImportPlan",
    "RowOutcome",
    "SourceFile",
    "apply_import",
    "file_error_message",
    "plan_import",
    "read_source",
    "suggest_mapping",
]

EXTRA = "extra"
IGNORE = ""
IMPORT_FIELDS: dict[str, Any] = {
    "reference": gettext_lazy("Reference"),
    "title": gettext_lazy("Title"),
    "text": gettext_lazy("Text"),
    "type": gettext_lazy("Type"),
    "priority": gettext_lazy("Priority"),
    "source": gettext_lazy("Source (CDC section)"),
    "owner": gettext_lazy("Owner"),
    "external_id": gettext_lazy("External identifier"),
    EXTRA: gettext_lazy("Keep as an extra attribute"),
    IGNORE: gettext_lazy("Ignore"),
}


def _key(text: object) -> str:
    """Lower case, no accents, no punctuation: "Priorité (MoSCoW)" → "priorite moscow"."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


# Column names that real files use, from our own exports, French CDC spreadsheets, DOORS ("Object Text",
# "Absolute Number"), Polarion and ReqIF Studio ("ReqIF.Text", "ReqIF.Name", "ReqIF.ForeignID") and
# Enterprise Architect ("Alias", "Notes", "Stereotype").
_SYNONYMS: dict[str, list[str]] = {
    "reference": ["reference", "ref", "id", "identifiant", "numero", "n", "no", "exigence", "reqif foreignid",
                  "foreignid", "absolute number", "object identifier", "alias", "req id", "requirement id", "key"],
    "title": [_key(TITLE_COLUMN), "titre", "title", "intitule", "libelle", "nom", "name", "reqif name",
              "object heading", "summary", "reqif chaptername", "heading", "resume"],
    "text": ["texte", "text", "description", "enonce", "reqif text", "object text", "notes", "contenu", "detail",
             "exigence detaillee", "libelle detaille"],
    "type": ["type", "categorie", "category", "nature", "type d exigence", "requirement type", "stereotype",
             "classification type"],
    "priority": ["priorite", "priority", "moscow", "priorite moscow", "importance", "classification priorite"],
    "source": [_key(CHAPTER_COLUMN), "source", "section", "chapitre", "paragraphe", "section du cdc", "source cdc",
               "origine", "chapter"],
    "owner": ["responsable", "owner", "porteur", "proprietaire", "author", "auteur"],
    "external_id": [_key(IDENTIFIER_COLUMN)],
}  # fmt: skip
_STATUS_WORDS = {"statut", "status", "etat", "state", "reqif status", "validation"}
_TYPE_WORDS: dict[str, str] = {
    "fonctionnelle": "fonctionnelle", "fonctionnel": "fonctionnelle", "functional": "fonctionnelle",
    "f": "fonctionnelle", "metier": "fonctionnelle",
    "technique": "technique", "technical": "technique", "t": "technique",
    "performance": "performance", "performances": "performance", "perf": "performance", "p": "performance",
    "securite": "securite", "security": "securite", "s": "securite", "ssi": "securite",
    "reglementaire": "reglementaire", "regulatory": "reglementaire", "legal": "reglementaire",
    "juridique": "reglementaire", "rgpd": "reglementaire", "r": "reglementaire",
    "exploitabilite": "exploitabilite", "operability": "exploitabilite", "exploitation": "exploitabilite",
    "e": "exploitabilite",
}  # fmt: skip
_PRIORITY_WORDS: dict[str, str] = {
    "must": "must", "m": "must", "must have": "must", "indispensable": "must", "obligatoire": "must",
    "essentielle": "must", "haute": "must", "1": "must", "p1": "must", "high": "must", "critique": "must",
    "should": "should", "s": "should", "should have": "should", "importante": "should", "moyenne": "should",
    "2": "should", "p2": "should", "medium": "should", "recommandee": "should",
    "could": "could", "c": "could", "could have": "could", "souhaitable": "could", "basse": "could",
    "3": "could", "p3": "could", "low": "could", "optionnelle": "could", "facultative": "could",
    "won t": "wont", "wont": "wont", "w": "wont", "won t have": "wont", "exclue": "wont", "4": "wont",
    "hors perimetre": "wont",
}  # fmt: skip
_LABELS_ADDED = False


def _add_labels() -> None:
    """Accept our own labels, in French and English, as our exports write them ("Indispensable (Must)")."""
    global _LABELS_ADDED
    if _LABELS_ADDED:
        return
    for language in ("fr", "en"):
        with translation.override(language):
            for value, label in ExigenceType.choices:
                _TYPE_WORDS.setdefault(_key(value), value)
                _TYPE_WORDS.setdefault(_key(label), value)
            for value, label in Priority.choices:
                _PRIORITY_WORDS.setdefault(_key(value), value)
                _PRIORITY_WORDS.setdefault(_key(label), value)
    _LABELS_ADDED = True


# Read into the ReqIF title column (the title, else the chapter name, else the text's first sentence).
_TITLE_SOURCES = {_key(name) for name in TITLE_ATTRIBUTES}


def _identifies(table: Table, column: str) -> bool:
    """Whether a column's values can be references: none longer than 40 characters, none repeated."""
    index = table.columns.index(column)
    seen: set[str] = set()
    for row in table.rows:
        text = _text(row.get(index))
        if len(text) > 40 or (text and text in seen):
            return False
        seen.add(text)
    return True


def suggest_mapping(columns: Iterable[str], table: Table | None = None) -> dict[str, str]:
    """A first guess at the mapping from the column names; each field is used at most once.

    Given the ``table``, a column whose values cannot be references (repeated, or too long: an anonymised or
    free-text ``ReqIF.ForeignID``) is kept as an extra attribute and the references are allocated.
    """
    mapping: dict[str, str] = {}
    used: set[str] = set()
    columns = list(columns)
    derived_title = TITLE_COLUMN in columns
    for column in columns:
        key = _key(column)
        last = _key(column.split(" / ")[-1])
        if derived_title and key in _TITLE_SOURCES:
            mapping[column] = IGNORE
            continue
        for field_name, words in _SYNONYMS.items():
            if field_name in used:
                continue
            if key in words or last in words:
                if field_name == "reference" and table is not None and not _identifies(table, column):
                    continue
                if field_name == "owner" and derived_title:
                    continue  # a ReqIF author is a user of another tool, not a member of the project
                mapping[column] = field_name
                used.add(field_name)
                break
        else:
            # The status is decided in Œuvre (only the MOA validates): an imported one is not taken over.
            ignored = column == TYPE_COLUMN or key in _STATUS_WORDS or last in _STATUS_WORDS
            mapping[column] = IGNORE if ignored else EXTRA
    return mapping


@dataclass
class SourceFile:
    table: Table
    format: str
    relations: list[ReqifRelation] = field(default_factory=list)
    chapters: int = 0  # ReqIF objects read as chapters (their names are the rows' source), not as exigences


def read_source(data: bytes, filename: str, *, header_row: int | None = None) -> SourceFile:
    """Read an uploaded file after the hostile-file checks; raises FileFormatError."""
    fmt = sniff_format(data, filename)
    if fmt in {"reqif", "reqifz"}:
        document = read_reqif(data, zipped=fmt == "reqifz")
        return SourceFile(table=document.table, format=fmt, relations=document.relations, chapters=document.headings)
    return SourceFile(table=read_table(data, fmt, header_row=header_row), format=fmt)


# Messages of interop's error codes, translated here since interop knows nothing of Django.
_FILE_MESSAGES = {
    "too_large": gettext_lazy("The file is too large (%(size_mib)s MiB; the limit is %(limit_mib)s MiB)."),
    "empty": gettext_lazy("The file is empty."),
    "wrong_magic": gettext_lazy("The file's content does not match its type (%(format)s): it was refused."),
    "zip_bomb": gettext_lazy("The archive would expand far beyond its size (a zip bomb?): it was refused."),
    "xml_entities": gettext_lazy(
        "The XML declares a DOCTYPE or entities; external entities and entity expansion are refused."
    ),
    "too_many_rows": gettext_lazy("The file has too many rows or columns."),
    "xml_syntax": gettext_lazy("The XML is not well formed."),
    "reqif_invalid": gettext_lazy("This is not a valid ReqIF document."),
    "no_reqif": gettext_lazy("The .reqifz archive holds no .reqif file."),
    "no_header": gettext_lazy("No header row (a row of column titles) was found."),
    "encoding": gettext_lazy("The file's text encoding is not supported (use UTF-8)."),
    "unreadable": gettext_lazy("The file cannot be read."),
    "unknown_sheet": gettext_lazy("The workbook has no sheet with that name."),
    "unsupported": gettext_lazy("This file format is not supported."),
}


def file_error_message(error: FileFormatError) -> str:
    """The user's message for a reader's error, in the current language, naming the line or row."""
    template = _FILE_MESSAGES.get(error.code)
    try:
        message = str(template) % error.params if template is not None else error.message
    except (KeyError, TypeError, ValueError):
        message = str(template)
    if error.line is not None:
        message = _("Line %(line)s: %(message)s") % {"line": error.line, "message": message}
    elif error.row is not None:
        message = _("Row %(row)s: %(message)s") % {"row": error.row, "message": message}
    if error.code in {"xml_syntax", "unreadable", "reqif_invalid"}:
        message = f"{message} ({error.message})"
    return message


# --- Planning --------------------------------------------------------------------------------------------


@dataclass
class RowOutcome:
    row: int
    action: str  # "create", "update", "unchanged" or "error"
    reference: str
    title: str = ""
    changes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field or column, message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "reference": self.reference,
            "title": self.title,
            "changes": self.changes,
            "errors": [{"field": f, "message": m} for f, m in self.errors],
        }


@dataclass
class ImportPlan:
    outcomes: list[RowOutcome]
    values: dict[int, dict[str, Any]]  # row number -> cleaned field values (internal)
    links: list[tuple[str, str, str]]  # (source reference, target reference, relation name)
    link_errors: list[str] = field(default_factory=list)
    chapters: int = 0

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def summary(self, limit: int = 1000) -> dict[str, Any]:
        errors_first = sorted(self.outcomes, key=lambda o: (o.action != "error", o.row))
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "error": self.count("error"),
            "links": len(self.links),
            "chapters": self.chapters,
            "link_errors": self.link_errors[:50],
            "rows": [o.as_dict() for o in errors_first[:limit]],
            "rows_total": len(self.outcomes),
        }


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _extra_value(value: Cell) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _owners(project: Project) -> dict[str, User]:
    found: dict[str, User] = {}
    for user in User.objects.filter(memberships__project=project):
        for key in (user.username, user.email, user.get_full_name(), f"{user.last_name} {user.first_name}"):
            if key and key.strip():
                found.setdefault(_key(key), user)
    return found


def plan_import(
    project: Project,
    source: SourceFile,
    mapping: dict[str, str],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """What importing ``source`` with ``mapping`` would do, row by row; writes nothing."""
    _add_labels()
    table = source.table
    unknown = [c for c in mapping if c not in table.columns]
    if unknown:
        raise DomainError(_("These columns are not in the file: %(columns)s") % {"columns": ", ".join(unknown)})
    fields_used = [f for f in mapping.values() if f not in {EXTRA, IGNORE}]
    duplicates = {f for f in fields_used if fields_used.count(f) > 1}
    if duplicates:
        raise DomainError(
            _("Each field can be mapped from one column only: %(fields)s")
            % {"fields": ", ".join(str(IMPORT_FIELDS.get(f, f)) for f in sorted(duplicates))}
        )
    if "title" not in fields_used:
        raise DomainError(_("Map a column to the title: every exigence needs one."))
    index = {column: table.columns.index(column) for column in mapping}
    existing = {
        e.reference: e
        for e in Exigence.objects.filter(project=project).only(
            "id", "reference", "title", "text", "type", "priority", "source", "owner_id", "external_id",
            "extra_attributes", "status", "version",
        )
    }  # fmt: skip
    by_external = {e.external_id: e for e in existing.values() if e.external_id}
    owners = _owners(project) if "owner" in fields_used else {}
    outcomes: list[RowOutcome] = []
    values: dict[int, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    identifier_to_reference: dict[str, str] = {}
    total = len(table.rows)
    for position, row in enumerate(table.rows, start=1):
        errors: list[tuple[str, str]] = []
        cleaned: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for column, target in mapping.items():
            raw = row.get(index[column])
            if target == IGNORE:
                continue
            if target == EXTRA:
                if raw not in (None, ""):
                    extra[column] = _extra_value(raw)
                continue
            text = _text(raw)
            if target == "type":
                if text:
                    code = _TYPE_WORDS.get(_key(text))
                    if code is None:
                        errors.append((column, _("Unknown type “%(value)s”.") % {"value": text}))
                    else:
                        cleaned["type"] = code
            elif target == "priority":
                if text:
                    code = _PRIORITY_WORDS.get(_key(text))
                    if code is None:
                        errors.append((column, _("Unknown priority “%(value)s” (use MoSCoW).") % {"value": text}))
                    else:
                        cleaned["priority"] = code
            elif target == "owner":
                if text:
                    user = owners.get(_key(text))
                    if user is None:
                        errors.append((column, _("“%(value)s” is not a member of the project.") % {"value": text}))
                    else:
                        cleaned["owner_id"] = user.pk
            elif target == "title":
                if not text:
                    errors.append((column, _("The title is empty.")))
                elif len(text) > 300:
                    errors.append((column, _("The title has more than 300 characters.")))
                cleaned["title"] = text[:300]
            elif target == "reference":
                if len(text) > 40:
                    errors.append((column, _("The reference has more than 40 characters.")))
                cleaned["reference"] = text
            elif target == "source":
                cleaned["source"] = text[:200]
            elif target == "external_id":
                cleaned["external_id"] = text[:200]
            else:
                cleaned[target] = text
        if extra:
            cleaned["extra_attributes"] = extra
        reference = cleaned.get("reference", "")
        identifier = (
            _text(row.get(table.columns.index(IDENTIFIER_COLUMN))) if IDENTIFIER_COLUMN in table.columns else ""
        )
        if identifier and "external_id" not in cleaned:
            cleaned["external_id"] = identifier
        current = existing.get(reference) if reference else None
        if current is None and cleaned.get("external_id"):
            current = by_external.get(cleaned["external_id"])
            if current is not None and not reference:
                reference = current.reference
        if reference:
            if reference in seen:
                errors.append(
                    (
                        _("reference"),
                        _("The reference %(ref)s is already on row %(row)s.")
                        % {"ref": reference, "row": seen[reference]},
                    )
                )
            else:
                seen[reference] = row.number
        if identifier:
            identifier_to_reference[identifier] = reference or f"#row{row.number}"
        outcome = RowOutcome(row=row.number, action="create", reference=reference, title=cleaned.get("title", ""))
        if errors:
            outcome.action = "error"
            outcome.errors = errors
        elif current is not None:
            changes = [
                name
                for name, value in cleaned.items()
                if name not in {"reference"}
                and (
                    getattr(current, name) != (
                        {**current.extra_attributes, **value} if name == "extra_attributes" else value
                    )
                )
            ]  # fmt: skip
            outcome.action = "update" if changes else "unchanged"
            outcome.changes = changes
            cleaned["_id"] = current.pk
        values[row.number] = cleaned
        outcomes.append(outcome)
        if progress is not None and (position % 500 == 0 or position == total):
            progress(position, total)
    links: list[tuple[str, str, str]] = []
    link_errors: list[str] = []
    for relation in source.relations:
        src = identifier_to_reference.get(relation.source)
        dst = identifier_to_reference.get(relation.target)
        if src is None or dst is None:
            link_errors.append(
                _("Relation “%(kind)s” from %(src)s to %(dst)s names an object that is not imported.")
                % {"kind": relation.kind, "src": relation.source, "dst": relation.target}
            )
            continue
        links.append((src, dst, relation.name or relation.kind))
    return ImportPlan(outcomes=outcomes, values=values, links=links, link_errors=link_errors, chapters=source.chapters)


@transaction.atomic
def apply_import(
    *,
    actor: User,
    project: Project,
    source: SourceFile,
    mapping: dict[str, str],
    progress: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Plan again, then write every row in one transaction; refuse the whole file if a row is refused."""
    require(actor, project, REQUIREMENTS_IMPORT)
    settings_locked(project)  # serialises concurrent imports of the same project
    plan = plan_import(project, source, mapping, progress=progress)
    if not plan.ok:
        raise DomainError(
            _("%(n)s row(s) have errors; nothing was imported. Run the dry run to see them.")
            % {"n": plan.count("error")}
        )
    creates = [o for o in plan.outcomes if o.action == "create"]
    updates = [o for o in plan.outcomes if o.action == "update"]
    missing = [o for o in creates if not o.reference]
    fresh_refs = iter(allocate_references(project, Exigence, len(missing))) if missing else iter(())
    row_reference: dict[int, str] = {}
    new_objects: list[Exigence] = []
    for outcome in creates:
        data = dict(plan.values[outcome.row])
        reference = data.pop("reference", "") or ""
        if reference:
            number = reference_number(reference)
        else:
            reference, number = next(fresh_refs)
        row_reference[outcome.row] = reference
        outcome.reference = reference
        new_objects.append(Exigence(project=project, reference=reference, number=number, **data))
    if new_objects:
        bulk_create_with_history(
            new_objects, Exigence, batch_size=2000, default_user=actor, default_change_reason="import"
        )
        _advance_counter(project)
    if updates:
        ids = [plan.values[o.row]["_id"] for o in updates]
        current = {e.pk: e for e in Exigence.objects.select_for_update().filter(pk__in=ids)}
        changed: list[Exigence] = []
        touched: set[str] = set()
        for outcome in updates:
            data = plan.values[outcome.row]
            exigence = current[data["_id"]]
            content = False
            for name in outcome.changes:
                value = data[name]
                if name == "extra_attributes":
                    value = {**exigence.extra_attributes, **value}
                if name in {"title", "text", "type", "priority", "source"}:
                    content = True
                setattr(exigence, name, value)
                touched.add(name)
            if content and exigence.status == ExigenceStatus.VALIDEE:
                exigence.status = ExigenceStatus.MODIFIEE
                touched.add("status")
            exigence.version += 1
            changed.append(exigence)
        bulk_update_with_history(
            changed,
            Exigence,
            [*sorted(touched), "version", "updated_at"] if touched else ["version"],
            batch_size=2000,
            default_user=actor,
            default_change_reason="import",
        )
    if plan.links:
        _import_links(project, actor, plan, row_reference)
    if creates or updates:
        # Bulk writes record history rows (bulk_*_with_history) but no per-row activity: one summary line.
        record_bulk_change(
            project=project,
            actor=actor,
            model=Exigence,
            action="+" if creates else "~",
            label=_("Import: %(create)s created, %(update)s updated")
            % {"create": len(creates), "update": len(updates)},
        )
    return plan


def _advance_counter(project: Project) -> None:
    conf = settings_locked(project)
    prefix = f"{conf.exigence_prefix}-"
    numbers = Exigence.objects.filter(project=project, reference__startswith=prefix).values_list("number", flat=True)
    highest = max(numbers, default=0)
    if highest >= conf.next_exigence_number:
        conf.next_exigence_number = highest + 1
        conf.save(update_fields=["next_exigence_number"])


def _import_links(project: Project, actor: User, plan: ImportPlan, row_reference: dict[int, str]) -> None:
    """ReqIF relations between imported objects become ``refines`` links (exigence → exigence)."""
    placeholder = {f"#row{row}": reference for row, reference in row_reference.items()}
    refs = {placeholder.get(s, s) for s, _d, _k in plan.links} | {placeholder.get(d, d) for _s, d, _k in plan.links}
    ids = dict(Exigence.objects.filter(project=project, reference__in=refs).values_list("reference", "id"))
    existing = set(
        TraceLink.objects.filter(project=project, kind=TraceKind.REFINES).values_list(
            "src_exigence_id", "dst_exigence_id"
        )
    )
    new_links = []
    for source, target, name in plan.links:
        src = ids.get(placeholder.get(source, source))
        dst = ids.get(placeholder.get(target, target))
        if src is None or dst is None or src == dst or (src, dst) in existing:
            continue
        existing.add((src, dst))
        new_links.append(
            TraceLink(
                project=project,
                kind=TraceKind.REFINES,
                src_exigence_id=src,
                dst_exigence_id=dst,
                comment=name[:300],
                created_by=actor,
            )
        )
    bulk_create_with_history(new_links, TraceLink, batch_size=500, default_user=actor)
