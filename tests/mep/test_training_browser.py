"""Recording a session's attendance on the training page in a real browser, at 1,440 and 390 px, in French: the
trainer ticks who came and their satisfaction, the readiness follows; nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from oeuvre.mep import training, waves
from oeuvre.mep.models import TrainingAttendee
from tests.conftest import login
from tests.mep.builders import release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    shots = os.environ.get("OEUVRE_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_the_trainer_records_attendance_and_the_readiness_follows(page: Any, personas: Any, width: int) -> None:
    p = personas
    rel = release(p, "1.1.0", planned_date=dt.date(2027, 2, 1))
    first = waves.wave_create(
        actor=p.moe, release=rel, name="Vague 1 : sites pilotes", sites="Siège", users=3, planned_date=rel.planned_date
    )
    course = training.course_create(
        actor=p.moe, release=rel, title="Instruire une démarche en ligne", audience="Instructeurs", duration_minutes=180
    )
    session = training.session_create(
        actor=p.moe,
        release=rel,
        course=course,
        wave=first,
        trainer="Formateur de l'AMOE",
        date=dt.date(2027, 1, 18),
        place="Classe virtuelle (lien envoyé aux inscrits)",
        capacity=12,
    )
    for name in ("Aurélie Fontaine-Delacourt", "Bruno Garnier", "Céline Roux"):
        training.attendee_add(actor=p.moe, session=session, name=name, role="Instructeurs")
    ids = {a.name: a.pk for a in TrainingAttendee.objects.filter(session=session)}
    page.set_viewport_size({"width": width, "height": 900})

    login(page, "amoa")
    page.goto(f"/p/{p.project.code}/mep/releases/{rel.pk}/training/")
    expect(page.locator("#training-readiness")).to_contain_text(
        "Vague 1 : sites pilotes part en production avec 3 utilisateurs sur 3 encore à former."
    )
    _shot(page, f"mep-training-before-{width}")
    card = page.locator(f"#session-{session.pk}")
    card.locator(f"label[for='att-{ids['Aurélie Fontaine-Delacourt']}-present']").click()
    card.get_by_label("Satisfaction de Aurélie Fontaine-Delacourt (1 à 5)").select_option("5")
    card.locator(f"label[for='att-{ids['Bruno Garnier']}-present']").click()
    card.get_by_label("Satisfaction de Bruno Garnier (1 à 5)").select_option("4")
    card.locator(f"label[for='att-{ids['Céline Roux']}-excuse']").click()
    card.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("Présents\u00a0: 2 / 12")
    expect(page.locator(f"#session-{session.pk}")).to_contain_text("satisfaction 4,5 / 5 (2 réponses)")
    expect(page.locator("#training-readiness")).to_contain_text("1 utilisateur sur 3 encore à former")
    _shot(page, f"mep-training-after-{width}")
    assert TrainingAttendee.objects.get(pk=ids["Céline Roux"]).attendance == "excuse"
    page.goto(f"/p/{p.project.code}/mep/releases/{rel.pk}/")
    expect(page.locator("#training")).to_contain_text("2 / 3 utilisateurs formés.")
    expect(page.locator("#training-readiness")).to_contain_text("Instructeurs")
    _shot(page, f"mep-release-training-{width}")

    page.context.clear_cookies()
    login(page, "moe")
    page.goto(f"/p/{p.project.code}/mep/releases/{rel.pk}/training/")
    page.locator("#courses > details > summary").click()
    page.get_by_label("Intitulé", exact=True).last.fill("Formation des formateurs relais")
    page.get_by_label("Public (rôle ou population)").last.fill("Formateurs relais")
    page.get_by_role("button", name="Ajouter le module").click()
    expect(page.locator("#courses")).to_contain_text("Formation des formateurs relais")
    page.locator(f"#session-{session.pk} details > summary").first.click()
    _shot(page, f"mep-training-plan-forms-{width}")
