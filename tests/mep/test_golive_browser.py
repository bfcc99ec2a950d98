"""The issue's journey in a real browser (Chromium, French): the exploitation team runs the dry run on the live
board and sees it against the plan; the MOA reads its evidence in the go/no-go and signs the go after entering
their password again; an incident is reported after go-live and its page shows the service-level clocks, on a
desk (1,440 px) and, for the incident, on a phone (390 px) without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oeuvre.mep import runbook
from oeuvre.mep.models import DryRunStep, GoNoGoDecision, Incident
from tests.conftest import login
from tests.mep.builders import attest_all, release, signed_pv
from tests.recette.pv_factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    shots = os.environ.get("OEUVRE_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_dry_run_go_decision_incident_and_its_timer(page: Any, personas: Any) -> None:
    signed_pv(personas, minors=0)
    rel = release(personas, "2.0", planned_date=timezone.localdate() + dt.timedelta(days=7))
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=7)
    first = runbook.runbook_step_create(
        actor=personas.moe,
        release=rel,
        title="Arrêt des traitements planifiés",
        owner=personas.exploitation,
        planned_start=start,
        planned_minutes=15,
    )
    second = runbook.runbook_step_create(
        actor=personas.moe,
        release=rel,
        title="Reprise des comptes usagers",
        planned_start=start + dt.timedelta(minutes=15),
        planned_minutes=60,
        depends_on=[first.pk],
        point_of_no_return=True,
    )
    attest_all(personas, rel)
    code = personas.project.code
    page.set_viewport_size({"width": 1440, "height": 900})

    # 1. The exploitation team runs the dry run on the live board, the cut-over untouched.
    login(page, "exploitation")
    page.goto(f"/p/{code}/mep/releases/{rel.pk}/runbook/")
    page.get_by_role("link", name="Run à blanc").click()
    board = page.locator("#runbook-board")
    expect(board).to_have_attribute("data-run", "dry")
    expect(page.get_by_role("heading", name="Tableau de suivi du run à blanc")).to_be_visible()
    for step in (first, second):
        row = page.locator(f"#step-{step.pk}")
        row.get_by_role("button", name="Commencer").click()
        expect(row).to_have_attribute("data-status", "en_cours")
        row.get_by_role("button", name="Terminer").click()
        expect(row).to_have_attribute("data-status", "fait")
    expect(page.locator("#board-summary")).to_contain_text("2 étapes sur 2 faites ou sautées")
    page.reload()  # the comparison is drawn with the page
    expect(page.locator("#compare-dry-total")).not_to_have_text("—")
    expect(page.locator("#comparison")).to_contain_text("Run à blanc et bascule par rapport au plan")
    _shot(page, "golive-dry-run-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#comparison")).to_be_visible()
    assert _no_sideways_scroll(page)  # the comparison table scrolls inside its own box
    _shot(page, "golive-dry-run-390")
    page.set_viewport_size({"width": 1440, "height": 900})
    assert DryRunStep.objects.filter(step__release=rel, status="fait").count() == 2
    page.get_by_role("link", name="Bascule").click()
    expect(page.locator(f"#step-{first.pk}")).to_have_attribute("data-status", "a_faire")

    # 2. The MOA reads the dry run's evidence and signs the go after re-authenticating.
    page.context.clear_cookies()
    login(page, "moa")
    page.goto(f"/p/{code}/mep/releases/{rel.pk}/")
    dry_run = page.locator('tr[data-code="dry_run"]')
    expect(dry_run).to_contain_text("Run à blanc le")
    expect(dry_run).to_contain_text("0\u00a0étape en retard")
    expect(page.locator("#proposal")).to_have_text("Go")
    page.get_by_label("Votre mot de passe (ré-authentification)").fill("pas le bon")
    page.get_by_role("button", name="Signer la décision").click()
    expect(page.locator(".alert-danger, .alert-warning").first).to_be_visible()
    assert not GoNoGoDecision.objects.filter(release=rel).exists()
    page.get_by_label("Votre mot de passe (ré-authentification)").fill(PASSWORD)
    page.get_by_role("button", name="Signer la décision").click()
    expect(page.get_by_text("Décision « Go » signée")).to_be_visible()
    _shot(page, "golive-gonogo-1440")
    decision = GoNoGoDecision.objects.get(release=rel)
    assert (decision.decision, decision.decided_by) == ("go", personas.moa)
    assert any(c["code"] == "dry_run" and "Run à blanc le" in c["evidence"] for c in decision.criteria)

    # 3. After go-live, the exploitation team reports an incident and sees its clocks.
    page.context.clear_cookies()
    login(page, "exploitation")
    page.goto(f"/p/{code}/mep/incidents/")
    page.get_by_text("Déclarer un incident").click()
    page.get_by_label("Titre").fill("Erreur 500 au dépôt d'une demande")
    page.get_by_label("Impact (1 = un utilisateur, 5 = tout le service)").select_option("5")
    page.get_by_role("button", name="Déclarer", exact=True).click()
    incident = Incident.objects.get(project=personas.project, title="Erreur 500 au dépôt d'une demande")
    page.get_by_role("link", name=incident.reference).click()
    facts = page.locator("#incident-facts")
    expect(facts).to_contain_text("Prise en charge avant (GTI)")
    expect(facts.locator(".badge").first).to_contain_text("restant")
    _shot(page, "golive-incident-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(facts.locator(".badge").first).to_be_visible()
    assert _no_sideways_scroll(page)
    _shot(page, "golive-incident-390")
