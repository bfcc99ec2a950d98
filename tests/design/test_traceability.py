"""Interfaces in the requirements' traceability: what an exigence change reaches includes the interfaces pointing
at it (or at its specifications, or joining its components) and their criteria; the RTM lists the interfaces beside
the components."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.recette.services import results as result_services
from oeuvre.recette.services import testbook as testbook_services
from oeuvre.requirements.selectors import impact_of, rtm_all
from tests.design import helpers as d
from tests.recette import testbook_helpers as h
from tests.requirements import helpers as req

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(personas: Any) -> dict[str, Any]:
    project = personas.project
    ex1, ex2, ex3 = (req.exigence(project, f"EX-00{i}") for i in (1, 2, 3))
    sp1 = req.specification(project, "SP-001")
    req.link(project, "satisfies", sp1, ex1)
    portal, _back = d.components(personas)
    idp = req.component(project, "CMP-009", name="Fournisseur d'identité")
    req.link(project, "allocated", ex3, idp)
    by_exigence = d.interface(personas, name="Dépôt de demande", exigences=[ex2])
    by_spec = d.interface(personas, name="Consultation du dossier", specifications=[sp1])
    by_component = d.interface(personas, name="Authentification", source=portal, target=idp)
    untouched = d.interface(personas, name="Archivage", partner="Archives départementales", target=None)
    on_interface = d.criterion(personas, interface=by_exigence, metric="response_time_p95", threshold="2", unit="s")
    on_component = d.criterion(personas, component=idp, metric="availability", operator=">=", threshold="99.5",
                               unit="%")  # fmt: skip
    elsewhere = d.criterion(personas, interface=untouched, metric="error_rate", operator="<", threshold="1", unit="%")
    return {"ex1": ex1, "ex2": ex2, "ex3": ex3, "sp1": sp1, "by_exigence": by_exigence, "by_spec": by_spec,
            "by_component": by_component, "untouched": untouched, "on_interface": on_interface,
            "on_component": on_component, "elsewhere": elsewhere}  # fmt: skip


def _refs(impact: Any, group: str) -> dict[str, tuple[str, ...]]:
    return {i.reference: i.via for i in impact.hanging.get(group, [])}


def test_it_reaches_the_interfaces_of_a_changed_exigence_and_their_criteria(
    personas: Any, model: dict[str, Any]
) -> None:
    impact = impact_of(personas.project, [model["ex2"].pk])
    assert _refs(impact, "interfaces") == {model["by_exigence"].reference: ("EX-002",)}
    assert _refs(impact, "criteria") == {model["on_interface"].reference: (model["by_exigence"].reference,)}
    headings = [label for _group, label, _items in impact.hanging_groups]
    assert "Interfaces" in headings


def test_it_reaches_interfaces_through_specifications_and_components(personas: Any, model: dict[str, Any]) -> None:
    through_spec = impact_of(personas.project, [model["ex1"].pk])
    assert set(_refs(through_spec, "interfaces")) == {model["by_spec"].reference}
    through_component = impact_of(personas.project, [model["ex3"].pk])
    assert _refs(through_component, "interfaces") == {model["by_component"].reference: ("CMP-009",)}
    assert set(_refs(through_component, "criteria")) == {model["on_component"].reference}
    assert model["untouched"].reference not in _refs(through_component, "interfaces")


def test_it_shows_whether_a_reached_criterion_is_met(personas: Any, model: dict[str, Any]) -> None:
    case = h.make_case(personas, title="Tir", type="performance")
    result_services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[model["on_interface"]])
    campaign = testbook_services.campaign_create(actor=personas.amoa, project=personas.project, name="Perf",
                                                 kind="performance")  # fmt: skip
    result_services.results_record(project=personas.project, campaign=campaign, iteration=None,
                                   report=d.load_report(2600.0), user=personas.amoe)  # fmt: skip
    (item,) = impact_of(personas.project, [model["ex2"].pk]).hanging["criteria"]
    assert item.status == "non atteint"


def test_it_lists_the_interfaces_beside_the_components_in_the_rtm(personas: Any, model: dict[str, Any]) -> None:
    rows, _tests = rtm_all(personas.project)
    by_ref = {r.reference: r for r in rows}
    assert model["by_exigence"].reference in by_ref["EX-002"].components
    assert model["by_spec"].reference in by_ref["EX-001"].components
    assert by_ref["EX-003"].components == ["CMP-009"]  # allocated; its interfaces hang on the component, not on it


def test_it_keeps_the_rtm_queries_flat_with_interfaces(
    personas: Any, model: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(4, 24):
        ex = req.exigence(personas.project, f"EX-{n:03d}")
        d.interface(personas, name=f"Flux {n}", exigences=[ex])
    with django_assert_max_num_queries(12):
        rows, _tests = rtm_all(personas.project)
    assert len(rows) == 23
