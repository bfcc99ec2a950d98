"""The COPIL deck: written as a job, opened again with python-pptx; slides, native charts and figures checked."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from oeuvre.pilotage.deck import deck_bytes
from oeuvre.pilotage.services.committees import action_create, committee_create, decision_record
from oeuvre.pilotage.services.meteo import snapshot_record
from oeuvre.pilotage.services.risks import risk_create
from tests.recette.pv_factories import anomaly, campaign


def _charts(slide: Any) -> list[Any]:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def _tables(slide: Any) -> list[Any]:
    return [shape.table for shape in slide.shapes if shape.has_table]


def _project_with_data(personas: Any) -> Any:
    project = personas.project
    camp = campaign(project, results="ooko")
    anomaly(project, camp, "bloquante")
    anomaly(project, camp, "majeure")
    anomaly(project, camp, "majeure")
    risk_create(actor=personas.moe, project=project, data={"title": "Reprise KO", "probability": 4, "impact": 4})
    action_create(
        actor=personas.moe,
        project=project,
        title="Livrer le correctif",
        owner=personas.amoe,
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    from oeuvre.pilotage.services.changes import change_create, change_item_add, change_submit

    change = change_create(actor=personas.moa, project=project, data={"title": "Export comptable"})
    change_item_add(actor=personas.moa, change=change, kind="ajout", text="Export mensuel")
    change_submit(actor=personas.moa, change=change, expected_version=None)
    committee = committee_create(
        actor=personas.moe,
        project=project,
        data={"kind": "copil", "title": "COPIL n°2", "held_on": dt.date(2026, 11, 5)},
    )
    decision_record(actor=personas.moe, committee=committee, text="Le lot 2 est reporté d'une semaine.")
    for weeks in (3, 2, 1):
        snapshot_record(project=project, today=timezone.localdate() - dt.timedelta(days=7 * weeks))
    return project


def test_it_writes_a_french_deck_with_native_charts_and_the_projects_figures(personas: Any) -> None:
    project = _project_with_data(personas)
    prs = Presentation(io.BytesIO(deck_bytes(project, "fr")))
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[0] == f"Comité de pilotage — {project.name}"
    assert titles[1:] == [
        "Météo du projet",
        "Tendance de la météo",
        "Jalons contractuels",
        "Valeur acquise (courbes en S, €)",
        "Recette : anomalies ouvertes",
        "Risques",
        "Demandes de modification",
        "Relevé de décisions",
        "Plan d’actions",
    ]
    meteo = _tables(slides[1])[0]
    assert meteo.cell(1, 0).text == "Globale"
    assert meteo.cell(2, 0).text == "Qualité"
    assert meteo.cell(2, 1).text == "Orage" or meteo.cell(2, 1).text == "Pluie"
    (trend,) = _charts(slides[2])
    assert trend.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert len(list(trend.plots[0].categories)) == 3
    (recette,) = _charts(slides[5])
    assert recette.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(recette.plots[0].series[0].values) == [1.0, 2.0, 0.0]  # bloquante, majeures, mineures
    heat, risks = _tables(slides[6])
    assert heat.cell(1, 4).text == "1"  # P = 4 (first row), I = 4
    assert risks.cell(1, 0).text == "RSK-001 Reprise KO"
    (changes,) = _tables(slides[7])
    assert changes.cell(1, 0).text == "DM-001 Export comptable"
    assert changes.cell(1, 1).text == "Soumise"
    (decisions,) = _tables(slides[8])
    assert [decisions.cell(1, c).text for c in (0, 1, 3)] == [
        "D1",
        "Le lot 2 est reporté d'une semaine.",
        "COPIL n°2 (05/11/2026)",
    ]
    (actions,) = _tables(slides[9])
    assert actions.cell(1, 1).text == "Livrer le correctif"


def test_it_writes_the_deck_from_the_command_line(personas: Any, tmp_path: Path) -> None:
    project = _project_with_data(personas)
    target = tmp_path / "copil.pptx"
    out = io.StringIO()
    call_command("pilotage", "deck", "--project", project.code, "-o", str(target), stdout=out)
    assert len(Presentation(str(target)).slides) == 10


def test_it_draws_the_s_curves_of_the_demo_plan(demo_db: Any) -> None:
    from oeuvre.demo.generator import MAIN_PROJECT
    from oeuvre.planning.costing import earned_value_report
    from oeuvre.planning.selectors import plan_of
    from oeuvre.projects.models import Project

    project = Project.objects.get(code=MAIN_PROJECT)
    prs = Presentation(io.BytesIO(deck_bytes(project, "fr")))
    (evm,) = _charts(list(prs.slides)[4])
    money = earned_value_report(project, plan_of(project))["money"]
    pv, ev = evm.plots[0].series[0], evm.plots[0].series[1]
    assert list(pv.values) == money["pv"]
    assert [v for v in ev.values if v is not None] == money["ev"]
