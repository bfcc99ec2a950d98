"""The GLPI import page in a real browser at 1,440 and 390 px, in French: upload, preview, import; nothing
scrolls sideways. The sample is the hand-written GLPI export of ``tests/mep/glpi/`` (see its README)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from oeuvre.mep.models import Incident
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).parent / "glpi" / "tickets_fr.csv"


def _shot(page: Any, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    shots = os.environ.get("OEUVRE_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_upload_preview_then_import(page: Any, personas: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "exploitation")
    page.goto(f"/p/{personas.project.code}/mep/incidents/")
    page.locator("#glpi-import-link").click()
    page.locator("#glpi-file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Aperçu (essai à blanc)").click()
    expect(page.locator("#glpi-summary")).to_contain_text("7 à créer, 0 à mettre à jour, 0 inchangés, 0 en erreur")
    expect(page.locator("#map-3")).to_have_value("opened_at")
    _shot(page, f"mep-glpi-preview-{width}")
    assert Incident.objects.count() == 0
    page.locator("#glpi-confirm").click()
    expect(page.locator("#incidents")).to_contain_text("Portail usagers inaccessible")
    _shot(page, f"mep-glpi-imported-{width}")
    assert Incident.objects.filter(external_id="1047", priority=1).exists()
