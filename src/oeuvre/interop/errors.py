"""Errors of file readers: each names where the problem is (row, line, field) and why, with a stable code.

The code and parameters let an edge translate the message; ``str(error)`` is a readable English sentence.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FileFormatError", "HostileFileError"]


class FileFormatError(ValueError):
    """A file, or one of its rows, cannot be read as it is.

    ``row`` is the spreadsheet row (1-based, as the user sees it), ``line`` the line of a text file,
    ``field`` the column or attribute name; ``source`` the file or sheet it comes from; any of them may
    be unknown (``None``).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        row: int | None = None,
        line: int | None = None,
        field: str | None = None,
        params: dict[str, Any] | None = None,
        source: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.code = code
        self.row = row
        self.line = line
        self.field = field
        self.params = dict(params or {})
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [self.source] if self.source else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class HostileFileError(FileFormatError):
    """The file looks crafted to harm the reader (entities, zip bomb, disguised type, excessive size)."""
