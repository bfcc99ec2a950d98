"""Reads of the PV de recette: the facts a proposal is computed from, lists and details, and the data
snapshots that the hash chain records (one builder per kind of record, used both when signing and by verify).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from oeuvre.engine import acceptance as engine
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Anomaly,
    AnomalyKind,
    AnomalyStatus,
    Campaign,
    Execution,
    ExecutionStatus,
    LedgerEntry,
    PlannedTest,
    ProcesVerbal,
    RecetteSettings,
    Reserve,
    Signature,
)

__all__ = [
    "counted_anomaly",
    "gather_facts",
    "latest_pv_status",
    "ledger_entries",
    "pv_detail",
    "pv_list",
    "pv_snapshot",
    "recette_settings",
    "reserve_lift_snapshot",
    "signature_snapshot",
    "thresholds_of",
]

_CLOSED = (AnomalyStatus.CLOSE, AnomalyStatus.REJETEE)


def recette_settings(project: Project) -> RecetteSettings:
    """The project's recette settings, or the contract's defaults unsaved (reads never write)."""
    found = RecetteSettings.objects.filter(project=project).first()
    return found if found is not None else RecetteSettings(project=project)


def thresholds_of(cfg: RecetteSettings) -> engine.Thresholds:
    """The contract's thresholds in the engine's terms (percentages become shares)."""
    return engine.Thresholds(
        max_majeures=cfg.max_majeures_with_reserves,
        min_execution_rate=float(cfg.min_execution_rate) / 100,
        min_pass_rate=float(cfg.min_pass_rate) / 100,
        correction_deadline_days=cfg.correction_days,
    )


def _campaign_results(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per campaign: planned tests and the status of the latest execution of each (two queries)."""
    planned: dict[int, set[int]] = defaultdict(set)
    for campaign_id, case_id in PlannedTest.objects.filter(campaign_id__in=campaign_ids).values_list(
        "campaign_id", "test_case_id"
    ):
        planned[campaign_id].add(case_id)
    latest: dict[tuple[int, int], str] = {}
    # The database keeps one row per (campaign, test case): the latest run, by iteration then time.
    ranked = (
        Execution.objects.filter(iteration__campaign_id__in=campaign_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("iteration__campaign_id"), F("test_case_id")],
                order_by=[F("iteration__number").desc(), F("executed_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values_list("iteration__campaign_id", "test_case_id", "status")
    )
    for campaign_id, case_id, status in ranked:
        latest[(campaign_id, case_id)] = status
    results: dict[int, dict[str, int]] = {}
    for campaign_id in campaign_ids:
        cases = planned[campaign_id] | {case for (c, case) in latest if c == campaign_id}
        counts = {"planned": len(cases), "passed": 0, "failed": 0, "blocked": 0, "not_run": 0}
        for case in cases:
            status = latest.get((campaign_id, case), ExecutionStatus.NON_EXECUTE)
            key = {
                ExecutionStatus.OK: "passed",
                ExecutionStatus.KO: "failed",
                ExecutionStatus.BLOQUE: "blocked",
            }.get(ExecutionStatus(status), "not_run")
            counts[key] += 1
        results[campaign_id] = counts
    return results


def _open_anomalies(project: Project, campaign_ids: list[int]) -> list[Anomaly]:
    return list(
        Anomaly.objects.filter(project=project)
        .filter(Q(campaign_id__in=campaign_ids) | Q(execution__iteration__campaign_id__in=campaign_ids))
        .exclude(status__in=_CLOSED)
        .distinct()
        .order_by("number", "pk")
    )


def counted_anomaly(a: Anomaly) -> dict[str, Any]:
    """An anomaly as a PV counts it (in its facts, signed with the decision, checked again by verify)."""
    return {
        "id": a.pk,
        "ref": a.reference,
        "title": a.title,
        "severity": engine.Severity.EVOLUTION.value if a.kind == AnomalyKind.EVOLUTION else a.severity,
        "status": a.status,
        "found_at": engine.FoundAt.START.value if a.blocks_step_start else engine.FoundAt.DURING.value,
    }


def gather_facts(project: Project, campaigns: list[Campaign]) -> tuple[dict[str, Any], engine.AcceptanceFacts]:
    """The facts of a PV (stored as JSON) and the same facts for the engine.

    Results: the latest execution of each planned test in each campaign. Anomalies: the open ones linked
    to these campaigns (directly or through an execution); demandes d'évolution are passed as such so the
    engine can say it left them out.
    """
    cfg = recette_settings(project)
    ids = [c.pk for c in campaigns]
    results = _campaign_results(ids)
    anomalies = _open_anomalies(project, ids)
    totals = {k: sum(r[k] for r in results.values()) for k in ("planned", "passed", "failed", "blocked", "not_run")}
    thresholds = thresholds_of(cfg)
    stored: dict[str, Any] = {
        "campaigns": [
            {"id": c.pk, "name": c.name, "kind": c.kind, "release": c.release, **results[c.pk]} for c in campaigns
        ],
        "totals": totals,
        "anomalies": [counted_anomaly(a) for a in anomalies],
        "thresholds": {
            "max_majeures": thresholds.max_majeures,
            "min_execution_rate": str(cfg.min_execution_rate),
            "min_pass_rate": str(cfg.min_pass_rate),
            "correction_days": cfg.correction_days,
        },
    }
    facts = engine.AcceptanceFacts(
        anomalies=[
            engine.Anomaly(a["ref"], engine.Severity(a["severity"]), engine.FoundAt(a["found_at"]), True, a["title"])
            for a in stored["anomalies"]
        ],
        tests=engine.TestCounts(
            planned=totals["planned"], passed=totals["passed"], failed=totals["failed"], blocked=totals["blocked"]
        ),
        thresholds=thresholds,
    )
    return stored, facts


def pv_list(project: Project) -> QuerySet[ProcesVerbal]:
    return (
        ProcesVerbal.objects.filter(project=project)
        .prefetch_related(
            Prefetch("campaigns", queryset=Campaign.objects.order_by("starts_on", "pk")),
            Prefetch("reserves", queryset=Reserve.objects.order_by("number")),
            Prefetch("signatures", queryset=Signature.objects.order_by("signed_at", "pk")),
        )
        .order_by("-number", "-pk")
    )


def pv_detail(project: Project, pv_id: int) -> ProcesVerbal:
    return (
        ProcesVerbal.objects.select_related("decided_by", "project__moa_organisation", "project__moe_organisation")
        .prefetch_related(
            Prefetch("campaigns", queryset=Campaign.objects.order_by("starts_on", "pk")),
            Prefetch("reserves", queryset=Reserve.objects.select_related("anomaly", "lifted_by").order_by("number")),
            Prefetch(
                "signatures", queryset=Signature.objects.select_related("ledger_entry").order_by("signed_at", "pk")
            ),
        )
        .get(project=project, pk=pv_id)
    )


def ledger_entries(project: Project) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(project=project).select_related("created_by").order_by("sequence")


# --- Snapshots: what the chain asserts about each record -------------------------------------------------------


def _stamp(value: Any) -> str | None:
    """Dates as they are; moments in UTC to the millisecond, the precision a backup keeps (see ledger._stamp)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds")
    return str(value.isoformat())


def _decision_part(pv: ProcesVerbal) -> dict[str, Any]:
    return {
        "reference": pv.reference,
        "title": pv.title,
        "campaigns": sorted(c.pk for c in pv.campaigns.all()),
        "facts": pv.facts,
        "proposed_decision": pv.proposed_decision,
        "proposal_reasons": pv.proposal_reasons,
        "decision": pv.decision,
        "decision_reason": pv.decision_reason,
        "decided_by": pv.decided_by_id,
        "decided_at": _stamp(pv.decided_at),
        "correction_due_on": _stamp(pv.correction_due_on),
    }


def _reserve_part(reserve: Reserve) -> dict[str, Any]:
    return {
        "number": reserve.number,
        "description": reserve.description,
        "anomaly": reserve.anomaly_id,
        "due_on": _stamp(reserve.due_on),
    }


def _signature_part(signature: Signature) -> dict[str, Any]:
    return {
        "role": signature.role,
        "signer": signature.signer_id,
        "signer_name": signature.signer_name,
        "meaning": signature.meaning,
        "signed_at": _stamp(signature.signed_at),
        "reauthenticated_at": _stamp(signature.reauthenticated_at),
    }


def pv_snapshot(pv: ProcesVerbal) -> dict[str, Any]:
    """The decision of a PV as recorded when the MOA decides (réserves are signed, not decided)."""
    return {"pv": _decision_part(pv)}


def signature_snapshot(pv: ProcesVerbal, signature: Signature) -> dict[str, Any]:
    """Everything a signature covers: the decision, the réserves as listed, earlier signatures and this one."""
    earlier = [
        _signature_part(s)
        for s in sorted(pv.signatures.all(), key=lambda s: (s.signed_at, s.pk or 0))
        if s.pk != signature.pk and s.signed_at <= signature.signed_at
    ]
    return {
        "pv": _decision_part(pv),
        "reserves": [_reserve_part(r) for r in sorted(pv.reserves.all(), key=lambda r: r.number)],
        "earlier_signatures": earlier,
        "signature": _signature_part(signature),
    }


def reserve_lift_snapshot(reserve: Reserve) -> dict[str, Any]:
    return {
        "pv": reserve.pv.reference,
        "reserve": _reserve_part(reserve),
        "lifted_at": _stamp(reserve.lifted_at),
        "lifted_by": reserve.lifted_by_id,
        "lifting_comment": reserve.lifting_comment,
    }


def latest_pv_status(project: Project) -> dict[str, Any]:
    """The latest PV of the project and how many of its réserves remain (the overview's line)."""
    pv = ProcesVerbal.objects.filter(project=project).order_by("-number", "-pk").first()
    if pv is None:
        return {"pv": None, "open_reserves": 0}
    return {"pv": pv, "open_reserves": pv.reserves.filter(lifted_at=None).count()}
