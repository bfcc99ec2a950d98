"""``.mpp`` (MS Project's binary format) import through MPXJ, an optional extra that needs Java.

MPXJ's own converter reads the binary file and writes MS Project XML, which :mod:`oeuvre.interop.mspdi`
then reads: one code path for both formats. The conversion runs in a separate Java process with a time
limit, so a damaged file cannot hang or crash the application. MPXJ reads other schedulers' files the
same way (``.mpx``, Primavera ``.xer``, GanttProject ``.gan``, Asta ``.pp``…).

When MPXJ or Java is missing, :class:`MppUnavailable` says which and how to install it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.mspdi import read_mspdi
from oeuvre.interop.plandata import PlanData

__all__ = ["MPXJ_SUFFIXES", "MppUnavailable", "mpp_support", "read_mpp"]

MPXJ_SUFFIXES = (".mpp", ".mpx", ".mpt", ".xer", ".pp", ".gan", ".pmxml", ".planner")
_CONVERTER = "org.mpxj.sample.MpxjConvert"


class MppUnavailable(RuntimeError):
    """MPXJ or Java is not installed; the message says what to install, ``code`` which is missing
    (``no_mpxj``, ``no_mpxj_jars``, ``no_java``) for an edge that translates it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _mpxj_lib() -> Path:
    # Importing the mpxj package would start a JVM through JPype; only its jar folder is needed.
    spec = importlib.util.find_spec("mpxj")
    if spec is None or not spec.submodule_search_locations:
        raise MppUnavailable(
            "Reading .mpp files needs the optional MPXJ package: install Œuvre with the 'mpp' extra "
            "(pip install 'oeuvre[mpp]' or uv sync --extra mpp), or export the plan from MS Project as XML.",
            "no_mpxj",
        )
    lib = Path(next(iter(spec.submodule_search_locations))) / "lib"
    if not (lib / "mpxj.jar").exists():
        raise MppUnavailable(f"The MPXJ package is installed but its jar files are missing from {lib}.", "no_mpxj_jars")
    return lib


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise MppUnavailable(
            "Reading .mpp files needs Java (MPXJ is a Java library): install a Java runtime 11 or later "
            "(e.g. apt-get install default-jre-headless), or export the plan from MS Project as XML.",
            "no_java",
        )
    return found


def mpp_support() -> str | None:
    """None when .mpp import works here, else the reason it does not."""
    try:
        _mpxj_lib()
        _java()
    except MppUnavailable as exc:
        return str(exc)
    return None


def read_mpp(path: str | Path, *, timeout: float = 180.0) -> PlanData:
    """Read a ``.mpp`` (or another format MPXJ knows) into plan data.

    Raises
    ------
    MppUnavailable
        MPXJ or Java is missing.
    FileFormatError
        MPXJ could not read the file (its message is kept).
    """
    source = Path(path)
    lib = _mpxj_lib()
    java = _java()
    with tempfile.TemporaryDirectory(prefix="oeuvre-mpp-") as work:
        # MPXJ picks its reader from the content and its writer from the output file's suffix.
        target = Path(work) / "plan.xml"
        try:
            result = subprocess.run(  # noqa: S603 — fixed program and arguments, no shell
                [java, "-Xmx1g", "-cp", str(lib / "*"), _CONVERTER, str(source), str(target)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise FileFormatError(
                f"MPXJ did not finish reading the file within {timeout:.0f} s",
                code="mpxj_timeout",
                params={"seconds": round(timeout)},
                source=source.name,
            ) from None
        if result.returncode != 0 or not target.exists():
            lines = [line for line in (result.stderr or result.stdout).splitlines() if line.strip()]
            detail = next((line for line in lines if "Exception" in line), lines[-1] if lines else "unknown error")
            raise FileFormatError(
                f"MPXJ cannot read this file: {detail.strip()}",
                code="mpxj_failed",
                params={"detail": detail.strip()},
                source=source.name,
            )
        return read_mspdi(target.read_bytes(), source=source.name)
