"""A rejected or "Won't" exigence is out of scope: the RTM reports no gap for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oeuvre.requirements import selectors, traces
from tests.requirements import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_tests_yet() -> Iterator[None]:
    """The recette stage registered, answering "no test" for every exigence."""
    saved = traces._reset_for_tests()
    traces.register_coverage_provider(lambda project, ids: {})
    yield
    traces._restore_for_tests(saved)


@pytest.mark.usefixtures("no_tests_yet")
def test_it_reports_no_gap_for_a_rejected_or_wont_exigence(personas: Any) -> None:
    h.exigence(personas.project, "EX-001")
    h.exigence(personas.project, "EX-002", status="rejetee")
    h.exigence(personas.project, "EX-003", priority="wont")
    rows = {r.reference: r.gaps for r in selectors.rtm_all(personas.project)[0]}
    assert rows["EX-001"] == ["no_spec", "no_test"]
    assert rows["EX-002"] == []
    assert rows["EX-003"] == []
    for gap in ("any", "no_spec", "no_test"):
        listed = {r.reference for r in selectors.rtm_all(personas.project, selectors.RtmFilters(gap=gap))[0]}
        assert listed == {"EX-001"}, gap
    page = personas.client(personas.reader).get(f"/p/{personas.project.code}/requirements/rtm/?gap=any")
    body = page.content.decode().split("<tbody>")[1]
    assert "EX-001" in body
    assert "EX-002" not in body
    assert "EX-003" not in body


@pytest.mark.usefixtures("no_tests_yet")
def test_it_agrees_executed_and_passed_in_french(personas: Any) -> None:
    ex = h.exigence(personas.project, "EX-001")
    saved = traces._reset_for_tests()
    traces.register_coverage_provider(
        lambda project, ids: {ex.pk: traces.TestCoverage(tests=("CT-001", "CT-002"), executed=1, passed=0)}
    )
    try:
        page = personas.client(personas.reader).get(f"/p/{personas.project.code}/requirements/rtm/").content.decode()
    finally:
        traces._restore_for_tests(saved)
    assert "1 exécuté, 0 réussi" in page
    assert "exécutés" not in page.split("<tbody>")[1]
