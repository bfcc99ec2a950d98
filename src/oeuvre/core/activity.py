"""The project activity feed: who changed what and when, read from django-simple-history tables.

Each app registers its tracked models with the path from the model to its project; the feed then
costs two queries per registered model, whatever the number of entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

__all__ = ["ActivityEntry", "project_activity", "register_activity"]

_SOURCES: list[tuple[type[models.Model], str, tuple[str, ...]]] = []
_IGNORED_FIELDS = {"version", "updated_at", "created_at"}


def register_activity(model: type[models.Model], project_path: str, related: tuple[str, ...] = ()) -> None:
    """Show changes of ``model`` in its project's feed.

    ``project_path`` is a lookup from the model to its project, such as ``"project"``; ``related`` names
    the relations that the model's ``__str__`` reads, fetched with the records to keep the query count flat.
    """
    if all(source[0] is not model for source in _SOURCES):
        _SOURCES.append((model, project_path, related))


@dataclass
class ActivityEntry:
    when: datetime
    who: str
    action: str  # "+", "~" or "-"
    model_label: str
    object_label: str
    changed_fields: list[str] = field(default_factory=list)


def _user_label(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def project_activity(project: Any, limit: int = 50, since: datetime | None = None) -> list[ActivityEntry]:
    entries: list[ActivityEntry] = []
    for model, path, related in _SOURCES:
        history = model.history  # type: ignore[attr-defined]
        qs = history.filter(**{path: project.pk}).select_related("history_user", *related).order_by("-history_date")
        if since is not None:
            qs = qs.filter(history_date__gte=since)
        records = list(qs[:limit])
        if not records:
            continue
        # One query for every record's predecessor, to say which fields changed.
        pk_name = model._meta.pk.attname
        ids = {getattr(r, pk_name) for r in records if r.history_type == "~"}
        previous: dict[Any, list[Any]] = {}
        if ids:
            newest = max(r.history_date for r in records)
            older = history.filter(**{f"{pk_name}__in": ids, "history_date__lte": newest}).order_by("history_date")
            for rec in older:
                previous.setdefault(getattr(rec, pk_name), []).append(rec)
        tracked = [f.attname for f in model._meta.concrete_fields if f.attname not in _IGNORED_FIELDS]
        for record in records:
            changed: list[str] = []
            if record.history_type == "~":
                chain = previous.get(getattr(record, pk_name), [])
                before = [r for r in chain if r.history_id < record.history_id]
                if before:
                    prior = before[-1]
                    changed = [
                        str(model._meta.get_field(name.removesuffix("_id")).verbose_name)  # type: ignore[union-attr]
                        for name in tracked
                        if getattr(prior, name) != getattr(record, name)
                    ]
            entries.append(
                ActivityEntry(
                    when=record.history_date,
                    who=_user_label(record.history_user),
                    action=record.history_type,
                    model_label=str(model._meta.verbose_name),
                    object_label=model.__str__(record),  # the model's own label, on the record's fields
                    changed_fields=changed,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
