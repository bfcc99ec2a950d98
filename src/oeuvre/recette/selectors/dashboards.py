"""Data of the recette charts, computed here (and tested here); the templates only draw it with ECharts.

* Campaign burn-up, per iteration: for each day, how many planned cases have been run at least once
  (cumulative) and how many pass on their latest run so far, against the planned total. The database
  tags each run with the status of the previous run of the same case (``LAG`` window) and counts, per day,
  first runs, runs that turn a case green and runs that turn it red; Python only accumulates those daily
  counts, so the cost does not grow with the number of executions on the Python side.
* Campaign status breakdown and pass rate, on the latest result of each planned case.
* Anomalies over time: from the history table, the open defects per severity and per status at the end
  of each day (an anomaly counts in the state of its last change of that day or before).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import CharField, Count, F, Q, Value, Window
from django.db.models.functions import Cast, Lag, RowNumber, TruncDate
from django.utils import timezone

from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Anomaly,
    AnomalyKind,
    AnomalyStatus,
    Campaign,
    Execution,
    ExecutionStatus,
    Iteration,
    PlannedTest,
)
from oeuvre.recette.selectors.anomalies import BOARD_STATUSES, OPEN_STATUSES, severity_labels
from oeuvre.recette.selectors.coverage import DONE, latest_results

__all__ = [
    "anomalies_over_time",
    "campaign_burnup",
    "campaign_dashboard",
    "campaign_summaries",
    "iteration_burnup",
]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _burnup_events(runs: Any) -> dict[int, dict[date, dict[str, int]]]:
    """Per iteration id and day: first runs of a case, runs turning it green, runs turning it red.

    One pass over the runs: LAG gives the previous status of the same case in the same iteration (""
    for its first run, so no NULL to compare on any database). The filter mixes the window and the
    status column in one disjunction, which Django applies outside the windowed subquery (after LAG saw
    every run); a plain filter on the status column would drop runs before LAG sees them. Only the runs
    that change a count come back, and Python only adds them up per day.
    """
    order = [F("executed_at").asc(), F("pk").asc()]
    partition = [F("iteration_id"), F("test_case_id")]
    not_ok = [ExecutionStatus.KO, ExecutionStatus.BLOQUE]
    events = (
        runs.filter(status__in=DONE, executed_at__isnull=False)
        .order_by()
        .annotate(
            # The day as ISO text: Django's converter of a TruncDate costs more per row than the query.
            day=Cast(TruncDate("executed_at"), output_field=CharField()),
            previous=Window(Lag("status", default=Value("")), partition_by=partition, order_by=order),
        )
        .filter(
            Q(previous="")
            | Q(status=ExecutionStatus.OK, previous__in=not_ok)
            | Q(previous=ExecutionStatus.OK, status__in=not_ok)
        )
        .values_list("iteration_id", "day", "previous", "status")
    )
    result: dict[int, dict[date, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"first": 0, "green": 0, "red": 0})
    )
    days: dict[str, date] = {}
    for iteration_id, day_text, previous, current in events:  # one row per change, not per run
        day = days.get(day_text)
        if day is None:
            day = days[day_text] = date.fromisoformat(day_text[:10])
        counts = result[iteration_id][day]
        if previous == "":
            counts["first"] += 1
        if current == ExecutionStatus.OK and previous != ExecutionStatus.OK:
            counts["green"] += 1
        elif previous == ExecutionStatus.OK and current != ExecutionStatus.OK:
            counts["red"] += 1
    return result


def _cumulate(iteration: Iteration, planned: int, by_day: dict[date, dict[str, int]]) -> dict[str, Any]:
    result: dict[str, Any] = {"iteration": iteration.number, "name": str(iteration), "planned": planned}
    if not by_day:
        result.update(days=[], executed=[], passed=[])
        return result
    first_day = min(by_day)
    if iteration.starts_on and iteration.starts_on < first_day:
        first_day = iteration.starts_on
    days = _days(first_day, max(by_day))
    executed, passed = [], []
    run_total = pass_total = 0
    for day in days:
        row = by_day.get(day)
        if row is not None:
            run_total += row["first"]
            pass_total += row["green"] - row["red"]
        executed.append(run_total)
        passed.append(pass_total)
    result.update(days=[d.isoformat() for d in days], executed=executed, passed=passed)
    return result


def iteration_burnup(iteration: Iteration, planned: int) -> dict[str, Any]:
    """``{"days": [...], "executed": [...], "passed": [...], "planned": n}`` for one iteration (one query)."""
    events = _burnup_events(Execution.objects.filter(iteration=iteration))
    return _cumulate(iteration, planned, events.get(iteration.pk, {}))


def campaign_burnup(campaign: Campaign, planned: int) -> list[dict[str, Any]]:
    """The burn-up of every iteration of the campaign, in one pass over its runs (two queries)."""
    events = _burnup_events(Execution.objects.filter(iteration__campaign=campaign))
    return [_cumulate(it, planned, events.get(it.pk, {})) for it in campaign.iterations.order_by("number")]


def _status_counts(latest: dict[int, str]) -> dict[str, int]:
    counts: dict[str, int] = {s.value: 0 for s in DONE}
    for status in latest.values():
        counts[status] += 1
    return counts


def campaign_dashboard(campaign: Campaign, latest: dict[int, str] | None = None) -> dict[str, Any]:
    """Everything the campaign page draws: burn-up per iteration, status breakdown, rates, anomalies.

    ``latest`` (``latest_results`` of the campaign) saves a query when the page also shows coverage.
    """
    planned = PlannedTest.objects.filter(campaign=campaign).count()
    if latest is None:
        latest = latest_results(campaign.project, None, campaign.pk)
    counts = _status_counts(latest)
    executed = sum(counts.values())
    labels = dict(ExecutionStatus.choices)
    breakdown = [{"status": s, "label": str(labels[s]), "count": counts[s]} for s in DONE]
    breakdown.append(
        {
            "status": ExecutionStatus.NON_EXECUTE,
            "label": str(labels[ExecutionStatus.NON_EXECUTE]),
            "count": max(planned - executed, 0),
        }
    )
    sev_labels = severity_labels(campaign.project)
    open_by_severity = dict.fromkeys(sev_labels, 0)
    for row in (
        Anomaly.objects.filter(campaign=campaign, kind=AnomalyKind.ANOMALIE, status__in=OPEN_STATUSES)
        .values("severity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        open_by_severity[row["severity"]] = row["n"]
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name, "kind": campaign.kind, "status": campaign.status},
        "planned": planned,
        "executed": executed,
        "passed": counts[ExecutionStatus.OK],
        "execution_rate": round(100 * executed / planned, 1) if planned else None,
        "pass_rate": round(100 * counts[ExecutionStatus.OK] / executed, 1) if executed else None,
        "breakdown": breakdown,
        "burnup": campaign_burnup(campaign, planned),
        "open_anomalies": [{"severity": s, "label": sev_labels[s], "count": open_by_severity[s]} for s in sev_labels],
    }


def campaign_summaries(project: Project) -> list[dict[str, Any]]:
    """Progress of every campaign for the overview (three queries whatever the number of campaigns)."""
    campaigns = list(Campaign.objects.filter(project=project).annotate(planned=Count("planned_tests")))
    per_campaign = _latest_per_campaign(project)
    result = []
    for campaign in campaigns:
        c = per_campaign.get(campaign.pk, dict.fromkeys(DONE, 0))
        executed = sum(c.values())
        planned = campaign.planned
        result.append(
            {
                "campaign": campaign,
                "planned": planned,
                "executed": executed,
                "passed": c[ExecutionStatus.OK],
                "failed": c[ExecutionStatus.KO],
                "blocked": c[ExecutionStatus.BLOQUE],
                "execution_rate": round(100 * executed / planned) if planned else 0,
                "pass_rate": round(100 * c[ExecutionStatus.OK] / executed) if executed else None,
            }
        )
    return result


def _latest_per_campaign(project: Project) -> dict[int, dict[str, int]]:
    """Latest result of each case per campaign, counted per status (one window pass over the runs)."""
    ranked = (
        Execution.objects.filter(project=project, status__in=DONE)
        .order_by()
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("iteration__campaign_id"), F("test_case_id")],
                order_by=[F("iteration__number").desc(), F("executed_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(rank=1)
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {s.value: 0 for s in DONE})
    for campaign_id, status in ranked.values_list("iteration__campaign_id", "status"):
        counts[campaign_id][status] += 1
    return counts


def anomalies_over_time(
    project: Project, *, until: date | None = None, since: date | None = None, campaign_id: int | None = None
) -> dict[str, Any]:
    """Open defects per severity and defects per status at the end of each day, from the history table.

    One query: each history record comes with the previous state of the same anomaly (``LAG``); a change
    moves one unit from the old bucket to the new one on its day. Change requests (kind ``evolution``)
    and deleted anomalies leave the counts.
    """
    history = Anomaly.history.model
    order = [F("history_date").asc(), F("history_id").asc()]
    records = history.objects.filter(project_id=project.pk).order_by()
    if campaign_id is not None:
        records = records.filter(campaign_id=campaign_id)
    rows = list(
        records.annotate(
            day=TruncDate("history_date"),
            prev_status=Window(Lag("status"), partition_by=[F("id")], order_by=order),
            prev_severity=Window(Lag("severity"), partition_by=[F("id")], order_by=order),
            prev_kind=Window(Lag("kind"), partition_by=[F("id")], order_by=order),
            prev_type=Window(Lag("history_type"), partition_by=[F("id")], order_by=order),
        ).values_list(
            "day",
            "history_type",
            "status",
            "severity",
            "kind",
            "prev_type",
            "prev_status",
            "prev_severity",
            "prev_kind",
        )
    )
    until = until or timezone.localdate()
    deltas: dict[date, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for day, kind_of_change, status, severity, kind, prev_type, prev_status, prev_severity, prev_kind in rows:
        before = (
            (prev_status, prev_severity)
            if prev_status is not None and prev_type != "-" and prev_kind == AnomalyKind.ANOMALIE
            else None
        )
        after = (status, severity) if kind_of_change != "-" and kind == AnomalyKind.ANOMALIE else None
        if before == after:
            continue
        if before is not None:
            deltas[day][before] -= 1
        if after is not None:
            deltas[day][after] += 1
    statuses = [s.value for s in BOARD_STATUSES]
    sev_labels = severity_labels(project)
    if not deltas:
        return _series([], sev_labels, statuses, {})
    first = since or min(deltas)
    days = _days(min(first, min(deltas)), max(until, max(deltas)))
    state: dict[tuple[str, str], int] = defaultdict(int)
    table: dict[tuple[str, str], list[int]] = {}
    keys = [(st, sv) for st in statuses for sv in sev_labels]
    columns: list[dict[tuple[str, str], int]] = []
    for day in days:
        for key, delta in deltas.get(day, {}).items():
            state[key] += delta
        columns.append({k: state[k] for k in keys})
    for key in keys:
        table[key] = [c[key] for c in columns]
    keep = [i for i, d in enumerate(days) if since is None or d >= since]
    return _series([days[i] for i in keep], sev_labels, statuses, {k: [v[i] for i in keep] for k, v in table.items()})


def _series(
    days: list[date], sev_labels: dict[str, str], statuses: list[str], table: dict[tuple[str, str], list[int]]
) -> dict[str, Any]:
    status_labels = dict(AnomalyStatus.choices)
    empty = [0] * len(days)
    open_statuses = {s.value for s in OPEN_STATUSES}
    by_severity = [
        {
            "severity": sv,
            "label": label,
            "open": [sum(vals) for vals in zip(*[table.get((st, sv), empty) for st in open_statuses], strict=True)]
            if days
            else [],
        }
        for sv, label in sev_labels.items()
    ]
    by_status = [
        {
            "status": st,
            "label": str(status_labels[st]),
            "count": [sum(vals) for vals in zip(*[table.get((st, sv), empty) for sv in sev_labels], strict=True)]
            if days
            else [],
        }
        for st in statuses
    ]
    return {"days": [d.isoformat() for d in days], "by_severity": by_severity, "by_status": by_status}
