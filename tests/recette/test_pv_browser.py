"""The PV in a real browser: the MOA opens it, reads the proposal, decides, re-authenticates and signs; the MOE
countersigns; the chain verifies."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.recette.models import ProcesVerbal, PvStatus
from oeuvre.recette.services import pv as svc
from tests.conftest import login
from tests.recette.pv_factories import PASSWORD, anomaly, campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_the_moa_decide_and_sign_then_the_moe_countersign(
    page: Any, personas: Any, settings: Any, tmp_path: Any
) -> None:
    settings.OEUVRE_PRIVATE_DIR = str(tmp_path / "private")
    camp = campaign(personas.project, results="oooo")
    anomaly(personas.project, camp, "mineure")
    pv = svc.pv_create(actor=personas.amoa, project=personas.project, campaigns=[camp])
    url = f"/p/{personas.project.code}/recette/pv/{pv.pk}/"

    login(page, "moa")
    page.goto(url)
    page.get_by_role("heading", name="Proposition des règles").wait_for()
    page.get_by_text("1 anomalie mineure ouverte (ANO-001) : réserves.").wait_for()
    assert page.get_by_label("Décision", exact=True).input_value() == "avec_reserves"

    # Departing from the proposal without a reason is refused and nothing is decided.
    page.get_by_label("Décision", exact=True).select_option("ajournee")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("motivez votre décision par écrit").wait_for()
    pv.refresh_from_db()
    assert pv.decision == ""

    page.get_by_label("Décision", exact=True).select_option("avec_reserves")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée et chaînée").wait_for()

    # The meaning is shown before signing; a wrong password is refused.
    page.get_by_text("Prononce la réception avec réserves").first.wait_for()
    page.get_by_label("Votre mot de passe (ré-authentification)").fill("pas le bon")
    page.get_by_role("button", name="Signer le PV").click()
    page.get_by_text("Saisissez de nouveau votre mot de passe pour signer").wait_for()
    assert not ProcesVerbal.objects.get(pk=pv.pk).signatures.exists()
    page.get_by_label("Votre mot de passe (ré-authentification)").fill(PASSWORD)
    page.get_by_role("button", name="Signer le PV").click()
    page.get_by_text("Signé : Prononce la réception avec réserves (entrée n° 2 de la chaîne).").wait_for()
    # The MOA cannot countersign: the button is there, disabled.
    assert page.get_by_role("button", name="Contresigner le PV").is_disabled()

    page.context.clear_cookies()
    login(page, "moe")
    page.goto(url)
    page.get_by_text("Prend acte de la décision de l'acheteur").first.wait_for()
    page.get_by_label("Votre mot de passe (ré-authentification)").fill(PASSWORD)
    page.get_by_role("button", name="Contresigner le PV").click()
    page.get_by_text("entrée n° 3 de la chaîne").wait_for()
    page.get_by_text("provisoire").first.wait_for()
    pv.refresh_from_db()
    assert pv.status == PvStatus.SIGNE
    assert pv.signatures.count() == 2

    page.get_by_role("link", name="Vérifier la chaîne d'empreintes").click()
    page.get_by_text("OK : 3 entrées vérifiées, aucun acte modifié après signature.").wait_for()
