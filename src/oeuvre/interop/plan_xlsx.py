"""The plan as an Excel workbook: written for people who read plans in Excel, and read back on import.

Sheet one lists the WBS in outline order, one row per lot, task or milestone; sheet two the resources.
Headers are given by the caller (so they are translated); on reading, the caller's headers in every
language are accepted, along with the canonical keys of :data:`TASK_COLUMNS` and
:data:`RESOURCE_COLUMNS`. Predecessors are written like ``T-001; T-002:SS+2; T-003:FF-1`` and resources
like ``Alice Martin=1; Testeur=0.5``, the forms of the engine's CSV format.

openpyxl reads the XML inside the workbook through defusedxml, so the file cannot smuggle entities.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.plandata import AssignmentData, LinkData, PlanData, ResourceData, TaskData
from oeuvre.interop.safety import guard_workbook
from oeuvre.interop.sheets import FORMULA_PREFIXES, safe_text, unquote

__all__ = ["RESOURCE_COLUMNS", "TASK_COLUMNS", "read_plan_xlsx", "write_plan_xlsx"]

TASK_COLUMNS = (
    "code",
    "type",
    "level",
    "name",
    "duration",
    "effort",
    "start",
    "finish",
    "late_start",
    "late_finish",
    "total_float",
    "critical",
    "predecessors",
    "resources",
    "constraint",
    "constraint_date",
    "contractual",
    "optimistic",
    "pessimistic",
    "progress",
    "baseline_start",
    "baseline_finish",
    "cost",
    "sold_effort",
    "sold_amount",
)
RESOURCE_COLUMNS = ("name", "kind", "day_rate", "capacity", "email")
_TYPE_WORDS = {
    "lot": {"lot", "work package", "summary", "lots", "wbs"},
    "milestone": {"jalon", "milestone", "jalons", "milestones"},
}
_PRED = re.compile(
    r"^(?P<code>[^:]+?)\s*(?::\s*(?P<type>FS|SS|FF|SF)?\s*(?P<lag>[+-]\s*\d+(?:[.,]\d+)?)?\s*(?P<cd>cd|jc)?)?$",
    re.IGNORECASE,
)
_PROFILE_WORDS = {"profil", "profile", "generic", "generique", "role"}
_YES = {"1", "oui", "yes", "vrai", "true", "x", "o", "y"}
MAX_ROWS = 50_000


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def write_plan_xlsx(
    plan: PlanData,
    *,
    task_labels: Mapping[str, str] | None = None,
    resource_labels: Mapping[str, str] | None = None,
    type_labels: Mapping[str, str] | None = None,
    sheet_names: tuple[str, str] = ("Plan", "Resources"),
    codes: Mapping[int, str] | None = None,
) -> bytes:
    """Write the plan; ``plan.tasks`` must be in outline order (summary rows before their children).

    Examples
    --------
    >>> plan = PlanData(tasks=[TaskData(uid=1, name="Lot A", summary=True, wbs="L1"),
    ...                        TaskData(uid=2, name="Build", outline_level=2, code="T-1", duration_days=3)])
    >>> read_plan_xlsx(write_plan_xlsx(plan)).tasks[1].duration_days
    3.0
    """
    labels = {key: key for key in TASK_COLUMNS} | dict(task_labels or {})
    rlabels = {key: key for key in RESOURCE_COLUMNS} | dict(resource_labels or {})
    kinds = {"lot": "lot", "task": "task", "milestone": "milestone", "person": "person", "profile": "profile"}
    kinds |= dict(type_labels or {})
    code_of = {t.uid: _code(t) for t in plan.tasks} | dict(codes or {})
    resource_name = {r.uid: r.name for r in plan.resources}
    preds: dict[int, list[LinkData]] = {}
    for link in plan.links:
        preds.setdefault(link.succ_uid, []).append(link)
    assigned: dict[int, list[AssignmentData]] = {}
    for assignment in plan.assignments:
        assigned.setdefault(assignment.task_uid, []).append(assignment)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_names[0][:31]
    sheet.append([labels[k] for k in TASK_COLUMNS])
    for task in plan.tasks:
        kind = "lot" if task.summary else "milestone" if task.milestone else "task"
        predecessor_text = "; ".join(
            _link_text(code_of.get(link.pred_uid, str(link.pred_uid)), link) for link in preds.get(task.uid, [])
        )
        resource_text = "; ".join(
            f"{resource_name.get(a.resource_uid, a.resource_uid)}={_num(a.units)}" for a in assigned.get(task.uid, [])
        )
        sheet.append(
            [
                code_of[task.uid],
                kinds[kind],
                task.outline_level,
                task.name,
                None if task.summary else task.duration_days,
                task.work_days,
                task.start,
                task.finish,
                task.late_start,
                task.late_finish,
                task.total_float_days,
                "✔" if task.critical else "",
                predecessor_text,
                resource_text,
                "" if task.constraint == "ASAP" else task.constraint,
                task.constraint_date,
                "✔" if task.contractual else "",
                task.optimistic_days,
                task.pessimistic_days,
                task.percent_complete,
                task.baseline_start,
                task.baseline_finish,
                task.cost,
                task.budget_effort,
                task.budget_amount,
            ]
        )
    _neutralise_formulas(sheet)
    _style(sheet, len(TASK_COLUMNS), date_columns={7, 8, 9, 10, 16, 21, 22})
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == kinds["lot"]:
            for cell in row:
                cell.font = Font(bold=True)
        level = row[2].value
        if isinstance(level, int) and level > 1:
            row[3].alignment = Alignment(indent=level - 1)
    resources = book.create_sheet(sheet_names[1][:31])
    resources.append([rlabels[k] for k in RESOURCE_COLUMNS])
    for resource in plan.resources:
        resources.append(
            [
                resource.name,
                kinds["profile" if resource.generic else "person"],
                resource.day_rate,
                resource.max_units,
                resource.email or None,
            ]
        )
    _neutralise_formulas(resources)
    _style(resources, len(RESOURCE_COLUMNS), date_columns=set())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _neutralise_formulas(sheet: Any) -> None:
    """A task named ``=cmd|' /C calc'!A0`` or a resource named ``+33…`` would run as a formula in a spreadsheet
    program: text cells starting with a formula character are written as text (the rule of every export,
    :func:`oeuvre.interop.sheets.safe_text`), and :func:`read_plan_xlsx` strips the quote again."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                cell.value = safe_text(cell.value)
                cell.data_type = "s"


def _code(task: TaskData) -> str:
    return task.code or task.wbs or str(task.uid)


def _num(value: float) -> str:
    return f"{value:g}"


def _link_text(code: str, link: LinkData) -> str:
    if link.type == "FS" and not link.lag_days:
        return code
    lag = f"{link.lag_days:+g}" if link.lag_days else ""
    return f"{code}:{link.type}{lag}{'cd' if link.lag_calendar and lag else ''}"


def _style(sheet: Any, width: int, *, date_columns: set[int]) -> None:
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for index in range(1, width + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 42 if index == 4 else 14
        if index in date_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "DD/MM/YYYY"
    sheet.auto_filter.ref = sheet.dimensions


# --- Reading ----------------------------------------------------------------------------------------


def _header_map(
    row: Iterable[Any], columns: tuple[str, ...], aliases: Mapping[str, Iterable[str]], sheet: str
) -> dict[str, int]:
    lookup: dict[str, str] = {_fold(k): k for k in columns}
    for key, names in aliases.items():
        for name in names:
            lookup.setdefault(_fold(name), key)
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        if cell is None:
            continue
        column = lookup.get(_fold(str(cell)))
        if column is not None and column not in found:
            found[column] = index
    return found


def _cell_date(value: Any, row: int, field: str, sheet: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 — a calendar day
        except ValueError:
            continue
    raise FileFormatError(
        f"not a date: {text!r}", code="not_date", params={"value": text}, row=row, field=field, source=sheet
    )


def _cell_number(value: Any, row: int, field: str, sheet: str, *, minimum: float | None = 0.0) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise FileFormatError(
            f"not a number: {value!r}", code="not_number", params={"value": value}, row=row, field=field, source=sheet
        )
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", ".").replace("\u202f", "").replace(" ", "").rstrip("%"))
        except ValueError:
            raise FileFormatError(
                f"not a number: {value!r}",
                code="not_number",
                params={"value": value},
                row=row,
                field=field,
                source=sheet,
            ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FileFormatError(
            f"not a finite number: {value!r}",
            code="not_finite",
            params={"value": value},
            row=row,
            field=field,
            source=sheet,
        )
    if minimum is not None and number < minimum:
        raise FileFormatError(
            f"must not be negative: {value!r}",
            code="negative",
            params={"value": value},
            row=row,
            field=field,
            source=sheet,
        )
    return number


def read_plan_xlsx(
    data: bytes,
    *,
    task_aliases: Mapping[str, Iterable[str]] | None = None,
    resource_aliases: Mapping[str, Iterable[str]] | None = None,
    type_aliases: Mapping[str, Iterable[str]] | None = None,
    source: str | None = None,
) -> PlanData:
    """Read a plan workbook written by :func:`write_plan_xlsx` (or typed by hand in the same shape).

    Raises
    ------
    FileFormatError
        Not a workbook, a missing column, a bad value (row and column named), an unknown predecessor.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileFormatError("this is not an Excel workbook (.xlsx)", code="not_xlsx", source=source)
    try:
        guard_workbook(data)
    except HostileFileError as exc:
        raise HostileFileError(exc.message, code=exc.code, params=exc.params, source=source) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise FileFormatError(
            f"the workbook cannot be opened: {exc}", code="unreadable", params={"detail": str(exc)}, source=source
        ) from None
    words: dict[str, set[str]] = {k: set(v) for k, v in _TYPE_WORDS.items()}
    for key, names in (type_aliases or {}).items():
        words.setdefault(key, set()).update(_fold(n) for n in names)
    try:
        sheets = book.worksheets
        plan = PlanData()
        tasks_sheet = sheets[0]
        name = tasks_sheet.title
        rows = tasks_sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileFormatError("the first sheet is empty", code="empty", row=1, source=name)
        columns = _header_map(header, TASK_COLUMNS, task_aliases or {}, name)
        for required in ("name", "type"):
            if required not in columns:
                raise FileFormatError(
                    f"missing column {required!r}",
                    code="missing_columns",
                    params={"columns": required, "header": ", ".join(str(h or "") for h in header)},
                    row=1,
                    field=required,
                    source=name,
                )
        code_to_uid: dict[str, int] = {}
        pending_links: list[tuple[int, int, str]] = []
        pending_resources: list[tuple[int, int, str]] = []
        stack: list[int] = []
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise FileFormatError(
                    f"more than {MAX_ROWS} rows",
                    code="too_many_rows",
                    params={"limit": MAX_ROWS},
                    row=number,
                    source=name,
                )

            def get(key: str, values: tuple[Any, ...] = values) -> Any:
                index = columns.get(key)
                value = values[index] if index is not None and index < len(values) else None
                return unquote(value) if isinstance(value, str) else value

            task_name = get("name")
            if task_name in (None, ""):
                continue
            kind_word = _fold(str(get("type") or ""))
            kind = next((k for k, names in words.items() if kind_word in names), "task")
            uid = number
            code = str(get("code") or "").strip() or f"R{number}"
            if code in code_to_uid:
                raise FileFormatError(
                    f"the code {code!r} is used twice",
                    code="duplicate_code",
                    params={"code": code},
                    row=number,
                    field="code",
                    source=name,
                )
            code_to_uid[code] = uid
            level_value = _cell_number(get("level"), number, "level", name, minimum=1)
            level = int(level_value) if level_value is not None else (1 if kind == "lot" else 2)
            del stack[level - 1 :]
            stack.append(uid)
            constraint = str(get("constraint") or "").strip().upper() or "ASAP"
            if constraint not in {"ASAP", "ALAP", "MSO", "MFO", "SNET", "SNLT", "FNET", "FNLT"}:
                raise FileFormatError(
                    f"unknown constraint {constraint!r}: use SNET, FNLT, MSO or leave empty",
                    code="unknown_constraint",
                    params={"value": constraint},
                    row=number,
                    field="constraint",
                    source=name,
                )
            duration = _cell_number(get("duration"), number, "duration", name) or 0.0
            task = TaskData(
                uid=uid,
                name=str(task_name).strip()[:300],
                outline_level=level,
                wbs=code,
                code=code if kind != "lot" else "",
                summary=kind == "lot",
                milestone=kind == "milestone"
                or (kind == "task" and duration == 0 and get("duration") not in (None, "")),
                contractual=_fold(str(get("contractual") or "")) in _YES
                or str(get("contractual") or "").strip() == "✔",
                start=_cell_date(get("start"), number, "start", name),
                finish=_cell_date(get("finish"), number, "finish", name),
                duration_days=duration,
                work_days=_cell_number(get("effort"), number, "effort", name) or 0.0,
                constraint=constraint,
                constraint_date=_cell_date(get("constraint_date"), number, "constraint_date", name),
                optimistic_days=_cell_number(get("optimistic"), number, "optimistic", name),
                pessimistic_days=_cell_number(get("pessimistic"), number, "pessimistic", name),
                percent_complete=_cell_number(get("progress"), number, "progress", name) or 0.0,
                baseline_start=_cell_date(get("baseline_start"), number, "baseline_start", name),
                baseline_finish=_cell_date(get("baseline_finish"), number, "baseline_finish", name),
                cost=_cell_number(get("cost"), number, "cost", name),
                budget_effort=_cell_number(get("sold_effort"), number, "sold_effort", name) if kind == "lot" else None,
                budget_amount=_cell_number(get("sold_amount"), number, "sold_amount", name) if kind == "lot" else None,
                line=number,
            )
            if task.constraint not in {"ASAP", "ALAP"} and task.constraint_date is None:
                raise FileFormatError(
                    f"the constraint {task.constraint} needs a date",
                    code="constraint_needs_date",
                    params={"constraint": task.constraint},
                    row=number,
                    field="constraint_date",
                    source=name,
                )
            plan.tasks.append(task)
            if get("predecessors"):
                pending_links.append((number, uid, str(get("predecessors"))))
            if get("resources"):
                pending_resources.append((number, uid, str(get("resources"))))
        for number, uid, text in pending_links:
            for item in text.replace(",", ";").split(";"):
                item = item.strip()
                if not item:
                    continue
                match = _PRED.match(item)
                if match is None:
                    raise FileFormatError(
                        f"cannot read predecessor {item!r}; write e.g. T-001 or T-002:SS+2",
                        code="bad_predecessor",
                        params={"value": item},
                        row=number,
                        field="predecessors",
                        source=name,
                    )
                code = match.group("code").strip()
                if code not in code_to_uid:
                    raise FileFormatError(
                        f"unknown predecessor {code!r}",
                        code="unknown_code",
                        params={"code": code},
                        row=number,
                        field="predecessors",
                        source=name,
                    )
                lag_text = (match.group("lag") or "0").replace(" ", "").replace(",", ".")
                plan.links.append(
                    LinkData(
                        pred_uid=code_to_uid[code],
                        succ_uid=uid,
                        type=(match.group("type") or "FS").upper(),
                        lag_days=float(lag_text),
                        lag_calendar=bool(match.group("cd")),
                        line=number,
                    )
                )
        if len(sheets) > 1:
            _read_resources(sheets[1], plan, resource_aliases or {}, words.get("profile", set()))
        by_name = {_fold(r.name): r.uid for r in plan.resources}
        for number, uid, text in pending_resources:
            for item in text.split(";"):
                item = item.strip()
                if not item:
                    continue
                resource, _sep, units_text = item.partition("=")
                key = _fold(resource)
                if key not in by_name:
                    next_uid = max((r.uid for r in plan.resources), default=0) + 1
                    plan.resources.append(ResourceData(uid=next_uid, name=resource.strip()[:200], line=number))
                    by_name[key] = next_uid
                units = _cell_number(units_text or "1", number, "resources", name) or 0.0
                plan.assignments.append(
                    AssignmentData(task_uid=uid, resource_uid=by_name[key], units=units, line=number)
                )
    finally:
        book.close()
    return plan


def _read_resources(
    sheet: Any, plan: PlanData, aliases: Mapping[str, Iterable[str]], profile_words: Iterable[str]
) -> None:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    columns = _header_map(header, RESOURCE_COLUMNS, aliases, sheet.title)
    if "name" not in columns:
        raise FileFormatError(
            "missing column 'name'",
            code="missing_columns",
            params={"columns": "name", "header": ", ".join(str(h or "") for h in header)},
            row=1,
            field="name",
            source=sheet.title,
        )
    for number, values in enumerate(rows, start=2):

        def get(key: str, values: tuple[Any, ...] = values) -> Any:
            index = columns.get(key)
            value = values[index] if index is not None and index < len(values) else None
            return unquote(value) if isinstance(value, str) else value

        name = get("name")
        if name in (None, ""):
            continue
        capacity = _cell_number(get("capacity"), number, "capacity", sheet.title)
        plan.resources.append(
            ResourceData(
                uid=len(plan.resources) + 1,
                name=str(name).strip()[:200],
                generic=_fold(str(get("kind") or "")) in _PROFILE_WORDS | set(profile_words),
                day_rate=_cell_number(get("day_rate"), number, "day_rate", sheet.title) or 0.0,
                max_units=1.0 if capacity is None else capacity,
                email=str(get("email") or "").strip(),
                line=number,
            )
        )
