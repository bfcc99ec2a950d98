"""MS Project XML (MSPDI) import and export.

Read with a hardened lxml parser: no entity resolution, no network, no DTD loading, no huge trees, and a
document that declares a DTD is refused outright (MSPDI never has one), so external entities and entity
expansion bombs cannot reach the application.

What is exchanged: project properties, calendars (working weekdays and non-working exceptions), the
outline (summary tasks = lots of the WBS), tasks and milestones with durations, work, constraints,
progress and actual dates, dependencies FS/SS/FF/SF with lags (working or elapsed days), resources
with their day rate and capacity, assignments with units and work, and baseline 0 (start, finish,
duration, work, cost). Two custom fields carry what MS Project has no field for: Text1 holds the
milestone kind (``contractuel``/``interne``) and Text2 the task code; Duration1 and Duration3 hold the
optimistic and pessimistic durations (MS Project's PERT convention).

Units in the file: durations and work are ``xsd:duration`` in hours (``PT16H0M0S``), converted with the
project's minutes per day; link lags are tenths of minutes; currencies are in cents; rates are per hour.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.plandata import (
    AssignmentData,
    CalendarData,
    LinkData,
    PlanData,
    ResourceData,
    TaskData,
)

__all__ = ["NAMESPACE", "read_mspdi", "write_mspdi"]

NAMESPACE = "http://schemas.microsoft.com/project"

# MSPDI codes.
_LINK_FROM_CODE = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
_LINK_TO_CODE = {v: k for k, v in _LINK_FROM_CODE.items()}
_CONSTRAINT_FROM_CODE = {
    "0": "ASAP",
    "1": "ALAP",
    "2": "MSO",
    "3": "MFO",
    "4": "SNET",
    "5": "SNLT",
    "6": "FNET",
    "7": "FNLT",
}
_CONSTRAINT_TO_CODE = {v: k for k, v in _CONSTRAINT_FROM_CODE.items()}
# LagFormat / DurationFormat: elapsed formats count calendar time.
_ELAPSED_FORMATS = {"4", "6", "8", "10", "12", "20", "36", "38", "40", "42", "44", "52"}
_TEXT1, _TEXT2 = "188743731", "188743734"
_DURATION1, _DURATION3 = "188743783", "188743785"
_NUMBER1, _NUMBER2 = "188743767", "188743768"
CONTRACTUAL, INTERNAL = "contractuel", "interne"

_DURATION_RE = re.compile(
    r"^-?P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
MAX_BYTES = 200 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class _Reader:
    def __init__(self, root: Any, source: str | None) -> None:
        self.root = root
        self.source = source
        tag = etree.QName(root)
        self.ns = f"{{{tag.namespace}}}" if tag.namespace else ""
        self.minutes_per_day = 480
        self._element: Any = None
        self._children: dict[Any, Any] = {}

    def tag(self, name: str) -> str:
        return self.ns + name

    def error(
        self, message: str, element: Any, field: str | None = None, code: str = "invalid", **params: Any
    ) -> FileFormatError:
        return FileFormatError(
            message,
            code=code,
            params=params,
            line=getattr(element, "sourceline", None),
            field=field,
            source=self.source,
        )

    def child(self, element: Any, name: str) -> Any:
        """The first child called ``name`` (as ``find``), from a map of the element's children: a task
        has some forty fields, and ``find`` scans them all for each one."""
        if element is not self._element:
            children: dict[Any, Any] = {}
            for child in element:
                children.setdefault(child.tag, child)
            self._element, self._children = element, children
        return self._children.get(self.ns + name)

    def text(self, element: Any, name: str) -> str | None:
        child = self.child(element, name)
        if child is None or child.text is None:
            return None
        value = str(child.text).strip()
        return value or None

    def integer(self, element: Any, name: str, default: int | None = None) -> int | None:
        value = self.text(element, name)
        if value is None:
            return default
        try:
            return int(float(value))
        except ValueError:
            raise self.error(
                f"{name} is not a number: {value!r}", element.find(self.tag(name)), name, "not_number", value=value
            ) from None

    def number(self, element: Any, name: str, default: float | None = None) -> float | None:
        value = self.text(element, name)
        if value is None:
            return default
        try:
            result = float(value)
        except ValueError:
            raise self.error(
                f"{name} is not a number: {value!r}", element.find(self.tag(name)), name, "not_number", value=value
            ) from None
        if not math.isfinite(result):
            raise self.error(
                f"{name} is not a finite number: {value!r}",
                element.find(self.tag(name)),
                name,
                "not_finite",
                value=value,
            )
        return result

    def boolean(self, element: Any, name: str) -> bool:
        value = self.text(element, name)
        return value is not None and value.lower() in {"1", "true"}

    def date(self, element: Any, name: str) -> dt.date | None:
        value = self.text(element, name)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise self.error(
                f"{name} is not a date: {value!r}", element.find(self.tag(name)), name, "not_date", value=value
            ) from None

    def hours(self, element: Any, name: str) -> float | None:
        """An xsd:duration in hours (MS Project writes PT#H#M#S)."""
        value = self.text(element, name)
        if value is None:
            return None
        match = _DURATION_RE.match(value)
        if match is None:
            raise self.error(
                f"{name} is not a duration: {value!r}", element.find(self.tag(name)), name, "not_duration", value=value
            )
        parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
        # Days written as P#D count working days of the project, like MS Project's own files.
        day_hours = self.minutes_per_day / 60
        hours = (parts["y"] * 12 * 20 + parts["mo"] * 20 + parts["d"]) * day_hours
        hours += parts["h"] + parts["mi"] / 60 + parts["s"] / 3600
        return -hours if value.startswith("-") else hours

    def days(self, element: Any, name: str) -> float | None:
        hours = self.hours(element, name)
        return None if hours is None else hours / (self.minutes_per_day / 60)


def _parse_root(data: bytes, source: str | None) -> Any:
    if len(data) > MAX_BYTES:
        raise FileFormatError(
            f"the file is larger than {MAX_BYTES // 2**20} MB",
            code="too_large",
            params={"limit_mib": MAX_BYTES // 2**20},
            source=source,
        )
    head = data[:4096].lstrip()
    if not head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError("this is not an XML file", code="not_xml", line=1, source=source)
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise FileFormatError(
            f"malformed XML: {exc.msg}", code="xml_syntax", params={"detail": exc.msg}, line=line, source=source
        ) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        # MSPDI never declares a DTD; one here can only carry entities (XXE, expansion bombs).
        raise FileFormatError(
            "documents with a DTD (<!DOCTYPE …>) are refused", code="xml_entities", line=1, source=source
        )
    root = tree.getroot()
    if etree.QName(root).localname != "Project":
        raise FileFormatError(
            f"the root element is <{etree.QName(root).localname}>, not the <Project> of MS Project XML",
            code="not_mspdi",
            params={"root": etree.QName(root).localname},
            line=root.sourceline,
            source=source,
        )
    return root


def read_mspdi(data: bytes, *, source: str | None = None) -> PlanData:
    """Read an MS Project XML file.

    Raises
    ------
    FileFormatError
        Not XML, a DTD, not MSPDI, or a bad value; the message names the line and element.

    Examples
    --------
    >>> xml = (b'<Project xmlns="http://schemas.microsoft.com/project"><Name>P</Name><Tasks>'
    ...        b'<Task><UID>1</UID><Name>A</Name><Duration>PT16H0M0S</Duration></Task></Tasks></Project>')
    >>> read_mspdi(xml).tasks[0].duration_days
    2.0
    """
    root = _parse_root(data, source)
    r = _Reader(root, source)
    r.minutes_per_day = r.integer(root, "MinutesPerDay", 480) or 480
    plan = PlanData(
        name=r.text(root, "Title") or r.text(root, "Name") or "",
        start=r.date(root, "StartDate"),
        finish=r.date(root, "FinishDate"),
        status_date=r.date(root, "StatusDate"),
        calendar_uid=r.integer(root, "CalendarUID"),
        minutes_per_day=r.minutes_per_day,
    )
    calendars = root.find(r.tag("Calendars"))
    if calendars is not None:
        plan.calendars = [_read_calendar(r, c) for c in calendars.iterfind(r.tag("Calendar"))]
    tasks = root.find(r.tag("Tasks"))
    seen: set[int] = set()
    if tasks is not None:
        for element in tasks.iterfind(r.tag("Task")):
            task, links = _read_task(r, element)
            if task is None:
                continue
            if task.uid in seen:
                raise r.error(f"two tasks have UID {task.uid}", element, "UID", "duplicate_uid", uid=task.uid)
            seen.add(task.uid)
            plan.tasks.append(task)
            plan.links.extend(links)
    for link in plan.links:
        if link.pred_uid not in seen:
            raise FileFormatError(
                f"task {link.succ_uid} follows task {link.pred_uid}, which is not in the file",
                code="unknown_predecessor",
                params={"task": link.succ_uid, "predecessor": link.pred_uid},
                line=link.line,
                field="PredecessorUID",
                source=source,
            )
    resources = root.find(r.tag("Resources"))
    resource_uids: set[int] = set()
    if resources is not None:
        for element in resources.iterfind(r.tag("Resource")):
            resource = _read_resource(r, element)
            if resource is not None:
                resource_uids.add(resource.uid)
                plan.resources.append(resource)
    assignments = root.find(r.tag("Assignments"))
    if assignments is not None:
        for element in assignments.iterfind(r.tag("Assignment")):
            task_uid = r.integer(element, "TaskUID")
            resource_uid = r.integer(element, "ResourceUID")
            if task_uid is None or resource_uid is None:
                raise r.error(
                    "an assignment needs a TaskUID and a ResourceUID", element, "TaskUID", "assignment_incomplete"
                )
            if resource_uid not in resource_uids:
                # MS Project writes an "unassigned" pseudo-resource (UID -65535); it is not a person.
                continue
            if task_uid not in seen:
                raise r.error(
                    f"assignment to unknown task {task_uid}",
                    element,
                    "TaskUID",
                    "assignment_unknown_task",
                    task=task_uid,
                )
            units = r.number(element, "Units", 1.0)
            assert units is not None
            plan.assignments.append(
                AssignmentData(
                    task_uid=task_uid,
                    resource_uid=resource_uid,
                    units=units,
                    work_days=r.days(element, "Work") or 0.0,
                    line=element.sourceline,
                )
            )
    return plan


def _read_calendar(r: _Reader, element: Any) -> CalendarData:
    uid = r.integer(element, "UID")
    if uid is None:
        raise r.error("a calendar has no UID", element, "UID", "no_uid")
    calendar = CalendarData(
        uid=uid, name=r.text(element, "Name") or f"Calendar {uid}", base_uid=r.integer(element, "BaseCalendarUID")
    )
    working: set[int] = set(range(5)) if calendar.base_uid not in (None, -1) else set()
    weekdays = element.find(r.tag("WeekDays"))
    declared = False
    if weekdays is not None:
        for day in weekdays.iterfind(r.tag("WeekDay")):
            day_type = r.integer(day, "DayType")
            if day_type is None:
                raise r.error("a WeekDay has no DayType", day, "DayType", "missing_value")
            if day_type == 0:
                period = day.find(r.tag("TimePeriod"))
                if period is not None and not r.boolean(day, "DayWorking"):
                    start, end = r.date(period, "FromDate"), r.date(period, "ToDate")
                    if start is not None and end is not None:
                        calendar.exceptions.append((start, end, ""))
                continue
            if not 1 <= day_type <= 7:
                raise r.error(f"DayType {day_type} is not 0 to 7", day, "DayType", "unknown_value", value=day_type)
            declared = True
            weekday = (day_type + 5) % 7  # MSPDI: 1 = Sunday … 7 = Saturday; ours: 0 = Monday
            if r.boolean(day, "DayWorking"):
                working.add(weekday)
            else:
                working.discard(weekday)
    exceptions = element.find(r.tag("Exceptions"))
    if exceptions is not None:
        for exception in exceptions.iterfind(r.tag("Exception")):
            if r.boolean(exception, "DayWorking"):
                continue
            period = exception.find(r.tag("TimePeriod"))
            if period is None:
                continue
            start, end = r.date(period, "FromDate"), r.date(period, "ToDate")
            if start is not None and end is not None:
                calendar.exceptions.append((start, end, r.text(exception, "Name") or ""))
    if declared or working:
        calendar.working_days = tuple(sorted(working))
    return calendar


def _read_task(r: _Reader, element: Any) -> tuple[TaskData | None, list[LinkData]]:
    uid = r.integer(element, "UID")
    if uid is None:
        raise r.error("a task has no UID", element, "UID", "no_uid")
    if r.boolean(element, "IsNull"):
        return None, []
    level = r.integer(element, "OutlineLevel", 1)
    assert level is not None
    if uid == 0 and level == 0:
        return None, []  # the project summary task
    name = r.text(element, "Name")
    if name is None:
        raise r.error(f"task {uid} has no name", element, "Name", "task_no_name", task=uid)
    duration = r.days(element, "Duration") or 0.0
    if duration < 0:
        raise r.error(
            f"task {uid} has a negative duration", r.child(element, "Duration"), "Duration", "negative", value=duration
        )
    constraint_code = r.text(element, "ConstraintType") or "0"
    if constraint_code not in _CONSTRAINT_FROM_CODE:
        raise r.error(
            f"unknown ConstraintType {constraint_code!r}",
            element,
            "ConstraintType",
            "unknown_value",
            value=constraint_code,
        )
    extended: dict[str, tuple[str, Any]] = {}
    for attribute in element.iterfind(r.tag("ExtendedAttribute")):
        field_id = r.text(attribute, "FieldID")
        if field_id:
            extended[field_id] = (r.text(attribute, "Value") or "", attribute)
    task = TaskData(
        uid=uid,
        name=name[:300],
        outline_level=level,
        wbs=r.text(element, "WBS") or r.text(element, "OutlineNumber") or "",
        summary=r.boolean(element, "Summary"),
        milestone=r.boolean(element, "Milestone"),
        start=r.date(element, "Start"),
        finish=r.date(element, "Finish"),
        duration_days=duration,
        work_days=r.days(element, "Work") or 0.0,
        constraint=_CONSTRAINT_FROM_CODE[constraint_code],
        constraint_date=r.date(element, "ConstraintDate"),
        percent_complete=r.number(element, "PercentComplete", 0.0) or 0.0,
        actual_start=r.date(element, "ActualStart"),
        actual_finish=r.date(element, "ActualFinish"),
        notes=r.text(element, "Notes") or "",
        early_start=r.date(element, "EarlyStart"),
        early_finish=r.date(element, "EarlyFinish"),
        late_start=r.date(element, "LateStart"),
        late_finish=r.date(element, "LateFinish"),
        critical=r.boolean(element, "Critical"),
        calendar_uid=r.integer(element, "CalendarUID"),
        cost=_cents(r.number(element, "Cost")),
        line=element.sourceline,
    )
    slack = r.number(element, "TotalSlack")
    if slack is not None:
        task.total_float_days = slack / 10 / r.minutes_per_day  # tenths of minutes
    if _TEXT1 in extended:
        task.contractual = extended[_TEXT1][0].strip().lower() in {CONTRACTUAL, "contractual"}
    if _TEXT2 in extended:
        task.code = extended[_TEXT2][0].strip()[:40]
    for field_id, target in ((_NUMBER1, "budget_effort"), (_NUMBER2, "budget_amount")):
        if field_id in extended:
            value, attribute = extended[field_id]
            try:
                setattr(task, target, float(value.replace(",", ".")))
            except ValueError:
                raise r.error(
                    f"{target} is not a number: {value!r}", attribute, "ExtendedAttribute", "not_number", value=value
                ) from None
    for field_id, target in ((_DURATION1, "optimistic_days"), (_DURATION3, "pessimistic_days")):
        if field_id in extended:
            value, attribute = extended[field_id]
            hours = _hours_of(value)
            if hours is None:
                raise r.error(
                    f"{target} is not a duration: {value!r}",
                    attribute,
                    "ExtendedAttribute",
                    "not_duration",
                    value=value,
                )
            setattr(task, target, hours / (r.minutes_per_day / 60))
    for baseline in element.iterfind(r.tag("Baseline")):
        if (r.integer(baseline, "Number", 0) or 0) != 0:
            continue
        task.baseline_start = r.date(baseline, "Start")
        task.baseline_finish = r.date(baseline, "Finish")
        task.baseline_duration_days = r.days(baseline, "Duration")
        task.baseline_work_days = r.days(baseline, "Work")
        task.baseline_cost = _cents(r.number(baseline, "Cost"))
    links: list[LinkData] = []
    for link in element.iterfind(r.tag("PredecessorLink")):
        pred = r.integer(link, "PredecessorUID")
        if pred is None:
            raise r.error("a PredecessorLink has no PredecessorUID", link, "PredecessorUID", "missing_value")
        if r.boolean(link, "CrossProject"):
            continue
        code = r.text(link, "Type") or "1"
        if code not in _LINK_FROM_CODE:
            raise r.error(
                f"unknown link Type {code!r} (0=FF, 1=FS, 2=SF, 3=SS)", link, "Type", "unknown_value", value=code
            )
        lag = r.number(link, "LinkLag", 0.0) or 0.0
        lag_format = r.text(link, "LagFormat") or "7"
        elapsed = lag_format in _ELAPSED_FORMATS
        # LinkLag counts tenths of minutes: of working time, or of elapsed time for elapsed formats.
        lag_days = lag / 10 / (24 * 60 if elapsed else r.minutes_per_day)
        links.append(
            LinkData(
                pred_uid=pred,
                succ_uid=uid,
                type=_LINK_FROM_CODE[code],
                lag_days=lag_days,
                lag_calendar=elapsed,
                line=link.sourceline,
            )
        )
    return task, links


def _hours_of(value: str) -> float | None:
    match = _DURATION_RE.match(value.strip())
    if match is None:
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    return parts["d"] * 8 + parts["h"] + parts["mi"] / 60 + parts["s"] / 3600


def _cents(value: float | None) -> float | None:
    return None if value is None else value / 100


def _read_resource(r: _Reader, element: Any) -> ResourceData | None:
    uid = r.integer(element, "UID")
    if uid is None:
        raise r.error("a resource has no UID", element, "UID", "no_uid")
    name = r.text(element, "Name")
    if uid == 0 or r.boolean(element, "IsNull") or name is None:
        return None
    kind = r.integer(element, "Type", 1)
    if kind not in (None, 1):
        return None  # material and cost resources carry no person-days
    rate = r.number(element, "StandardRate", 0.0) or 0.0
    if rate < 0:
        raise r.error("StandardRate is negative", element, "StandardRate", "negative", value=rate)
    units = r.number(element, "MaxUnits", 1.0)
    assert units is not None
    if units < 0:
        raise r.error("MaxUnits is negative", element, "MaxUnits", "negative", value=units)
    return ResourceData(
        uid=uid,
        name=name[:200],
        initials=r.text(element, "Initials") or "",
        group=r.text(element, "Group") or "",
        email=r.text(element, "EmailAddress") or "",
        max_units=units,
        day_rate=round(rate * r.minutes_per_day / 60, 2),  # MSPDI rates are per hour
        calendar_uid=r.integer(element, "CalendarUID"),
        generic=r.boolean(element, "IsGeneric"),
        line=element.sourceline,
    )


# --- Writing ---------------------------------------------------------------------------------------


def _hours(days: float, minutes_per_day: int) -> str:
    minutes = round(days * minutes_per_day)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}PT{minutes // 60}H{minutes % 60}M0S"


def _dt(day: dt.date | None, finish: bool = False) -> str | None:
    if day is None:
        return None
    return f"{day.isoformat()}T{'17:00:00' if finish else '08:00:00'}"


class _Writer:
    def __init__(self, minutes_per_day: int) -> None:
        self.mpd = minutes_per_day

    @staticmethod
    def sub(parent: Any, name: str, value: object) -> Any:
        if value is None:
            return None
        child = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
        if isinstance(value, bool):
            child.text = "1" if value else "0"
        elif isinstance(value, float):
            child.text = f"{value:.2f}".rstrip("0").rstrip(".") or "0"
        else:
            child.text = str(value)
        return child


def _ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if out and (day - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def write_mspdi(plan: PlanData) -> bytes:
    """Write ``plan`` as MS Project XML (elements in the schema's order, so MS Project opens it).

    Examples
    --------
    >>> plan = PlanData(name="P", tasks=[TaskData(uid=1, name="A", duration_days=2)])
    >>> read_mspdi(write_mspdi(plan)).tasks[0].name
    'A'
    """
    w = _Writer(plan.minutes_per_day)
    sub = w.sub
    mpd = plan.minutes_per_day
    root = etree.Element(f"{{{NAMESPACE}}}Project", nsmap={None: NAMESPACE})
    sub(root, "SaveVersion", 14)
    sub(root, "Name", plan.name or "Plan")
    sub(root, "Title", plan.name or "Plan")
    sub(root, "ScheduleFromStart", True)
    sub(root, "StartDate", _dt(plan.start))
    sub(root, "FinishDate", _dt(plan.finish, finish=True))
    sub(root, "CurrencySymbol", "€")
    sub(root, "CurrencyCode", "EUR")
    sub(root, "CurrencySymbolPosition", 3)
    sub(root, "CalendarUID", plan.calendar_uid)
    sub(root, "DefaultStartTime", "08:00:00")
    sub(root, "DefaultFinishTime", "17:00:00")
    sub(root, "MinutesPerDay", mpd)
    sub(root, "MinutesPerWeek", mpd * 5)
    sub(root, "DaysPerMonth", 20)
    sub(root, "StatusDate", _dt(plan.status_date, finish=True))
    attributes = sub(root, "ExtendedAttributes", "")
    for field_id, field_name, alias in (
        (_TEXT1, "Text1", "Type de jalon"),
        (_TEXT2, "Text2", "Code Œuvre"),
        (_DURATION1, "Duration1", "Durée optimiste"),
        (_DURATION3, "Duration3", "Durée pessimiste"),
        (_NUMBER1, "Number1", "Charge vendue (j.h)"),
        (_NUMBER2, "Number2", "Montant vendu (€)"),
    ):
        definition = sub(attributes, "ExtendedAttribute", "")
        sub(definition, "FieldID", field_id)
        sub(definition, "FieldName", field_name)
        sub(definition, "Alias", alias)
    calendars = sub(root, "Calendars", "")
    for calendar in plan.calendars:
        _write_calendar(w, calendars, calendar)
    tasks = sub(root, "Tasks", "")
    preds: dict[int, list[LinkData]] = {}
    for link in plan.links:
        preds.setdefault(link.succ_uid, []).append(link)
    for position, task in enumerate(plan.tasks, start=1):
        _write_task(w, tasks, task, position, preds.get(task.uid, []))
    resources = sub(root, "Resources", "")
    for position, resource in enumerate(plan.resources, start=1):
        element = sub(resources, "Resource", "")
        sub(element, "UID", resource.uid)
        sub(element, "ID", position)
        sub(element, "Name", resource.name)
        sub(element, "Type", 1)
        sub(element, "IsNull", False)
        sub(element, "Initials", resource.initials or None)
        sub(element, "Group", resource.group or None)
        sub(element, "EmailAddress", resource.email or None)
        sub(element, "MaxUnits", float(resource.max_units))
        sub(element, "StandardRate", round(resource.day_rate / (mpd / 60), 4))
        sub(element, "StandardRateFormat", 3)  # shown per day
        sub(element, "CalendarUID", resource.calendar_uid)
        sub(element, "IsGeneric", resource.generic)
    assignments = sub(root, "Assignments", "")
    for position, assignment in enumerate(plan.assignments, start=1):
        element = sub(assignments, "Assignment", "")
        sub(element, "UID", position)
        sub(element, "TaskUID", assignment.task_uid)
        sub(element, "ResourceUID", assignment.resource_uid)
        sub(element, "Units", float(assignment.units))
        sub(element, "Work", _hours(assignment.work_days, mpd))
    for element in root.iter():
        if element.text == "":
            element.text = None
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True))


def _write_calendar(w: _Writer, parent: Any, calendar: CalendarData) -> None:
    sub = w.sub
    element = sub(parent, "Calendar", "")
    sub(element, "UID", calendar.uid)
    sub(element, "Name", calendar.name)
    sub(element, "IsBaseCalendar", calendar.base_uid is None)
    sub(element, "BaseCalendarUID", calendar.base_uid if calendar.base_uid is not None else -1)
    weekdays = sub(element, "WeekDays", "")
    for day_type in range(1, 8):
        weekday = (day_type + 5) % 7
        day = sub(weekdays, "WeekDay", "")
        sub(day, "DayType", day_type)
        working = weekday in calendar.working_days
        sub(day, "DayWorking", working)
        if working:
            times = sub(day, "WorkingTimes", "")
            for from_time, to_time in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                slot = sub(times, "WorkingTime", "")
                sub(slot, "FromTime", from_time)
                sub(slot, "ToTime", to_time)
    # Exceptions as DayType 0 entries: every MS Project version reads them.
    days: list[dt.date] = []
    for start, end, _label in calendar.exceptions:
        days.extend(start + dt.timedelta(days=k) for k in range((end - start).days + 1))
    for start, end in _ranges(days):
        day = sub(weekdays, "WeekDay", "")
        sub(day, "DayType", 0)
        sub(day, "DayWorking", False)
        period = sub(day, "TimePeriod", "")
        sub(period, "FromDate", f"{start.isoformat()}T00:00:00")
        sub(period, "ToDate", f"{end.isoformat()}T23:59:00")


def _write_task(w: _Writer, parent: Any, task: TaskData, position: int, links: list[LinkData]) -> None:
    sub = w.sub
    mpd = w.mpd
    element = sub(parent, "Task", "")
    sub(element, "UID", task.uid)
    sub(element, "ID", position)
    sub(element, "Name", task.name)
    sub(element, "Type", 0 if task.summary else 1)
    sub(element, "IsNull", False)
    sub(element, "WBS", task.wbs or None)
    sub(element, "OutlineNumber", task.wbs or None)
    sub(element, "OutlineLevel", task.outline_level)
    sub(element, "Start", _dt(task.start))
    sub(element, "Finish", _dt(task.finish, finish=True))
    sub(element, "Duration", _hours(task.duration_days, mpd))
    sub(element, "DurationFormat", 7)
    sub(element, "Work", _hours(task.work_days, mpd))
    sub(element, "Milestone", task.milestone)
    sub(element, "Summary", task.summary)
    sub(element, "Critical", task.critical)
    sub(element, "EarlyStart", _dt(task.early_start))
    sub(element, "EarlyFinish", _dt(task.early_finish, finish=True))
    sub(element, "LateStart", _dt(task.late_start))
    sub(element, "LateFinish", _dt(task.late_finish, finish=True))
    if task.total_float_days is not None:
        sub(element, "TotalSlack", round(task.total_float_days * mpd * 10))
    sub(element, "PercentComplete", round(task.percent_complete))
    if task.cost is not None:
        sub(element, "Cost", round(task.cost * 100))
    sub(element, "ActualStart", _dt(task.actual_start))
    sub(element, "ActualFinish", _dt(task.actual_finish, finish=True))
    sub(element, "ConstraintType", _CONSTRAINT_TO_CODE.get(task.constraint, "0"))
    sub(element, "CalendarUID", task.calendar_uid)
    sub(element, "ConstraintDate", _dt(task.constraint_date, finish=task.constraint in {"FNLT", "FNET", "MFO"}))
    sub(element, "Notes", task.notes or None)
    for link in links:
        predecessor = sub(element, "PredecessorLink", "")
        sub(predecessor, "PredecessorUID", link.pred_uid)
        sub(predecessor, "Type", _LINK_TO_CODE[link.type])
        sub(predecessor, "CrossProject", False)
        minutes = 24 * 60 if link.lag_calendar else mpd
        sub(predecessor, "LinkLag", round(link.lag_days * minutes * 10))
        sub(predecessor, "LagFormat", 8 if link.lag_calendar else 7)
    if task.milestone:
        _extended(w, element, _TEXT1, CONTRACTUAL if task.contractual else INTERNAL)
    if task.code:
        _extended(w, element, _TEXT2, task.code)
    if task.budget_effort is not None:
        _extended(w, element, _NUMBER1, f"{task.budget_effort:g}")
    if task.budget_amount is not None:
        _extended(w, element, _NUMBER2, f"{task.budget_amount:g}")
    if task.optimistic_days is not None:
        _extended(w, element, _DURATION1, _hours(task.optimistic_days, mpd))
    if task.pessimistic_days is not None:
        _extended(w, element, _DURATION3, _hours(task.pessimistic_days, mpd))
    if task.baseline_start is not None or task.baseline_finish is not None:
        baseline = sub(element, "Baseline", "")
        sub(baseline, "Number", 0)
        sub(baseline, "Start", _dt(task.baseline_start))
        sub(baseline, "Finish", _dt(task.baseline_finish, finish=True))
        if task.baseline_duration_days is not None:
            sub(baseline, "Duration", _hours(task.baseline_duration_days, mpd))
            sub(baseline, "DurationFormat", 7)
        if task.baseline_work_days is not None:
            sub(baseline, "Work", _hours(task.baseline_work_days, mpd))
        if task.baseline_cost is not None:
            sub(baseline, "Cost", round(task.baseline_cost * 100))


def _extended(w: _Writer, parent: Any, field_id: str, value: str) -> None:
    attribute = w.sub(parent, "ExtendedAttribute", "")
    w.sub(attribute, "FieldID", field_id)
    w.sub(attribute, "Value", value)
