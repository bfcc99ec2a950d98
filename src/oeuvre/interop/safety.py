"""Checks run on every uploaded file before a parser sees it.

Refused, each with its own code: a file over the size limit (``too_large``), a file whose first bytes are not
those of the announced format (``wrong_magic``), a zip archive that would expand beyond the limits
(``zip_bomb``), and XML that declares a DOCTYPE or entities (``xml_entities``: external entities and
entity-expansion bombs both need one; ReqIF and OOXML never do).

Every workbook that enters goes through :func:`guard_workbook` before openpyxl opens it (a house-rule test
refuses a ``load_workbook`` call in a function that did not call it first).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from oeuvre.interop.errors import HostileFileError

__all__ = ["Limits", "check_magic", "check_xml", "check_zip", "guard_workbook", "sniff_format"]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, refused: we read .xlsx only


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_unzipped_bytes: int = 300 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, per member
    max_members: int = 10_000
    # One part of an archive, uncompressed. A workbook's cells or shared strings are held in memory by the
    # reader, several times their XML size: a 1 MiB file expanding one part to 1 GiB took a worker to 3 GB.
    max_member_bytes: int = 100 * 1024 * 1024


DEFAULT_LIMITS = Limits()


def sniff_format(data: bytes, filename: str = "") -> str:
    """``xlsx``, ``reqifz``, ``reqif`` or ``csv`` from the extension, checked against the bytes."""
    name = filename.lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        fmt = "xlsx"
    elif name.endswith(".reqifz"):
        fmt = "reqifz"
    elif name.endswith(".reqif") or name.endswith(".xml"):
        fmt = "reqif"
    elif name.endswith(".csv") or name.endswith(".txt"):
        fmt = "csv"
    elif data.startswith(ZIP_MAGIC):
        fmt = "xlsx"
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        fmt = "reqif"
    else:
        fmt = "csv"
    check_magic(data, fmt)
    return fmt


def check_magic(data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS) -> None:
    if len(data) > limits.max_bytes:
        raise HostileFileError(
            f"the file is {len(data) // (1024 * 1024)} MiB; the limit is {limits.max_bytes // (1024 * 1024)} MiB",
            code="too_large",
            params={"size_mib": len(data) // (1024 * 1024), "limit_mib": limits.max_bytes // (1024 * 1024)},
        )
    if not data:
        raise HostileFileError("the file is empty", code="empty")
    if fmt in {"xlsx", "reqifz"} and not data.startswith(ZIP_MAGIC):
        kind = "a legacy .xls file" if data.startswith(OLE_MAGIC) else "not a zip archive"
        raise HostileFileError(
            f"the file is named like {fmt} but its content is {kind}", code="wrong_magic", params={"format": fmt}
        )
    if fmt == "reqif" and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise HostileFileError(
            "the file is named like ReqIF but is not XML", code="wrong_magic", params={"format": fmt}
        )
    if fmt == "csv" and (data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC) or b"\x00" in data[:4096]):
        raise HostileFileError("the file is named like CSV but is binary", code="wrong_magic", params={"format": fmt})


def check_zip(data: bytes | BinaryIO, limits: Limits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """Open the archive (its bytes, or a seekable binary file) after checking its declared sizes (a zip bomb
    declares them, or lies and is caught when a member is read past its declared size by :mod:`zipfile`)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise HostileFileError("the archive is damaged or not a zip file", code="wrong_magic") from None
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise HostileFileError(f"the archive holds {len(members)} files", code="zip_bomb")
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise HostileFileError(
                f"{info.filename} expands to {info.file_size // (1024 * 1024)} MiB; the limit for one part is "
                f"{limits.max_member_bytes // (1024 * 1024)} MiB",
                code="zip_bomb",
                params={"member": info.filename},
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio and info.file_size > 1024 * 1024:
            raise HostileFileError(
                f"{info.filename} expands {int(ratio)} times (a zip bomb?)",
                code="zip_bomb",
                params={"member": info.filename},
            )
    if total > limits.max_unzipped_bytes:
        raise HostileFileError(
            f"the archive expands to {total // (1024 * 1024)} MiB (a zip bomb?)", code="zip_bomb", params={}
        )
    return archive


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def check_xml(data: bytes) -> None:
    """Refuse any DOCTYPE or entity declaration: no legitimate ReqIF or OOXML part carries one."""
    if _DOCTYPE.search(data):
        raise HostileFileError(
            "the XML declares a DOCTYPE or entities (external entities and entity expansion are refused)",
            code="xml_entities",
        )


_SCAN_CHUNK = 1024 * 1024


def guard_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """The checks every .xlsx passes before a reader opens it: size, zip magic, declared expansion (whole, per
    part, ratio, number of parts), and no DTD or entity in any XML part. The parts are scanned in chunks, so
    the check itself holds at most a megabyte of a part in memory; a part longer than it declared is caught by
    :mod:`zipfile` (``BadZipFile``) and refused. Returns the opened archive."""
    check_magic(data, "xlsx", limits)
    archive = check_zip(data, limits)
    try:
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(info) as member:
                tail = b""
                while chunk := member.read(_SCAN_CHUNK):
                    check_xml(tail + chunk)
                    tail = chunk[-16:]  # a declaration split across two chunks
    except HostileFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise HostileFileError(f"the archive is damaged: {exc}", code="wrong_magic") from None
    return archive
