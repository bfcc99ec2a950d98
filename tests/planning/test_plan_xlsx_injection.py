"""The plan workbook never carries a live formula: names that a spreadsheet would run are written as text."""

from __future__ import annotations

import io

import openpyxl

from oeuvre.interop.plan_xlsx import read_plan_xlsx, write_plan_xlsx
from oeuvre.interop.plandata import AssignmentData, PlanData, ResourceData, TaskData

HOSTILE = ["=cmd|' /C calc'!A0", "+33 1 23 45 67 89", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")']


def _plan() -> PlanData:
    tasks = [TaskData(uid=1, name="Lot A", summary=True, wbs="L1")]
    for number, name in enumerate(HOSTILE, start=2):
        tasks.append(TaskData(uid=number, name=name, outline_level=2, code=f"T-{number}", duration_days=2))
    resources = [ResourceData(uid=1, name="+Alice"), ResourceData(uid=2, name="=Bob")]
    assignments = [AssignmentData(task_uid=2, resource_uid=1, units=1.0)]
    return PlanData(tasks=tasks, resources=resources, assignments=assignments)


def test_it_writes_formula_like_names_as_text_and_reads_them_back_unchanged() -> None:
    data = write_plan_xlsx(_plan())
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "-", "@"))]
    assert "'=cmd|' /C calc'!A0" in texts
    back = read_plan_xlsx(data)
    assert [task.name for task in back.tasks[1:]] == HOSTILE
    assert sorted(resource.name for resource in back.resources) == ["+Alice", "=Bob"]
