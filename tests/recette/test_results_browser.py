"""In a real browser: a JMeter run uploaded to a performance campaign, its criteria and the proposed anomaly created
in one click; a test case linked to the criteria it verifies. Both pages at 1,440 and 390 px, never sideways."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from oeuvre.recette import models as m
from oeuvre.recette.services import results as services
from oeuvre.recette.services import testbook as testbook_services
from tests.conftest import login
from tests.design import helpers as d
from tests.recette import testbook_helpers as h
from tests.recette.test_results import _jtl
from tests.requirements import helpers as req

_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _shots(page: Any, folder: Path, name: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(_OVERFLOW) <= 0, f"{name} scrolls sideways at {width} px"
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_uploads_a_run_and_creates_the_proposed_anomaly(
    personas: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    folder = Path(os.environ.get("OEUVRE_SCREENSHOTS", "") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    ex = req.exigence(personas.project, "EX-042", "validee", type="performance")
    p95 = d.criterion(personas, threshold="2", unit="s", exigences=[ex], title="Temps de réponse du portail")
    errors = d.criterion(personas, metric="error_rate", operator="<", threshold="1", unit="%")
    d.criterion(personas, metric="availability", operator=">=", threshold="99.5", unit="%")
    case = h.make_case(personas, title="Tir de charge 500 usagers", type="performance")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[p95])
    campaign = testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Performance lot 1", kind="performance", release="1.0"
    )
    login(page, "amoe")
    page.goto(f"/p/alpha/recette/book/{case.pk}/")
    page.locator(f"#crit-{errors.pk}").check()
    page.get_by_role("button", name="Enregistrer les critères").click()
    page.wait_for_selector(".message-success")
    assert set(case.criteria.all()) == {p95, errors}
    _shots(page, folder, "test-case-criteria")

    page.goto(f"/p/alpha/recette/campaigns/{campaign.pk}/results/")
    assert page.locator("input[name=file]").get_attribute("multiple") is not None  # Locust's two files at once
    _shots(page, folder, "results-form")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "tir1.jtl", "mimeType": "text/csv", "buffer": _jtl([1200] * 90 + [2450] * 10)}],
    )
    page.get_by_role("button", name="Lire le rapport").click()
    page.wait_for_selector("#results-criteria")
    text = page.locator("#results-criteria").inner_text()
    assert "Non atteint" in text
    assert "Atteint" in text
    _shots(page, folder, "results-upload")
    page.get_by_role("button", name="Créer l’anomalie").click()
    page.wait_for_selector(".message-success")
    anomaly = m.Anomaly.objects.get()
    assert anomaly.reference in page.locator("#results-proposals").inner_text()
    _shots(page, folder, "results-anomaly-created")
