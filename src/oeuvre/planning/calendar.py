"""The project's calendar: the milestones and the dated events other stages register (pilotage's committees).

Planning never imports those stages: a stage registers a source with :func:`register_calendar_source` when it
starts. A source gets the project and the reader (``None``: the terminal, which sees everything) and returns only
what that reader may see. This module stays light (no file format), as the stages import it at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oeuvre.interop.ics import MilestoneEvent
from oeuvre.projects.models import Project

__all__ = ["CalendarSource", "calendar_events", "register_calendar_source"]

CalendarSource = Callable[[Project, Any], list[MilestoneEvent]]
_CALENDAR_SOURCES: list[CalendarSource] = []


def register_calendar_source(source: CalendarSource) -> None:
    if source not in _CALENDAR_SOURCES:
        _CALENDAR_SOURCES.append(source)


def calendar_events(project: Project, user: Any = None) -> list[MilestoneEvent]:
    """The milestones, then every registered stage's events, by date (a stable order for a stable file)."""
    from oeuvre.planning.exporting import milestone_events

    events = milestone_events(project)
    for source in _CALENDAR_SOURCES:
        events.extend(source(project, user))
    return sorted(events, key=lambda e: e.day)
