"""The whole recette in a real browser, across the stage's pages: a tester runs three steps and raises an
anomaly from the KO, the AMOA qualifies it and produces the PV from the campaign, whose proposal rests on
that anomaly; the MOA decides and signs it after re-authenticating, and the chain verifies."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.recette import models as m
from tests.conftest import login
from tests.recette import testbook_helpers as h
from tests.recette.pv_factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_goes_from_three_steps_to_a_signed_pv(personas: Any, page: Any) -> None:
    case = h.make_case(personas, exigences=[h.exigence(personas)])
    campaign = h.campaign(personas, cases=[case])
    code = personas.project.code

    # The tester: OK, OK, KO with the observed result, then "a" opens the anomaly form pre-filled from the failed
    # step, and saving it raises the anomaly.
    login(page, "contributor")
    page.goto(f"/p/{code}/recette/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Exécuter").click()
    page.wait_for_url("**/executions/**")
    page.keyboard.press("o")
    page.wait_for_selector('#execution-panel[data-step="2"]')
    page.keyboard.press("o")
    page.wait_for_selector('#execution-panel[data-step="3"]')
    page.keyboard.press("k")
    page.keyboard.type("Le récépissé n'est pas envoyé")
    page.keyboard.press("Enter")
    page.wait_for_selector("#raise-anomaly")
    page.keyboard.press("a")
    page.wait_for_url("**/anomalies/new/**")
    assert not m.Anomaly.objects.exists()  # the key opens the pre-filled form; nothing is created yet
    page.get_by_text("Le récépissé n'est pas envoyé").first.wait_for()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".message-success")
    anomaly = m.Anomaly.objects.get()
    assert anomaly.step_position == 3
    assert anomaly.campaign_id == campaign.pk

    # The AMOA qualifies it as major on its page, then prepares the PV from the campaign.
    page.context.clear_cookies()
    login(page, "amoa")
    page.goto(f"/p/{code}/recette/anomalies/{anomaly.pk}/edit/")
    page.get_by_label("Sévérité").select_option("majeure")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/recette/anomalies/{anomaly.pk}/")
    anomaly.refresh_from_db()
    assert anomaly.severity == "majeure"
    page.goto(f"/p/{code}/recette/pv/")
    page.get_by_label(campaign.name, exact=False).check()
    page.get_by_role("button", name="Créer le PV avec la proposition des règles").click()
    page.wait_for_url("**/recette/pv/*/")
    pv = m.ProcesVerbal.objects.get()
    assert list(pv.campaigns.all()) == [campaign]
    assert pv.proposed_decision in {"avec_reserves", "ajournee", "refusee"}
    page.get_by_role("heading", name="Proposition des règles").wait_for()
    assert anomaly.reference in page.locator("main").inner_text()

    # The MOA decides as proposed, re-authenticates and signs.
    page.context.clear_cookies()
    login(page, "moa")
    page.goto(f"/p/{code}/recette/pv/{pv.pk}/")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée et chaînée").wait_for()
    page.get_by_label("Votre mot de passe (ré-authentification)").fill(PASSWORD)
    page.get_by_role("button", name="Signer le PV").click()
    page.get_by_text("entrée n° 2 de la chaîne").wait_for()
    pv.refresh_from_db()
    assert pv.status == m.PvStatus.SIGNE_MOA
    assert pv.decision == pv.proposed_decision
    page.get_by_role("link", name="Vérifier la chaîne d'empreintes").click()
    page.get_by_text("OK : 2 entrées vérifiées, aucun acte modifié après signature.").wait_for()
