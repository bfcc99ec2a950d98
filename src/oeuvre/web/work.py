"""What waits for a person across projects ("Mon travail"): each stage registers where its waiting work is.

A stage calls :func:`register_work_source` from its ``AppConfig.ready`` with a function ``items(user)`` that
answers the user's waiting items on every project they belong to, in a fixed number of queries (one or two,
whatever the number of projects or items): web reads no stage's models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

__all__ = ["WorkItem", "WorkSource", "register_work_source", "work_sources"]


@dataclass(frozen=True)
class WorkItem:
    project_code: str
    project_name: str
    reference: str
    title: str
    url: str
    status: str = ""
    due_on: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class WorkSource:
    key: str
    label: Promise
    items: Callable[[Any], list[WorkItem]]
    order: int = 100
    icon: str = "bi-inbox"


_SOURCES: dict[str, WorkSource] = {}


def register_work_source(source: WorkSource) -> None:
    _SOURCES[source.key] = source


def work_sources() -> list[WorkSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))
