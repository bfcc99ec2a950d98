"""The demo's PV story: a signed PV avec réserves whose chain verifies, some réserves lifted, a VSR under way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.projects.models import Project
from oeuvre.recette.models import PvStatus
from oeuvre.recette.selectors.timers import dashboard
from oeuvre.recette.services.ledger import ledger_verify


def test_it_builds_a_signed_pv_and_a_vsr_under_way(demo_db: Any) -> None:
    today = demo_db.today
    project = Project.objects.get(code=MAIN_PROJECT)
    pv = project.proces_verbaux.get(title="PV de recette de la VABF — lot 1")
    assert (pv.status, pv.decision) == (PvStatus.SIGNE, "avec_reserves")
    assert pv.signatures.count() == 2
    lifted = pv.reserves.exclude(lifted_at=None).count()
    assert 0 < lifted < pv.reserves.count()
    assert pv.final_at is None  # provisional
    assert ledger_verify(project) == []
    board = dashboard(project, today=today)
    vsr_end = next(d for d in board["deadlines"] if d["key"] == "vsr_end")
    assert vsr_end["status"] == "due"
    assert board["expected_admission"] is not None  # the tacit admission date, if the buyer stays silent
    assert {a["equipment"] for a in board["availability"]} == {"Serveur applicatif", "Base de données"}
    later = dashboard(project, today=today + dt.timedelta(days=40))
    assert later["admission_tacit"] is True
    assert later["admission_date"] is not None
