"""The search box and "Mon travail" in a real browser, at a laptop's and a phone's width, without a mouse."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from oeuvre.recette.services.anomalies import anomaly_create
from oeuvre.requirements.services import exigence_create
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("OEUVRE_SCREENSHOTS", "")) if os.environ.get("OEUVRE_SCREENSHOTS") else None


def _shot(page: Any, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"search-{name}.png"), full_page=True)


def _no_page_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_it_finds_an_anomaly_from_the_header_with_the_keyboard(personas: Any, page: Any) -> None:
    from playwright.sync_api import expect

    exigence_create(actor=personas.amoa, project=personas.project, title="Supervision des flux", text="Sécurité")
    anomaly = anomaly_create(actor=personas.moe, project=personas.project, title="Flux bloqué la nuit")
    login(page, "moe")

    for width, height in [(1440, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/p/")
        if width < 576:
            # A phone shows an icon instead of the header's box: it opens the search page, whose box has the focus.
            page.get_by_role("link", name="Rechercher dans tous mes projets").press("Enter")
            page.wait_for_url("**/search/")
            # The browser applies autofocus at its next rendering step, after "load": wait for it before typing
            # (under load the first letter used to go nowhere and the search was « lux »).
            expect(page.locator('input[type="search"][name="q"][autofocus]')).to_be_focused()
        else:
            page.locator("[data-global-search]").focus()  # « / » goes to the portfolio's own filter here
        page.keyboard.type("flux")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=flux*")
        page.get_by_role("heading", name="Exigences").wait_for()
        page.get_by_role("heading", name="Anomalies").wait_for()
        assert _no_page_scroll(page)
        _shot(page, f"results-{width}")

    page.get_by_role("link", name="Anomalies 1").press("Enter")
    page.wait_for_url("**kind=anomaly**")
    assert page.get_by_role("heading", name="Exigences").count() == 0
    page.get_by_role("link", name=f"{anomaly.reference} Flux bloqué la nuit").press("Enter")
    page.wait_for_url(f"**/recette/anomalies/{anomaly.pk}/")


def test_it_shows_my_work_at_both_widths(personas: Any, page: Any) -> None:
    anomaly_create(actor=personas.moe, project=personas.project, title="Écran figé", assignee=personas.amoe)
    login(page, "amoe")

    for width, height in [(1440, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/my-work/")
        page.get_by_role("heading", name="Mon travail").wait_for()
        page.get_by_role("link", name="Écran figé").wait_for()
        assert _no_page_scroll(page)
        _shot(page, f"my-work-{width}")


def test_it_saves_a_search_finds_it_in_my_work_and_runs_it_at_both_widths(personas: Any, page: Any) -> None:
    exigence_create(actor=personas.amoa, project=personas.project, title="Chiffrement des échanges")
    login(page, "moe")
    page.goto("/search/?q=chiffrement")
    page.get_by_label("Garder cette recherche sous le nom").fill("Chiffrement")
    page.get_by_role("button", name="Enregistrer la recherche").press("Enter")
    page.get_by_role("link", name="Chiffrement", exact=True).wait_for()

    for width, height in [(1440, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/search/?q=chiffrement")
        page.get_by_role("heading", name="Mes recherches enregistrées").wait_for()
        assert _no_page_scroll(page)
        _shot(page, f"saved-{width}")
        page.goto("/my-work/")
        page.get_by_role("link", name="Chiffrement", exact=True).wait_for()
        assert _no_page_scroll(page)
        _shot(page, f"my-work-saved-{width}")
    page.get_by_role("link", name="Chiffrement", exact=True).press("Enter")
    page.wait_for_url("**/search/?q=chiffrement")
    page.get_by_role("link", name="Chiffrement des échanges").wait_for()
    page.get_by_role("button", name="Supprimer la recherche enregistrée « Chiffrement »").press("Enter")
    page.get_by_text("Recherche « Chiffrement » supprimée.").wait_for()


def test_it_shows_an_incident_with_its_history_and_a_labelled_file_input(personas: Any, page: Any) -> None:
    from oeuvre.mep import incidents

    incident = incidents.incident_create(
        actor=personas.moa, project=personas.project, title="Portail indisponible", impact=4, urgency=4
    )
    incidents.incident_transition(actor=personas.exploitation, incident=incident, action="take", expected_version=None)
    login(page, "moe")
    page.goto(f"/p/{personas.project.code}/mep/incidents/")
    page.get_by_role("link", name=incident.reference).press("Enter")
    page.wait_for_url(f"**/mep/incidents/{incident.pk}/")
    for width, height in [(1440, 900), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.get_by_role("heading", name="Historique des statuts").wait_for()
        assert _no_page_scroll(page)
        _shot(page, f"incident-{width}")
    # The attachment input is named in French by its label, and shows the chosen file's name in French too.
    picker = page.get_by_label("Joindre des fichiers").first
    picker.set_input_files(files=[{"name": "trace.log", "mimeType": "text/plain", "buffer": b"erreur 502"}])
    page.get_by_text("trace.log").first.wait_for()
    page.get_by_label("Ajouter un commentaire").fill("Cause trouvée : @moa le proxy.")
    page.get_by_role("button", name="Commenter").press("Enter")
    page.get_by_role("link", name="trace.log").wait_for()
