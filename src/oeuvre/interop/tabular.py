"""Read a spreadsheet (.xlsx) or a CSV file into a plain table: column labels and rows of cells.

Real CDC spreadsheets have a title above the table, headers over two rows with merged cells
("Classification" over "Type" and "Priorité"), empty rows between chapters, and dates typed as dates.
:func:`read_table` finds the header row, names each column from its merged parents
("Classification / Type"), skips empty rows and keeps each row's number as the user sees it, so every
later error can name its row.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.safety import DEFAULT_LIMITS, Limits, check_magic, guard_workbook
from oeuvre.interop.sheets import unquote

__all__ = ["Cell", "Row", "Table", "read_csv", "read_table", "read_xlsx"]

_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")

Cell = str | int | float | Decimal | date | datetime | bool | None
HEADER_SCAN_ROWS = 30
MAX_ROWS = 200_000
MAX_COLUMNS = 200


@dataclass
class Row:
    number: int  # spreadsheet row number or CSV line number (1-based)
    cells: list[Cell]

    def get(self, index: int) -> Cell:
        return self.cells[index] if 0 <= index < len(self.cells) else None


@dataclass
class Table:
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    header_row: int = 1
    sheet: str = ""

    def column_index(self, label: str) -> int:
        try:
            return self.columns.index(label)
        except ValueError:
            raise FileFormatError(f"no column named {label!r}", code="unknown_column", field=label) from None


def _is_empty(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normalise(value: Any) -> Cell:
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0, 0) else value
    if isinstance(value, str):
        return unquote(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, int | float | Decimal | date | bool):
        return value
    return str(value)


def read_table(
    data: bytes,
    fmt: str,
    *,
    header_row: int | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> Table:
    """Dispatch on ``fmt`` (``xlsx`` or ``csv``); see :func:`read_xlsx` and :func:`read_csv`."""
    if fmt == "xlsx":
        return read_xlsx(data, header_row=header_row, sheet=sheet, limits=limits, progress=progress)
    if fmt == "csv":
        return read_csv(data, header_row=header_row, limits=limits)
    raise FileFormatError(f"unsupported table format {fmt!r}", code="unsupported", params={"format": fmt})


def _labels(grid: list[list[Cell]], first: int, last: int, width: int) -> list[str]:
    """Column labels from header rows ``first..last`` (0-based into ``grid``), parents joined with " / "."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for col in range(width):
        parts: list[str] = []
        for r in range(first, last + 1):
            value = grid[r][col] if col < len(grid[r]) else None
            text = "" if value is None else str(value).strip()
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        label = " / ".join(parts) or f"Colonne {col + 1}"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        labels.append(label)
    return labels


def _find_header(grid: list[list[Cell]]) -> int:
    """The header is the first row, among the first rows, with the most distinct text cells (a title merged
    across the sheet counts once)."""
    best, best_count = 0, -1
    for index, cells in enumerate(grid[:HEADER_SCAN_ROWS]):
        count = len({c.strip() for c in cells if isinstance(c, str) and c.strip()})
        if count > best_count:
            best, best_count = index, count
    if best_count <= 0:
        raise FileFormatError("no header row was found (a row of column titles)", code="no_header")
    return best


def read_xlsx(
    data: bytes,
    *,
    header_row: int | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> Table:
    """Read the first sheet (or ``sheet``) of an .xlsx workbook, after the hostile-file checks."""
    archive = guard_workbook(data, limits)
    import openpyxl  # imported late: only this reader needs it
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation and styles it ignores
            # Read-only mode streams the cells (several times faster on large sheets); merged ranges,
            # which that mode does not report, are read from the sheet's XML below.
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileFormatError(f"the workbook cannot be read: {exc}", code="unreadable") from None
    if sheet:
        if sheet not in book.sheetnames:
            raise FileFormatError(f"no sheet named {sheet!r}", code="unknown_sheet", params={"sheet": sheet})
        ws: Any = book[sheet]
    else:
        ws = book.worksheets[0]
    ranges: list[tuple[int, int, int, int]] = []  # (min_col, min_row, max_col, max_row)
    sheet_path = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
    if sheet_path in archive.namelist():
        with archive.open(sheet_path) as member:
            xml = member.read(limits.max_unzipped_bytes + 1)
        for ref in _MERGE_REF.findall(xml):
            bounds = range_boundaries(ref.decode())
            if None not in bounds:
                ranges.append(bounds)  # type: ignore[arg-type]
    grid: list[list[Cell]] = []
    width = 0
    for values in ws.iter_rows(values_only=True):
        if len(grid) >= MAX_ROWS:
            raise HostileFileError(f"the sheet has more than {MAX_ROWS} rows", code="too_many_rows")
        if len(values) > MAX_COLUMNS:
            raise HostileFileError(f"the sheet has more than {MAX_COLUMNS} columns", code="too_many_rows")
        grid.append([_normalise(v) for v in values])
        width = max(width, len(values))
        if progress is not None and len(grid) % 2000 == 0:
            progress(len(grid))
    book.close()
    # Merged ranges: the value sits in the top-left cell; every cell of the range shows it.
    vertical_header_merges: list[tuple[int, int]] = []
    for min_col, min_row, max_col, max_row in ranges:
        if min_row - 1 >= len(grid):
            continue
        top_left = grid[min_row - 1]
        value = top_left[min_col - 1] if min_col - 1 < len(top_left) else None
        for r in range(min_row, min(max_row, len(grid)) + 1):
            row_cells = grid[r - 1]
            if len(row_cells) < max_col:
                row_cells.extend([None] * (max_col - len(row_cells)))
            for c in range(min_col, max_col + 1):
                row_cells[c - 1] = value
        width = max(width, max_col)
        vertical_header_merges.append((min_row, max_row))
    header = header_row - 1 if header_row else _find_header(grid)
    if not 0 <= header < len(grid):
        raise FileFormatError(f"row {header + 1} does not exist", code="no_header", row=header + 1)
    # A header over two rows: a merged range that starts on the header row and ends below it, or a
    # horizontally merged group title just above the chosen row.
    last = header
    for top, bottom in vertical_header_merges:
        if top - 1 == header and bottom - 1 > last and bottom - 1 - header <= 2:
            last = bottom - 1
    first = header
    if header > 0 and any(top - 1 == header - 1 and bottom - 1 == header - 1 for top, bottom in vertical_header_merges):
        above = grid[header - 1]
        if sum(1 for c in above if not _is_empty(c)) > 1:
            first = header - 1
    columns = _labels(grid, first, last, width)
    table = Table(columns=columns, header_row=last + 1, sheet=ws.title)
    for index in range(last + 1, len(grid)):
        cells = grid[index]
        if all(_is_empty(c) for c in cells):
            continue
        table.rows.append(Row(number=index + 1, cells=cells + [None] * (width - len(cells))))
        if progress is not None and len(table.rows) % 500 == 0:
            progress(len(table.rows))
    return table


def _csv_cell(text: str) -> Cell:
    return unquote(text.strip())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError("the file is neither UTF-8 nor Windows-1252 text", code="encoding")


def read_csv(data: bytes, *, header_row: int | None = None, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read CSV with ``;``, ``,`` or tab separators (French Excel writes ``;``), UTF-8 or Windows-1252."""
    check_magic(data, "csv", limits)
    text = _decode(data)
    sample = text[:20_000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    lines: list[tuple[int, list[Cell]]] = []  # (line number, cells)
    try:
        for cells in reader:
            if len(lines) > MAX_ROWS:
                raise HostileFileError(f"more than {MAX_ROWS} lines", code="too_many_rows")
            lines.append((reader.line_num, list(map(_csv_cell, cells))))
    except csv.Error as exc:
        raise FileFormatError(str(exc), code="unreadable", line=reader.line_num) from None
    grid: list[list[Cell]] = [cells for _n, cells in lines]
    header = header_row - 1 if header_row else _find_header(grid)
    if not 0 <= header < len(grid):
        raise FileFormatError(f"line {header + 1} does not exist", code="no_header", line=header + 1)
    width = max((len(c) for c in grid), default=0)
    table = Table(columns=_labels(grid, header, header, width), header_row=lines[header][0])
    for number, line_cells in lines[header + 1 :]:
        if all(_is_empty(c) for c in line_cells):
            continue
        table.rows.append(Row(number=number, cells=line_cells + [None] * (width - len(line_cells))))
    return table
