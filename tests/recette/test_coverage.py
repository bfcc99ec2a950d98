"""Coverage per exigence, and what the requirements stage shows from it (RTM page, RTM export, impact)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from oeuvre.recette.selectors.coverage import coverage_per_exigence, coverage_totals, exigence_test_coverage
from oeuvre.requirements import traces
from tests.recette import helpers_anomalies as h
from tests.requirements import helpers as rh

pytestmark = pytest.mark.django_db
D1, D2 = date(2026, 3, 2), date(2026, 3, 3)


def _book(p: Any) -> dict[str, Any]:
    rh.exigence(p.project, "EX-001", "validee")
    rh.exigence(p.project, "EX-002", "validee")
    rh.exigence(p.project, "EX-003", "validee")
    rh.exigence(p.project, "EX-004", "validee")  # no test
    c1 = h.make_case(p.project, 1, exigences=("EX-001", "EX-002"))
    c2 = h.make_case(p.project, 2, exigences=("EX-002",))
    c3 = h.make_case(p.project, 3, exigences=("EX-003",))
    h.make_case(p.project, 4, exigences=("EX-004",), status="obsolete")  # an obsolete case covers nothing
    camp = h.campaign(p.project, cases=[c1, c2, c3])
    it = camp.iterations.get()
    h.run(it, c1, "ko", h.at(D1))
    h.run(it, c1, "ok", h.at(D2))  # latest: OK
    h.run(it, c2, "ok", h.at(D1))
    h.run(it, c2, "ko", h.at(D2))  # latest: KO
    return {"campaign": camp, "cases": (c1, c2, c3)}


def test_it_computes_covered_executed_passed(personas: Any) -> None:
    book = _book(personas)
    rows = {r.reference: r for r in coverage_per_exigence(personas.project)}
    assert (rows["EX-001"].tests, rows["EX-001"].executed, rows["EX-001"].passed) == (("CT-001",), 1, 1)
    assert (rows["EX-002"].tests, rows["EX-002"].executed, rows["EX-002"].passed) == (("CT-001", "CT-002"), 2, 1)
    assert (rows["EX-003"].executed, rows["EX-003"].state) == (0, "not_run")
    assert rows["EX-004"].state == "none"
    assert [rows[r].state for r in ("EX-001", "EX-002")] == ["passed", "failing"]
    assert coverage_totals(rows.values()) == {"exigences": 4, "covered": 3, "executed": 2, "passed": 1}
    # Scoped to another campaign, nothing was run there.
    other = h.campaign(personas.project, "Autre", cases=list(book["cases"]))
    scoped = {r.reference: r for r in coverage_per_exigence(personas.project, other.pk)}
    assert scoped["EX-001"].executed == 0


def test_it_ignores_runs_made_before_the_test_was_linked_to_the_exigence(personas: Any) -> None:
    rh.exigence(personas.project, "EX-001", "validee")
    late = rh.exigence(personas.project, "EX-002", "validee")
    case = h.make_case(personas.project, 1, exigences=("EX-001",))
    it = h.campaign(personas.project, cases=[case]).iterations.get()
    h.run(it, case, "ok", h.at(D1))
    case.exigences.add(late)  # linked today: the March run proves nothing about EX-002
    rows = {r.reference: r for r in coverage_per_exigence(personas.project)}
    assert (rows["EX-001"].executed, rows["EX-001"].passed) == (1, 1)
    assert (rows["EX-002"].tests, rows["EX-002"].executed, rows["EX-002"].state) == (("CT-001",), 0, "not_run")
    provided = exigence_test_coverage(personas.project, None)
    assert (provided[late.pk].executed, provided[late.pk].passed) == (0, 0)
    h.run(it, case, "ok", timezone.now() + timedelta(minutes=1))  # run again after the link: it counts
    rows = {r.reference: r for r in coverage_per_exigence(personas.project)}
    assert (rows["EX-002"].executed, rows["EX-002"].passed, rows["EX-002"].state) == (1, 1, "passed")


def test_it_answers_the_provider_in_constant_queries(personas: Any, django_assert_max_num_queries: Any) -> None:
    _book(personas)
    for n in range(5, 40):
        h.make_case(personas.project, n, exigences=(f"EX-{n:03d}",), steps=1)
    with django_assert_max_num_queries(4):  # links, latest runs, the links' history (records and snapshots)
        coverage = exigence_test_coverage(personas.project, None)
    assert len(coverage) == 3 + 35


def test_it_feeds_the_rtm_page_and_export(personas: Any) -> None:
    _book(personas)
    assert traces.coverage_available()
    client = personas.client(personas.amoa)
    page = client.get(f"/p/{personas.project.code}/requirements/rtm/").content.decode()
    assert "CT-002" in page
    response = client.get(f"/api/projects/{personas.project.code}/rtm/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    tests_col, executed_col, passed_col = header[7], header[8], header[9]
    assert rows["EX-002"][tests_col] == "CT-001, CT-002"
    assert (rows["EX-002"][executed_col], rows["EX-002"][passed_col]) == (2, 1)


def test_it_closes_the_no_test_gap_once_a_case_covers_it(personas: Any) -> None:
    rh.exigence(personas.project, "EX-009", "validee")
    api = f"/api/projects/{personas.project.code}/rtm?gap=no_test"
    client = personas.client(personas.amoa)
    assert [r["reference"] for r in client.get(api).json()["items"]] == ["EX-009"]
    h.make_case(personas.project, 9, exigences=("EX-009",))
    assert client.get(api).json()["items"] == []


def test_it_lists_the_tests_of_a_changed_exigence_in_the_impact_analysis(personas: Any) -> None:
    _book(personas)
    ex = rh.exigence(personas.project, "EX-002")
    client = personas.client(personas.amoa)
    impact = client.get(f"/api/projects/{personas.project.code}/exigences/{ex.pk}/impact").json()
    tests = {i["reference"]: i for i in impact["hanging"] if i["group"] == "tests"}
    assert set(tests) == {"CT-001", "CT-002"}
    assert tests["CT-001"]["via"] == ["EX-002"]
    assert tests["CT-001"]["status"]
    assert tests["CT-002"]["status"]
