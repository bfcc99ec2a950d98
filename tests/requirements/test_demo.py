"""The demo's requirements: what the issue asks for, with its deliberate gaps, the same from the same seed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from oeuvre.demo.generator import MAIN_PROJECT, generate
from oeuvre.projects.models import Project
from oeuvre.requirements import selectors
from oeuvre.requirements.models import CdcVersion, Component, Deliverable, Exigence, Specification, TraceLink

TODAY = date(2026, 11, 28)


def _fingerprint() -> list[Any]:
    return [
        list(Exigence.objects.order_by("project__code", "number").values_list("reference", "title", "status", "type")),
        list(
            TraceLink.objects.order_by("pk").values_list(
                "kind", "src_specification__reference", "dst_exigence__reference"
            )
        ),
    ]


def test_it_builds_the_guichet_cdc_with_its_gaps_and_baselines(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    exigences = Exigence.objects.filter(project=project)
    assert 55 <= exigences.count() <= 65
    assert set(exigences.values_list("type", flat=True)) == {
        "fonctionnelle", "technique", "performance", "securite", "reglementaire", "exploitabilite",
    }  # fmt: skip
    assert set(exigences.values_list("status", flat=True)) == {"brouillon", "soumise", "validee", "rejetee", "modifiee"}
    assert Specification.objects.filter(project=project).count() == 40
    assert Component.objects.filter(project=project).count() == 15
    summary = selectors.coverage_summary(project)
    assert 0 < summary.with_spec < summary.exigences  # some exigences have no specification, on purpose
    assert 0 < summary.specs_with_component < summary.specs
    # The CDC's own two versions; the steering stage's accepted change request freezes a later one (DM-…).
    v1, v2 = CdcVersion.objects.filter(project=project).exclude(label__startswith="DM-").order_by("created_at")
    between = selectors.baseline_compare(project, v1, v2)
    assert (len(between.added), len(between.removed), len(between.changed)) == (2, 1, 2)
    assert selectors.baseline_compare(project, v2, None).changed  # and a change since V1.1
    for deliverable in Deliverable.objects.filter(project=project):
        assert deliverable.raci.filter(letter="A").count() == 1
    assert list(exigences.order_by("number").values_list("reference", flat=True)[:2]) == ["EX-001", "EX-002"]


@pytest.mark.django_db(transaction=True)
def test_it_builds_the_same_cdc_from_the_same_seed() -> None:
    generate(size="small", seed=42, today=TODAY, stages=("requirements",))
    first = _fingerprint()
    assert first[0]
    call_command("flush", interactive=False, verbosity=0)
    generate(size="small", seed=42, today=TODAY, stages=("requirements",))
    assert _fingerprint() == first
