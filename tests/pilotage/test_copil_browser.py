"""A whole COPIL in a real browser (issue 11's Tests): the MOE prepares it with its date and attendees and sees the
agenda drawn from live data, records a decision and an action, the MOA accepts a change request in it, closes it
and signs the decisions, and the deck downloaded opens in python-pptx with those decisions in it."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pptx import Presentation

from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.pilotage.models import ChangeStatus, Committee, CommitteeStatus, Decision
from oeuvre.pilotage.services.changes import TaskImpactIn, change_analyse, change_create, change_item_add, change_submit
from tests.conftest import login
from tests.planning.conftest import SmallPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser: Any, live_server: Any, username: str, width: int = 1440) -> Any:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(30_000)  # the machines that run this are shared and loaded
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, username)
    return page


def _no_sideways_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _analysed_change(personas: Any, small_plan: SmallPlan) -> Any:
    change = change_create(
        actor=personas.moa, project=personas.project, data={"title": "Export comptable mensuel", "origin": "moa"}
    )
    change_item_add(actor=personas.moa, change=change, kind="ajout", text="Le système exporte les écritures.")
    change = change_submit(actor=personas.moa, change=change, expected_version=None)
    return change_analyse(
        actor=personas.moe,
        change=change,
        impacts=[TaskImpactIn(small_plan.tasks["B"].pk, 2, Decimal(3))],
        expected_version=change.version,
    )


def test_a_copil_is_prepared_decided_closed_and_its_deck_downloaded(
    browser: Any, live_server: Any, personas: Any, small_plan: SmallPlan, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("OEUVRE_SCREENSHOTS", tmp_path))
    project = personas.project
    change = _analysed_change(personas, small_plan)

    # The MOE prepares the COPIL: date, place, attendees; the agenda comes from live data.
    moe = _as(browser, live_server, "moe")
    moe.goto(f"/p/{project.code}/pilotage/committees/")
    moe.locator("#id_kind").select_option("copil")
    moe.locator("#id_title").fill("COPIL n°4")
    moe.locator("#id_held_on").fill("2026-12-10")
    moe.locator("#id_location").fill("Salle du conseil")
    moe.locator("#id_attendees").fill("Claire Martin — directrice MOA\nPaul Chef — chef de projet MOE")
    moe.get_by_role("button", name="Préparer", exact=True).click()
    moe.wait_for_url("**/pilotage/committees/*/")
    committee = Committee.objects.get(project=project, title="COPIL n°4")
    assert committee.held_on == dt.date(2026, 12, 10)
    agenda = moe.locator("pre.agenda")
    expect(agenda).to_contain_text("Météo du projet")
    expect(agenda).to_contain_text("DM-001 Export comptable mensuel (Impact analysé)")  # the decision to take
    expect(moe.locator("#attendees-title + ul")).to_contain_text("Paul Chef — chef de projet MOE")
    assert agenda.evaluate("e => e.scrollWidth <= e.clientWidth")  # its long lines wrap, none is cut

    # First decision, by the MOE; then an action with its owner and due date.
    moe.locator("#decision-text").fill("La recette du lot 2 démarre le 4 janvier.")
    moe.locator("#decision-subject").fill("Planning de recette")
    moe.locator("#add-decision").click()
    expect(moe.locator("#decisions")).to_contain_text("La recette du lot 2 démarre le 4 janvier.")
    moe.locator("#action-title").fill("Envoyer le relevé aux participants")
    moe.locator("#action-owner").select_option(str(personas.moe.pk))
    moe.locator("#action-due").fill("2026-12-14")
    moe.locator("#add-action").click()
    expect(moe.locator("#committee-actions")).to_contain_text("Envoyer le relevé aux participants")
    expect(moe.locator("#close-committee")).to_have_count(0)  # the MOE prepares, the MOA signs

    # The MOA decides the change request in the committee, then closes it.
    moa = _as(browser, live_server, "moa")
    moa.goto(f"/p/{project.code}/pilotage/committees/{committee.pk}/")
    moa.locator("#decision-text").fill("DM-001 acceptée, avenant à signer.")
    moa.locator("#decision-change").select_option(str(change.pk))
    moa.locator("#decision-outcome").select_option("accept")
    moa.locator("#add-decision").click()
    expect(moa.locator("#decisions")).to_contain_text("DM-001 Acceptée")
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTEE
    moa.locator("#close-committee").click()
    expect(moa.locator(".page-subtitle")).to_contain_text("Clos")
    committee.refresh_from_db()
    assert committee.status == CommitteeStatus.CLOS
    decisions = list(Decision.objects.filter(committee=committee).order_by("number"))
    assert [d.number for d in decisions] == [1, 2]
    assert all(d.chain_sequence is not None for d in decisions)  # signed into the hash chain
    expect(moa.locator("#decision-text")).to_have_count(0)  # a closed committee takes no more decisions
    moa.screenshot(path=str(shots / "copil-1440.png"), full_page=True)
    _no_sideways_scroll(moa)

    # The deck: a job written from live data; the worker's part runs here.
    moe.goto(f"/p/{project.code}/pilotage/committees/{committee.pk}/")
    moe.locator("#deck-generate").click()
    job = Job.objects.filter(project=project, kind="pilotage.deck").latest("created_at")
    assert execute_job(job).status == Job.Status.DONE
    moe.goto(f"/p/{project.code}/pilotage/committees/{committee.pk}/")
    with moe.expect_download() as download_info:
        moe.locator("#deck-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pptx")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    deck = Presentation(str(target))
    texts = [
        shape.table.cell(r, c).text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for r in range(len(shape.table.rows))
        for c in range(len(shape.table.columns))
    ]
    assert "La recette du lot 2 démarre le 4 janvier." in texts
    assert "DM-001 acceptée, avenant à signer." in texts
    assert "Envoyer le relevé aux participants" in texts

    phone = _as(browser, live_server, "reader", width=390)
    phone.goto(f"/p/{project.code}/pilotage/committees/{committee.pk}/")
    expect(phone.locator("#decisions")).to_contain_text("DM-001 acceptée")
    _no_sideways_scroll(phone)
    assert phone.locator("pre.agenda").evaluate("e => e.scrollWidth <= e.clientWidth")
    phone.screenshot(path=str(shots / "copil-390.png"), full_page=True)
    for page in (moe, moa, phone):
        page.context.close()
