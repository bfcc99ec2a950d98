"""Œuvre's scheduling and QCD engine: calendars, CPM, resource levelling, Monte Carlo risk, earned value.

Plain data in and out (dataclasses and numpy arrays); nothing here imports Django, so the engine
can be used from a notebook, the command line (:mod:`oeuvre.engine.cli`) or the planning app.

Examples
--------
>>> from oeuvre.engine import Activity, Link, Network, schedule
>>> schedule(Network([Activity("A", 3), Activity("B", 2)], [Link("A", "B")])).finish
5
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from oeuvre.engine.portfolio import PortfolioProject, PortfolioResult, level_portfolio
    from oeuvre.engine.risk import RiskEvent, RiskResult, monte_carlo
    from oeuvre.engine.timemodel import ResourceCalendar, TimeModel, pool_capacity
    from oeuvre.engine.validation import check_schedule, explain_constraint

# Names are loaded on first use (PEP 562): ``oeuvre engine schedule`` needs the network and the
# readers, not the compiled levelling kernels (numba) nor the holiday tables.
_LAZY = {
    "PortfolioProject": "oeuvre.engine.portfolio",
    "PortfolioResult": "oeuvre.engine.portfolio",
    "level_portfolio": "oeuvre.engine.portfolio",
    "ResourceCalendar": "oeuvre.engine.timemodel",
    "TimeModel": "oeuvre.engine.timemodel",
    "pool_capacity": "oeuvre.engine.timemodel",
    "check_schedule": "oeuvre.engine.validation",
    "explain_constraint": "oeuvre.engine.validation",
    "Activity": "oeuvre.engine.network",
    "CompiledNetwork": "oeuvre.engine.network",
    "Constraint": "oeuvre.engine.network",
    "ConstraintType": "oeuvre.engine.network",
    "CycleError": "oeuvre.engine.errors",
    "EarnedValue": "oeuvre.engine.evm",
    "EarnedValueSeries": "oeuvre.engine.evm",
    "EngineError": "oeuvre.engine.errors",
    "InfeasibleError": "oeuvre.engine.errors",
    "InputError": "oeuvre.engine.errors",
    "Landing": "oeuvre.engine.evm",
    "LevellingProblem": "oeuvre.engine.levelling",
    "LevellingResult": "oeuvre.engine.levelling",
    "Link": "oeuvre.engine.network",
    "LinkType": "oeuvre.engine.network",
    "Network": "oeuvre.engine.network",
    "ProjectData": "oeuvre.engine.io",
    "RiskEvent": "oeuvre.engine.risk",
    "RiskResult": "oeuvre.engine.risk",
    "ScheduleResult": "oeuvre.engine.network",
    "ScheduleWarning": "oeuvre.engine.network",
    "ValidationReport": "oeuvre.engine.levelling",
    "WorkCalendar": "oeuvre.engine.calendar",
    "capacity_profile": "oeuvre.engine.levelling",
    "earned_schedule": "oeuvre.engine.evm",
    "earned_value": "oeuvre.engine.evm",
    "earned_value_series": "oeuvre.engine.evm",
    "french_holidays": "oeuvre.engine.calendar",
    "landing": "oeuvre.engine.evm",
    "level": "oeuvre.engine.levelling",
    "level_heuristic": "oeuvre.engine.levelling",
    "lower_bound": "oeuvre.engine.levelling",
    "monte_carlo": "oeuvre.engine.risk",
    "planned_value_curve": "oeuvre.engine.evm",
    "read_csv": "oeuvre.engine.io",
    "read_json": "oeuvre.engine.io",
    "read_project": "oeuvre.engine.io",
    "read_psplib": "oeuvre.engine.io",
    "schedule": "oeuvre.engine.network",
    "sgs": "oeuvre.engine.levelling",
    "validate": "oeuvre.engine.levelling",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'oeuvre.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "PortfolioProject",
    "PortfolioResult",
    "ProjectData",
    "ResourceCalendar",
    "RiskEvent",
    "RiskResult",
    "ScheduleResult",
    "ScheduleWarning",
    "TimeModel",
    "ValidationReport",
    "WorkCalendar",
    "capacity_profile",
    "check_schedule",
    "earned_schedule",
    "earned_value",
    "earned_value_series",
    "explain_constraint",
    "french_holidays",
    "landing",
    "level",
    "level_heuristic",
    "level_portfolio",
    "lower_bound",
    "monte_carlo",
    "planned_value_curve",
    "pool_capacity",
    "read_csv",
    "read_json",
    "read_project",
    "read_psplib",
    "schedule",
    "sgs",
    "validate",
]
