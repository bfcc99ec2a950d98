"""The runbook's live board in a real browser, at a desk (1,440 px) and on a phone (390 px): start a step and
finish it, start the next and report its failure; the board is redrawn by htmx from the server, in French."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oeuvre.mep import runbook
from oeuvre.mep.models import RunbookStep
from tests.conftest import login
from tests.mep.builders import release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 390])
def test_it_starts_then_finishes_a_step_on_the_live_board(page: Any, personas: Any, width: int) -> None:
    rel = release(personas, "2.0")
    start = timezone.now().replace(second=0, microsecond=0)
    first = runbook.runbook_step_create(
        actor=personas.moe,
        release=rel,
        title="Arrêt des traitements planifiés",
        owner=personas.exploitation,
        planned_start=start,
        planned_minutes=15,
        rollback="Relancer les traitements",
    )
    runbook.runbook_step_create(
        actor=personas.moe,
        release=rel,
        title="Reprise des comptes usagers",
        planned_start=start + dt.timedelta(minutes=15),
        planned_minutes=60,
        depends_on=[first.pk],
        point_of_no_return=True,
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "exploitation")
    page.goto(f"/p/{personas.project.code}/mep/releases/{rel.pk}/runbook/")
    step = page.locator(f"#step-{first.pk}")
    expect(step).to_have_attribute("data-status", "a_faire")
    step.get_by_role("button", name="Commencer").click()
    expect(step).to_have_attribute("data-status", "en_cours")
    expect(step.locator(".step-status")).to_have_text("En cours")
    step.get_by_role("button", name="Terminer").click()
    expect(step).to_have_attribute("data-status", "fait")
    expect(page.locator("#board-summary")).to_contain_text("1 étape sur 2 faite ou sautée")
    # The next step, no longer waiting, can start.
    second = page.locator("#steps > li").nth(1)
    expect(second.get_by_role("button", name="Commencer")).to_be_visible()
    # It fails: the board proposes the rollback, naming the step's own rollback.
    second.get_by_role("button", name="Commencer").click()
    expect(second).to_have_attribute("data-status", "en_cours")
    second.get_by_label("Motif (échec ou saut)").fill("Verrou sur la table des comptes")
    second.get_by_role("button", name="Signaler l’échec").click()
    expect(second).to_have_attribute("data-status", "echec")
    expect(page.locator("#rollback-proposal")).to_contain_text("Retour arrière proposé")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shots = os.environ.get("OEUVRE_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"runbook-{width}.png"), full_page=True)
    done = RunbookStep.objects.get(pk=first.pk)
    assert (done.status, done.started_by, done.finished_by) == ("fait", personas.exploitation, personas.exploitation)
