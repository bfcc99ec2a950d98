"""Interfaces and criteria of the DAT: validation, references, history, permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from oeuvre.core.errors import ValidationFailed
from oeuvre.design import services
from oeuvre.design.models import Criterion, Interface
from tests.design import helpers as h
from tests.requirements import helpers as req

pytestmark = pytest.mark.django_db


def test_it_numbers_interfaces_and_keeps_their_history(personas: Any) -> None:
    first = h.interface(personas, protocol="rest", data_format="JSON")
    second = h.interface(personas, name="Archivage", target=None, partner="Archives départementales")
    assert (first.reference, second.reference) == ("IF-001", "IF-002")
    assert second.external
    updated = services.interface_update(
        actor=personas.moe, interface=first, expected_version=first.version, status="integrated"
    )
    assert updated.status == "integrated"
    assert [r.status for r in Interface.history.filter(id=first.pk).order_by("history_date")] == [
        "planned",
        "integrated",
    ]


def test_it_refuses_an_interface_without_target_nor_partner(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        h.interface(personas, target=None, partner="")
    assert "target" in exc.value.errors


def test_it_refuses_an_interface_from_a_component_to_itself(personas: Any) -> None:
    portal, _back = h.components(personas)
    with pytest.raises(ValidationFailed):
        h.interface(personas, target=portal)


def test_it_links_requirements_and_specifications_to_an_interface(personas: Any) -> None:
    ex = req.exigence(personas.project, "EX-010")
    sp = req.specification(personas.project, "SP-010")
    interface = h.interface(personas, exigences=[ex], specifications=[sp])
    assert list(interface.exigences.all()) == [ex]
    assert list(ex.interfaces.all()) == [interface]
    assert list(sp.interfaces.all()) == [interface]


def test_it_refuses_a_requirement_of_another_project(personas: Any) -> None:
    foreign = req.exigence(personas.other_project, "EX-099")
    with pytest.raises(ValidationFailed):
        h.interface(personas, exigences=[foreign])


def test_it_lets_only_the_architects_describe_interfaces(personas: Any) -> None:
    portal, back = h.components(personas)
    for user in (personas.moa, personas.amoa, personas.reader, personas.contributor):
        with pytest.raises(PermissionDenied):
            services.interface_create(actor=user, project=personas.project, name="X", source=portal, target=back)
    assert not Interface.objects.exists()


def test_it_normalises_a_criterion_threshold_written_the_french_way(personas: Any) -> None:
    c = h.criterion(personas, threshold="2 000,5")
    assert (c.reference, c.threshold) == ("CRT-001", "2000.5")


def test_it_refuses_a_unit_of_another_kind_naming_the_allowed_ones(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        h.criterion(personas, unit="%")
    assert "ms, s, min" in exc.value.errors["unit"][0]
    assert not Criterion.objects.exists()


def test_it_refuses_a_criterion_on_both_a_component_and_an_interface(personas: Any) -> None:
    interface = h.interface(personas)
    with pytest.raises(ValidationFailed):
        h.criterion(personas, component=interface.source, interface=interface)


def test_it_keeps_a_version_threshold_as_written(personas: Any) -> None:
    c = h.criterion(personas, metric="tls_min_version", operator=">=", threshold="1.2", unit="version")
    assert c.threshold == "1.2"
    assert c.describe() == "tls_min_version ≥ 1.2"
    with pytest.raises(ValidationFailed):
        h.criterion(personas, metric="tls_min_version", operator=">=", threshold="douze", unit="version")


def test_it_updates_a_criterion_with_optimistic_concurrency(personas: Any) -> None:
    c = h.criterion(personas)
    services.criterion_update(actor=personas.amoe, criterion=c, expected_version=c.version, threshold="1500")
    c.refresh_from_db()
    assert c.threshold == "1500"
    from oeuvre.core.errors import StaleVersion

    with pytest.raises(StaleVersion):
        services.criterion_update(actor=personas.amoe, criterion=c, expected_version=1, threshold="1000")
