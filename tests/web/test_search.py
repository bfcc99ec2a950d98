"""The global search: index kept by the stages' writes, ranking, permissions, French words, API and CLI."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oeuvre.recette.services.anomalies import anomaly_create
from oeuvre.requirements.services import exigence_create
from oeuvre.web.models import SearchEntry
from oeuvre.web.searchable import reference_key, reindex
from oeuvre.web.selectors import search, search_counts

pytestmark = pytest.mark.django_db


def _exigence(p: Any, title: str, text: str = "") -> Any:
    return exigence_create(actor=p.amoa, project=p.project, title=title, text=text)


def _refs(hits: list[Any]) -> list[str]:
    return [h.reference for h in hits]


def test_it_indexes_an_object_when_a_service_creates_it(personas: Any) -> None:
    exigence = _exigence(personas, "Authentification forte des agents", "Le SSO de l'État.")

    entry = SearchEntry.objects.get(kind="exigence", object_id=exigence.pk)
    assert entry.reference == exigence.reference
    assert entry.title == "Authentification forte des agents"
    assert entry.url.endswith(f"/requirements/{exigence.pk}/")
    assert entry.project_id == personas.project.pk


def test_it_finds_words_without_accents_and_singulars_from_plurals(personas: Any) -> None:
    exigence = _exigence(personas, "Sécurité des échanges", "Chiffrement TLS obligatoire pour chaque exigence.")

    assert _refs(search(personas.moa, "securite")) == [exigence.reference]
    assert _refs(search(personas.moa, "ECHANGES")) == [exigence.reference]
    assert _refs(search(personas.moa, "exigences")) == [exigence.reference]
    assert _refs(search(personas.moa, "chiff")) == [exigence.reference]  # a prefix, as one types
    assert search(personas.moa, "sécurité inexistant") == []


def test_it_ranks_the_exact_reference_first(personas: Any) -> None:
    anomaly = anomaly_create(actor=personas.moe, project=personas.project, title="Écran blanc au démarrage")
    number = anomaly.reference.split("-")[-1]
    # Another object that mentions the reference in its text ranks after the anomaly itself.
    _exigence(personas, f"Correctif de {anomaly.reference}", f"Voir {anomaly.reference} et ano {number}")

    hits = search(personas.moe, anomaly.reference)
    assert (hits[0].reference, hits[0].kind, hits[0].exact) == (anomaly.reference, "anomaly", True)
    assert len(hits) == 2
    loose = f"{anomaly.reference.split('-')[0].lower()}-{int(number)}"
    assert search(personas.moe, loose)[0].reference == anomaly.reference


def test_it_never_finds_an_object_of_another_project_even_by_its_reference(personas: Any) -> None:
    anomaly = anomaly_create(actor=personas.moe, project=personas.project, title="Fuite mémoire du batch")

    assert search(personas.outsider, anomaly.reference) == []
    assert search(personas.outsider, "fuite mémoire") == []
    assert search(personas.outsider, "batch") == []
    assert search_counts(personas.outsider, "batch") == {}
    assert _refs(search(personas.reader, "batch")) == [anomaly.reference]


def test_it_forgets_a_deleted_object(personas: Any) -> None:
    exigence = _exigence(personas, "Archivage légal des dossiers")
    assert search(personas.moa, "archivage")
    exigence.delete()

    assert search(personas.moa, "archivage") == []
    assert not SearchEntry.objects.filter(kind="exigence", object_id=exigence.pk).exists()


def test_it_follows_an_edit(personas: Any) -> None:
    exigence = _exigence(personas, "Export comptable")
    exigence.title = "Export fiscal"
    exigence.save()

    assert search(personas.moa, "comptable") == []
    assert _refs(search(personas.moa, "fiscal")) == [exigence.reference]


def test_it_filters_by_kind_and_project_and_counts_by_kind(personas: Any) -> None:
    _exigence(personas, "Journalisation des accès")
    anomaly_create(actor=personas.moe, project=personas.project, title="Journalisation absente")

    assert {h.kind for h in search(personas.moe, "journalisation")} == {"exigence", "anomaly"}
    assert [h.kind for h in search(personas.moe, "journalisation", kinds=["anomaly"])] == ["anomaly"]
    assert search(personas.moe, "journalisation", project=personas.other_project.code) == []
    assert search_counts(personas.moe, "journalisation") == {"exigence": 1, "anomaly": 1}


def test_it_rebuilds_the_index(personas: Any) -> None:
    exigence = _exigence(personas, "Reprise des données historiques")
    SearchEntry.objects.all().delete()
    assert search(personas.moa, "reprise") == []

    assert reindex(project_ids=[personas.project.pk]) >= 1
    assert _refs(search(personas.moa, "reprise")) == [exigence.reference]


def test_it_pages_results_in_a_constant_number_of_queries(personas: Any) -> None:
    for i in range(3):
        _exigence(personas, f"Tableau de bord {i}")
    with CaptureQueriesContext(connection) as few:
        first = search(personas.moa, "tableau", limit=2)
    for i in range(3, 30):
        _exigence(personas, f"Tableau de bord {i}")
    with CaptureQueriesContext(connection) as many:
        search(personas.moa, "tableau", limit=20)
    second = search(personas.moa, "tableau", limit=2, offset=2)

    assert (len(first), len(second)) == (2, 2)
    assert not set(_refs(first)) & set(_refs(second))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_it_folds_references_for_an_exact_match() -> None:
    assert reference_key("ANO-042") == reference_key("ano-42") == reference_key("ANO 42") == "ano-42"
    assert reference_key("EX-0007") == "ex-7"


def test_it_answers_the_api_with_kind_reference_title_project_and_url(personas: Any) -> None:
    anomaly = anomaly_create(actor=personas.moe, project=personas.project, title="Lenteur de l'annuaire")

    response = personas.client(personas.amoe).get("/api/search", {"q": "annuaire"})
    assert response.status_code == 200
    (hit,) = response.json()
    assert hit["kind"] == "anomaly"
    assert hit["reference"] == anomaly.reference
    assert hit["title"] == "Lenteur de l'annuaire"
    assert hit["project"] == personas.project.code
    assert hit["url"].startswith("http")
    assert hit["url"].endswith(f"/recette/anomalies/{anomaly.pk}/")
    assert personas.client(personas.outsider).get("/api/search", {"q": "annuaire"}).json() == []
    assert Client().get("/api/search", {"q": "annuaire"}).status_code == 401


def test_it_answers_the_api_with_a_token(personas: Any) -> None:
    from oeuvre.accounts.services import token_create

    _exigence(personas, "Portail usagers")
    _token, secret = token_create(user=personas.moa, name="ci")

    response = Client().get("/api/search?q=portail&kind=exigence", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert [h["kind"] for h in response.json()] == ["exigence"]


def test_it_shows_results_grouped_by_kind_in_both_languages(personas: Any) -> None:
    _exigence(personas, "Supervision des flux")
    anomaly_create(actor=personas.moe, project=personas.project, title="Flux bloqué")
    client = personas.client(personas.moe)

    page = client.get("/search/", {"q": "flux"}).content.decode()
    assert "Exigences" in page
    assert "Anomalies" in page
    assert "Supervision des flux" in page
    assert "Flux bloqué" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/search/"})
    english = client.get("/search/", {"q": "flux", "kind": "anomaly"}).content.decode()
    assert "Requirements" in english  # the filter still lists the other kind with its count
    assert "Supervision des flux" not in english
    assert "Flux bloqué" in english


def test_it_searches_from_the_command_line(personas: Any, monkeypatch: Any, capsys: Any) -> None:
    import json

    from django.db import connections

    from oeuvre.cli import main

    monkeypatch.setattr(connections, "close_all", lambda: None)
    exigence = _exigence(personas, "Habilitations par profil")

    main(["search", "habilitation", "--user", personas.reader.username, "--json"])
    assert [h["reference"] for h in json.loads(capsys.readouterr().out)] == [exigence.reference]
    main(["search", "habilitation", "--user", personas.outsider.username, "--json"])
    assert json.loads(capsys.readouterr().out) == []
    SearchEntry.objects.all().delete()
    main(["search", "reindex", "--project", personas.project.code, "--json"])
    assert json.loads(capsys.readouterr().out)["indexed"] >= 1
    assert _refs(search(personas.reader, "habilitation")) == [exigence.reference]


def test_it_refreshes_the_addresses_of_a_project_whose_code_changes(personas: Any) -> None:
    from django.db import transaction

    exigence = _exigence(personas, "Journalisation des accès")
    other = anomaly_create(actor=personas.moe, project=personas.project, title="Journal vide")
    project = personas.project
    old = project.code
    with transaction.atomic():
        project.code = "renomme"
        project.save()
        # Refreshed in the same transaction as the rename: no moment where the index points at the old code.
        urls = set(SearchEntry.objects.filter(project=project).values_list("url", flat=True))
    assert urls == {f"/p/renomme/requirements/{exigence.pk}/", f"/p/renomme/recette/anomalies/{other.pk}/"}
    assert not any(f"/p/{old}/" in url for url in urls)
    [hit] = search(personas.moa, "journalisation")
    assert hit.url == f"/p/renomme/requirements/{exigence.pk}/"
    project.name = "Nouveau nom"
    with CaptureQueriesContext(connection) as saved:
        project.save()
    assert not any("web_searchentry" in q["sql"].lower() for q in saved.captured_queries)  # no rename, no rebuild


def test_the_narrow_ranking_rows_follow_the_index_on_postgresql_and_stay_empty_on_sqlite(personas: Any) -> None:
    from oeuvre.web.models import SearchRankRow

    exigence = _exigence(personas, "Archivage des journaux", "Conservation légale.")
    entry = SearchEntry.objects.get(kind="exigence", object_id=exigence.pk)
    if connection.vendor != "postgresql":
        assert not SearchRankRow.objects.exists()  # SQLite ranks through its FTS5 table
        return
    row = SearchRankRow.objects.get(pk=entry.pk)
    assert (row.project_id, row.kind, row.updated) == (entry.project_id, entry.kind, entry.updated)
    # A new title is a new vector; a move to another project (a new scope) follows without a new text.
    SearchEntry.objects.filter(pk=entry.pk).update(title="Purge des traces")
    assert _refs(search(personas.moa, "purge")) == [exigence.reference]
    assert search(personas.moa, "archivage") == []
    SearchEntry.objects.filter(pk=entry.pk).update(project=personas.other_project)
    assert SearchRankRow.objects.get(pk=entry.pk).project_id == personas.other_project.pk
    assert search(personas.moa, "purge") == []
    SearchEntry.objects.filter(pk=entry.pk).delete()
    assert not SearchRankRow.objects.filter(pk=entry.pk).exists()
