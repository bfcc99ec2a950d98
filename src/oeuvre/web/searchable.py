"""What the search box can find: each stage registers its searchable objects here, and the index follows them.

A stage calls :func:`register_searchable` from its ``AppConfig.ready`` with the model, the permission that lets a
member see it and a function that turns one object into a :class:`SearchDocument` (web never imports the stages'
models, as the RTM never imports recette's). From then on:

- every ``save()`` and ``delete()`` of such an object — the services' writes, which also record history — updates
  its row of :class:`~oeuvre.web.models.SearchEntry` in the same transaction (``post_save``/``post_delete``);
- a bulk write, which bypasses those signals, already writes one summary line through
  :func:`oeuvre.core.activity.record_bulk_change`: its ``bulk_changed`` signal re-indexes that kind in that project;
- a project whose code changes has every entry of its own re-indexed in the same transaction (the stored
  addresses start with ``/p/<code>/``);
- ``oeuvre search reindex [--project P]`` rebuilds everything (after an upgrade, a restore, or the demo seed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.functional import Promise

__all__ = [
    "SearchDocument",
    "Searchable",
    "index_object",
    "reference_key",
    "register_searchable",
    "reindex",
    "searchable",
    "searchables",
    "unindex_object",
]

_BODY_LIMIT = 20_000  # characters of body text indexed per object: enough for any exigence or description


@dataclass(frozen=True)
class SearchDocument:
    reference: str
    title: str
    body: str
    url: str


@dataclass(frozen=True)
class Searchable:
    """One kind of searchable object.

    ``kind`` is the stable key (``"exigence"``, ``"anomaly"``) used by the API and the filters; ``label`` its
    plural for people; ``permission`` the matrix code a member needs to see it; ``document`` builds the indexed
    text of one object (its project is loaded); ``related`` the ``select_related`` paths a re-index needs so that
    ``document`` costs no query per object.
    """

    kind: str
    label: Promise
    model: type[models.Model]
    permission: str
    document: Callable[[Any], SearchDocument]
    order: int = 100
    related: tuple[str, ...] = ("project",)
    icon: str = "bi-file-earmark-text"


_SEARCHABLES: dict[str, Searchable] = {}
_BY_MODEL: dict[type[models.Model], Searchable] = {}


def register_searchable(searchable: Searchable) -> None:
    _SEARCHABLES[searchable.kind] = searchable
    _BY_MODEL[searchable.model] = searchable
    uid = f"oeuvre.search.{searchable.kind}"
    post_save.connect(_saved, sender=searchable.model, dispatch_uid=uid, weak=False)
    post_delete.connect(_deleted, sender=searchable.model, dispatch_uid=uid, weak=False)


def searchables() -> list[Searchable]:
    return sorted(_SEARCHABLES.values(), key=lambda s: (s.order, s.kind))


def searchable(kind: str) -> Searchable | None:
    return _SEARCHABLES.get(kind)


_NUMBER = re.compile(r"[0-9]+")
_WORD = re.compile(r"[^\W_]+")


def reference_key(text: str) -> str:
    """A reference folded for exact matching: ``ANO-042``, ``ano-42`` and ``ANO 42`` all give ``ano-42``."""
    parts = _WORD.findall(text.lower())
    return "-".join(str(int(p)) if p.isdigit() else p for p in parts)[:60]


def _entry_values(searchable: Searchable, instance: Any) -> dict[str, Any]:
    document = searchable.document(instance)
    return {
        "project_id": instance.project_id,
        "reference": document.reference[:60],
        "reference_key": reference_key(document.reference),
        "title": document.title[:300],
        "body": document.body[:_BODY_LIMIT],
        "url": document.url[:300],
        "updated": getattr(instance, "updated_at", None) or timezone.now(),
    }


def index_object(instance: Any) -> None:
    """Write (or refresh) the index row of one object of a registered model."""
    from oeuvre.web.models import SearchEntry

    found = _BY_MODEL.get(type(instance))
    if found is None:
        return
    SearchEntry.objects.update_or_create(
        kind=found.kind, object_id=instance.pk, defaults=_entry_values(found, instance)
    )


def unindex_object(instance: Any, pk: Any = None) -> None:
    from oeuvre.web.models import SearchEntry

    found = _BY_MODEL.get(type(instance))
    if found is not None:
        SearchEntry.objects.filter(kind=found.kind, object_id=pk if pk is not None else instance.pk).delete()


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata / restore: the restored index rows come with the data, or a reindex follows
        return
    index_object(instance)


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    unindex_object(instance)


def _documents(searchable: Searchable, project_ids: Iterable[int] | None) -> Iterator[Any]:
    from oeuvre.web.models import SearchEntry

    objects = searchable.model._default_manager.select_related(*searchable.related).order_by("pk")
    if project_ids is not None:
        objects = objects.filter(project_id__in=list(project_ids))
    for instance in objects.iterator(chunk_size=2000):
        yield SearchEntry(kind=searchable.kind, object_id=instance.pk, **_entry_values(searchable, instance))


def reindex(
    *, project_ids: Iterable[int] | None = None, kinds: Iterable[str] | None = None, batch_size: int = 2000
) -> int:
    """Rebuild the index rows of ``kinds`` (all by default) in ``project_ids`` (all by default); returns the count.

    Derived data: rows are deleted and re-created in bulk, in one transaction, so a search never sees the index
    half-built.
    """
    from oeuvre.web.models import SearchEntry

    chosen = [s for s in searchables() if kinds is None or s.kind in set(kinds)]
    projects = None if project_ids is None else list(project_ids)
    written = 0
    with transaction.atomic():
        for found in chosen:
            stale = SearchEntry.objects.filter(kind=found.kind)
            if projects is not None:
                stale = stale.filter(project_id__in=projects)
            stale.delete()
            batch: list[Any] = []
            for entry in _documents(found, projects):
                batch.append(entry)
                if len(batch) >= batch_size:
                    SearchEntry.objects.bulk_create(batch)
                    written += len(batch)
                    batch = []
            if batch:
                SearchEntry.objects.bulk_create(batch)
                written += len(batch)
    return written


def _bulk_changed(sender: Any, project: Any, model: type[models.Model], **kwargs: Any) -> None:
    found = _BY_MODEL.get(model)
    if found is not None and project is not None:
        reindex(project_ids=[project.pk], kinds=[found.kind])


def _project_saving(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    instance._search_code_before = sender._default_manager.filter(pk=instance.pk).values_list("code", flat=True).first()


def _project_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    before = getattr(instance, "_search_code_before", None)
    instance._search_code_before = instance.code
    if not raw and before is not None and before != instance.code:
        # Every stored address of the project names its old code: rebuild its entries with the save, and move the
        # links of the notifications already written about it.
        reindex(project_ids=[instance.pk])
        _move_notification_links(instance, before)


def _move_notification_links(project: Any, before: str) -> None:
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    from oeuvre.web.models import Notification

    old, new = f"/p/{before}/", f"/p/{project.code}/"
    Notification.objects.filter(project=project, url__startswith=old).update(
        url=Concat(Value(new), Substr("url", len(old) + 1), output_field=models.CharField())
    )


def connect_bulk_changes() -> None:
    """Called by the web app's ``ready``: bulk writes announce themselves through the activity feed's signal, and
    a project's new code refreshes the addresses of its entries."""
    from oeuvre.core.activity import bulk_changed
    from oeuvre.projects.models import Project

    bulk_changed.connect(_bulk_changed, dispatch_uid="oeuvre.search.bulk", weak=False)
    pre_save.connect(_project_saving, sender=Project, dispatch_uid="oeuvre.search.project_code", weak=False)
    post_save.connect(_project_saved, sender=Project, dispatch_uid="oeuvre.search.project_code", weak=False)
