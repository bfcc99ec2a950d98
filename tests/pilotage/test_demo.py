"""The demo's météo story: twelve weekly snapshots, a slippage caught then recovered, today's live météo last."""

from __future__ import annotations

from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.pilotage.models import MeteoSnapshot
from oeuvre.pilotage.selectors.meteo import trend_of
from oeuvre.projects.models import Project


def test_it_tells_a_slippage_caught_then_recovered(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    snapshots = list(MeteoSnapshot.objects.filter(project=project).order_by("taken_on"))
    assert len(snapshots) == 12
    assert snapshots[-1].taken_on == demo_db.today
    schedule = [s.axes["schedule"]["verdict"] for s in snapshots[:-1]]
    worst = max(range(len(schedule)), key=lambda i: ["sun", "cloud", "rain", "storm"].index(schedule[i]))
    assert schedule[0] == "sun"
    assert schedule[worst] in ("rain", "storm")
    assert schedule[-1] in ("sun", "cloud")  # recovered
    # Each past verdict carries the reasons the rules gave for that week's figures.
    spi = next(r for r in snapshots[worst].axes["schedule"]["rules"] if r["code"] == "spi")
    assert spi["params"]["value"] < 0.90
    assert len(trend_of(project)["history"]) == 12
