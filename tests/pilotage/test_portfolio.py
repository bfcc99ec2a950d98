"""The steering portfolio: météo (latest snapshot), trend, next milestone, budget consumed, open bloquantes; filters,
sort, CSV and Excel; instance administrators see every project; one query whatever the number of projects."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from oeuvre.pilotage.models import MeteoSnapshot
from oeuvre.planning.models import Task
from tests.factories import MembershipFactory, ProjectFactory
from tests.recette.pv_factories import anomaly, campaign


def _snap(project: Any, days_ago: int, overall: str, **figures: Any) -> None:
    MeteoSnapshot.objects.create(
        project=project,
        taken_on=timezone.localdate() - dt.timedelta(days=days_ago),
        overall=overall,
        computed_overall=overall,
        axes={},
        figures=figures,
    )


def _portfolio(personas: Any, extra: int = 0) -> list[Any]:
    """Three projects of the MOA with different météos, and ``extra`` more."""
    moa = personas.moa
    alpha = personas.project
    _snap(alpha, 14, "sun")
    _snap(alpha, 7, "rain", spent=60000.0, sold=50000.0)  # worsening, over budget
    beta = ProjectFactory(code="beta2", name="Bêta")
    MembershipFactory(project=beta, user=moa, role="moa")
    _snap(beta, 7, "storm")
    _snap(beta, 0, "cloud", spent=25000.0, sold=100000.0)  # improving
    gamma = ProjectFactory(code="gamma", name="Gamma")
    MembershipFactory(project=gamma, user=moa, role="moa")  # no snapshot yet
    for n in range(extra):
        other = ProjectFactory(code=f"p{n:03d}", name=f"Projet {n:03d}")
        MembershipFactory(project=other, user=moa, role="moa")
        _snap(other, 7, "sun")
        _snap(other, 0, "rain", spent=1.0, sold=2.0)
    camp = campaign(alpha, results="ko")
    anomaly(alpha, camp, "bloquante")
    anomaly(alpha, camp, "bloquante")
    anomaly(alpha, camp, "majeure")
    return [alpha, beta, gamma]


def test_it_lists_the_steering_figures_of_each_project(personas: Any, small_plan: Any) -> None:
    alpha, beta, gamma = _portfolio(personas)
    # The small plan's milestone, moved ten days ahead: the next one to come.
    Task.objects.filter(pk=small_plan.tasks["M"].pk).update(early_finish=timezone.localdate() + dt.timedelta(days=10))
    client = personas.client(personas.moa)
    html = client.get("/pilotage/portfolio/").content.decode()
    rows = html.split('id="portfolio"')[1].split("<tr>")[1:]
    by_code = {code: next(r for r in rows if f">{code}</a>" in r) for code in (alpha.code, beta.code, gamma.code)}
    alpha_row = by_code[alpha.code]
    assert "meteo-rain" in alpha_row
    assert "bi-arrow-down-right" in alpha_row  # sunny the week before: worsening
    assert "120,0 %" in alpha_row  # 60 000 spent of 50 000 sold
    assert '<strong class="text-danger">2</strong>' in alpha_row  # two open bloquantes, the majeure not counted
    assert "M Livraison" in alpha_row  # the next milestone of the small plan
    assert "meteo-cloud" in by_code[beta.code]
    assert "bi-arrow-up-right" in by_code[beta.code]  # stormy the week before: improving
    assert "25,0 %" in by_code[beta.code]
    assert "meteo-" not in by_code[gamma.code]
    # The outsider's project is not listed; the default order puts the worst météo first.
    assert f">{personas.other_project.code}</a>" not in html
    assert html.index(f">{alpha.code}</a>") < html.index(f">{beta.code}</a>") < html.index(f">{gamma.code}</a>")


def test_filters_sort_and_exports(personas: Any) -> None:
    alpha, beta, gamma = _portfolio(personas)
    client = personas.client(personas.moa)
    rainy = client.get("/pilotage/portfolio/?meteo=rain").content.decode()
    assert f">{alpha.code}</a>" in rainy
    assert f">{beta.code}</a>" not in rainy
    by_bloquantes = client.get("/pilotage/portfolio/?sort=-bloquantes").content.decode()
    assert by_bloquantes.index(f">{alpha.code}</a>") < by_bloquantes.index(f">{gamma.code}</a>")
    by_name = client.get("/pilotage/portfolio/?sort=name&q=a").content.decode()
    assert by_name.index(">Bêta</a>") < by_name.index(">Gamma</a>")
    csv = client.get("/pilotage/portfolio/?format=csv").content.decode("utf-8-sig").splitlines()
    assert len(csv) == 4
    assert csv[0].split(";")[:4] == ["Code", "Projet", "Phase", "Météo"]
    alpha_line = next(line for line in csv if line.startswith(alpha.code + ";"))
    assert ";Pluie;" in alpha_line
    assert ";120.0;" in alpha_line
    assert alpha_line.endswith(";2")
    xlsx = client.get("/pilotage/portfolio/?format=xlsx&meteo=cloud")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2
    assert values[1][0] == beta.code
    assert values[1][3] == "Nuageux"
    assert values[1][7] == 25.0


def test_an_instance_administrator_sees_every_project(personas: Any) -> None:
    _portfolio(personas)
    personas.outsider.is_staff = True
    personas.outsider.save()
    html = personas.client(personas.outsider).get("/pilotage/portfolio/").content.decode()
    for code in (personas.project.code, personas.other_project.code, "beta2", "gamma"):
        assert f">{code}</a>" in html
    html = personas.client(personas.reader).get("/pilotage/portfolio/").content.decode()
    assert ">beta2</a>" not in html


def test_it_reads_the_page_in_the_same_queries_for_3_or_23_projects(personas: Any) -> None:
    _portfolio(personas)
    client = personas.client(personas.moa)
    client.get("/pilotage/portfolio/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/pilotage/portfolio/").status_code == 200
        return len(queries)

    few = count()
    for n in range(20):
        other = ProjectFactory(code=f"q{n:03d}")
        MembershipFactory(project=other, user=personas.moa, role="moa")
        _snap(other, 0, "sun", spent=1.0, sold=2.0)
    assert count() == few
