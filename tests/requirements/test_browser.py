"""The requirements stage in a real browser: import a CDC workbook through the mapping screen, find its gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from oeuvre.requirements.models import Exigence
from tests.conftest import login
from tests.requirements import helpers as h

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("without_test_stage")
def test_it_imports_an_excel_file_then_finds_the_gap_in_the_rtm(
    page: Any, personas: Any, settings: Any, tmp_path: Path
) -> None:
    # Jobs run as soon as the request that queued them commits (no worker in this test).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    workbook = tmp_path / "cdc-guichet.xlsx"
    workbook.write_bytes(h.cdc_workbook(3))
    login(page, "amoa")
    page.goto(f"/p/{personas.project.code}/requirements/")
    page.get_by_role("link", name="Importer (Excel, CSV, ReqIF)").click()
    page.get_by_label("Fichier (.xlsx, .csv, .reqif, .reqifz)").set_input_files(str(workbook))
    page.get_by_role("button", name="Lire le fichier").click()

    # The mapping screen names the merged headers and guesses each field.
    page.wait_for_url("**/import/*/")
    assert page.get_by_label("Classification / Priorité").input_value() == "priority"
    assert page.get_by_label("Date de création").input_value() == "extra"
    page.get_by_label("Exigence / Description").select_option("text")
    page.get_by_role("button", name="Simulation").click()
    page.get_by_text("3 à créer, 0 à mettre à jour, 0 inchangées, 0 en erreur.").wait_for()
    assert Exigence.objects.count() == 0

    page.get_by_role("button", name="Valider l'import").click()
    page.get_by_text("Import terminé : 3 créées").wait_for()
    assert Exigence.objects.filter(project=personas.project).count() == 3

    # Trace one of them to a specification realised by a component; the other two stay gaps.
    ex1 = Exigence.objects.get(project=personas.project, reference="EX-001")
    spec = h.specification(personas.project, "SP-001")
    h.link(personas.project, "satisfies", spec, ex1)
    h.link(personas.project, "realises", h.component(personas.project, "CMP-001"), spec)

    page.get_by_role("link", name="Voir la matrice de traçabilité").click()
    page.get_by_label("Manques").select_option("any")  # htmx swaps the table in place
    page.wait_for_url("**gap=any**")
    table = page.locator("#rtm-table")
    table.get_by_text("2 exigences").wait_for()
    assert table.get_by_role("link", name="EX-001").count() == 0
    row = table.locator("tr", has=page.get_by_role("link", name="EX-002"))
    assert "aucune spécification" in row.inner_text()
