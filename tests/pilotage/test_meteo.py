"""The météo fed by live data: figures gathered from recette and planning, overrides, snapshots, trend."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from oeuvre.core.errors import ValidationFailed
from oeuvre.pilotage.models import MeteoOverride, MeteoSnapshot
from oeuvre.pilotage.selectors.meteo import gather_facts, meteo_of, trend_of
from oeuvre.pilotage.services.meteo import (
    meteo_override_clear,
    meteo_override_set,
    meteo_settings_update,
    snapshot_record,
    snapshot_take,
)
from tests.factories import local_days_ago
from tests.recette.pv_factories import anomaly, campaign


def test_it_reads_quality_figures_from_the_recette(personas: Any) -> None:
    project = personas.project
    camp = campaign(project, results="ooook")
    ano = anomaly(project, camp, "bloquante")
    anomaly(project, camp, "majeure")
    anomaly(project, camp, "mineure", kind="evolution")
    # The bloquante was reported six days ago: storm (≥ 5 days by default).
    type(ano).objects.filter(pk=ano.pk).update(created_at=local_days_ago(6))
    facts = gather_facts(project)
    assert facts.bloquante_ages == [6]
    assert facts.majeures == 1
    assert facts.pass_rate_percent == 80.0
    meteo = meteo_of(project)
    quality = meteo["axes"]["quality"]
    assert quality["verdict"] == "storm"
    assert any("6" in r["text"] and r["code"] == "bloquante_old" for r in quality["reasons"])
    assert meteo["overall"] == "storm"


def test_it_follows_the_projects_thresholds(personas: Any) -> None:
    project = personas.project
    camp = campaign(project, results="ooook")
    ano = anomaly(project, camp, "bloquante")
    type(ano).objects.filter(pk=ano.pk).update(created_at=local_days_ago(6))
    meteo_settings_update(actor=personas.moe, project=project, data={"bloquante_storm_days": 10})
    assert meteo_of(project)["axes"]["quality"]["verdict"] == "rain"


def test_it_refuses_thresholds_out_of_order_and_keeps_the_old_ones(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        meteo_settings_update(actor=personas.moe, project=personas.project, data={"spi_sun": 0.5})
    assert "spi_cloud" in info.value.errors
    assert meteo_of(personas.project)["settings"].spi_sun == 0.95


def test_it_keeps_both_verdicts_when_the_moe_overrides(personas: Any) -> None:
    project = personas.project
    camp = campaign(project, results="o")
    anomaly(project, camp, "bloquante")  # recent: rain
    meteo_override_set(
        actor=personas.moe, project=project, axis="quality", verdict="cloud", reason="Correctif livré ce soir"
    )
    meteo = meteo_of(project)
    quality = meteo["axes"]["quality"]
    assert (quality["verdict"], quality["computed"]) == ("cloud", "rain")
    assert quality["override"].reason == "Correctif livré ce soir"
    snapshot = snapshot_take(actor=personas.moe, project=project)
    assert snapshot.axes["quality"]["verdict"] == "cloud"
    assert snapshot.axes["quality"]["computed"] == "rain"
    assert snapshot.axes["quality"]["override_reason"] == "Correctif livré ce soir"
    meteo_override_clear(actor=personas.moe, project=project, axis="quality")
    assert meteo_of(project)["axes"]["quality"]["verdict"] == "rain"
    # History keeps the override that was removed.
    assert MeteoOverride.history.filter(reason="Correctif livré ce soir", history_type="-").count() == 1


def test_it_lets_the_overall_override_stand_apart_from_the_axes(personas: Any) -> None:
    meteo_override_set(
        actor=personas.amoe, project=personas.project, axis="overall", verdict="storm", reason="Risque RH"
    )
    meteo = meteo_of(personas.project)
    worst = max((a["computed"] for a in meteo["axes"].values()), key=["sun", "cloud", "rain", "storm"].index)
    assert (meteo["overall"], meteo["computed_overall"]) == ("storm", worst)
    assert worst != "storm"
    assert all(a["override"] is None for a in meteo["axes"].values())


def test_it_refuses_an_override_without_reason_or_by_the_moa(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        meteo_override_set(actor=personas.moe, project=personas.project, axis="cost", verdict="sun", reason="  ")
    assert set(info.value.errors) == {"reason"}
    with pytest.raises(ValidationFailed) as info:
        meteo_override_set(actor=personas.moe, project=personas.project, axis="budget", verdict="hail", reason="x")
    assert set(info.value.errors) == {"axis", "verdict"}
    with pytest.raises(PermissionDenied):
        meteo_override_set(actor=personas.moa, project=personas.project, axis="cost", verdict="sun", reason="x")
    assert not MeteoOverride.objects.exists()


def test_it_keeps_one_snapshot_a_day_and_draws_the_trend(personas: Any) -> None:
    project = personas.project
    project.delivery_date = None  # no CCAG-TIC clock running: the first snapshot is sunny
    project.save(update_fields=["delivery_date"])
    today = timezone.localdate()
    snapshot_record(project=project, today=today - dt.timedelta(days=14))
    camp = campaign(project, results="o")
    anomaly(project, camp, "bloquante")
    snapshot_record(project=project, today=today - dt.timedelta(days=7))
    trend = trend_of(project)
    assert [s["overall"]["value"] for s in trend["history"]] == ["sun", "rain"]
    assert trend["arrow"] == "down"
    # Live météo better than the last snapshot: improving.
    assert trend_of(project, current="sun")["arrow"] == "up"
    snapshot_take(actor=personas.moe, project=project, today=today)
    snapshot_take(actor=personas.moe, project=project, today=today)
    assert MeteoSnapshot.objects.filter(project=project).count() == 3
    assert MeteoSnapshot.history.filter(project=project, taken_on=today).count() == 2


def test_it_runs_the_weekly_job_for_every_project(personas: Any) -> None:
    from oeuvre.core.jobs import execute_job, job_enqueue

    job = execute_job(job_enqueue(kind="pilotage.snapshot_all", params={}))
    assert job.status == "done", job.error
    assert job.result["taken"] == 2
    assert set(MeteoSnapshot.objects.values_list("kind", flat=True)) == {"weekly"}


def test_it_reads_schedule_and_cost_figures_from_the_demo_plan(demo_db: Any) -> None:
    from oeuvre.demo.generator import MAIN_PROJECT
    from oeuvre.planning.costing import earned_value_report
    from oeuvre.planning.selectors import plan_of
    from oeuvre.projects.models import Project

    project = Project.objects.get(code=MAIN_PROJECT)
    facts = gather_facts(project, demo_db.today)
    now = earned_value_report(project, plan_of(project))["money"]["now"]
    assert facts.spi == pytest.approx(now["spi"])
    assert facts.cpi == pytest.approx(now["cpi"])
    assert facts.sold
    assert facts.landing
    meteo = meteo_of(project, demo_db.today)
    spi = next(r for r in meteo["axes"]["schedule"]["reasons"] if r["code"] == "spi")
    assert f"{now['spi']:.2f}".replace(".", ",") in spi["text"] or f"{now['spi']:.2f}" in spi["text"]
