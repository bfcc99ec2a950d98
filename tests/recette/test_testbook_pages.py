"""Pages of the test book: the steps editor (each change a revision, stale edits refused), filters, planning."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.recette import models as m
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db


def _actions(case: m.TestCase) -> list[str]:
    return list(m.TestStep.objects.filter(test_case=case).order_by("position").values_list("action", flat=True))


def test_it_edits_moves_and_deletes_steps_from_the_page(personas: Any) -> None:
    case = h.make_case(personas)
    client = personas.client(personas.amoe)
    url = f"/p/alpha/recette/book/{case.pk}/steps/"

    def post(**data: Any) -> None:
        case.refresh_from_db()
        assert client.post(url, {"version": case.version, **data}).status_code == 302

    post(action="down", position=1)
    assert _actions(case)[:2] == ["Saisir l'identifiant et le mot de passe", "Ouvrir la page de connexion"]
    post(action="save", position=3, action_text="Cliquer sur « Valider »", expected="Tableau de bord", data="")
    post(action="add", position=1, action_text="Accepter les cookies", expected="Bandeau fermé", data="")
    assert _actions(case)[1] == "Accepter les cookies"
    post(action="delete", position=1)
    assert _actions(case) == ["Accepter les cookies", "Ouvrir la page de connexion", "Cliquer sur « Valider »"]
    case.refresh_from_db()
    assert case.revision == 5
    assert m.TestCaseRevision.objects.filter(test_case=case).count() == 5
    stale = client.post(url, {"version": case.version - 1, "action": "delete", "position": 1}, follow=True)
    assert len(_actions(case)) == 3, "a stale edit changes nothing"
    assert stale.status_code == 200
    incomplete = client.post(
        url, {"version": case.version, "action": "add", "action_text": "Sans attendu", "expected": ""}, follow=True
    )
    assert len(_actions(case)) == 3
    assert incomplete.status_code == 200
    assert client.get(f"/p/alpha/recette/book/{case.pk}/").status_code == 200


def test_it_filters_the_book_by_folder_and_search(personas: Any) -> None:
    portal = services.folder_create(actor=personas.amoa, project=personas.project, name="Portail")
    h.make_case(personas, "Connexion FranceConnect", folder=portal)
    h.make_case(personas, "Export CSV du back-office")
    client = personas.client(personas.reader)
    by_folder = client.get("/p/alpha/recette/book/", {"folder": portal.pk}).content.decode()
    assert "Connexion FranceConnect" in by_folder
    assert "Export CSV" not in by_folder
    searched = client.get("/p/alpha/recette/book/", {"q": "export"}).content.decode()
    assert "Export CSV du back-office" in searched
    assert "Connexion FranceConnect" not in searched
    csv = client.get("/p/alpha/recette/book/", {"format": "csv"})
    body = b"".join(csv.streaming_content) if csv.streaming else csv.content
    assert b"CT-002" in body


def test_it_plans_from_the_campaign_page_and_names_unknown_references(personas: Any) -> None:
    a = h.make_case(personas, "A")
    campaign = h.campaign(personas)
    client = personas.client(personas.amoa)
    url = f"/p/alpha/recette/campaigns/{campaign.pk}/plan/"
    response = client.post(url, {"test_cases": f"{a.reference}, CT-999", "tester": personas.moe.pk}, follow=True)
    assert "CT-999" in response.content.decode()
    assert not m.PlannedTest.objects.exists()
    client.post(url, {"test_cases": a.reference, "tester": personas.moe.pk})
    assert m.PlannedTest.objects.get().tester == personas.moe
    page = client.get(f"/p/alpha/recette/campaigns/{campaign.pk}/").content.decode()
    assert a.reference in page
