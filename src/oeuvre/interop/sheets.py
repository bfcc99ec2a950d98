"""Write tables to .xlsx and CSV, safe against formula injection.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) would be run as a
formula by a spreadsheet program: it is written as text with a leading apostrophe, which readers here strip
again (:func:`unquote`) so that our own exports re-import unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

__all__ = ["FORMULA_PREFIXES", "SheetColumn", "safe_text", "unquote", "write_csv", "write_xlsx"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
Value = str | int | float | Decimal | date | datetime | bool | None


def safe_text(value: Value) -> Value:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unquote(value: str) -> str:
    """Undo :func:`safe_text` on a value read back from one of our files."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


@dataclass(frozen=True)
class SheetColumn:
    label: str
    width: int = 15
    wrap: bool = False


@dataclass
class SheetRow:
    values: Sequence[Value]
    fills: dict[int, str] = field(default_factory=dict)  # column index -> RGB hex ("FFC7CE")


def write_xlsx(
    columns: Sequence[SheetColumn],
    rows: Iterable[SheetRow],
    *,
    title: str,
    legend: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One formatted sheet: bold frozen header, auto-filter, column widths, cell fills (e.g. gaps).

    ``legend`` adds a second sheet listing (colour, meaning) pairs.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = header_font
        cell.fill = header_fill
        header.append(cell)
    sheet.append(header)
    fills: dict[str, PatternFill] = {}
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    count = 0
    for row in rows:
        cells = []
        for index, value in enumerate(row.values):
            safe = safe_text(value)
            cell = WriteOnlyCell(sheet, value=safe)  # type: ignore[arg-type]
            if isinstance(safe, str):
                cell.data_type = "s"  # never a formula, whatever the text
            colour = row.fills.get(index)
            if colour:
                cell.fill = fills.setdefault(colour, PatternFill("solid", fgColor=colour))
            cell.alignment = wrap if index < len(columns) and columns[index].wrap else top
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    if legend:
        notes = book.create_sheet(title="Légende")
        for colour, meaning in legend:
            cell = WriteOnlyCell(notes, value="")
            cell.fill = PatternFill("solid", fgColor=colour)
            notes.append([cell, meaning])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(labels: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """UTF-8 with a BOM and ``;`` separators, as French Excel expects."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(labels)
    for row in rows:
        writer.writerow(["" if v is None else str(safe_text(v)) for v in row])
    return out.getvalue().encode("utf-8")
