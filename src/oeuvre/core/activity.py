"""The project activity feed: who changed what and when.

Each app registers its tracked models with the path from the model to its project. When
django-simple-history records a change of such a model, a line is written to
:class:`~oeuvre.core.models.ActivityEvent`; the feed then reads that single table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.dispatch import Signal, receiver
from simple_history.signals import post_create_historical_record

__all__ = [
    "ActivityEntry",
    "activity_events",
    "bulk_changed",
    "project_activity",
    "record_bulk_change",
    "register_activity",
    "to_entries",
    "tracked_model",
]

_PATHS: dict[type[models.Model], str] = {}

# Sent by :func:`record_bulk_change` with ``project`` and ``model``: derived data (the search index) that follows
# per-row saves catches up with a write that bypassed them.
bulk_changed = Signal()
_IGNORED_FIELDS = {"version", "updated_at", "created_at"}


def register_activity(model: type[models.Model], project_path: str) -> None:
    """Show changes of ``model`` in its project's feed.

    ``project_path`` leads from the model to its project: ``"project"``, ``"lot__project"``, or ``"id"``
    for the project itself.
    """
    _PATHS[model] = project_path


def tracked_model(label: str) -> tuple[type[models.Model], str] | None:
    """The registered model of ``label`` ("recette.anomaly") and its path to the project, or ``None``: the
    domain objects people may comment on are the ones whose changes the feed shows."""
    for model, path in _PATHS.items():
        if model._meta.label_lower == label:
            return model, path
    return None


def record_bulk_change(*, project: Any, actor: Any, model: type[models.Model], label: str, action: str = "+") -> None:
    """One line in the feed for a bulk write (an import, a JUnit report) that did not go through history per row.

    ``label`` says what happened (« Import : 120 créées, 4 mises à jour »); ``action`` is ``+``, ``~`` or ``-``.
    """
    from django.utils import timezone

    from oeuvre.core.models import ActivityEvent

    ActivityEvent.objects.create(
        project_id=project.pk,
        when=timezone.now(),
        user=actor,
        action=action,
        model=model._meta.label_lower,
        object_id="bulk",
        object_label=label[:300],
        changed_fields=[],
    )
    bulk_changed.send(sender=model, project=project, model=model)


def _project_id(instance: models.Model, path: str) -> Any:
    if path in {"id", "pk"}:
        return instance.pk
    *hops, last = path.split("__")
    target: Any = instance
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


@receiver(post_create_historical_record)
def _record(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    from oeuvre.core.models import ActivityEvent

    path = _PATHS.get(type(instance))
    if path is None:
        return
    project_id = _project_id(instance, path)
    if project_id is None:
        return
    changed: list[str] = []
    if history_instance.history_type == "~":
        previous = history_instance.prev_record
        if previous is not None:
            delta = history_instance.diff_against(previous)
            changed = [c.field for c in delta.changes if c.field not in _IGNORED_FIELDS]
            if not changed:
                return  # a save that changed nothing worth showing
    ActivityEvent.objects.create(
        project_id=project_id,
        when=history_instance.history_date,
        user=history_instance.history_user,
        action=history_instance.history_type,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_label=str(instance)[:300],
        changed_fields=changed,
    )


def forget_project(project_id: Any) -> None:
    """Delete a deleted project's events (called from the project's post_delete signal)."""
    from oeuvre.core.models import ActivityEvent

    ActivityEvent.objects.filter(project_id=project_id).delete()


@dataclass
class ActivityEntry:
    when: datetime
    who: str
    action: str  # "+", "~" or "-"
    model_label: str
    object_label: str
    changed_fields: list[str] = field(default_factory=list)


def _labels(model_name: str, fields: list[str]) -> tuple[str, list[str]]:
    try:
        model = apps.get_model(model_name)
    except (LookupError, ValueError):
        return model_name, fields
    names = []
    for name in fields:
        try:
            names.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            names.append(name)
    return str(model._meta.verbose_name), names


def activity_events(project: Any, since: datetime | None = None) -> QuerySet[Any]:
    """The project's events, newest first, with their authors (one query per page)."""
    from oeuvre.core.models import ActivityEvent

    events = ActivityEvent.objects.filter(project_id=project.pk).select_related("user")
    if since is not None:
        events = events.filter(when__gte=since)
    return events


def to_entries(events: Iterable[Any]) -> list[ActivityEntry]:
    entries = []
    for event in events:
        model_label, field_labels = _labels(event.model, event.changed_fields)
        who = (event.user.get_full_name() or event.user.get_username()) if event.user else ""
        entries.append(
            ActivityEntry(
                when=event.when,
                who=str(who),
                action=event.action,
                model_label=model_label,
                object_label=event.object_label,
                changed_fields=field_labels,
            )
        )
    return entries


def project_activity(project: Any, limit: int = 50, since: datetime | None = None) -> list[ActivityEntry]:
    return to_entries(activity_events(project, since)[:limit])
