"""Reads of anomalies for the board, the list, the detail page, the API, the CLI and the exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly, AnomalyKind, AnomalyStatus, Execution, RecetteSettings, Severity

__all__ = [
    "BOARD_STATUSES",
    "OPEN_STATUSES",
    "SEVERITY_COLOURS",
    "AnomalyFilters",
    "BoardColumn",
    "anomalies_for",
    "anomaly_detail",
    "anomaly_history",
    "board",
    "open_defects_by_severity",
    "possible_duplicates",
    "severity_labels",
]

BOARD_STATUSES = [
    AnomalyStatus.NOUVELLE,
    AnomalyStatus.QUALIFIEE,
    AnomalyStatus.EN_CORRECTION,
    AnomalyStatus.LIVREE,
    AnomalyStatus.VERIFIEE,
    AnomalyStatus.CLOSE,
    AnomalyStatus.REJETEE,
]
OPEN_STATUSES = [s for s in BOARD_STATUSES if s not in (AnomalyStatus.CLOSE, AnomalyStatus.REJETEE)]
SEVERITY_ORDER = [Severity.BLOQUANTE, Severity.MAJEURE, Severity.MINEURE]
# Red, orange, yellow: also the fills of the Excel export (without the '#').
SEVERITY_COLOURS = {Severity.BLOQUANTE: "C0392B", Severity.MAJEURE: "E67E22", Severity.MINEURE: "F1C40F"}


def severity_labels(project: Project) -> dict[str, str]:
    """The project's labels for the three severities (custom ones, else the defaults in the user's language)."""
    conf = RecetteSettings.objects.filter(project=project).first() or RecetteSettings(project=project)
    return {s.value: conf.severity_label(s) for s in SEVERITY_ORDER}


@dataclass(frozen=True)
class AnomalyFilters:
    q: str = ""
    severity: str = ""
    priority: str = ""
    status: str = ""
    kind: str = ""
    campaign: int | None = None
    assignee: str = ""  # a username, or "-" for unassigned
    open_only: bool = False


def anomalies_for(project: Project, filters: AnomalyFilters | None = None) -> QuerySet[Anomaly]:
    """Anomalies of the project with everything a row shows joined (no per-row query)."""
    qs = Anomaly.objects.filter(project=project).select_related(
        "assignee", "reported_by", "campaign", "test_case", "exigence"
    )
    f = filters or AnomalyFilters()
    if f.q:
        qs = qs.filter(Q(reference__icontains=f.q) | Q(title__icontains=f.q) | Q(description__icontains=f.q))
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.campaign:
        qs = qs.filter(campaign_id=f.campaign)
    if f.assignee == "-":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee:
        qs = qs.filter(assignee__username=f.assignee)
    if f.open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs.order_by("number", "pk")


@dataclass
class BoardColumn:
    status: str
    label: str
    cards: list[Anomaly] = field(default_factory=list)


def board(project: Project, filters: AnomalyFilters | None = None, per_column: int = 100) -> list[BoardColumn]:
    """Kanban columns in workflow order; cards sorted by severity then priority (most urgent first)."""
    columns = {s.value: BoardColumn(s.value, str(s.label)) for s in BOARD_STATUSES}
    rank = {s.value: i for i, s in enumerate(SEVERITY_ORDER)}
    for anomaly in anomalies_for(project, filters):
        columns[anomaly.status].cards.append(anomaly)
    for column in columns.values():
        column.cards.sort(key=lambda a: (rank.get(a.severity, 9), a.priority, a.number))
        del column.cards[per_column:]
    return list(columns.values())


def possible_duplicates(project: Project, execution: Execution) -> list[Anomaly]:
    """Open anomalies already raised from this execution or on its test case: the form warns before a second one."""
    return list(
        Anomaly.objects.filter(project=project, status__in=OPEN_STATUSES)
        .filter(Q(execution=execution) | Q(test_case_id=execution.test_case_id))
        .only("pk", "reference", "title", "status", "step_position", "execution_id")
        .order_by("number", "pk")[:20]
    )


def anomaly_detail(project: Project, pk: int) -> Anomaly:
    return (
        Anomaly.objects.select_related(
            "assignee", "reported_by", "campaign", "test_case", "exigence", "execution__iteration"
        )
        .prefetch_related("reserves__pv")
        .get(project=project, pk=pk)
    )


def anomaly_history(anomaly: Anomaly) -> list[dict[str, Any]]:
    """Each recorded change, newest first: when, who, what moved (status, severity…) and why."""
    records = list(anomaly.history.select_related("history_user").order_by("-history_date", "-history_id"))
    tracked = ["status", "kind", "severity", "priority", "assignee_id", "title", "release_fixed"]
    labels: dict[str, dict[Any, Any]] = {
        "status": dict(AnomalyStatus.choices),
        "kind": dict(AnomalyKind.choices),
        "severity": severity_labels(anomaly.project),
    }
    rows: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        for name in tracked:
            new = getattr(record, name)
            old = getattr(previous, name) if previous is not None else None
            if previous is not None and new == old:
                continue
            if previous is None and name not in {"status", "severity"}:
                continue
            names = labels.get(name, {})
            changes.append(
                {
                    "field": name,
                    "label": str(getattr(Anomaly._meta.get_field(name.removesuffix("_id")), "verbose_name", name)),
                    "old": names.get(old, old) if old is not None else "",
                    "new": names.get(new, new),
                }
            )
        rows.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "type": record.history_type,
                "changes": changes,
                "reason": record.history_change_reason or "",
            }
        )
    return rows


def open_defects_by_severity(project: Project) -> dict[str, int]:
    """Open defects (not change requests) per severity: one grouped query."""
    counts = {s.value: 0 for s in SEVERITY_ORDER}
    for row in (
        Anomaly.objects.filter(project=project, kind=AnomalyKind.ANOMALIE, status__in=OPEN_STATUSES)
        .values("severity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["severity"]] = row["n"]
    return counts
