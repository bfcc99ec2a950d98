"""The Gantt in a real browser: drag a task, watch its successors move, undo."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The x of a task's bar, in the page (``id`` is the task's primary key).
BAR_X = "parseFloat(document.querySelector(`.bar-wrapper[data-id=\"${id}\"] .bar`).getAttribute('x'))"


def _x(page: Any, task_id: int) -> float:
    return float(page.locator(f'.bar-wrapper[data-id="{task_id}"] .bar').get_attribute("x"))


def test_it_drags_a_task_moves_its_successors_and_undoes(page: Any, small_plan: Any) -> None:
    t = small_plan.tasks
    b_start, c_start = t["B"].early_start, t["C"].early_start
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.post_data or "") if r.method == "POST" else None)
    login(page, "moe")
    page.goto(f"/p/{small_plan.project.code}/planning/gantt/")
    page.select_option("#gantt-scale", "Day")
    bar = page.locator(f'.bar-wrapper[data-id="{t["B"].pk}"] .bar')
    bar.wait_for()
    b_before, c_before = _x(page, t["B"].pk), _x(page, t["C"].pk)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    per_day = box["width"] / 15  # B spans 15 calendar days: 13 to 27 July
    start_x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(start_x, y)
    page.mouse.down()
    page.mouse.move(start_x + 30, y, steps=5)
    page.mouse.move(start_x + 7 * per_day, y, steps=10)  # one week later
    page.mouse.up()
    status = page.locator("#gantt-status")
    status.filter(has_text="tâches déplacées").wait_for()
    assert len([p for p in posts if '"task"' in p]) == 1  # one move per drag, sent on release
    page.wait_for_function(f"([id, x]) => {BAR_X} > x", arg=[t["C"].pk, c_before])
    assert _x(page, t["B"].pk) > b_before
    small_plan.refresh()
    assert small_plan.tasks["B"].constraint_type == "SNET"
    assert small_plan.tasks["B"].early_start > b_start
    assert small_plan.tasks["C"].early_start > c_start

    page.get_by_role("button", name="Annuler le déplacement").click()
    status.filter(has_text="Déplacement annulé").wait_for()
    page.wait_for_function(f"([id, x]) => Math.abs({BAR_X} - x) < 1", arg=[t["C"].pk, c_before])
    small_plan.refresh()
    assert small_plan.tasks["B"].constraint_type == "ASAP"
    assert small_plan.tasks["C"].early_start == c_start


def test_it_refuses_a_drag_before_a_predecessor_and_puts_the_bar_back(page: Any, small_plan: Any) -> None:
    t = small_plan.tasks
    login(page, "moe")
    page.goto(f"/p/{small_plan.project.code}/planning/gantt/")
    page.select_option("#gantt-scale", "Day")
    bar = page.locator(f'.bar-wrapper[data-id="{t["B"].pk}"] .bar')
    bar.wait_for()
    b_before = _x(page, t["B"].pk)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 30, y, steps=5)
    page.mouse.move(x - box["width"] / 2, y, steps=10)
    page.mouse.up()
    page.locator("#gantt-status").filter(has_text="Refusé").wait_for()
    assert "Spécifications" in page.locator("#gantt-status").inner_text()
    page.wait_for_function(f"([id, x]) => Math.abs({BAR_X} - x) < 1", arg=[t["B"].pk, b_before])
