"""CSV import of time entries (imputations): one row per person, task, day and effort.

Columns, in any order, with French or English headers (case and accents ignored):

=============================  ===========================================================
``date``                       ``2026-03-02`` or ``02/03/2026``
``personne`` / ``person``      the person's username, e-mail or resource name
``tâche`` / ``task``           the task code (``T-012``)
``charge`` / ``effort``        person-days, ``0,5`` or ``0.5``
``commentaire`` / ``comment``  optional
``projet`` / ``project``       optional: the project code, for a file that spans projects
=============================  ===========================================================

The delimiter (``;`` as French Excel writes, ``,`` or tab) and the encoding (UTF-8, with or without a
BOM, or Windows-1252) are detected. Every row is checked; all problems are reported at once, each with
its row number (the header is row 1) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from oeuvre.interop.errors import FileFormatError

__all__ = ["TimeEntryFileError", "TimeEntryRow", "read_time_entries"]

MAX_ROWS = 200_000
# Above capacity (1 day) is a warning shown by the application; above this it is surely hours typed as days.
MAX_EFFORT = Decimal(2)

_ALIASES = {
    "date": "date",
    "jour": "date",
    "day": "date",
    "personne": "person",
    "person": "person",
    "ressource": "person",
    "resource": "person",
    "collaborateur": "person",
    "utilisateur": "person",
    "user": "person",
    "tache": "task",
    "task": "task",
    "code": "task",
    "code tache": "task",
    "charge": "effort",
    "effort": "effort",
    "charge (j.h)": "effort",
    "effort (person-days)": "effort",
    "jours": "effort",
    "j.h": "effort",
    "days": "effort",
    "commentaire": "comment",
    "comment": "comment",
    "projet": "project",
    "project": "project",
    "code projet": "project",
}
REQUIRED = ("date", "person", "task", "effort")


@dataclass(frozen=True)
class TimeEntryRow:
    row: int
    date: dt.date
    person: str
    task: str
    effort: Decimal
    comment: str = ""
    project: str = ""


class TimeEntryFileError(FileFormatError):
    """Every problem of the file; the message shows the first ones."""

    def __init__(self, errors: list[FileFormatError]) -> None:
        self.errors = errors
        first = errors[0]
        extra = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(
            first.message + extra,
            code=first.code,
            params=first.params,
            row=first.row,
            field=first.field,
            source=first.source,
        )


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header.strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _date(value: str) -> dt.date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 — a calendar day, no time zone
        except ValueError:
            continue
    raise ValueError(value)


def read_time_entries(data: bytes, *, source: str | None = None) -> list[TimeEntryRow]:
    """Parse the file; raise :class:`TimeEntryFileError` listing every bad row.

    Examples
    --------
    >>> rows = read_time_entries("Date;Personne;Tâche;Charge\\n02/03/2026;alice;T-1;0,5\\n".encode())
    >>> rows[0].date, rows[0].effort
    (datetime.date(2026, 3, 2), Decimal('0.50'))
    """
    text = _decode(data)
    if not text.strip():
        raise FileFormatError("the file is empty", code="empty", row=1, source=source)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError("the file is empty", code="empty", row=1, source=source) from None
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _ALIASES.get(_key(name))
        if key is not None and key not in columns:
            columns[key] = index
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileFormatError(
            f"missing column(s): {', '.join(missing)}; the header has: {', '.join(h.strip() for h in header)}",
            code="missing_columns",
            params={"columns": ", ".join(missing), "header": ", ".join(h.strip() for h in header)},
            row=1,
            field=missing[0],
            source=source,
        )
    rows: list[TimeEntryRow] = []
    errors: list[FileFormatError] = []

    def bad(row: int, field: str, message: str, code: str, **params: Any) -> None:
        errors.append(FileFormatError(message, code=code, params=params, row=row, field=field, source=source))

    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise FileFormatError(
                f"more than {MAX_ROWS} rows",
                code="too_many_rows",
                params={"limit": MAX_ROWS},
                row=number,
                source=source,
            )
        if not any(c.strip() for c in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        raw_date, person, task, raw_effort = cell("date"), cell("person"), cell("task"), cell("effort")
        ok = True
        try:
            day = _date(raw_date)
        except ValueError:
            bad(
                number, "date", f"not a date: {raw_date!r} (write 2026-03-02 or 02/03/2026)", "not_date", value=raw_date
            )
            ok = False
        if not person:
            bad(number, "person", "the person is empty", "missing_value")
            ok = False
        if not task:
            bad(number, "task", "the task is empty", "missing_value")
            ok = False
        try:
            effort = Decimal(raw_effort.replace(",", ".").replace(" ", ""))
            if not effort.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            bad(number, "effort", f"not a number: {raw_effort!r}", "not_number", value=raw_effort)
            ok = False
        else:
            if effort < 0:
                bad(number, "effort", f"negative effort: {raw_effort}", "negative", value=raw_effort)
                ok = False
            elif effort > MAX_EFFORT:
                bad(
                    number,
                    "effort",
                    f"{raw_effort} person-days in one day: efforts are in days, not hours",
                    "effort_in_hours",
                    value=raw_effort,
                )
                ok = False
        if ok and len(errors) < 1000:
            rows.append(
                TimeEntryRow(
                    number, day, person, task, effort.quantize(Decimal("0.01")), cell("comment"), cell("project")
                )
            )
    if errors:
        raise TimeEntryFileError(errors)
    return rows
