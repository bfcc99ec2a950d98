"""The model's own guarantees: trace link shapes, one A per deliverable, M2M views over trace links."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from oeuvre.requirements.models import (
    Component,
    Deliverable,
    Exigence,
    RaciAssignment,
    Specification,
    TraceLink,
)


@pytest.fixture
def chain(personas: Any) -> dict[str, Any]:
    project = personas.project
    ex = Exigence.objects.create(project=project, reference="EX-001", number=1, title="Se connecter")
    spec = Specification.objects.create(project=project, reference="SP-001", number=1, title="Écran de connexion")
    comp = Component.objects.create(project=project, reference="CMP-001", number=1, name="Portail")
    TraceLink.objects.create(project=project, kind="satisfies", src_specification=spec, dst_exigence=ex)
    TraceLink.objects.create(project=project, kind="realises", src_component=comp, dst_specification=spec)
    return {"project": project, "ex": ex, "spec": spec, "comp": comp}


def test_it_reads_trace_links_as_many_to_many(chain: dict[str, Any]) -> None:
    assert list(chain["ex"].specifications.all()) == [chain["spec"]]
    assert list(chain["spec"].components.all()) == [chain["comp"]]
    assert list(chain["comp"].specifications.all()) == [chain["spec"]]


def test_it_refuses_a_link_of_the_wrong_shape(chain: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TraceLink.objects.create(
            project=chain["project"], kind="satisfies", src_component=chain["comp"], dst_exigence=chain["ex"]
        )


def test_it_refuses_a_duplicate_link(chain: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        TraceLink.objects.create(
            project=chain["project"], kind="satisfies", src_specification=chain["spec"], dst_exigence=chain["ex"]
        )


def test_it_refuses_a_second_accountable(personas: Any) -> None:
    deliverable = Deliverable.objects.create(project=personas.project, kind="cdc", title="CDC")
    RaciAssignment.objects.create(deliverable=deliverable, user=personas.moa, letter="A")
    RaciAssignment.objects.create(deliverable=deliverable, user=personas.moa, letter="R")
    with pytest.raises(IntegrityError), transaction.atomic():
        RaciAssignment.objects.create(deliverable=deliverable, user=personas.amoa, letter="A")
