"""Every read of the forge stage: repositories, deliveries, what the code says about an item of the chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from oeuvre.forge import chain
from oeuvre.forge.models import ChainLink, ChangeKind, ChangeState, CodeChange, ForgeEvent, Repository
from oeuvre.projects.models import Project

__all__ = [
    "ItemCode",
    "event_of",
    "events_of",
    "item_code",
    "links_for_reference",
    "repositories_for",
    "repository_of",
]


def repositories_for(project: Project) -> QuerySet[Repository]:
    return Repository.objects.filter(project=project).annotate(
        event_count=Count("events", distinct=True), last_event_at=Max("events__received_at")
    )


def repository_of(project: Project, pk: int) -> Repository:
    return get_object_or_404(Repository.objects.select_related("project", "acting_user"), project=project, pk=pk)


def events_of(repository: Repository) -> QuerySet[ForgeEvent]:
    """The deliveries, newest first, without their raw bodies (read one with :func:`event_of`)."""
    return ForgeEvent.objects.filter(repository=repository).defer("body")


def event_of(pk: int, project: Project | None = None) -> ForgeEvent:
    qs = ForgeEvent.objects.select_related("repository", "project")
    return get_object_or_404(qs, pk=pk, **({"project": project} if project is not None else {}))


def _as_dict(change: CodeChange) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": change.kind,
        "title": change.title,
        "url": change.url,
        "state": change.state,
        "branch": change.branch,
        "author": change.author,
        "repository": change.repository.name,
        "occurred_at": change.occurred_at,
    }
    if change.kind == ChangeKind.COMMIT:
        data["sha"] = change.key
    elif change.kind == ChangeKind.MERGE_REQUEST:
        data["iid"] = int(change.key) if change.key.isdigit() else change.key
        data["sha"] = change.sha
    else:
        data["id"] = change.key
        data["sha"] = change.sha
    return data


def links_for_reference(project: Project, reference: str) -> list[dict[str, Any]]:
    """The commits, merge requests and pipelines linked to one reference, newest first."""
    reference = reference.strip().upper()
    targets = chain.resolve(project, {reference})
    spelled = targets[reference].reference if reference in targets else reference
    changes = (
        CodeChange.objects.filter(project=project, links__reference=spelled)
        .select_related("repository")
        .order_by("-occurred_at", "-pk")
        .distinct()
    )
    return [_as_dict(change) for change in changes]


@dataclass
class ItemCode:
    """What the code says about one item: its commits, merge requests and last pipeline."""

    commits: list[CodeChange] = field(default_factory=list)
    merge_requests: list[CodeChange] = field(default_factory=list)
    last_pipeline: CodeChange | None = None
    commit_count: int = 0

    @property
    def merged(self) -> int:
        return sum(1 for mr in self.merge_requests if mr.state == ChangeState.MERGED)

    @property
    def empty(self) -> bool:
        return not (self.commits or self.merge_requests or self.last_pipeline)


def item_code(project: Project, target_type: str, target_id: int, limit: int = 10) -> ItemCode:
    """The code linked to an item, in four queries whatever the number of commits."""
    linked = CodeChange.objects.filter(
        project=project, links__target_type=target_type, links__target_id=target_id
    ).select_related("repository")
    commits = list(linked.filter(kind=ChangeKind.COMMIT).order_by("-occurred_at", "-pk")[:limit])
    merge_requests = list(linked.filter(kind=ChangeKind.MERGE_REQUEST).order_by("-occurred_at", "-pk")[:limit])
    # The last pipeline that names the item, or that ran on one of its commits or merge requests.
    shas = linked.exclude(kind=ChangeKind.PIPELINE).exclude(sha="").values("sha")
    pipeline = (
        CodeChange.objects.filter(project=project, kind=ChangeKind.PIPELINE)
        .filter(Q(links__target_type=target_type, links__target_id=target_id) | Q(sha__in=shas))
        .select_related("repository")
        .order_by("-occurred_at", "-pk")
        .first()
    )
    count = ChainLink.objects.filter(
        project=project, target_type=target_type, target_id=target_id, change__kind=ChangeKind.COMMIT
    ).count()
    return ItemCode(commits, merge_requests, pipeline, count)
