"""The anomaly board and the dashboards in a real browser: keyboard-only moves, charts drawn without errors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from oeuvre.recette.models import Anomaly
from oeuvre.recette.services import anomalies as svc
from tests.conftest import login
from tests.recette import helpers_anomalies as h

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_moves_a_card_with_the_keyboard_only(page: Any, personas: Any) -> None:
    p = personas
    anomaly = svc.anomaly_create(actor=p.amoa, project=p.project, title="Erreur 500 au dépôt", severity="bloquante")
    login(page, "amoa")
    page.goto(f"/p/{p.project.code}/recette/anomalies/")
    card = page.locator(f"#anomaly-{anomaly.pk}")
    assert card.locator("xpath=ancestor::section").get_attribute("data-status") == "nouvelle"
    # Tab from the card's link to its first move ("Qualifier") and press Enter: no mouse involved.
    card.get_by_role("link").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Qualifier"
    page.keyboard.press("Enter")
    # htmx swaps the board; the moved card is now in « Qualifiée » and keeps the focus.
    page.locator('section[data-status="qualifiee"]').locator(f"#anomaly-{anomaly.pk}").wait_for()
    page.get_by_text("est maintenant « Qualifiée »").wait_for()
    assert page.evaluate("document.activeElement.closest('li') && document.activeElement.closest('li').id") == (
        f"anomaly-{anomaly.pk}"
    )
    anomaly.refresh_from_db()
    assert anomaly.status == "qualifiee"
    assert anomaly.history.latest().history_user == p.amoa

    # Rejecting asks for a reason, typed in the card's disclosure, still without a mouse.
    card = page.locator(f"#anomaly-{anomaly.pk}")
    card.locator("summary", has_text="Rejeter").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Comportement conforme à la SFD")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator('section[data-status="rejetee"]').locator(f"#anomaly-{anomaly.pk}").wait_for()
    anomaly.refresh_from_db()
    assert anomaly.status == "rejetee"
    assert "Comportement conforme à la SFD" in anomaly.resolution


def test_it_draws_the_dashboard_charts(page: Any, personas: Any) -> None:
    p = personas
    cases = [h.make_case(p.project, n, exigences=(f"EX-{n:03d}",), steps=1) for n in range(1, 7)]
    camp = h.campaign(p.project, iterations=2, cases=cases)
    it1 = camp.iterations.get(number=1)
    start = date.today() - timedelta(days=6)
    for n, case in enumerate(cases):
        h.run(it1, case, ["ok", "ko", "ok", "bloque", "ok", "ok"][n], h.at(start + timedelta(days=n)))
    execution = cases[1].executions.get()
    svc.anomaly_create_from_execution(actor=p.amoa, execution=execution)
    svc.anomaly_create(actor=p.amoa, project=p.project, title="Lenteur", severity="mineure", campaign=camp)
    assert Anomaly.objects.count() == 2
    login(page, "moa")
    page.goto(f"/p/{p.project.code}/recette/dashboards/?campaign={camp.pk}")
    for chart in ("burnup-1", "breakdown", "anomalies-severity", "anomalies-status"):
        page.locator(f"#{chart}[data-rendered='1'] svg").first.wait_for()
    assert "Taux de réussite" in page.content()
