"""Reports that come as several files: Gatling's HTML report (a folder, or the zip of it), Locust's ``_stats.csv``
with its ``_stats_history.csv`` (two files uploaded together, their zip or their folder), or any one report zipped.

Gatling writes a folder (``index.html``, ``js/stats.json``, ``js/stats.js``, ``js/global_stats.json``, the pages of
each request, styles…): the figures are read from ``js/stats.json``, else ``js/stats.js``, else
``js/global_stats.json``. Locust's ``--csv PREFIX`` writes ``PREFIX_stats.csv`` and ``PREFIX_stats_history.csv``
(and failures and exceptions, not read): the stats give the figures, the history the peak user count.

An archive is never extracted: its members are listed and only the chosen ones are read, in memory. It passes the
shared zip guard (:func:`oeuvre.interop.safety.check_zip`: the number of members, the declared sizes and ratios), a
member whose name climbs out of the archive (``../``, an absolute path, a drive) or that is itself an archive is
refused, and a chosen member is read in chunks, counting the bytes actually decompressed: beyond
:data:`MAX_MEMBER_BYTES` it is refused whatever its header declared. A folder is walked without following links, to
a bounded depth and number of files; a chosen file that resolves outside the folder is refused.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import Report
from oeuvre.interop.perfsec._common import JSON_LIMITS
from oeuvre.interop.perfsec.locust import with_users
from oeuvre.interop.safety import ZIP_MAGIC, Limits, check_zip

__all__ = [
    "MAX_FOLDER_DEPTH",
    "MAX_MEMBER_BYTES",
    "ZIP_LIMITS",
    "choose",
    "combine",
    "read_folder",
    "read_together",
    "read_zip",
]

#: What one chosen member may expand to, counted while it is read (the shared limit of a report read whole).
MAX_MEMBER_BYTES = JSON_LIMITS.max_bytes
#: The archive itself: a zipped Gatling results folder may hold its ``simulation.log``. Members that are not read
#: (pages, styles, the log) may declare large sizes; the ratio and member-count checks still hold for every one.
ZIP_LIMITS = Limits(max_bytes=200 * 1024 * 1024, max_unzipped_bytes=8 * 1024**3, max_member_bytes=8 * 1024**3)
#: A report folder is shallow (``results/run-2024…/js/stats.json``); deeper, or more files, is not one.
MAX_FOLDER_DEPTH = 6
MAX_FOLDER_FILES = ZIP_LIMITS.max_members

_GATLING = ("stats.json", "stats.js", "global_stats.json")
_LOCUST_STATS = "_stats.csv"
_LOCUST_HISTORY = "_stats_history.csv"
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1024 * 1024


def choose(names: Sequence[str], source: str | None = None) -> list[str]:
    """The members to read among an archive's or a folder's files (relative POSIX paths): Gatling's ``js/stats.json``
    (else ``js/stats.js``, else ``js/global_stats.json``); else Locust's stats and stats history; else the one file
    there is. Two Gatling reports, or two Locust runs, are refused rather than one silently chosen."""
    for wanted in _GATLING:
        hits = sorted((n for n in names if PurePosixPath(n).name == wanted and PurePosixPath(n).parent.name == "js"),
                      key=lambda n: (n.count("/"), n))  # fmt: skip
        if hits:
            if len({PurePosixPath(h).parent for h in hits}) > 1:
                raise _ambiguous(hits, source)
            return hits[:1]
    stats = sorted(n for n in names if n.endswith(_LOCUST_STATS))
    histories = sorted(n for n in names if n.endswith(_LOCUST_HISTORY))
    if len(stats) > 1 or len(histories) > 1:
        raise _ambiguous(stats + histories, source)
    if stats or histories:
        return stats + histories
    if len(names) == 1:
        return list(names)
    raise FileFormatError(
        "no report found: expected Gatling's js/stats.json or js/stats.js, Locust's _stats.csv, or a single report",
        code="bundle_no_report", source=source,
    )  # fmt: skip


def _ambiguous(names: list[str], source: str | None) -> FileFormatError:
    shown = ", ".join(names[:4])
    return FileFormatError(f"several runs: {shown}; send one", code="bundle_ambiguous", params={"names": shown},
                           source=source)  # fmt: skip


def combine(reports: Sequence[Report], source: str | None = None) -> Report:
    """One report from the files read together: a single one as it is; Locust's stats with the peak user count of
    its stats history. Any other mix is refused (two runs are not one result)."""
    if len(reports) == 1:
        return reports[0]
    formats = sorted(r.format for r in reports)
    if formats == ["locust-csv", "locust-history"]:
        stats, history = (reports[0], reports[1]) if reports[0].format == "locust-csv" else (reports[1], reports[0])
        return with_users(stats, history)
    shown = ", ".join(formats)
    raise FileFormatError(
        f"these files are not one run ({shown}): only Locust's stats and stats history go together",
        code="bundle_mixed", params={"formats": shown}, source=source,
    )  # fmt: skip


def read_together(parts: Sequence[tuple[bytes, str]]) -> Report:
    """Files uploaded together (``(bytes, file name)``), each read on its own, then :func:`combine`."""
    from oeuvre.interop.perfsec import _detect

    if not parts:
        raise HostileFileError("no file", code="empty")
    return combine([_detect.read(data, name) for data, name in parts], ", ".join(name for _, name in parts) or None)


def _safe_name(name: str, source: str | None) -> str:
    plain = name.replace("\\", "/")
    parts = plain.split("/")
    if plain.startswith("/") or _DRIVE.match(plain) or ".." in parts or "\x00" in plain:
        raise HostileFileError(
            f"the archive names a file outside itself: {name[:120]!r}", code="zip_name",
            params={"member": name[:120]}, source=source,
        )  # fmt: skip
    return plain


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str | None) -> bytes:
    """The member's bytes, counted as they are decompressed (a header that lies about the size changes nothing)."""
    pieces: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                if size > MAX_MEMBER_BYTES:
                    limit_mib = MAX_MEMBER_BYTES // (1024 * 1024)
                    raise HostileFileError(
                        f"{info.filename} expands beyond {limit_mib} MiB (a zip bomb?)", code="zip_bomb",
                        params={"member": info.filename[:120]}, source=source,
                    )  # fmt: skip
                pieces.append(chunk)
    except HostileFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise _damaged(source, str(exc)) from None
    return b"".join(pieces)


def _damaged(source: str | None, detail: str) -> HostileFileError:
    return HostileFileError(f"the archive is damaged: {detail[:200]}", code="zip_damaged", source=source)


def read_zip(data: bytes | BinaryIO, source: str | None = None) -> Report:
    """Read the report a zip holds (its bytes or a seekable binary file): see the module's notes."""
    from oeuvre.interop.perfsec import _detect

    try:
        archive = check_zip(data, ZIP_LIMITS)
    except HostileFileError as exc:
        if exc.code == "wrong_magic":
            raise _damaged(source, exc.message) from None
        exc.source = exc.source or source
        exc.args = (exc.describe(),)
        raise
    with archive:
        files = {}
        for info in archive.infolist():
            name = _safe_name(info.filename, source)
            if not info.is_dir():
                files[name] = info
        chosen = choose(sorted(files), source)
        reports = []
        for name in chosen:
            content = _read_member(archive, files[name], source)
            member = f"{source}/{name}" if source else name
            if content.startswith(ZIP_MAGIC):
                raise HostileFileError(f"{name} is itself an archive", code="zip_nested", params={"member": name},
                                       source=source)  # fmt: skip
            reports.append(_detect.read(content, member))
    return combine(reports, source)


def read_folder(folder: str | os.PathLike[str]) -> Report:
    """Read the report a folder holds (Gatling's report folder, Locust's ``--csv`` output): see the module's notes."""
    from oeuvre.interop.perfsec import _detect

    root = Path(folder).resolve()
    source = Path(folder).name or str(folder)
    names: list[str] = []
    for here, dirs, files in os.walk(root, followlinks=False):
        depth = len(Path(here).relative_to(root).parts)
        if depth >= MAX_FOLDER_DEPTH:
            dirs[:] = []
        dirs.sort()
        for name in sorted(files):
            names.append((Path(here) / name).relative_to(root).as_posix())
            if len(names) > MAX_FOLDER_FILES:
                raise HostileFileError(
                    f"the folder holds more than {MAX_FOLDER_FILES} files", code="too_many_files",
                    params={"limit": MAX_FOLDER_FILES}, source=source,
                )  # fmt: skip
    reports = []
    for name in choose(names, source):
        path = root / name
        resolved = path.resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            raise HostileFileError(
                f"{name} leads outside the folder", code="zip_name", params={"member": name}, source=source
            )
        report = _detect.read_file(resolved, display=f"{source}/{name}")
        reports.append(report)
    return combine(reports, source)
