"""Every read of the forge stage: repositories, deliveries, what the code says about an item of the chain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404

from oeuvre.forge import chain
from oeuvre.forge.models import (
    ChainLink,
    ChangeKind,
    ChangeState,
    CodeChange,
    ForgeEvent,
    Repository,
    WebhookDelivery,
    WebhookSubscription,
)
from oeuvre.projects.models import Project

__all__ = [
    "ComponentStatus",
    "IntegrationSummary",
    "ItemCode",
    "component_statuses",
    "deliveries_of",
    "delivery_of",
    "event_of",
    "events_of",
    "integration_summary",
    "item_code",
    "links_for_reference",
    "repositories_for",
    "repository_of",
    "subscription_of",
    "subscriptions_for",
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


@dataclass
class ComponentStatus:
    """The development and integration state of one component of the DAT, from the forge links."""

    pk: int
    reference: str
    name: str
    commits: int = 0
    merge_requests: int = 0
    merged: int = 0
    last_pipeline: CodeChange | None = None

    @property
    def integrated(self) -> bool:
        """Merged at least once, and its last pipeline passed."""
        return self.merged > 0 and self.last_pipeline is not None and self.last_pipeline.state == ChangeState.SUCCESS

    @property
    def pipeline_failed(self) -> bool:
        return self.last_pipeline is not None and self.last_pipeline.state == ChangeState.FAILED


def component_statuses(project: Project) -> list[ComponentStatus]:
    """Every component with its commits, merge requests and last pipeline, in five queries."""
    from oeuvre.requirements.selectors import components_for

    target = "requirements.component"
    rows = {
        c.pk: ComponentStatus(c.pk, c.reference, c.name)
        for c in components_for(project).select_related(None).only("pk", "reference", "name").order_by("reference")
    }
    links = ChainLink.objects.filter(project=project, target_type=target, target_id__in=list(rows))
    counts = links.values("target_id", "change__kind", "change__state").annotate(n=Count("change", distinct=True))
    for row in counts:
        status = rows.get(row["target_id"])
        if status is None:
            continue
        if row["change__kind"] == ChangeKind.COMMIT:
            status.commits += row["n"]
        elif row["change__kind"] == ChangeKind.MERGE_REQUEST:
            status.merge_requests += row["n"]
            if row["change__state"] == ChangeState.MERGED:
                status.merged += row["n"]
    # The last pipeline naming the component, or run on a commit of one of its commits or merge requests.
    by_sha: dict[str, set[int]] = {}
    direct: dict[int, set[int]] = {}
    for target_id, kind, sha, change_id in links.values_list("target_id", "change__kind", "change__sha", "change_id"):
        if kind == ChangeKind.PIPELINE:
            direct.setdefault(change_id, set()).add(target_id)
        elif sha:
            by_sha.setdefault(sha, set()).add(target_id)
    pipelines = CodeChange.objects.filter(project=project, kind=ChangeKind.PIPELINE).filter(
        Q(pk__in=list(direct)) | Q(sha__in=list(by_sha))
    )
    for pipeline in pipelines.select_related("repository").order_by("occurred_at", "pk"):
        for target_id in direct.get(pipeline.pk, set()) | by_sha.get(pipeline.sha, set()):
            if target_id in rows:
                rows[target_id].last_pipeline = pipeline  # ordered oldest first: the last one wins
    return list(rows.values())


@dataclass
class IntegrationSummary:
    components: int = 0
    integrated: int = 0
    failing: int = 0
    without_code: int = 0
    last_pipeline: CodeChange | None = None
    repositories: int = 0

    @property
    def integrated_percent(self) -> int:
        return round(100 * self.integrated / self.components) if self.components else 0


def integration_summary(project: Project, statuses: list[ComponentStatus] | None = None) -> IntegrationSummary:
    statuses = component_statuses(project) if statuses is None else statuses
    return IntegrationSummary(
        components=len(statuses),
        integrated=sum(1 for s in statuses if s.integrated),
        failing=sum(1 for s in statuses if s.pipeline_failed),
        without_code=sum(1 for s in statuses if not (s.commits or s.merge_requests)),
        last_pipeline=CodeChange.objects.filter(project=project, kind=ChangeKind.PIPELINE)
        .select_related("repository")
        .order_by("-occurred_at", "-pk")
        .first(),
        repositories=Repository.objects.filter(project=project).count(),
    )


def subscriptions_for(project: Project) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(project=project).annotate(delivery_count=Count("deliveries"))


def subscription_of(project: Project, pk: int) -> WebhookSubscription:
    return get_object_or_404(WebhookSubscription.objects.select_related("project"), project=project, pk=pk)


def deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription=subscription).defer("body")


def delivery_of(project: Project, pk: int) -> WebhookDelivery:
    return get_object_or_404(WebhookDelivery.objects.select_related("subscription", "project"), project=project, pk=pk)
