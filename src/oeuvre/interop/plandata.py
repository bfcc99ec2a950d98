"""A project plan as plain data: what MSPDI, ``.mpp`` and the plan workbook are read into and written from.

Units follow the French practice of the MOE: durations and lags in working days, effort in jours-homme
(person-days), rates as a TJM (euros per day). Identifiers are the file's own integer UIDs; the Django
side maps them to its rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "CONSTRAINT_TYPES",
    "LINK_TYPES",
    "AssignmentData",
    "CalendarData",
    "LinkData",
    "PlanData",
    "ResourceData",
    "TaskData",
]

LINK_TYPES = ("FS", "SS", "FF", "SF")
# As soon as possible, as late as possible, must start/finish on, start/finish no earlier/later than.
CONSTRAINT_TYPES = ("ASAP", "ALAP", "MSO", "MFO", "SNET", "SNLT", "FNET", "FNLT")


@dataclass
class CalendarData:
    """A working calendar: working weekdays (0 = Monday) and non-working periods (inclusive)."""

    uid: int
    name: str
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    exceptions: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)
    base_uid: int | None = None


@dataclass
class TaskData:
    """A task, a milestone or a summary task (summary tasks become lots of the WBS)."""

    uid: int
    name: str
    outline_level: int = 1
    wbs: str = ""
    code: str = ""
    summary: bool = False
    milestone: bool = False
    contractual: bool = False
    start: dt.date | None = None
    finish: dt.date | None = None
    duration_days: float = 0.0
    work_days: float = 0.0
    constraint: str = "ASAP"
    constraint_date: dt.date | None = None
    percent_complete: float = 0.0
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    notes: str = ""
    optimistic_days: float | None = None
    pessimistic_days: float | None = None
    baseline_start: dt.date | None = None
    baseline_finish: dt.date | None = None
    baseline_duration_days: float | None = None
    baseline_work_days: float | None = None
    baseline_cost: float | None = None
    cost: float | None = None
    budget_effort: float | None = None  # sold effort of a summary task (a lot), person-days
    budget_amount: float | None = None  # sold amount of a summary task (a lot), euros
    early_start: dt.date | None = None
    early_finish: dt.date | None = None
    late_start: dt.date | None = None
    late_finish: dt.date | None = None
    total_float_days: float | None = None
    critical: bool = False
    calendar_uid: int | None = None
    line: int | None = None


@dataclass
class LinkData:
    """A dependency ``pred -> succ``: type FS/SS/FF/SF, lag in working days (or calendar days)."""

    pred_uid: int
    succ_uid: int
    type: str = "FS"
    lag_days: float = 0.0
    lag_calendar: bool = False
    line: int | None = None


@dataclass
class ResourceData:
    """A person or a profile with a day rate (TJM) and a capacity in full-time units."""

    uid: int
    name: str
    initials: str = ""
    group: str = ""
    email: str = ""
    max_units: float = 1.0
    day_rate: float = 0.0
    calendar_uid: int | None = None
    generic: bool = False
    line: int | None = None


@dataclass
class AssignmentData:
    """A resource on a task: units (1.0 = full time) and planned effort in person-days."""

    task_uid: int
    resource_uid: int
    units: float = 1.0
    work_days: float = 0.0
    line: int | None = None


@dataclass
class PlanData:
    """A whole plan as exchanged with other tools."""

    name: str = ""
    start: dt.date | None = None
    finish: dt.date | None = None
    status_date: dt.date | None = None
    calendar_uid: int | None = None
    minutes_per_day: int = 480
    calendars: list[CalendarData] = field(default_factory=list)
    tasks: list[TaskData] = field(default_factory=list)
    links: list[LinkData] = field(default_factory=list)
    resources: list[ResourceData] = field(default_factory=list)
    assignments: list[AssignmentData] = field(default_factory=list)

    def calendar(self, uid: int | None) -> CalendarData | None:
        """The calendar with ``uid`` (or the project calendar when ``uid`` is None)."""
        wanted = self.calendar_uid if uid is None else uid
        return next((c for c in self.calendars if c.uid == wanted), None)
