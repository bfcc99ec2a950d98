"""The flash report: one PDF page for the weekly COPROJ from live data, in French or English; the page button,
the API and the command line."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path
from typing import Any

from django.utils import timezone

from oeuvre.pilotage.flash import flash_document, flash_pdf
from oeuvre.pilotage.services.committees import action_create
from oeuvre.pilotage.services.risks import risk_create
from tests.recette.pv_factories import anomaly, campaign


def _pdf_pages(data: bytes) -> int:
    """Count page objects, also inside compressed object streams (PDF 1.5+), with zlib only."""
    chunks = [data]
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", chunk)) for chunk in chunks)


def _page_texts(document: Any) -> list[str]:
    """The text laid out on each page of the rendered document (what the PDF's pages carry)."""
    out = []
    for page in document.pages:
        words = [getattr(box, "text", "") for box in page._page_box.descendants()]
        out.append(" ".join(" ".join(w for w in words if w).split()))
    return out


def _busy_project(personas: Any) -> Any:
    """A project with a bloquante, many risks, waiting changes and more actions than the page lists."""
    from oeuvre.pilotage.services.changes import change_create, change_item_add, change_submit

    project = personas.project
    camp = campaign(project, results="ooko")
    anomaly(project, camp, "bloquante")
    anomaly(project, camp, "majeure")
    for n in range(12):
        risk_create(
            actor=personas.moe,
            project=project,
            data={"title": f"Risque numéro {n} " + "long " * 10, "probability": 1 + n % 4, "impact": 4},
        )
    risk_create(actor=personas.moe, project=project, data={"title": "Reprise KO", "probability": 4, "impact": 4})
    for n in range(10):
        action_create(
            actor=personas.moe,
            project=project,
            title=f"Action {n} " + "à mener " * 8,
            owner=personas.amoe,
            due_on=timezone.localdate() + dt.timedelta(days=n - 5),
        )
    for n in range(8):
        change = change_create(actor=personas.moa, project=project, data={"title": f"Évolution {n} export"})
        change_item_add(actor=personas.moa, change=change, kind="ajout", text="Export mensuel")
        change_submit(actor=personas.moa, change=change, expected_version=None)
    return project


def test_it_lays_the_french_report_on_one_page_with_the_projects_figures(personas: Any) -> None:
    project = _busy_project(personas)
    document = flash_document(project, "fr")
    assert len(document.pages) == 1
    (text,) = _page_texts(document)
    assert f"Flash hebdomadaire — {project.name}" in text
    assert "Météo" in text
    assert "Qualité" in text
    assert "Pluie" in text  # a bloquante open for less than five days: rainy
    assert "RSK-013 Reprise KO" in text  # the most critical risk first
    assert "16" in text
    assert "DM-001" in text
    assert "DM-005" in text
    assert "DM-006" not in text
    assert "Demandes de modification en attente (8)" in text, text[text.find("Principaux") :]
    assert "1 / 1" in text  # one open bloquante, one majeure
    assert "5 en retard" in text
    pdf = flash_pdf(project, "fr")
    assert pdf.startswith(b"%PDF-")
    assert _pdf_pages(pdf) == 1


def test_it_writes_the_report_in_english(personas: Any) -> None:
    project = _busy_project(personas)
    (text,) = _page_texts(flash_document(project, "en"))
    assert f"Flash report — {project.name}" in text
    assert "Change requests waiting (8)" in text
    assert "5 overdue" in text
    assert "Quality" in text


def test_the_page_button_the_api_and_the_command_line_give_the_pdf(
    personas: Any, monkeypatch: Any, tmp_path: Path, capsys: Any
) -> None:
    from oeuvre import cli

    project = _busy_project(personas)
    client = personas.client(personas.reader)
    page = client.get(f"/p/{project.code}/pilotage/")
    assert f"/p/{project.code}/pilotage/flash.pdf" in page.content.decode()
    download = client.get(f"/p/{project.code}/pilotage/flash.pdf?lang=en")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert _pdf_pages(download.content) == 1
    api = client.get(f"/api/projects/{project.code}/pilotage/flash.pdf?lang=fr")
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF-")
    assert personas.client(personas.outsider).get(f"/api/projects/{project.code}/pilotage/flash.pdf").status_code in (
        403,
        404,
    )

    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    target = tmp_path / "flash.pdf"
    assert cli.main(["pilotage", "flash", "--project", project.code, "-o", str(target), "--lang", "en"]) == 0
    assert f"{target}:" in capsys.readouterr().out
    assert _pdf_pages(target.read_bytes()) == 1
