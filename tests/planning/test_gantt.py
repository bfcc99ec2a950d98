"""The Gantt's endpoints: a drag read the same way by the page and the API, links drawn, cells edited, undo."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from oeuvre.planning.models import Dependency
from tests.planning.test_api_cli import _api

pytestmark = pytest.mark.django_db


def _page(plan: Any, suffix: str) -> str:
    return f"/p/{plan.project.code}/planning/gantt/{suffix}"


def _move(via: str, plan: Any, personas: Any, task: Any, start: str, end: str) -> Any:
    """The same drag sent by the Gantt page or by a REST client."""
    if via == "page":
        return personas.client(personas.moe).post(
            _page(plan, "move/"),
            json.dumps({"task": task.pk, "start": start, "end": end, "version": task.version}),
            content_type="application/json",
        )
    return _api(personas.moe).post(
        f"/api/projects/{plan.project.code}/planning/tasks/{task.pk}/move",
        json.dumps({"start": start, "end": end}),
        content_type="application/json",
        headers={"If-Match": task.etag},
    )


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_drag_keeps_the_length_in_working_days_through_the_page_and_the_api(
    via: str, small_plan: Any, personas: Any
) -> None:
    b = small_plan.tasks["B"]
    # B: 10 working days from 13 July, Bastille Day inside, so the bar spans 13 to 27 July.
    assert (b.early_start, b.early_finish) == (dt.date(2026, 7, 13), dt.date(2026, 7, 27))
    response = _move(via, small_plan, personas, b, "2026-07-20", "2026-08-03")
    assert response.status_code == 200, response.content
    b.refresh_from_db()
    # The same bar one week later has no holiday inside: still 10 working days, so it ends on Friday 31.
    assert b.duration == 10
    assert (b.constraint_type, b.constraint_date) == ("SNET", dt.date(2026, 7, 20))
    assert b.early_finish == dt.date(2026, 7, 31)


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_resize_counts_working_days_through_the_page_and_the_api(via: str, small_plan: Any, personas: Any) -> None:
    b = small_plan.tasks["B"]
    response = _move(via, small_plan, personas, b, "2026-07-13", "2026-07-31")
    assert response.status_code == 200, response.content
    b.refresh_from_db()
    assert b.duration == 14  # 13 to 31 July less Bastille Day and two week-ends
    assert b.constraint_type == "ASAP"  # the start did not move: no constraint


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_finish_before_the_start_is_refused_through_the_page_and_the_api(
    via: str, small_plan: Any, personas: Any
) -> None:
    b = small_plan.tasks["B"]
    response = _move(via, small_plan, personas, b, "2026-07-20", "2026-07-17")
    body = response.json()
    if via == "page":
        assert body["refused"] == "invalid"
        assert "end" in body["errors"]
    else:
        assert response.status_code == 422
    b.refresh_from_db()
    assert b.constraint_type == "ASAP"


def test_the_data_carries_the_grid_columns(small_plan: Any, personas: Any) -> None:
    data = personas.client(personas.reader).get(_page(small_plan, "data/")).json()
    rows = {row["id"]: row for row in data["tasks"]}
    t = small_plan.tasks
    lot_b = rows[f"lot-{small_plan.lot_b.pk}"]
    assert lot_b["wbs"] == "2"
    assert lot_b["label"] == "L2 — Réalisation"
    m = rows[str(t["M"].pk)]
    assert m["predecessors"] == "C; D"
    assert m["parent"] == f"lot-{small_plan.lot_b.pk}"
    assert rows[str(t["B"].pk)]["wbs"] == "2.1"
    assert rows[str(t["D"].pk)]["resources"] == "Alice Dev"
    assert rows[str(t["A"].pk)]["label"] == "Spécifications"
    pairs = {(link["from"], link["to"]) for link in data["links"]}
    assert (str(t["A"].pk), str(t["B"].pk)) in pairs
    assert len(pairs) == 5


def test_a_drawn_link_reschedules_and_undoes(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.moe)
    t = small_plan.tasks
    response = client.post(
        _page(small_plan, "link/"),
        json.dumps({"predecessor": t["D"].pk, "successor": t["C"].pk}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    rows = {row["id"]: row for row in body["plan"]["tasks"]}
    assert rows[str(t["C"].pk)]["predecessors"] == "B; D"
    assert Dependency.objects.filter(predecessor=t["D"], successor=t["C"]).exists()
    undo = client.post(_page(small_plan, "unlink/"), json.dumps({"link": body["undo"]["unlink"]}), "application/json")
    assert undo.status_code == 200
    assert not Dependency.objects.filter(predecessor=t["D"], successor=t["C"]).exists()


def test_a_drawn_link_that_closes_a_loop_is_refused_naming_the_loop(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    response = personas.client(personas.moe).post(
        _page(small_plan, "link/"),
        json.dumps({"predecessor": t["C"].pk, "successor": t["B"].pk}),
        content_type="application/json",
    )
    body = response.json()
    assert body["refused"] == "refused"
    assert "B →" in body["detail"]
    assert "C →" in body["detail"]
    assert not Dependency.objects.filter(predecessor=t["C"], successor=t["B"]).exists()


def test_a_reader_cannot_draw_a_link(small_plan: Any, personas: Any) -> None:
    t = small_plan.tasks
    response = personas.client(personas.reader).post(
        _page(small_plan, "link/"),
        json.dumps({"predecessor": t["D"].pk, "successor": t["C"].pk}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Dependency.objects.filter(predecessor=t["D"], successor=t["C"]).exists()


def test_a_cell_edited_in_place_reschedules_and_undoes(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.moe)
    a = small_plan.tasks["A"]
    edit = {"task": a.pk, "field": "duration", "value": "7", "version": a.version}
    response = client.post(_page(small_plan, "edit/"), json.dumps(edit), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    rows = {row["id"]: row for row in body["plan"]["tasks"]}
    assert rows[str(a.pk)]["duration"] == 7
    assert rows[str(small_plan.tasks["B"].pk)]["start"] == "2026-07-16"  # 7 working days after 6 July, 14th off
    assert body["undo"] == {"task": a.pk, "field": "duration", "value": 5, "version": a.version + 1}
    back = client.post(_page(small_plan, "edit/"), json.dumps(body["undo"]), content_type="application/json")
    assert back.status_code == 200
    a.refresh_from_db()
    assert a.duration == 5
    stale = client.post(_page(small_plan, "edit/"), json.dumps(edit), content_type="application/json")
    assert stale.json()["refused"] == "stale"


def test_a_bad_cell_is_refused_with_a_clear_message(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.moe)
    a = small_plan.tasks["A"]
    url = _page(small_plan, "edit/")
    words = client.post(url, json.dumps({"task": a.pk, "field": "duration", "value": "deux"}), "application/json")
    assert words.json()["detail"] == "Donnez un nombre entier de jours ouvrés."
    empty = client.post(url, json.dumps({"task": a.pk, "field": "name", "value": " "}), "application/json")
    assert empty.json()["refused"] == "invalid"
    other = client.post(url, json.dumps({"task": a.pk, "field": "effort", "value": "3"}), "application/json")
    assert other.status_code == 400
    a.refresh_from_db()
    assert (a.duration, a.name) == (5, "Spécifications")
