"""Builders for the deployment tests: a signed PV de recette, a release, its readiness attested."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oeuvre.engine.gonogo import ATTESTED
from oeuvre.mep import runbook, services
from oeuvre.mep.models import Release
from oeuvre.recette.models import ProcesVerbal
from oeuvre.recette.services import pv as pv_services
from tests.recette.pv_factories import PASSWORD, anomaly, campaign

__all__ = ["PASSWORD", "attest_all", "release", "signed_pv"]


def signed_pv(p: Any, *, minors: int = 1) -> ProcesVerbal:
    """A PV accepting the system (with réserves when ``minors`` > 0), signed and countersigned."""
    camp = campaign(p.project, results="oooo")
    for _ in range(minors):
        anomaly(p.project, camp, "mineure")
    pv = pv_services.pv_create(actor=p.amoa, project=p.project, campaigns=[camp])
    pv = pv_services.pv_decide(actor=p.moa, pv=pv, decision=pv.proposed_decision, expected_version=None)
    pv_services.pv_sign(actor=p.moa, pv=pv, password=PASSWORD)
    pv_services.pv_countersign(actor=p.moe, pv=pv, password=PASSWORD)
    pv.refresh_from_db()
    return pv


def release(p: Any, number: str = "1.0", **data: Any) -> Release:
    return services.release_create(actor=p.moe, project=p.project, number=number, **data)


def attest_all(p: Any, rel: Release, *, skip: tuple[str, ...] = ()) -> None:
    if "rollback_plan" not in skip:  # the criterion rests on the release's rollback plan
        runbook.rollback_plan_save(
            actor=p.moe,
            release=rel,
            expected_version=None,
            steps="Restore the database backup\nSwitch the DNS back",
            decision_criterion="Service down two hours after the cut-over",
            max_minutes=90,
            tested_on=dt.date(2026, 11, 2),
            test_result="Restored in 70 minutes in staging",
        )
        runbook.rollback_plan_approve(actor=p.moa, release=rel, expected_version=None)
    for code in ATTESTED:
        if code not in skip:
            services.readiness_attest(actor=p.exploitation, release=rel, item=code, done=True, evidence=f"{code} OK")
