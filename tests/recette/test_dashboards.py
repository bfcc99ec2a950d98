"""Dashboard numbers on hand-built data: burn-up by day, pass rate, status breakdown, anomalies over time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from oeuvre.recette.models import Anomaly
from oeuvre.recette.selectors.dashboards import anomalies_over_time, campaign_dashboard, campaign_summaries
from oeuvre.recette.services import anomalies as svc
from tests.recette import helpers_anomalies as h

pytestmark = pytest.mark.django_db

D1, D2, D3, D4 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)


def _campaign(p: Any) -> Any:
    cases = [h.make_case(p.project, n, steps=1) for n in range(1, 6)]
    camp = h.campaign(p.project, iterations=2, cases=cases)
    it1, it2 = camp.iterations.order_by("number")
    a, b, c, d, _e = cases
    h.run(it1, a, "ok", h.at(D1, 9))
    h.run(it1, b, "ko", h.at(D1, 10))
    h.run(it1, b, "ok", h.at(D3, 10))  # turns green on D3
    h.run(it1, c, "ok", h.at(D2, 9))
    h.run(it1, c, "ko", h.at(D3, 11))  # turns red on D3
    h.run(it1, d, "bloque", h.at(D3, 12))
    h.run(it1, d, "non_execute", None)  # not run: ignored
    # Iteration 2 re-runs c only, and it passes: the campaign's latest result of c is OK.
    h.run(it2, c, "ok", h.at(D4, 9))
    return camp


def test_it_builds_the_burnup_per_day(personas: Any) -> None:
    dash = campaign_dashboard(_campaign(personas))
    first = dash["burnup"][0]
    assert first["days"] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert first["executed"] == [2, 3, 4]  # a,b on D1; c on D2; d on D3
    assert first["passed"] == [1, 2, 2]  # a; +c; +b −c
    assert first["planned"] == 5
    second = dash["burnup"][1]
    assert (second["days"], second["executed"], second["passed"]) == (["2026-03-05"], [1], [1])


def test_it_counts_the_latest_result_of_each_case_for_the_pass_rate(personas: Any) -> None:
    dash = campaign_dashboard(_campaign(personas))
    counts = {row["status"]: row["count"] for row in dash["breakdown"]}
    assert counts == {"ok": 3, "ko": 0, "bloque": 1, "non_execute": 1}  # a, b, c (it2) OK; d blocked; e not run
    assert (dash["planned"], dash["executed"], dash["passed"]) == (5, 4, 3)
    assert dash["pass_rate"] == 75.0
    assert dash["execution_rate"] == 80.0


def test_it_summarises_each_campaign_separately(personas: Any) -> None:
    camp = _campaign(personas)
    case = h.make_case(personas.project, 1)
    other = h.campaign(personas.project, "Non-régression", cases=[case])
    h.run(other.iterations.get(), case, "ko", h.at(D4, 15))  # later than a's OK in the VABF, other campaign
    rows = {r["campaign"].pk: r for r in campaign_summaries(personas.project)}
    assert (rows[camp.pk]["executed"], rows[camp.pk]["passed"], rows[camp.pk]["pass_rate"]) == (4, 3, 75)
    assert (rows[other.pk]["planned"], rows[other.pk]["failed"], rows[other.pk]["pass_rate"]) == (1, 1, 0)


def _at_day(anomaly: Anomaly, day: date) -> None:
    """Move the anomaly's latest history record to ``day`` (history dates are set by the clock)."""
    record = anomaly.history.order_by("-history_date", "-history_id").first()
    type(record).objects.filter(pk=record.pk).update(history_date=h.at(day, 12))


def test_it_counts_open_defects_per_day_from_history(personas: Any) -> None:
    p = personas
    a = svc.anomaly_create(actor=p.amoa, project=p.project, title="A", severity="bloquante")
    _at_day(a, D1)
    b = svc.anomaly_create(actor=p.amoa, project=p.project, title="B", severity="mineure")
    _at_day(b, D1)
    b = svc.anomaly_qualify(actor=p.amoa, anomaly=b, expected_version=b.version, severity="majeure")
    _at_day(b, D2)  # mineure → majeure on D2
    a = svc.anomaly_reject(actor=p.moa, anomaly=a, expected_version=a.version, reason="Doublon")
    _at_day(a, D3)  # leaves the open counts on D3
    c = svc.anomaly_create(actor=p.amoa, project=p.project, title="C", severity="majeure")
    _at_day(c, D3)
    c = svc.anomaly_reclassify(actor=p.moa, anomaly=c, expected_version=c.version, reason="Évolution")
    _at_day(c, D3)  # created and reclassified the same day: never counted
    data = anomalies_over_time(p.project, until=D4)
    assert data["days"] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    open_by = {s["severity"]: s["open"] for s in data["by_severity"]}
    assert open_by == {"bloquante": [1, 1, 0, 0], "majeure": [0, 1, 1, 1], "mineure": [1, 0, 0, 0]}
    by_status = {s["status"]: s["count"] for s in data["by_status"]}
    assert by_status["nouvelle"] == [2, 1, 0, 0]
    assert by_status["qualifiee"] == [0, 1, 1, 1]
    assert by_status["rejetee"] == [0, 0, 1, 1]


def test_it_returns_no_days_without_anomalies(personas: Any) -> None:
    data = anomalies_over_time(personas.project, until=timezone.localdate())
    assert data["days"] == []
    assert all(s["open"] == [] for s in data["by_severity"])


def test_it_follows_a_case_that_flips_several_times(personas: Any) -> None:
    case = h.make_case(personas.project, 1, steps=1)
    camp = h.campaign(personas.project, cases=[case])
    it = camp.iterations.get()
    for day, status in ((D1, "ok"), (D2, "ko"), (D3, "ok"), (D4, "bloque")):
        h.run(it, case, status, h.at(day))
    h.run(it, case, "ok", h.at(D4, 18))  # same day, later: the day ends green
    burnup = campaign_dashboard(camp)["burnup"][0]
    assert burnup["executed"] == [1, 1, 1, 1]
    assert burnup["passed"] == [1, 0, 1, 1]
