"""A change request in a real browser: the MOA submits it, the MOE analyses it (the what-if gives the delay), the
MOA accepts it with its avenant; the pages read at a desk (1,440 px) and on a phone (390 px)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from oeuvre.pilotage.models import ChangeStatus
from oeuvre.pilotage.services.changes import change_create, change_item_add
from oeuvre.planning.models import Task
from tests.conftest import login
from tests.planning.conftest import SmallPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser: Any, live_server: Any, username: str, width: int = 1440) -> Any:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, username)
    return page


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_it_submits_analyses_and_accepts_a_change_request(
    browser: Any, live_server: Any, personas: Any, small_plan: SmallPlan, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("OEUVRE_SCREENSHOTS", tmp_path))
    project = personas.project
    change = change_create(
        actor=personas.moa,
        project=project,
        data={"title": "Export comptable mensuel", "justification": "Contrôle de gestion", "origin": "moa"},
    )
    change_item_add(actor=personas.moa, change=change, kind="ajout", text="Le système exporte les écritures.")
    url = f"/p/{project.code}/pilotage/changes/{change.pk}/"
    duration_b = Task.objects.get(pk=small_plan.tasks["B"].pk).duration

    moa = _as(browser, live_server, "moa")
    moa.goto(url)
    moa.get_by_role("button", name="Soumettre pour analyse").click()
    expect(moa.locator("#change-status")).to_have_text("Soumise")
    expect(moa.get_by_text("En attente de la décision de la MOA.")).to_have_count(0)  # the MOA sees the form

    moe = _as(browser, live_server, "moe")
    moe.goto(url)
    moe.get_by_label("Tâches touchées, une par ligne").fill("B; 4; 6\nZZ; 1; 1")
    moe.get_by_role("button", name="Calculer l'impact").click()
    expect(moe.get_by_text("ligne 2 : pas de tâche ZZ dans le planning")).to_be_visible()
    moe.get_by_label("Tâches touchées, une par ligne").fill("B; 4; 6")
    moe.get_by_role("button", name="Calculer l'impact").click()
    expect(moe.locator("#change-status")).to_have_text("Impact analysé")
    expect(moe.locator("#delay")).to_contain_text("4 jours ouvrés")
    expect(moe.locator("#analysis")).to_contain_text(re.compile("3[\u00a0\u202f ]600 €"))  # 6 days at Alice's 600 € TJM
    expect(moe.locator("#decision-form")).to_have_count(0)  # the MOE prepares, the MOA decides
    # The what-if ran on a copy: the real task is as long as before.
    assert Task.objects.get(pk=small_plan.tasks["B"].pk).duration == duration_b

    moa.reload()
    moa.get_by_label("Accepter").check()
    moa.get_by_label("Motif").fill("Validé en COPIL")
    moa.get_by_label("Avenant signé le (s'il l'est déjà)").fill("2026-01-05")
    moa.get_by_role("button", name="Enregistrer la décision").click()
    expect(moa.locator("#change-status")).to_have_text("Acceptée")
    expect(moa.locator("#avenant")).to_contain_text("avenant n° 1")
    expect(moa.locator("#decision")).to_contain_text("DM-001 — avenant n° 1")
    # The added exigence is in the CDC now, and the page says so.
    expect(moa.locator("#applied")).to_contain_text("ajoutée au CDC")
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTEE
    assert Task.objects.get(pk=small_plan.tasks["B"].pk).duration == duration_b + 4
    moa.screenshot(path=str(shots / "change-1440.png"), full_page=True)
    _no_sideways_scroll(moa)

    phone = _as(browser, live_server, "reader", width=390)
    phone.goto(url)
    expect(phone.locator("#change-status")).to_have_text("Acceptée")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(shots / "change-390.png"), full_page=True)
    phone.goto(f"/p/{project.code}/pilotage/changes/")
    expect(phone.locator("#changes")).to_contain_text("DM-001")
    phone.screenshot(path=str(shots / "changes-list-390.png"), full_page=True)
    for page in (moa, moe, phone):
        page.context.close()
