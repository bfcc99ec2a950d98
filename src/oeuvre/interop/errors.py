"""The one error every file reader raises: it names where the problem is (line, row, field)."""

from __future__ import annotations

__all__ = ["FileFormatError"]


class FileFormatError(ValueError):
    """A file could not be read; ``line``/``row``/``field`` say where, when known.

    ``line`` is a line of a text or XML file, ``row`` a row of a sheet or CSV (1-based, header included),
    ``field`` the column, element or attribute that holds the bad value.

    Examples
    --------
    >>> str(FileFormatError("not a date: '31/02/2026'", row=4, field="date"))
    "row 4, field 'date': not a date: '31/02/2026'"
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        row: int | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.row = row
        self.field = field
        self.source = source
        where: list[str] = []
        if source:
            where.append(source)
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)
