"""Import incidents from GLPI's ticket CSV export: map the columns, plan (dry run), then one atomic commit.

The reference shape is GLPI's search-result CSV (``src/Search/Output/CSVSearchOutput.php`` and
``ExportSearchOutput.php`` in glpi-project/glpi, 10.x): a UTF-8 byte-order mark, one header line of the columns'
names in the interface's language (a search option of another group is named « Groupe - Nom », e.g.
« Demandeur - Demandeur »), every value between double quotes (a quote inside a value is written ``''``), every
value followed by the separator (``;`` by default, so each line ends with one), dates as the user's date format
shows them (``Y-m-d H:i`` by default, ``d-m-Y H:i`` or ``m-d-Y H:i``), and statuses, priorities, urgencies and
impacts by their names.

* GLPI's urgency and impact go from 1 (very low) to 5 (very high), like ours: taken as they are. Our priority
  goes the other way (1 = very high). GLPI's priority (1 very low … 5 very high, 6 major) is kept when the file
  has it (a technician may have overridden GLPI's matrix): 6 and 5 → 1, 4 → 2, 3 → 3, 2 → 4, 1 → 5; without it, the
  priority comes from our impact × urgency matrix.
* Statuses: new → nouveau; processing (assigned or planned) → pris en charge; pending → en attente (a pause of
  the GTR clock opens at the import); solved → résolu; closed → clos. GLPI tickets have no « rejeté ».
* The GLPI ID is kept as the incident's ``external_id``: re-importing a file **updates** the incidents it
  already imported (the file is the system of record for those fields) and says which rows were unchanged.
* A row is refused, naming its line and column, when a value cannot be read; then nothing at all is written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError
from oeuvre.core.references import allocate_references
from oeuvre.core.services import save_with_history
from oeuvre.engine import service_levels as engine
from oeuvre.interop.tabular import Cell, Table, read_csv
from oeuvre.mep.models import Incident, IncidentPause, IncidentStatus
from oeuvre.mep.permissions import INCIDENT_HANDLE
from oeuvre.projects.models import Project

__all__ = [
    "DATE_ORDERS",
    "FIELDS",
    "IGNORE",
    "ImportPlan",
    "RowOutcome",
    "apply_import",
    "plan_import",
    "read_export",
    "suggest_mapping",
]

IGNORE = ""
DATE_ORDERS = ("auto", "dmy", "mdy")
FIELDS: dict[str, Any] = {
    "external_id": gettext_lazy("GLPI ticket ID"),
    "title": pgettext_lazy("incident import", "Title"),
    "description": pgettext_lazy("incident import", "Description"),
    "status": pgettext_lazy("incident import", "Status"),
    "priority": pgettext_lazy("incident import", "Priority (1–6)"),
    "urgency": pgettext_lazy("incident import", "Urgency"),
    "impact": pgettext_lazy("incident import", "Impact"),
    "opened_at": pgettext_lazy("incident import", "Opening date"),
    "taken_at": pgettext_lazy("incident import", "Take into account date"),
    "resolved_at": pgettext_lazy("incident import", "Resolution date"),
    "closed_at": pgettext_lazy("incident import", "Closing date"),
    "reporter": pgettext_lazy("incident import", "Requester"),
    IGNORE: pgettext_lazy("incident import", "Ignore"),
}
_DATES = ("opened_at", "taken_at", "resolved_at", "closed_at")


def _key(text: object) -> str:
    """Lower case, no accents, no punctuation: "Date d'ouverture" → "date d ouverture"."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


# GLPI's column names for the Ticket search options, French and English interface.
_HEADERS: dict[str, str] = {
    "id": "external_id",
    "titre": "title", "title": "title",
    "description": "description",
    "statut": "status", "status": "status",
    "priorite": "priority", "priority": "priority",
    "urgence": "urgency", "urgency": "urgency",
    "impact": "impact",
    "date d ouverture": "opened_at", "opening date": "opened_at",
    "date de prise en compte": "taken_at", "take into account date": "taken_at",
    "date de resolution": "resolved_at", "resolution date": "resolved_at",
    "date de cloture": "closed_at", "closing date": "closed_at",
    "demandeur demandeur": "reporter", "requester requester": "reporter",
    "demandeur": "reporter", "requester": "reporter",
}  # fmt: skip

# GLPI's status names (Ticket::getAllStatusArray) and its codes 1–6.
_STATUSES: dict[str, str] = {
    "nouveau": IncidentStatus.NOUVEAU, "new": IncidentStatus.NOUVEAU, "1": IncidentStatus.NOUVEAU,
    "en cours attribue": IncidentStatus.PRIS_EN_CHARGE, "processing assigned": IncidentStatus.PRIS_EN_CHARGE,
    "2": IncidentStatus.PRIS_EN_CHARGE,
    "en cours planifie": IncidentStatus.PRIS_EN_CHARGE, "processing planned": IncidentStatus.PRIS_EN_CHARGE,
    "3": IncidentStatus.PRIS_EN_CHARGE,
    "en attente": IncidentStatus.EN_ATTENTE, "pending": IncidentStatus.EN_ATTENTE, "4": IncidentStatus.EN_ATTENTE,
    "resolu": IncidentStatus.RESOLU, "solved": IncidentStatus.RESOLU, "5": IncidentStatus.RESOLU,
    "clos": IncidentStatus.CLOS, "closed": IncidentStatus.CLOS, "6": IncidentStatus.CLOS,
}  # fmt: skip

# GLPI's scale names (getPriorityName, getUrgencyName, getImpactName): 1 very low … 5 very high, 6 major.
_SCALE: dict[str, int] = {
    "tres basse": 1, "very low": 1, "basse": 2, "low": 2, "moyenne": 3, "medium": 3,
    "haute": 4, "high": 4, "tres haute": 5, "very high": 5, "majeure": 6, "major": 6,
}  # fmt: skip
_PRIORITY_TO_OURS = {6: 1, 5: 1, 4: 2, 3: 3, 2: 4, 1: 5}

_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_OTHER = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def read_export(data: bytes) -> Table:
    """Read GLPI's CSV (BOM, ``;``, quoted values, a separator at the end of each line); FileFormatError."""
    table = read_csv(data)
    # The separator after the last value makes an empty last column: drop it when it holds nothing.
    while (
        table.columns
        and table.columns[-1].startswith("Colonne ")
        and all(row.get(len(table.columns) - 1) in (None, "") for row in table.rows)
    ):
        table.columns.pop()
    return table


def suggest_mapping(columns: Iterable[str]) -> dict[str, str]:
    """Each column to a field by its GLPI name (French or English); each field used at most once."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        target = _HEADERS.get(_key(column), IGNORE)
        if target in used:
            target = IGNORE
        mapping[column] = target
        if target:
            used.add(target)
    return mapping


@dataclass
class RowOutcome:
    row: int  # the line in the file
    action: str  # "create", "update", "unchanged" or "error"
    external_id: str
    title: str = ""
    reference: str = ""
    changes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "external_id": self.external_id,
            "reference": self.reference,
            "title": self.title,
            "changes": self.changes,
            "errors": [{"column": c, "message": m} for c, m in self.errors],
            "warnings": self.warnings,
        }


@dataclass
class ImportPlan:
    outcomes: list[RowOutcome]
    values: dict[int, dict[str, Any]]  # line -> cleaned values (internal)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def summary(self) -> dict[str, Any]:
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "error": self.count("error"),
            "rows": [o.as_dict() for o in sorted(self.outcomes, key=lambda o: (o.action != "error", o.row))],
        }


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _parse_date(text: str, order: str) -> dt.datetime | None:
    """A GLPI date in the project's time zone; None when it cannot be read."""
    found = _ISO.match(text)
    if found:
        year, month, day, hour, minute, second = found.groups()
    else:
        found = _OTHER.match(text)
        if not found:
            return None
        first, second_part, year, hour, minute, second = found.groups()
        day, month = (second_part, first) if order == "mdy" else (first, second_part)
    try:
        return dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            tzinfo=timezone.get_current_timezone(),
        )  # fmt: skip
    except ValueError:
        return None


def _members(project: Project) -> dict[str, User]:
    found: dict[str, User] = {}
    for user in User.objects.filter(memberships__project=project):
        for name in (
            user.username,
            user.email,
            f"{user.first_name} {user.last_name}",
            f"{user.last_name} {user.first_name}",
        ):
            if name.strip():
                found.setdefault(_key(name), user)
    return found


def _clean_row(
    cells: dict[str, tuple[str, str]], members: dict[str, User], order: str
) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
    """``cells``: field → (column, text). The incident's values, the errors (column, message) and warnings."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    warnings: list[str] = []

    def column(name: str) -> str:
        return cells[name][0] if name in cells else str(FIELDS[name])

    def text(name: str) -> str:
        return cells[name][1] if name in cells else ""

    external = text("external_id")
    if external and not re.fullmatch(r"[0-9 \u00a0\u202f]+", external):
        errors.append(
            (column("external_id"), _("« %(value)s » is not a GLPI ticket ID (a number).") % {"value": external})
        )
    values["external_id"] = re.sub(r"\D", "", external)
    title = text("title")
    if not title:
        errors.append((column("title"), _("The title is empty.")))
    elif len(title) > 300:
        errors.append((column("title"), _("The title has more than 300 characters.")))
    values["title"] = title[:300]
    values["description"] = text("description").replace("<br>", "\n")
    for name in ("urgency", "impact", "priority"):
        raw = text(name)
        if not raw:
            continue
        number = int(raw) if raw.isdigit() else _SCALE.get(_key(raw))
        top = 6 if name == "priority" else 5
        if number is None or not 1 <= number <= top:
            errors.append(
                (
                    column(name),
                    _("Unknown value « %(value)s » (GLPI's scale 1 to %(top)s).") % {"value": raw, "top": top},
                )
            )
        else:
            values[name] = _PRIORITY_TO_OURS[number] if name == "priority" else number
    status_text = text("status")
    status = _STATUSES.get(_key(status_text)) if status_text else IncidentStatus.NOUVEAU
    if status is None:
        errors.append((column("status"), _("Unknown GLPI status « %(value)s ».") % {"value": status_text}))
    values["status"] = status
    for name in _DATES:
        raw = text(name)
        if not raw:
            values[name] = None
            continue
        moment = _parse_date(raw, order)
        if moment is None:
            errors.append(
                (column(name), _("« %(value)s » is not a date GLPI writes (2026-03-12 09:15).") % {"value": raw})
            )
        values[name] = moment
    if values["opened_at"] is None and not any(c == column("opened_at") for c, _m in errors):
        errors.append((column("opened_at"), _("The opening date is missing.")))
    opened = values["opened_at"]
    for name in ("taken_at", "resolved_at", "closed_at"):
        if opened is not None and values[name] is not None and values[name] < opened:
            errors.append((column(name), _("This date is before the opening date.")))
    if status in (IncidentStatus.RESOLU, IncidentStatus.CLOS) and values["resolved_at"] is None:
        if status == IncidentStatus.CLOS and values["closed_at"] is not None:
            values["resolved_at"] = values["closed_at"]
        else:
            errors.append((column("resolved_at"), _("A solved ticket needs its resolution date.")))
    if status == IncidentStatus.CLOS and values["closed_at"] is None:
        errors.append((column("closed_at"), _("A closed ticket needs its closing date.")))
    if status == IncidentStatus.NOUVEAU:
        values["taken_at"] = values["resolved_at"] = values["closed_at"] = None
    elif values["taken_at"] is None:
        # GLPI's export seldom carries the take-into-account date: the GTI clock stops at the resolution, or at
        # the import for a ticket still being processed (the first moment Œuvre knows it was taken).
        values["taken_at"] = values["resolved_at"]
    requester = text("reporter")
    if requester:
        user = members.get(_key(requester.split("\n")[0]))
        if user is None:
            warnings.append(_("« %(name)s » is not a member of the project: no reporter.") % {"name": requester})
        values["reporter"] = user
    return values, errors, warnings


_COMPARED = ("title", "description", "status", "impact", "urgency", "priority", "opened_at", "resolved_at", "closed_at")


def plan_import(project: Project, table: Table, mapping: dict[str, str], *, date_order: str = "auto") -> ImportPlan:
    """What importing ``table`` with ``mapping`` would do, line by line; writes nothing."""
    unknown = [c for c in mapping if c not in table.columns]
    if unknown:
        raise DomainError(
            pgettext("incident import", "These columns are not in the file: %(columns)s")
            % {"columns": ", ".join(unknown)}
        )
    bad = [f for f in mapping.values() if f not in FIELDS]
    if bad:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(bad)})
    used = [f for f in mapping.values() if f]
    duplicates = sorted({f for f in used if used.count(f) > 1})
    if duplicates:
        raise DomainError(
            pgettext("incident import", "Each field can be mapped from one column only: %(fields)s")
            % {"fields": ", ".join(str(FIELDS[f]) for f in duplicates)}
        )
    for required in ("external_id", "title", "opened_at"):
        if required not in used:
            raise DomainError(_("Map a column to « %(field)s »: every ticket needs it.") % {"field": FIELDS[required]})
    index = {column: table.columns.index(column) for column in mapping}
    existing = {i.external_id: i for i in Incident.objects.filter(project=project).exclude(external_id="")}
    members = _members(project) if "reporter" in used else {}
    outcomes: list[RowOutcome] = []
    values: dict[int, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for row in table.rows:
        cells = {target: (column, _text(row.get(index[column]))) for column, target in mapping.items() if target}
        cleaned, errors, warnings = _clean_row(cells, members, date_order)
        external = cleaned["external_id"]
        if external in seen:
            errors.append(
                (
                    cells["external_id"][0],
                    _("Ticket %(id)s is already on line %(line)s.") % {"id": external, "line": seen[external]},
                )
            )
        elif external:
            seen[external] = row.number
        outcome = RowOutcome(row.number, "create", external, cleaned["title"], warnings=warnings)
        current = existing.get(external)
        if errors:
            outcome.action, outcome.errors = "error", errors
        elif current is not None:
            outcome.reference = current.reference
            merged = _incident_values(cleaned, current)
            outcome.changes = [name for name in _COMPARED if getattr(current, name) != merged[name]]
            outcome.action = "update" if outcome.changes else "unchanged"
            cleaned["_id"] = current.pk
        values[row.number] = cleaned
        outcomes.append(outcome)
    return ImportPlan(outcomes=outcomes, values=values)


def _incident_values(cleaned: dict[str, Any], current: Incident | None) -> dict[str, Any]:
    """The fields an incident gets from a cleaned row (impact and urgency kept or 3 when the file has none)."""
    impact = cleaned.get("impact", current.impact if current else 3)
    urgency = cleaned.get("urgency", current.urgency if current else 3)
    priority = cleaned.get("priority", engine.priority_of(impact, urgency))
    result = {
        name: cleaned[name] for name in ("title", "description", "status", "opened_at", "resolved_at", "closed_at")
    }
    result.update(impact=impact, urgency=urgency, priority=priority)
    if current is not None and current.taken_at is not None and cleaned["status"] != IncidentStatus.NOUVEAU:
        result["taken_at"] = cleaned["taken_at"] or current.taken_at
    else:
        result["taken_at"] = cleaned["taken_at"]
    return result


@transaction.atomic
def apply_import(
    *, actor: User, project: Project, table: Table, mapping: dict[str, str], date_order: str = "auto"
) -> ImportPlan:
    """Plan again against the database as it is, then write every row; refuse the whole file on any error."""
    require(actor, project, INCIDENT_HANDLE)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one import of a project at a time
    plan = plan_import(project, table, mapping, date_order=date_order)
    if not plan.ok:
        raise DomainError(
            _("%(n)s line(s) have errors; nothing was imported. Run the dry run to see them.")
            % {"n": plan.count("error")}
        )
    moment = timezone.now()
    creates = [o for o in plan.outcomes if o.action == "create"]
    references = (
        allocate_references(
            project=project, key="mep.incident", prefix="INC", digits=3,
            taken=Incident.objects.filter(project=project), count=len(creates),
        )
        if creates
        else []
    )  # fmt: skip
    for outcome, reference in zip(creates, references, strict=True):
        cleaned = plan.values[outcome.row]
        data = _incident_values(cleaned, None)
        if data["taken_at"] is None and data["status"] in (IncidentStatus.PRIS_EN_CHARGE, IncidentStatus.EN_ATTENTE):
            data["taken_at"] = moment
        incident = Incident(
            project=project,
            reference=reference,
            number=int(reference.split("-")[-1]),
            external_id=outcome.external_id,
            reporter=cleaned.get("reporter"),
            **data,
        )
        save_with_history(incident, actor=actor, reason="GLPI import")
        outcome.reference = reference
        if incident.status == IncidentStatus.EN_ATTENTE:
            save_with_history(IncidentPause(incident=incident, started_at=moment), actor=actor, reason="GLPI import")
    for outcome in (o for o in plan.outcomes if o.action == "update"):
        cleaned = plan.values[outcome.row]
        incident = Incident.objects.select_for_update().get(pk=cleaned["_id"])
        was = incident.status
        data = _incident_values(cleaned, incident)
        if data["taken_at"] is None and data["status"] in (IncidentStatus.PRIS_EN_CHARGE, IncidentStatus.EN_ATTENTE):
            data["taken_at"] = moment
        for name, value in data.items():
            setattr(incident, name, value)
        incident.version += 1
        save_with_history(incident, actor=actor, reason="GLPI import")
        if was != IncidentStatus.EN_ATTENTE and incident.status == IncidentStatus.EN_ATTENTE:
            save_with_history(IncidentPause(incident=incident, started_at=moment), actor=actor, reason="GLPI import")
        elif was == IncidentStatus.EN_ATTENTE and incident.status != IncidentStatus.EN_ATTENTE:
            for pause in IncidentPause.objects.select_for_update().filter(incident=incident, ended_at__isnull=True):
                pause.ended_at = max(moment, pause.started_at)
                pause.version += 1
                save_with_history(pause, actor=actor, reason="GLPI import")
    return plan
