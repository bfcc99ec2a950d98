"""The demo's anomalies: about 40, mixed severity, priority and status, real history, from KO runs."""

from __future__ import annotations

from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly
from oeuvre.recette.selectors.dashboards import anomalies_over_time


def test_it_builds_about_forty_anomalies_through_the_workflow(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    anomalies = Anomaly.objects.filter(project=project)
    assert 36 <= anomalies.count() <= 47  # with the load test's and the scan's three
    assert set(anomalies.values_list("severity", flat=True)) == {"bloquante", "majeure", "mineure"}
    assert {"nouvelle", "qualifiee", "en_correction", "livree", "verifiee", "close", "rejetee"} <= set(
        anomalies.values_list("status", flat=True)
    )
    assert anomalies.filter(kind="evolution").count() == 3
    assert anomalies.filter(execution__isnull=False).count() >= 25
    assert anomalies.filter(execution__status="ko").count() == anomalies.filter(execution__isnull=False).count()
    closed = anomalies.filter(status="close").first()
    users = set(closed.history.values_list("history_user__username", flat=True))
    assert {"amoa", "moe", "moa"} <= users
    # Reopened twice in the story, and the history is spread over days up to today.
    assert (
        Anomaly.history.filter(project_id=project.pk, history_change_reason__startswith="Correctif livré").count() == 2
    )
    series = anomalies_over_time(project, until=demo_db.today)
    assert len(series["days"]) > 10
    assert series["days"][-1] == demo_db.today.isoformat()
    assert max(series["by_severity"][1]["open"]) > 0
