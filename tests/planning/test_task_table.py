"""The task list is a data table like every other list (#13 item 2): server-side sort and filters refused with a
400 naming a bad value, chosen columns, exports of the filtered rows, and the in-place edit that keeps the
columns of the page it is made in."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from oeuvre.web.models import SavedView

pytestmark = pytest.mark.django_db


def _url(plan: Any, suffix: str = "") -> str:
    return f"/p/{plan.project.code}/planning/tasks/{suffix}"


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content.decode()[:500]
    return [row.label for row in response.context["table"].rows]


def test_it_sorts_and_filters_the_tasks_on_the_server(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.reader)
    assert _codes(client.get(_url(small_plan))) == ["A", "B", "D", "C", "M"]  # by start, then creation
    assert _codes(client.get(_url(small_plan), {"sort": "-duration"})) == ["B", "A", "C", "D", "M"]
    assert _codes(client.get(_url(small_plan), {"critical": "1"})) == ["A", "B", "C", "M"]  # D has float
    assert _codes(client.get(_url(small_plan), {"lot": str(small_plan.lot_a.pk)})) == ["A"]
    assert _codes(client.get(_url(small_plan), {"kind": "milestone"})) == ["M"]
    assert _codes(client.get(_url(small_plan), {"q": "réalisation", "sort": "code"})) == ["B", "C", "D", "M"]
    page = client.get(_url(small_plan)).content.decode()
    assert re.search(r'<tr id="dt-planning-tasks-row-\d+" class="row-critical"', page)
    assert 'class="badge badge-critical"' in page
    assert "◆ Livraison" in page


@pytest.mark.parametrize(("params", "named"), [({"critical": "2"}, "2"), ({"sort": "colour"}, "colour")])
def test_it_refuses_a_bad_filter_or_sort_with_a_400_naming_it(
    small_plan: Any, personas: Any, params: dict[str, str], named: str
) -> None:
    response = personas.client(personas.reader).get(_url(small_plan), params)
    assert response.status_code == 400
    assert named in response.content.decode()


def test_it_exports_the_filtered_tasks_with_the_chosen_columns(small_plan: Any, personas: Any) -> None:
    client = personas.client(personas.reader)
    response = client.get(_url(small_plan), {"critical": "1", "col": ["code", "duration"], "export": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="taches-{small_plan.project.code}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Code", "Durée (j)"]
    assert [r[0] for r in rows[1:]] == ["A", "B", "C", "M"]
    legacy = client.get(_url(small_plan), {"format": "csv"})  # the former spelling, kept for bookmarks
    assert legacy["Content-Type"].startswith("text/csv")


def test_it_edits_in_place_with_the_columns_of_the_page(small_plan: Any, personas: Any) -> None:
    a = small_plan.tasks["A"]
    client = personas.client(personas.moe)
    view = SavedView.objects.create(
        project=small_plan.project,
        owner=personas.moe,
        table="planning.tasks",
        name="Court",
        params="col=code&col=duration",
    )
    htmx = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{_url(small_plan)}?view={view.pk}"}
    listing = client.get(_url(small_plan), {"view": view.pk}).content.decode()
    assert f'hx-get="{_url(small_plan, f"{a.pk}/row/edit/")}"' in listing
    form = client.get(_url(small_plan, f"{a.pk}/row/edit/"), headers=htmx).content.decode()
    assert 'colspan="4"' in form  # the tick box (bulk actions), code, duration and the tools column
    prefix = f"t{a.pk}"
    data = {f"{prefix}-version": a.version, f"{prefix}-name": "Specs", f"{prefix}-duration": 7}
    data |= {f"{prefix}-effort": "10", f"{prefix}-constraint_type": "ASAP"}
    saved = client.post(_url(small_plan, f"{a.pk}/row/edit/"), data, headers=htmx)
    assert saved.status_code == 200
    row = saved.content.decode()
    assert row.count("<td") == 4  # the tick box, code, duration, tools
    assert '<td class="num">7</td>' in row
    assert f'id="dt-planning-tasks-row-{a.pk}"' in row
    cancel = client.get(_url(small_plan, f"{a.pk}/row/"), headers=htmx).content.decode()
    assert cancel.count("<td") == 4
    reader_row = personas.client(personas.reader).get(_url(small_plan, f"{a.pk}/row/"), headers=htmx)
    assert "row/edit/" not in reader_row.content.decode()  # no edit button without the right to edit
    assert 'type="checkbox"' not in reader_row.content.decode()  # nor a tick box: no bulk action to offer


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_edits_a_row_in_place_in_a_real_browser_keeping_the_chosen_columns(
    small_plan: Any, personas: Any, page: Any
) -> None:
    from playwright.sync_api import expect

    from tests.conftest import login

    a = small_plan.tasks["A"]
    login(page, "moe")
    page.goto(_url(small_plan) + "?col=code&col=name&col=duration")
    row = page.locator(f"#dt-planning-tasks-row-{a.pk}")
    row.get_by_role("button", name="Modifier A").click()
    duration = page.locator(f'input[name="t{a.pk}-duration"]')
    duration.fill("7")
    duration.press("Enter")
    expect(row.locator("td")).to_have_count(5)  # the tick box, code, name, duration, the tools
    expect(row.locator("td.num")).to_have_text("7")
    a.refresh_from_db()
    assert a.duration == 7
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def _bulk(client: Any, plan: Any, codes: list[str], action: str, **params: str) -> Any:
    rows = [plan.tasks[c] for c in codes]
    for task in rows:
        task.refresh_from_db()
    data: dict[str, Any] = {"table_op": "bulk", "action": action, "ids": [f"{t.pk}:{t.version}" for t in rows]}
    data.update({f"{action}-{k}": v for k, v in params.items()})
    return client.post(_url(plan), data, follow=True)


def test_it_puts_a_resource_on_many_tasks_and_reschedules_once(small_plan: Any, personas: Any) -> None:
    from oeuvre.planning.models import Assignment, Plan

    before = Plan.objects.get(project=small_plan.project).revision
    dev = small_plan.resources["dev"]
    Assignment.objects.filter(resource=dev).delete()
    response = _bulk(personas.client(personas.moe), small_plan, ["C", "D", "M"], "assign", resource=str(dev.pk))
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "Mettre une ressource sur les tâches : appliqué à 2 lignes (C, D).", texts
    assert texts[1] == "Ligne M non modifiée : Un jalon ne mobilise pas de ressource.", texts
    assert sorted(a.task.code for a in Assignment.objects.filter(resource=dev)) == ["C", "D"]
    # One new revision for the whole batch, not one per row.
    assert Plan.objects.get(project=small_plan.project).revision == before + 1


def test_it_deletes_tasks_in_bulk_and_the_plan_is_rescheduled_after_the_batch(small_plan: Any, personas: Any) -> None:
    from oeuvre.planning.models import Task

    c = small_plan.tasks["C"]
    c.refresh_from_db()
    assert c.early_start is not None
    started = c.early_start
    _bulk(personas.client(personas.moe), small_plan, ["A", "B"], "delete")
    assert not Task.objects.filter(pk__in=[small_plan.tasks["A"].pk, small_plan.tasks["B"].pk]).exists()
    c.refresh_from_db()
    assert c.early_start < started  # C lost its predecessors: the rescheduling after the batch moved it


def test_it_moves_tasks_to_a_lot_and_refuses_a_reader(small_plan: Any, personas: Any) -> None:
    lot_a = small_plan.lot_a
    refused = _bulk(personas.client(personas.reader), small_plan, ["C", "D"], "lot", lot=str(lot_a.pk))
    assert refused.status_code in {400, 403} or all("non modifiée" in str(m) for m in refused.context["messages"])
    small_plan.tasks["C"].refresh_from_db()
    assert small_plan.tasks["C"].lot_id == small_plan.lot_b.pk
    _bulk(personas.client(personas.moe), small_plan, ["C", "D"], "lot", lot=str(lot_a.pk))
    for code in ("C", "D"):
        small_plan.tasks[code].refresh_from_db()
        assert small_plan.tasks[code].lot_id == lot_a.pk
        assert small_plan.tasks[code].history.first().history_user == personas.moe


def test_it_shows_the_effort_to_edit_without_trailing_zeros(small_plan: Any, personas: Any) -> None:
    a = small_plan.tasks["A"]
    form = personas.client(personas.moe).get(_url(small_plan, f"{a.pk}/row/edit/")).content.decode()
    assert re.search(rf'name="t{a.pk}-effort"[^>]*value="10"', form), form


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_moves_ticked_tasks_to_a_lot_in_a_real_browser(
    small_plan: Any, personas: Any, page: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    from tests.conftest import login

    login(page, "moe")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(_url(small_plan))
        page.screenshot(path=str(tmp_path / f"tasks-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1440, "height": 900})
    for code in ("C", "D"):
        page.get_by_role("checkbox", name=f"Cocher {code}").check()
    page.get_by_label("Action").select_option("lot")
    page.locator('select[name="lot-lot"]').select_option(str(small_plan.lot_a.pk))
    page.get_by_role("button", name="Appliquer aux lignes cochées").click()
    # The rows are named in the order of the page.
    expect(page.get_by_text("Déplacer dans un lot : appliqué à 2 lignes (D, C).")).to_be_visible()
    page.screenshot(path=str(tmp_path / "tasks-moved.png"), full_page=True)
    for code in ("C", "D"):
        small_plan.tasks[code].refresh_from_db()
        assert small_plan.tasks[code].lot_id == small_plan.lot_a.pk
