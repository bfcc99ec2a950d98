"""The bell, the notifications page and a discussion under an exigence, in a real browser at 1,440 and 390 px:
the count arrives by htmx, a notification opens its object and is then read, a comment with a mention is posted
without reloading the page, and nothing scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from oeuvre.web.models import Notification
from tests.conftest import login
from tests.requirements import helpers as h

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("OEUVRE_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1440, 390])
def test_it_walks_the_bell_the_notifications_and_a_discussion(page: Any, personas: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    exigence = h.exigence(personas.project, "EX-001", "soumise", title="Authentification forte")
    url = f"/p/{personas.project.code}/requirements/{exigence.pk}/"
    for k, title in enumerate(
        ["Attend votre validation : Authentification forte", "Claire vous a mentionné sur EX-001"]
    ):
        Notification.objects.create(
            recipient=personas.moa, kind="validation" if k == 0 else "mention", key=f"k{k}", project=personas.project,
            reference="EX-001", title=title, url=url,
        )  # fmt: skip
    login(page, "moa")
    page.goto(f"/p/{personas.project.code}/")
    page.locator("#bell .bell-count").wait_for()
    assert page.locator("#bell .bell-count").inner_text() == "2"
    _shot(page, f"notify-bell-{width}")

    page.locator("#bell a").click()
    page.wait_for_url("**/notifications/")
    assert page.get_by_text("Attend votre validation : Authentification forte").is_visible()
    _no_sideways_scroll(page)
    _shot(page, f"notify-page-{width}")

    page.get_by_role("button", name="EX-001 · Attend votre validation : Authentification forte").click()
    page.wait_for_url(f"**{url}")
    assert Notification.objects.filter(recipient=personas.moa, read_at=None).count() == 1

    page.get_by_label("Ajouter un commentaire").fill("Relu, **d'accord**. @moe peux-tu confirmer ?")
    page.get_by_role("button", name="Commenter", exact=True).click()
    page.locator(".comment-body strong", has_text="d'accord").wait_for()
    assert page.url.endswith(url)  # posted by htmx, no reload
    _no_sideways_scroll(page)
    page.locator(".comments").scroll_into_view_if_needed()
    _shot(page, f"notify-comments-{width}")

    page.goto("/notifications/preferences/")
    page.get_by_label("Un courriel par notification").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Vos préférences de notification sont enregistrées.").wait_for()
    _no_sideways_scroll(page)
    _shot(page, f"notify-preferences-{width}")
