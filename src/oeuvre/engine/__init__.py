"""Œuvre's scheduling and QCD engine: calendars, CPM, resource levelling, Monte Carlo risk, earned value.

Plain data in and out (dataclasses and numpy arrays); nothing here imports Django, so the engine
can be used from a notebook, the command line (:mod:`oeuvre.engine.cli`) or the planning app.

Examples
--------
>>> from oeuvre.engine import Activity, Link, Network, schedule
>>> schedule(Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])).finish
5
"""

from oeuvre.engine.calendar import WorkCalendar, french_holidays
from oeuvre.engine.errors import CycleError, EngineError, InfeasibleError, InputError
from oeuvre.engine.evm import (
    EarnedValue,
    EarnedValueSeries,
    Landing,
    earned_schedule,
    earned_value,
    earned_value_series,
    landing,
    planned_value_curve,
)
from oeuvre.engine.io import ProjectData, read_csv, read_json, read_project, read_psplib
from oeuvre.engine.levelling import (
    LevellingProblem,
    LevellingResult,
    ValidationReport,
    capacity_profile,
    level,
    level_heuristic,
    lower_bound,
    sgs,
    validate,
)
from oeuvre.engine.network import (
    Activity,
    CompiledNetwork,
    Constraint,
    ConstraintType,
    Link,
    LinkType,
    Network,
    ScheduleResult,
    ScheduleWarning,
    schedule,
)
from oeuvre.engine.risk import RiskEvent, RiskResult, monte_carlo

__all__ = [
    "Activity",
    "CompiledNetwork",
    "Constraint",
    "ConstraintType",
    "CycleError",
    "EarnedValue",
    "EarnedValueSeries",
    "EngineError",
    "InfeasibleError",
    "InputError",
    "Landing",
    "LevellingProblem",
    "LevellingResult",
    "Link",
    "LinkType",
    "Network",
    "ProjectData",
    "RiskEvent",
    "RiskResult",
    "ScheduleResult",
    "ScheduleWarning",
    "ValidationReport",
    "WorkCalendar",
    "capacity_profile",
    "earned_schedule",
    "earned_value",
    "earned_value_series",
    "french_holidays",
    "landing",
    "level",
    "level_heuristic",
    "lower_bound",
    "monte_carlo",
    "planned_value_curve",
    "read_csv",
    "read_json",
    "read_project",
    "read_psplib",
    "schedule",
    "sgs",
    "validate",
]
