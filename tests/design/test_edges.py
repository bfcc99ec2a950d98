"""The design stage's edges: the architecture graph data, the pages, the command line, the DAT document, the API."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from oeuvre.design.selectors import architecture_graph
from oeuvre.mep.models import Deployment, Environment
from oeuvre.recette.services import results as results_services
from oeuvre.recette.services import testbook as testbook_services
from tests.design import helpers as h
from tests.requirements import helpers as req

pytestmark = pytest.mark.django_db


@pytest.fixture
def dat(personas: Any) -> dict[str, Any]:
    ex = req.exigence(personas.project, "EX-007", "validee", type="performance")
    flow = h.interface(personas, protocol="rest", data_format="JSON", exigences=[ex])
    partner = h.interface(personas, name="Paiement", target=None, partner="PayFiP", direction="both")
    archive = h.interface(personas, name="Versement", target=None, partner="Archives", source=flow.target,
                          protocol="file")  # fmt: skip
    crit = h.criterion(personas, exigences=[ex], title="Portail rapide")
    return {"exigence": ex, "flow": flow, "partner": partner, "archive": archive, "criterion": crit}


def test_it_computes_the_graph_of_components_and_partners(personas: Any, dat: dict[str, Any]) -> None:
    graph = architecture_graph(personas.project)
    names = [n["name"] for n in graph["nodes"]]
    assert names == ["Portail usagers", "Back-office", "PayFiP", "Archives"]
    portal, back = (f"c{c.pk}" for c in h.components(personas))
    links = {link["value"]: link for link in graph["links"]}
    assert (links["IF-001"]["source"], links["IF-001"]["target"]) == (portal, back)
    assert links["IF-001"]["lineStyle"]["type"] == "solid"
    assert links["IF-002"]["lineStyle"]["type"] == "dashed"
    assert links["IF-002"]["symbol"] == ["arrow", "arrow"]
    assert links["IF-003"]["source"] == back
    assert graph["environments"] == []


def test_it_draws_only_what_an_environment_runs(personas: Any, dat: dict[str, Any]) -> None:
    portal, _back = h.components(personas)
    prod = Environment.objects.create(project=personas.project, kind="production", name="Production")
    Environment.objects.create(project=personas.project, kind="recette", name="Recette")
    Deployment.objects.create(environment=prod, component=portal, version_label="2.1.0")
    graph = architecture_graph(personas.project, "Production")
    assert graph["environments"] == ["Production", "Recette"]
    assert [n["name"] for n in graph["nodes"]] == ["Portail usagers (2.1.0)", "PayFiP"]
    assert [link["value"] for link in graph["links"]] == ["IF-002"]


def test_it_lists_criteria_as_json_with_null_when_never_measured(personas: Any, dat: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("design", "criteria", "--project", "alpha", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert row["component"] == "CMP-001"
    assert "interface" not in row
    assert (row["metric"], row["threshold"], row["measured"], row["met"]) == ("response_time_p95", "2000", None, None)
    assert row["exigences"] == ["EX-007"]


def test_it_shows_the_measure_once_a_load_test_ran(personas: Any, dat: dict[str, Any]) -> None:
    case = testbook_services.test_case_create(actor=personas.amoa, project=personas.project, title="Tir")
    results_services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[dat["criterion"]])
    campaign = testbook_services.campaign_create(actor=personas.amoa, project=personas.project, name="Perf",
                                                 kind="performance")  # fmt: skip
    results_services.results_record(project=personas.project, campaign=campaign, iteration=None,
                                    report=h.load_report(2300.0), user=personas.amoe)  # fmt: skip
    out = io.StringIO()
    call_command("design", "criteria", "--project", "alpha", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert (row["measured"], row["met"]) == (2300.0, False)
    page = personas.client(personas.reader).get("/p/alpha/design/criteria/?state=not_met")
    assert page.status_code == 200
    assert "2\N{NO-BREAK SPACE}300\N{NO-BREAK SPACE}ms" in page.content.decode()  # French: « 2 300 ms »
    api = personas.client(personas.reader).get("/api/projects/alpha/design/criteria")
    assert api.json()[0]["met"] is False


def _text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_it_writes_the_dat_in_french_and_in_english(personas: Any, dat: dict[str, Any], tmp_path: Path) -> None:
    fr, en = tmp_path / "dat-fr.docx", tmp_path / "dat-en.docx"
    call_command("design", "dat", "--project", "alpha", "-o", str(fr), "--lang", "fr", stdout=io.StringIO())
    call_command("design", "dat", "--project", "alpha", "-o", str(en), "--lang", "en", stdout=io.StringIO())
    french, english = _text(fr), _text(en)
    assert "Dossier d'architecture technique" in french
    assert "Technical architecture document" in english
    for text in (french, english):
        assert "IF-001" in text
        assert "PayFiP" in text
        assert "EX-007" in text
        assert "CRT-001" in text
    assert len(Document(str(fr)).inline_shapes) == 1  # the diagram


def test_it_writes_the_dat_on_a_project_template(personas: Any, dat: dict[str, Any], tmp_path: Path) -> None:
    template = Document()
    template.add_paragraph("Modèle de la Communauté d'agglomération — page de garde")
    path = tmp_path / "modele.docx"
    template.save(str(path))
    out = tmp_path / "dat.docx"
    call_command("design", "dat", "--project", "alpha", "-o", str(out), "--template", str(path),
                 stdout=io.StringIO())  # fmt: skip
    text = _text(out)
    assert text.startswith("Modèle de la Communauté d'agglomération")
    assert "IF-001" in text
    bad = tmp_path / "faux.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="template"):
        call_command("design", "dat", "--project", "alpha", "-o", str(out), "--template", str(bad))


def test_it_serves_the_pages_and_the_dat_download(personas: Any, dat: dict[str, Any]) -> None:
    client = personas.client(personas.reader)
    index = client.get("/p/alpha/design/")
    assert index.status_code == 200
    assert 'id="design-graph"' in index.content.decode()
    interfaces = client.get("/p/alpha/design/interfaces/").content.decode()
    assert "PayFiP" in interfaces
    assert "New interface" not in interfaces
    assert "Nouvelle interface" not in interfaces
    download = client.get("/p/alpha/design/dat.docx")
    assert download["Content-Type"].endswith("wordprocessingml.document")
    assert download.content[:2] == b"PK"


def test_it_creates_an_interface_from_the_form(personas: Any, dat: dict[str, Any]) -> None:
    portal, back = h.components(personas)
    client = personas.client(personas.amoe)
    answer = client.post("/p/alpha/design/interfaces/new/", {
        "name": "Notifications", "source": back.pk, "target": portal.pk, "protocol": "queue",
        "direction": "outbound", "status": "planned", "exigences": [dat["exigence"].pk],
    })  # fmt: skip
    assert answer.status_code == 302
    refused = client.post("/p/alpha/design/interfaces/new/", {
        "name": "Sans cible", "source": back.pk, "protocol": "rest", "direction": "outbound", "status": "planned",
    })  # fmt: skip
    assert refused.status_code == 200
    from oeuvre.design.models import Interface

    assert list(Interface.objects.filter(name__in=["Notifications", "Sans cible"]).values_list("name", flat=True)) == [
        "Notifications"
    ]


def test_it_lists_interfaces_and_criteria_in_a_constant_number_of_queries(personas: Any, dat: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client(personas.reader)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {url: count(url) for url in ("/p/alpha/design/interfaces/", "/p/alpha/design/criteria/")}
    for n in range(5):
        h.interface(personas, name=f"Flux {n}", exigences=[dat["exigence"]])
        h.criterion(personas, threshold=str(1000 + n), exigences=[dat["exigence"]])
    after = {url: count(url) for url in before}
    assert after == before
