"""The data table in a real browser: sort, filter, a saved view, a bulk status change with a refused row (ticked
with the keyboard and the mouse), the export of the filtered rows, and a phone-sized screen."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from oeuvre.requirements.models import Exigence
from tests.conftest import login
from tests.requirements import helpers as h

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _references(page: Any) -> list[str]:
    return [r.split()[0] for r in page.locator(".dt-table tbody tr td:nth-child(2)").all_inner_texts()]


@pytest.fixture
def exigences(personas: Any) -> None:
    p = personas.project
    h.exigence(p, "EX-001", title="Connexion", priority="must")
    h.exigence(p, "EX-002", title="Annuaire", priority="could", status="validee")
    h.exigence(p, "EX-003", title="Badge", priority="should", status="soumise")
    h.exigence(p, "EX-004", title="Archivage", priority="must", status="validee")


@pytest.mark.usefixtures("exigences")
def test_it_sorts_filters_saves_a_view_acts_in_bulk_and_exports(page: Any, personas: Any) -> None:
    login(page, "amoa")
    base = f"/p/{personas.project.code}/requirements/"
    page.goto(base)
    assert _references(page) == ["EX-001", "EX-002", "EX-003", "EX-004"]

    # Sort: the header link toggles the direction, on the server.
    page.locator("th[data-col='reference'] a").click()
    page.wait_for_url("**sort=-reference*")
    assert _references(page) == ["EX-004", "EX-003", "EX-002", "EX-001"]
    assert page.locator("th[data-col='reference']").get_attribute("aria-sort") == "descending"

    # Filter, keeping the sort; "/" reaches the search field.
    page.locator("form.dt-filters").get_by_label("Statut").select_option("validee")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.wait_for_url("**status=validee*")
    assert _references(page) == ["EX-004", "EX-002"]

    # Save it as a shared view, then come back to it from the plain list.
    page.get_by_role("button", name="Vues enregistrées").click()
    page.get_by_label("Enregistrer la vue actuelle sous le nom").fill("Validées")
    page.get_by_label("Partager avec les membres du projet").check()
    page.get_by_role("button", name="Enregistrer la vue").click()
    page.wait_for_url("**view=*")
    page.get_by_text("Vue « Validées » enregistrée.").wait_for()
    page.goto(base)
    assert len(_references(page)) == 4
    page.get_by_role("button", name="Vues enregistrées").click()
    page.get_by_role("link", name="Validées").click()
    page.wait_for_url("**view=*")
    assert _references(page) == ["EX-004", "EX-002"]

    # Export what is shown.
    page.get_by_role("button", name="Exporter", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Lignes filtrées en CSV").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [r[0] for r in rows] == ["Référence", "EX-004", "EX-002"]

    # Bulk: tick EX-001 with the keyboard (j then x), EX-002 with the mouse; submitting both refuses EX-002 only.
    page.goto(base)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.get_by_label("Cocher EX-002").check()
    page.get_by_text("2 lignes cochées").wait_for()
    page.get_by_label("Action", exact=True).select_option("move")
    page.get_by_label("Passage").select_option("submit")
    page.get_by_role("button", name="Appliquer aux lignes cochées").click()
    page.get_by_text("Changer le statut : appliqué à 1 ligne (EX-001).").wait_for()
    page.get_by_text(
        "Ligne EX-002 non modifiée : Une exigence au statut « Validée » ne peut pas passer à « Soumise »."
    ).wait_for()
    statuses = dict(Exigence.objects.values_list("reference", "status"))
    assert statuses["EX-001"] == "soumise"
    assert statuses["EX-002"] == "validee"


@pytest.mark.usefixtures("exigences")
def test_it_keeps_a_phone_screen_from_scrolling_sideways(page: Any, personas: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "amoa")
    for suffix in ("requirements/", "recette/anomalies/list/", "recette/book/", "recette/executions/"):
        page.goto(f"/p/{personas.project.code}/{suffix}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, suffix
    page.goto(f"/p/{personas.project.code}/requirements/?col=reference&col=title&col=type&col=priority&col=status")
    box = page.locator(".dt-scroll")
    assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
