"""Domain events: what happened in a project, for the stages that react to it (webhooks, notifications).

A stage's service calls :func:`emit` after a meaningful change (``exigence.validated``, ``anomaly.created``,
``pv.signed``, ``gonogo.decided``, ``committee.closed``, ``incident.opened``…). Listeners registered with
:func:`listen` (outgoing webhooks, notifications, forge links…) are called once the transaction commits, so a
rolled-back write never announces anything; a listener must be quick and queue a job for slow work. The stage
that emits knows nothing of who listens: a later stage plugs itself in from its ``AppConfig.ready()``.

Event names are ``<object>.<verb in the past>``; :data:`EVENT_TYPES` documents them with a label, so the
webhook and notification pages can offer them. ``data`` is plain JSON (references, statuses, labels), stable
across versions: consumers outside Œuvre read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

__all__ = ["EVENT_TYPES", "Event", "declare_event", "emit", "listen"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    project_id: int
    project_code: str
    actor_id: int | None
    object_type: str  # "recette.anomaly"
    object_id: str
    reference: str  # "ANO-007", or "" when the object has none
    data: dict[str, Any] = field(default_factory=dict)
    when: datetime = field(default_factory=timezone.now)


Listener = Callable[[Event], None]
_LISTENERS: list[Listener] = []
EVENT_TYPES: dict[str, Promise | str] = {}


def declare_event(name: str, label: Promise | str) -> str:
    """Declare an event type (for the pages that let people choose events); returns its name."""
    EVENT_TYPES[name] = label
    return name


def listen(listener: Listener) -> None:
    """Call ``listener(event)`` after the commit of every transaction that emitted an event."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _deliver(event: Event) -> None:
    for listener in list(_LISTENERS):
        try:
            listener(event)
        except Exception:  # one broken listener must not hide the event from the others
            logger.exception("event listener %r failed on %s", listener, event.name)


def emit(
    name: str,
    *,
    project: Any,
    obj: Any,
    actor: Any = None,
    reference: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Announce ``name`` about ``obj`` of ``project``; listeners run after the current transaction commits."""
    if name not in EVENT_TYPES:
        raise ValueError(f"undeclared event {name!r}: declare_event() it in the emitting stage")
    event = Event(
        name=name,
        project_id=project.pk,
        project_code=project.code,
        actor_id=getattr(actor, "pk", None),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        reference=reference or str(getattr(obj, "reference", "") or ""),
        data=dict(data or {}),
    )
    transaction.on_commit(lambda: _deliver(event))
    return event
