"""The data-table component on real list pages: sort, filter, columns, page size, saved views, exports, bulk
actions (per-row errors, all-or-nothing on a bad request) and the query count per page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from oeuvre.requirements.models import Exigence
from oeuvre.web.models import SavedView
from tests.requirements import helpers as h

pytestmark = pytest.mark.django_db


def _url(personas: Any, suffix: str = "") -> str:
    return f"/p/{personas.project.code}/requirements/{suffix}"


def _rows(response: Any) -> list[str]:
    return [row.label for row in response.context["table"].rows]


@pytest.fixture
def exigences(personas: Any) -> list[Exigence]:
    p = personas.project
    return [
        h.exigence(p, "EX-001", title="Connexion", priority="must"),
        h.exigence(p, "EX-002", title="Annuaire", priority="could", status="validee"),
        h.exigence(p, "EX-003", title="Badge", priority="should", status="soumise"),
        h.exigence(p, "EX-004", title="Archivage", priority="must", status="validee"),
    ]


def test_it_sorts_and_filters_on_the_server(personas: Any, exigences: Any) -> None:
    client = personas.client(personas.reader)
    assert _rows(client.get(_url(personas), {"sort": "-reference"})) == ["EX-004", "EX-003", "EX-002", "EX-001"]
    assert _rows(client.get(_url(personas), {"sort": "title"})) == ["EX-002", "EX-004", "EX-003", "EX-001"]
    assert _rows(client.get(_url(personas), {"status": "validee"})) == ["EX-002", "EX-004"]
    assert _rows(client.get(_url(personas), {"priority": "must", "q": "archi"})) == ["EX-004"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "colour"}, "colour"),
        ({"col": ["reference", "colour"]}, "colour"),
        ({"status": "perdue"}, "perdue"),
        ({"size": "7"}, "7"),
        ({"export": "pdf"}, "pdf"),
        ({"view": "999"}, "999"),
    ],
)
def test_it_refuses_an_unknown_column_or_value_with_a_400_naming_it(
    personas: Any, exigences: Any, params: dict[str, Any], message: str
) -> None:
    response = personas.client(personas.reader).get(_url(personas), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"“{message}”" in body or f"«\xa0{message}\xa0»" in body or f"« {message} »" in body, body[:0]


def test_it_shows_the_chosen_columns_and_page_size(personas: Any, exigences: Any) -> None:
    response = personas.client(personas.reader).get(_url(personas), {"col": ["title", "reference"], "size": "25"})
    table = response.context["table"]
    assert [c.key for c in table.columns] == ["reference", "title"]
    assert table.page.paginator.per_page == 25
    html = response.content.decode()
    assert 'data-col="title"' in html
    assert 'data-col="priority"' not in html


def test_it_exports_the_filtered_rows_with_the_chosen_columns(personas: Any, exigences: Any) -> None:
    client = personas.client(personas.reader)
    response = client.get(_url(personas), {"status": "validee", "col": ["reference", "title"], "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Référence", "Titre"], ["EX-002", "Annuaire"], ["EX-004", "Archivage"]]
    response = client.get(_url(personas), {"priority": "must", "sort": "-reference", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:2] == ("Référence", "Titre")
    assert [v[0] for v in values[1:]] == ["EX-004", "EX-001"]


def test_it_neutralises_formulas_in_exports(personas: Any) -> None:
    h.exigence(personas.project, "EX-009", title='=HYPERLINK("http://x")')
    response = personas.client(personas.reader).get(_url(personas), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.values)[1][1].startswith("'=")


def test_it_saves_a_view_for_its_owner_and_shares_it_on_request(personas: Any, exigences: Any) -> None:
    moe = personas.client(personas.moe)
    response = moe.post(
        _url(personas) + "?status=validee&sort=-reference&page=2",
        {"table_op": "save_view", "name": "Validées"},
    )
    view = SavedView.objects.get(name="Validées")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?view={view.pk}")
    assert view.params == "status=validee&sort=-reference"
    assert view.history.count() == 1
    assert _rows(moe.get(_url(personas), {"view": view.pk})) == ["EX-004", "EX-002"]
    # An explicit parameter overrides the saved one.
    assert _rows(moe.get(_url(personas), {"view": view.pk, "sort": "reference"})) == ["EX-002", "EX-004"]

    amoa = personas.client(personas.amoa)
    assert amoa.get(_url(personas), {"view": view.pk}).status_code == 400
    moe.post(_url(personas) + "?status=validee", {"table_op": "save_view", "name": "Validées", "shared": "1"})
    view.refresh_from_db()
    assert view.shared
    assert SavedView.objects.count() == 1
    assert _rows(amoa.get(_url(personas), {"view": view.pk})) == ["EX-002", "EX-004"]
    # Only the owner deletes it.
    assert amoa.post(_url(personas), {"table_op": "delete_view", "view_id": view.pk}).status_code == 400
    assert moe.post(_url(personas), {"table_op": "delete_view", "view_id": view.pk}).status_code == 302
    assert not SavedView.objects.exists()


def test_it_keeps_another_projects_view_out(personas: Any, exigences: Any) -> None:
    other = SavedView.objects.create(
        project=personas.other_project, owner=personas.outsider, table="requirements.exigences", name="x", shared=True
    )
    assert personas.client(personas.moe).get(_url(personas), {"view": other.pk}).status_code == 400


def _bulk(client: Any, personas: Any, rows: list[Exigence], action: str, **params: str) -> Any:
    data = {"table_op": "bulk", "action": action, "ids": [f"{e.pk}:{e.version}" for e in rows]}
    data.update({f"{action}-{k}": v for k, v in params.items()})
    return client.post(_url(personas), data, follow=True)


def test_it_changes_the_status_in_bulk_and_lists_each_refused_row(personas: Any, exigences: Any) -> None:
    draft, validated, submitted, _ = exigences
    response = _bulk(personas.client(personas.amoa), personas, [draft, validated, submitted], "move", move="submit")
    texts = [str(m) for m in response.context["messages"]]
    assert "Changer le statut : appliqué à 1 ligne (EX-001)." in texts, texts
    assert "Ligne EX-002 non modifiée : Une exigence au statut « Validée » ne peut pas passer à « Soumise »." in texts
    assert any(t.startswith("Ligne EX-003 non modifiée") for t in texts)
    assert len(texts) == 3
    draft.refresh_from_db()
    validated.refresh_from_db()
    assert draft.status == "soumise"
    assert validated.status == "validee"


def test_it_checks_each_row_with_the_same_permission_as_one_by_one(personas: Any, exigences: Any) -> None:
    # The AMOA may submit but not validate: every row is refused by the service, none changes.
    submitted = exigences[2]
    response = _bulk(personas.client(personas.amoa), personas, [submitted], "move", move="validate")
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) == 1
    assert texts[0].startswith("Ligne EX-003 non modifiée")
    submitted.refresh_from_db()
    assert submitted.status == "soumise"


def test_it_refuses_a_stale_row_and_applies_the_others(personas: Any, exigences: Any) -> None:
    draft, _, _, _ = exigences
    other = h.exigence(personas.project, "EX-005")
    data = {"table_op": "bulk", "action": "assign", "assign-owner": str(personas.moe.pk)}
    data["ids"] = [f"{draft.pk}:{draft.version - 1 if draft.version > 1 else 99}", f"{other.pk}:{other.version}"]
    personas.client(personas.amoa).post(_url(personas), data)
    draft.refresh_from_db()
    other.refresh_from_db()
    assert draft.owner is None
    assert other.owner == personas.moe
    assert other.history.first().history_user == personas.amoa


def test_it_deletes_where_allowed(personas: Any, exigences: Any) -> None:
    draft, validated, _, _ = exigences
    response = _bulk(personas.client(personas.amoa), personas, [draft, validated], "delete")
    assert not Exigence.objects.filter(pk=draft.pk).exists()
    assert Exigence.objects.filter(pk=validated.pk).exists()
    assert any(str(m).startswith("Ligne EX-002 non modifiée") for m in response.context["messages"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "explode"}, "Choisissez une action"),
        ({"action": "assign"}, "Responsable"),
        ({"action": "assign", "assign-owner": "999999"}, "999999"),
        ({"action": "move", "move-move": "archive"}, "archive"),
    ],
)
def test_it_writes_nothing_when_the_request_itself_is_wrong(
    personas: Any, exigences: Any, data: dict[str, str], message: str
) -> None:
    draft = exigences[0]
    before = Exigence.history.count()
    response = personas.client(personas.amoa).post(
        _url(personas), {"table_op": "bulk", "ids": [f"{draft.pk}:{draft.version}"], **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Exigence.history.count() == before


def test_it_refuses_a_row_of_another_project(personas: Any, exigences: Any) -> None:
    foreign = h.exigence(personas.other_project, "EX-001")
    response = personas.client(personas.amoa).post(
        _url(personas), {"table_op": "bulk", "action": "delete", "ids": [str(exigences[0].pk), str(foreign.pk)]}
    )
    assert response.status_code == 400
    assert Exigence.objects.filter(pk=exigences[0].pk).exists()


def test_it_rolls_back_every_row_when_the_request_fails_midway(personas: Any, exigences: Any, monkeypatch: Any) -> None:
    from oeuvre.requirements import services

    draft, _, _, _ = exigences
    second = h.exigence(personas.project, "EX-006")
    calls = []
    real = services.exigence_update

    def failing(**kwargs: Any) -> Any:
        calls.append(kwargs["exigence"].reference)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "exigence_update", failing)
    client = personas.client(personas.amoa)
    client.raise_request_exception = False
    response = client.post(
        _url(personas),
        {
            "table_op": "bulk",
            "action": "assign",
            "assign-owner": str(personas.moe.pk),
            "ids": [f"{draft.pk}:{draft.version}", f"{second.pk}:{second.version}"],
        },
    )
    assert response.status_code == 500
    assert calls == ["EX-001", "EX-006"]
    draft.refresh_from_db()
    assert draft.owner is None


def test_it_offers_only_the_actions_the_role_holds(personas: Any, exigences: Any) -> None:
    keys = lambda user: [a.key for a, _ in personas.client(user).get(_url(personas)).context["table"].actions]  # noqa: E731
    assert keys(personas.reader) == []
    assert "move" in keys(personas.moa)
    assert keys(personas.amoa) == ["move", "assign", "delete"]


@pytest.mark.parametrize("suffix", ["", "specifications/", "components/"])
def test_it_keeps_the_query_count_flat(personas: Any, django_assert_max_num_queries: Any, suffix: str) -> None:
    p = personas.project
    for i in range(1, 61):
        ex = h.exigence(p, f"EX-{i:03d}", owner=personas.moe)
        sp = h.specification(p, f"SP-{i:03d}", owner=personas.amoe)
        cmp = h.component(p, f"CMP-{i:03d}", owner=personas.amoe)
        h.link(p, "satisfies", sp, ex)
        h.link(p, "realises", cmp, sp)
    client = personas.client(personas.moe)
    SavedView.objects.create(project=p, owner=personas.moe, table="x", name="v", params="sort=-reference")
    with django_assert_max_num_queries(22):
        response = client.get(_url(personas, suffix), {"size": "100", "sort": "-owner"})
    assert len(response.context["table"].rows) == 60
