"""The foundation in a real browser: log in, switch language, open the project, call the API."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_switches_language_opens_the_project_and_calls_the_api(page: Any, personas: Any) -> None:
    login(page, "moa")
    # French by default, whatever the browser says.
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name=personas.project.name).first.click()
    page.wait_for_url(f"**/p/{personas.project.code}/")
    assert page.get_by_role("heading", name="Vos actions").is_visible()
    # The MOA may change the phase; the MOA is not the project administrator.
    assert page.get_by_role("button", name="Changer de phase").is_visible()
    assert page.get_by_role("link", name="Gérer les membres").count() == 0

    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Your actions").is_visible()

    # The page's session calls the API with the browser's cookies.
    body = page.evaluate(
        "async (code) => { const r = await fetch('/api/projects/' + code); return [r.status, await r.json()]; }",
        personas.project.code,
    )
    assert body[0] == 200
    assert body[1]["code"] == personas.project.code


def test_it_shows_the_amoe_a_different_set_of_actions(page: Any, personas: Any) -> None:
    login(page, "amoe")
    page.goto(f"/p/{personas.project.code}/")
    assert page.get_by_role("button", name="Changer de phase").count() == 0
    assert page.get_by_role("link", name="Modifier le projet").count() == 0
    # The AMOE sees the budget; the reader does not.
    assert page.get_by_text("Charge vendue").is_visible()


def test_it_works_from_the_keyboard(page: Any, personas: Any) -> None:
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert re.search("Aller au contenu", focused)
    page.get_by_label("Identifiant").focus()
    page.keyboard.type("reader")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url("**/p/**")
    assert page.get_by_role("heading", name="Mes projets").is_visible()
