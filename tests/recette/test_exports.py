"""Exports read back for real: anomalies xlsx (openpyxl), cahier DOCX (python-docx), cahier PDF (header,
pages), from pages, API and CLI."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from oeuvre.recette import models as rm
from oeuvre.recette.exports import anomalies_xlsx, cahier_docx, cahier_pdf
from oeuvre.recette.services import anomalies as svc
from tests.recette import helpers_anomalies as h

pytestmark = pytest.mark.django_db


def _data(p: Any) -> None:
    parent = rm.TestFolder.objects.create(project=p.project, name="Authentification", position=1)
    child = rm.TestFolder.objects.create(project=p.project, name="Mot de passe oublié", parent=parent, position=1)
    c1 = h.make_case(p.project, 1, exigences=("EX-001",), folder=parent, objective="Vérifier la connexion")
    c2 = h.make_case(p.project, 2, exigences=("EX-002", "EX-003"), folder=child, preconditions="Compte actif")
    h.make_case(p.project, 3)  # outside any folder
    h.make_case(p.project, 4, folder=parent, status="obsolete", title="Cas obsolète")
    camp = h.campaign(p.project, cases=[c1, c2])
    h.run(camp.iterations.get(), c1, "ok", h.at(date(2026, 3, 2)))
    h.run(camp.iterations.get(), c2, "ko", h.at(date(2026, 3, 2)), failed_step=2)
    svc.anomaly_create(actor=p.amoa, project=p.project, title='=HYPERLINK("http://evil")', severity="bloquante")
    svc.anomaly_create(
        actor=p.amoa, project=p.project, title="Libellé tronqué", severity="mineure", description="@SUM(A1)"
    )


def test_it_writes_anomalies_xlsx_with_labels_colours_and_no_formula(personas: Any) -> None:
    _data(personas)
    conf = svc.settings_for(personas.project)
    svc.severity_labels_update(
        actor=personas.moa, project=personas.project, expected_version=conf.version, label_bloquante="Sévérité 1"
    )
    with translation.override("fr"):
        book = load_workbook(io.BytesIO(anomalies_xlsx(personas.project)))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Référence", "Titre", "Nature", "Sévérité"]
    first, second = list(sheet.iter_rows(min_row=2, max_row=3))
    assert first[1].value == '\'=HYPERLINK("http://evil")'
    assert first[1].data_type == "s"
    assert first[3].value == "Sévérité 1"
    assert first[3].fill.fgColor.rgb.endswith("F4B6B0")
    assert second[3].value == "Mineure"
    assert second[6].value == "'@SUM(A1)"


def test_it_writes_the_cahier_as_docx(personas: Any) -> None:
    _data(personas)
    with translation.override("fr"):
        doc = Document(io.BytesIO(cahier_docx(personas.project, with_results=True)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Cahier de recette" in text
    assert text.index("Authentification") < text.index("Mot de passe oublié") < text.index("Cas de test hors dossier")
    assert "CT-001 — Cas CT-001" in text
    assert "Vérifier la connexion" in text
    assert "Compte actif" in text
    assert "Cas obsolète" not in text
    assert "EX-002" in text
    assert "EX-003" in text
    assert "Dernier résultat: OK" in text
    assert "Dernier résultat: KO" in text
    steps = doc.tables[0]
    assert [c.text for c in steps.rows[0].cells] == ["#", "Action", "Résultat attendu"]
    assert steps.rows[1].cells[1].text == "Action 1 de CT-001"
    assert steps.rows[1].cells[2].text == "Résultat attendu 1"


def _pdf_pages(data: bytes) -> int:
    """Count page objects, also inside compressed object streams (PDF 1.5+), with zlib only."""
    chunks = [data]
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", chunk)) for chunk in chunks)


def test_it_writes_the_cahier_as_pdf_in_the_users_language(personas: Any) -> None:
    _data(personas)
    with translation.override("en"):
        english = cahier_pdf(personas.project)
    with translation.override("fr"):
        french = cahier_pdf(personas.project)
    for pdf in (english, french):
        assert pdf.startswith(b"%PDF-")
        assert _pdf_pages(pdf) >= 3  # cover, contents, cases
    assert english != french


def test_it_downloads_exports_from_pages_api_and_cli(personas: Any, tmp_path: Path) -> None:
    _data(personas)
    client = personas.client(personas.reader)
    code = personas.project.code
    docx = client.get(f"/p/{code}/recette/cahier/?format=docx")
    assert docx["Content-Disposition"].startswith("attachment")
    assert docx.content[:2] == b"PK"
    assert client.get(f"/p/{code}/recette/cahier/?format=pdf").content.startswith(b"%PDF-")
    xlsx = client.get(f"/p/{code}/recette/anomalies/list/?format=xlsx&severity=bloquante")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert client.get(f"/api/projects/{code}/recette/cahier?format=pdf").content.startswith(b"%PDF-")
    assert client.get(f"/api/projects/{code}/anomalies/export").content[:2] == b"PK"
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF-"), ("anomalies-xlsx", b"PK")):
        out = tmp_path / f"out.{fmt}"
        call_command("recette", "export", "--project", code, "--format", fmt, "-o", str(out), "--user", "reader")
        assert out.read_bytes().startswith(magic)


def test_it_refuses_the_cli_export_to_an_outsider(personas: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "recette",
            "export",
            "--project",
            personas.project.code,
            "--format",
            "docx",
            "-o",
            str(tmp_path / "x"),
            "--user",
            "outsider",
        )
    assert not (tmp_path / "x").exists()
