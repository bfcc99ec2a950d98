"""The environments page (configuration, staging ≠ production), the release page (waves, training, release notes)
and the runbook's step editing in a real browser at 1,440 and 390 px, in French: nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oeuvre.mep import configuration, runbook, services, training, waves
from tests.conftest import login
from tests.mep.builders import release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    shots = os.environ.get("OEUVRE_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_configuration_waves_and_step_editing_pages(page: Any, personas: Any, width: int) -> None:
    p = personas
    envs = [
        services.environment_create(actor=p.moe, project=p.project, kind=kind, name=name)
        for kind, name in (("recette", "Recette"), ("preproduction", "Préproduction"), ("production", "Production"))
    ]
    for name, values in {
        "DB_HOST": ("db-rec.interne", "db-ppr.interne", "db-prd.interne"),
        "PAYMENT_MODE": ("bouchon", "bouchon", "reel"),
        "DB_PASSWORD": ("vault:kv/demarches/rec#db", "vault:kv/demarches/ppr#db", "vault:kv/demarches/prd#db"),
    }.items():
        for env, value in zip(envs, values, strict=True):
            secret = value.startswith("vault:")
            configuration.config_item_set(
                actor=p.exploitation,
                environment=env,
                name=name,
                value="" if secret else value,
                secret_ref=value if secret else "",
                owner=p.exploitation,
            )
    rel = release(p, "1.1.0", title="Paiement en ligne", planned_date=dt.date(2027, 2, 1))
    wave = waves.wave_create(
        actor=p.moe,
        release=rel,
        name="Vague 1 : sites pilotes",
        sites="Siège (Paris), Agence de Lyon",
        users=180,
        prerequisites="Postes mis à jour\nComptes agents créés",
        runbook_link="Runbook de la version (bascule de nuit)",
    )
    waves.wave_create(actor=p.moe, release=rel, name="Vague 2 : généralisation", sites="Nantes, Lille", users=260)
    session = training.session_create(
        actor=p.moe,
        release=rel,
        wave=wave,
        audience="Agents d'accueil du siège",
        trainer="Formateur de l'AMOE",
        date=dt.date(2027, 1, 18),
        place="Classe virtuelle (lien envoyé aux inscrits)",
        capacity=100,
    )
    training.attendance_record(actor=p.moe, session=session, attended=94, expected_version=None)
    start = timezone.now().replace(second=0, microsecond=0)
    runbook.runbook_step_create(
        actor=p.moe, release=rel, title="Arrêt des traitements planifiés", planned_start=start, planned_minutes=15
    )
    second = runbook.runbook_step_create(actor=p.moe, release=rel, title="Sauvegarde de la base")
    page.set_viewport_size({"width": width, "height": 900})

    login(page, "exploitation")
    page.goto(f"/p/{p.project.code}/mep/")
    expect(page.locator("#config-differences")).to_contain_text("2 paramètres diffèrent")  # DB_HOST and PAYMENT_MODE
    _shot(page, f"mep-environments-{width}")
    page.goto(f"/p/{p.project.code}/mep/releases/{rel.pk}/runbook/")
    page.locator("#edit-steps summary").first.click()
    _shot(page, f"mep-runbook-edit-{width}")
    page.locator(f"#edit-step-{second.pk} button[aria-label]").click()  # « Monter l’étape 2 »
    expect(page.locator("#steps > li").first).to_contain_text("Sauvegarde de la base")

    page.context.clear_cookies()
    login(page, "moa")
    page.goto(f"/p/{p.project.code}/mep/releases/{rel.pk}/")
    card = page.locator(f"#wave-{wave.pk}")
    expect(card).to_contain_text("Siège (Paris), Agence de Lyon")
    card.get_by_role("button", name="Décider pour cette vague").click()
    expect(page.locator(f"#wave-{wave.pk}")).to_contain_text("Prête")
    page.get_by_role("button", name="Notes de version").click()
    expect(page.get_by_role("link", name="PDF — English")).to_be_visible()
    expect(page.locator("#training")).to_contain_text("94 / 440 utilisateurs formés.")
    _shot(page, f"mep-release-waves-{width}")
