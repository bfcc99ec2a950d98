"""Saved searches: kept by their owner only, run again with the runner's permissions of the moment, from the
search page, "Mon travail" and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from simple_history.utils import get_history_model_for_model

from oeuvre.core.errors import ValidationFailed
from oeuvre.requirements.services import exigence_create
from oeuvre.web.models import SavedSearch
from oeuvre.web.saved_searches import (
    saved_search_delete,
    saved_search_run,
    saved_search_save,
    saved_searches_of,
)

pytestmark = pytest.mark.django_db


def test_it_keeps_a_search_and_runs_it_again_with_todays_permissions(personas: Any) -> None:
    exigence = exigence_create(actor=personas.amoa, project=personas.project, title="Archivage légal des dossiers")
    search = saved_search_save(
        actor=personas.moe, name="Archivage", q="archivage", kind="exigence", project=personas.project.code
    )
    assert [h.reference for h in saved_search_run(personas.moe, search)] == [exigence.reference]
    assert get_history_model_for_model(SavedSearch).objects.filter(id=search.pk).count() == 1

    personas.project.memberships.filter(user=personas.moe).delete()
    assert saved_search_run(personas.moe, search) == []  # left the project: nothing of it any more


def test_it_replaces_a_search_saved_under_the_same_name(personas: Any) -> None:
    saved_search_save(actor=personas.moe, name="Mes anos", q="écran")
    again = saved_search_save(actor=personas.moe, name="Mes anos", q="batch", kind="anomaly")
    assert [(s.name, s.q, s.kind) for s in saved_searches_of(personas.moe)] == [("Mes anos", "batch", "anomaly")]
    assert again.version == 2


def test_it_refuses_a_nameless_search_an_unknown_kind_and_a_project_not_mine(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        saved_search_save(actor=personas.outsider, name=" ", q="", kind="nope", project=personas.project.code)
    assert set(caught.value.errors) == {"name", "q", "kind", "project"}
    assert not SavedSearch.objects.exists()


def test_only_its_owner_sees_and_deletes_a_saved_search(personas: Any) -> None:
    search = saved_search_save(actor=personas.moe, name="Sécurité", q="sécurité")
    assert list(saved_searches_of(personas.moa)) == []
    with pytest.raises(PermissionDenied):
        saved_search_delete(actor=personas.moa, search=search)
    saved_search_delete(actor=personas.moe, search=search)
    assert not SavedSearch.objects.exists()


def test_it_saves_lists_runs_and_deletes_from_the_pages(personas: Any) -> None:
    exigence_create(actor=personas.amoa, project=personas.project, title="Sécurité des échanges")
    client = personas.client(personas.moe)
    response = client.post(
        "/search/saved/", {"name": "Sécu", "q": "securite", "kind": "", "project": personas.project.code}
    )
    search = SavedSearch.objects.get(owner=personas.moe)
    assert response.status_code == 302
    assert response["Location"] == f"/search/?q=securite&project={personas.project.code}"

    page = client.get(response["Location"]).content.decode()
    assert "Mes recherches enregistrées" in page
    assert ">Sécu</a>" in page
    assert "Sécurité des échanges" in page
    assert ">Sécu</a>" in client.get("/my-work/").content.decode()
    assert "Sécu" not in personas.client(personas.moa).get("/search/").content.decode()

    assert personas.client(personas.moa).post(f"/search/saved/{search.pk}/delete/").status_code == 404
    assert client.post(f"/search/saved/{search.pk}/delete/").status_code == 302
    assert not SavedSearch.objects.exists()


def test_it_serves_my_saved_searches_through_the_api(personas: Any) -> None:
    exigence = exigence_create(actor=personas.amoa, project=personas.project, title="Réversibilité des données")
    client = personas.client(personas.moe)
    created = client.post(
        "/api/me/saved-searches",
        {"name": "Réversibilité", "q": "reversibilite", "kind": "exigence"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["kind"], body["project"]) == ("Réversibilité", "exigence", None)
    assert body["url"].endswith("/search/?q=reversibilite&kind=exigence")

    listed = client.get("/api/me/saved-searches").json()
    assert [s["id"] for s in listed] == [body["id"]]
    assert personas.client(personas.moa).get("/api/me/saved-searches").json() == []
    results = client.get(f"/api/me/saved-searches/{body['id']}/results").json()
    assert [r["reference"] for r in results] == [exigence.reference]
    assert personas.client(personas.moa).get(f"/api/me/saved-searches/{body['id']}/results").status_code == 404

    bad = client.post("/api/me/saved-searches", {"name": "", "q": "x"}, content_type="application/json")
    assert bad.status_code == 422
    assert personas.client(personas.moa).delete(f"/api/me/saved-searches/{body['id']}").status_code == 404
    assert client.delete(f"/api/me/saved-searches/{body['id']}").status_code == 204
    assert client.get("/api/me/saved-searches").json() == []
