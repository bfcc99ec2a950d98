"""A levelling job's result appears in the page that watched it run, without a reload."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.core.jobs import execute_job
from oeuvre.planning import services
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_swaps_the_levelling_result_in_when_the_job_ends(page: Any, small_plan: Any) -> None:
    project = small_plan.project
    job = services.levelling_start(actor=small_plan.project.memberships.get(role="moe").user, project=project)
    page.set_default_timeout(60_000)  # the machines that run this are shared and loaded
    login(page, "moe")
    page.goto(f"/p/{project.code}/planning/levelling/")
    page.wait_for_selector(f"#job-{job.pk}[hx-get]")  # queued: the page polls the job
    assert page.locator("[data-testid=levelled-finish]").count() == 0
    page.evaluate("window.stillTheSamePage = true")
    execute_job(job)  # the worker's part, in this process
    page.wait_for_selector("[data-testid=levelled-finish]", timeout=30_000)
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in, not reloaded
    assert page.locator("#job-result [data-chart][data-rendered]").count() >= 1  # its charts drawn too
    assert (
        "heuristique" in page.locator("#job-result").inner_text()
        or "CP-SAT" in page.locator("#job-result").inner_text()
    )
