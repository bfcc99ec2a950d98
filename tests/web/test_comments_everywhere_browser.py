"""The discussion under a change request, a committee, an interface, a criterion and a campaign in a real browser at
1,440 and 390 px: a comment is posted without reloading the page, and nothing scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import login
from tests.web.test_comments_everywhere import OBJECTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("OEUVRE_SCREENSHOTS", "")


@pytest.mark.parametrize("width", [1440, 390])
def test_every_page_takes_a_comment_in_place(page: Any, personas: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "moe")
    for label, build in OBJECTS.items():
        _target, url = build(personas)
        page.goto(url)
        page.get_by_label("Ajouter un commentaire").fill(f"Vu pour **{label}**")
        page.get_by_role("button", name="Commenter", exact=True).click()
        page.locator(".comment-body strong", has_text=label).wait_for()
        assert page.url.endswith(url)  # posted by htmx, no reload
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), label
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.locator(".comments").scroll_into_view_if_needed()
            page.screenshot(path=str(Path(SHOTS) / f"comments-{label}-{width}.png"), full_page=True)
