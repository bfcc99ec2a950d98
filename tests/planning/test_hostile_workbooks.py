"""Hostile plan workbooks (issue 16, item 1): the plan reader goes through the same guard as every workbook.

A 1.1 MB workbook whose sheet expanded to 1.1 GB took the CLI to 2.5 GB of memory: the plan reader opened it
with openpyxl without the checks the requirements importer ran. The files are generated here, from a real
workbook written by the plan export, with one part replaced.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from oeuvre.interop.errors import HostileFileError
from oeuvre.interop.plan_xlsx import read_plan_xlsx, write_plan_xlsx
from oeuvre.interop.plandata import PlanData, TaskData
from oeuvre.interop.safety import Limits, guard_workbook
from oeuvre.planning.models import Task

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def _plan_workbook() -> bytes:
    plan = PlanData()
    plan.tasks.append(TaskData(uid=1, name="Analyse", duration_days=5))
    return write_plan_xlsx(plan)


def _replace(workbook: bytes, member: str, writer: Any) -> bytes:
    """The workbook with ``member`` rewritten by ``writer(file)`` (streamed: a huge part never sits in memory)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info))
        with target.open(member, "w", force_zip64=True) as part:
            writer(part)
    return out.getvalue()


def _huge_sheet(size_mib: int) -> Any:
    def write(part: Any) -> None:
        part.write(b'<?xml version="1.0"?><worksheet><sheetData>')
        row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
        for _ in range(size_mib * 1024 * 1024 // len(row)):
            part.write(row)
        part.write(b"</sheetData></worksheet>")

    return write


def test_the_plan_reader_refuses_a_part_that_expands_beyond_the_limit() -> None:
    bomb = _replace(_plan_workbook(), SHEET, _huge_sheet(120))
    assert len(bomb) < 2 * 1024 * 1024, "a small file…"
    with pytest.raises(HostileFileError) as caught:
        read_plan_xlsx(bomb, source="bombe.xlsx")
    assert caught.value.code == "zip_bomb"
    assert "sheet1.xml" in caught.value.message
    assert caught.value.source == "bombe.xlsx"


def test_the_plan_reader_refuses_entities_in_any_part_even_split_across_chunks() -> None:
    def strings(part: Any) -> None:
        # The declaration straddles the guard's 1 MiB reading chunks; the padding does not compress (a part
        # of over 1 MiB compressed 100 times would be refused as a bomb before its content is read).
        padding = base64.b64encode(os.urandom(1024 * 1024))[: 1024 * 1024 - 5]
        part.write(padding + b'<!DOCTYPE x [<!ENTITY a "aaaa">]><sst/>')

    with pytest.raises(HostileFileError) as caught:
        read_plan_xlsx(_replace(_plan_workbook(), STRINGS, strings))
    assert caught.value.code == "xml_entities"


def test_the_guard_refuses_too_many_parts_and_a_lying_size() -> None:
    with pytest.raises(HostileFileError) as caught:
        guard_workbook(_plan_workbook(), Limits(max_members=3))
    assert caught.value.code == "zip_bomb"
    # A part whose local header is cut short: reading it fails, and the guard says the archive is damaged.
    workbook = bytearray(_plan_workbook())
    start = workbook.index(b"PK\x03\x04", 4)
    del workbook[start + 40 : start + 400]
    with pytest.raises(HostileFileError):
        guard_workbook(bytes(workbook))


def test_the_refusal_keeps_memory_bounded_in_a_fresh_process(tmp_path: Path) -> None:
    """Measured in a subprocess: the reader's peak memory on a 120 MiB part stays that of an idle reader."""
    bomb = tmp_path / "bombe.xlsx"
    bomb.write_bytes(_replace(_plan_workbook(), SHEET, _huge_sheet(120)))
    script = (
        "import json, re, sys\n"
        "from oeuvre.interop.plan_xlsx import read_plan_xlsx\n"
        "from oeuvre.interop.errors import HostileFileError\n"
        "try:\n"
        "    read_plan_xlsx(open(sys.argv[1], 'rb').read())\n"
        "    code = None\n"
        "except HostileFileError as exc:\n"
        "    code = exc.code\n"
        # VmHWM is this process's own peak (getrusage's maximum would carry the parent's over fork and exec).
        "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "print(json.dumps({'code': code, 'max_rss_kib': peak}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, timeout=300, check=True
    )
    report = json.loads(result.stdout)
    assert report["code"] == "zip_bomb"
    assert report["max_rss_kib"] < 250 * 1024, report


@pytest.mark.django_db
def test_the_plan_import_command_refuses_it_and_writes_nothing(personas: Any, tmp_path: Path) -> None:
    bomb = tmp_path / "planning.xlsx"
    bomb.write_bytes(_replace(_plan_workbook(), SHEET, _huge_sheet(120)))
    refusal = r"planning\.xlsx.*sheet1\.xml.*bombe de décompression"  # in French, naming the file and its part
    with pytest.raises(CommandError, match=refusal), translation.override("fr"):
        call_command("plan", "import", str(bomb), "--project", personas.project.code, "--user", "moe")
    assert not Task.objects.filter(project=personas.project).exists()
