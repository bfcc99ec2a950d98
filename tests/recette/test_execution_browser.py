"""A tester runs three steps from the keyboard, marks a KO and raises the anomaly, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from oeuvre.recette import models as m
from tests.conftest import login
from tests.recette import testbook_helpers as h


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_runs_three_steps_from_the_keyboard_and_raises_the_anomaly(personas: Any, page: Any) -> None:
    case = h.make_case(personas, exigences=[h.exigence(personas)])
    campaign = h.campaign(personas, cases=[case])
    login(page, "contributor")
    page.goto(f"/p/alpha/recette/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Exécuter").click()
    page.wait_for_url("**/executions/**")
    heading = page.locator("#step-heading")
    assert "Étape 1 sur 3" in heading.inner_text()
    assert page.locator("#step-heading").evaluate("el => el === document.activeElement")
    page.keyboard.press("o")
    page.wait_for_selector('#execution-panel[data-step="2"]')
    assert page.locator("#step-heading").evaluate("el => el === document.activeElement")
    page.keyboard.press("p")  # back to step 1, then forward again
    page.wait_for_selector('#execution-panel[data-step="1"]')
    page.keyboard.press("n")
    page.wait_for_selector('#execution-panel[data-step="2"]')
    page.keyboard.press("o")
    page.wait_for_selector('#execution-panel[data-step="3"]')
    page.keyboard.press("k")
    expect(page.locator("#actual")).to_be_focused()
    # The bell refreshes itself every minute: its swap must leave the cursor where the tester types.
    page.evaluate(
        """() => new Promise((resolve) => {
            const bell = document.getElementById("bell");
            bell.addEventListener("htmx:afterSwap", () => resolve(true), {once: true});
            htmx.ajax("GET", bell.getAttribute("hx-get"), {target: "#bell", swap: "innerHTML"});
        })"""
    )
    expect(page.locator("#actual")).to_be_focused()
    page.keyboard.type("Page blanche après validation")
    page.keyboard.press("Enter")
    page.wait_for_selector("#raise-anomaly")
    execution = m.Execution.objects.get()
    assert list(execution.step_results.values_list("status", flat=True)) == ["ok", "ok", "ko"]
    assert execution.status == "ko"
    assert page.locator(".tb-legend").is_visible()
    page.keyboard.press("a")  # the pre-filled form: nothing is created before the tester saves it
    page.wait_for_url("**/anomalies/new/**")
    assert not m.Anomaly.objects.exists()
    assert "Page blanche après validation" in page.locator("textarea[name=description]").input_value()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".message-success")
    anomaly = m.Anomaly.objects.get()
    assert anomaly.execution_id == execution.pk
    assert anomaly.step_position == 3
    assert "Page blanche après validation" in anomaly.description
    assert anomaly.reference in page.locator(".messages").inner_text()
