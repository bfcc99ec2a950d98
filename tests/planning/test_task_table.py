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
    assert 'colspan="3"' in form  # code, duration and the tools column
    prefix = f"t{a.pk}"
    data = {f"{prefix}-version": a.version, f"{prefix}-name": "Specs", f"{prefix}-duration": 7}
    data |= {f"{prefix}-effort": "10", f"{prefix}-constraint_type": "ASAP"}
    saved = client.post(_url(small_plan, f"{a.pk}/row/edit/"), data, headers=htmx)
    assert saved.status_code == 200
    row = saved.content.decode()
    assert row.count("<td") == 3
    assert '<td class="num">7</td>' in row
    assert f'id="dt-planning-tasks-row-{a.pk}"' in row
    cancel = client.get(_url(small_plan, f"{a.pk}/row/"), headers=htmx).content.decode()
    assert cancel.count("<td") == 3
    reader_row = personas.client(personas.reader).get(_url(small_plan, f"{a.pk}/row/"), headers=htmx)
    assert "row/edit/" not in reader_row.content.decode()  # no edit button without the right to edit


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
    expect(row.locator("td")).to_have_count(4)  # code, name, duration, the tools
    expect(row.locator("td.num")).to_have_text("7")
    a.refresh_from_db()
    assert a.duration == 7
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
