"""Services and workflows: references, the validation workflow, links, baselines, impact, deliverables."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.requirements import selectors, services
from oeuvre.requirements.models import Exigence, ExigenceStatus, TraceLink
from tests.requirements import helpers as h


def _new(personas: Any, **fields: Any) -> Exigence:
    return services.exigence_create(actor=personas.amoa, project=personas.project, title="Se connecter", **fields)


def test_it_numbers_exigences_with_the_project_prefix(personas: Any) -> None:
    first, second = _new(personas), _new(personas)
    assert (first.reference, second.reference) == ("EX-001", "EX-002")
    conf = selectors.requirements_settings(personas.project)
    services.settings_update(
        actor=personas.moa, project=personas.project, expected_version=conf.version, exigence_prefix="REQ",
        reference_digits=4,
    )  # fmt: skip
    assert _new(personas).reference == "REQ-0003"


def test_it_skips_a_reference_taken_by_hand(personas: Any) -> None:
    _new(personas, reference="EX-005")
    assert _new(personas).reference == "EX-006"
    with pytest.raises(ValidationFailed) as caught:
        _new(personas, reference="EX-005")
    assert "reference" in caught.value.errors


def test_it_refuses_a_bad_prefix(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.settings_update(
            actor=personas.moa, project=personas.project, expected_version=None, exigence_prefix="ex 1"
        )
    assert "exigence_prefix" in caught.value.errors


def test_it_runs_the_workflow_and_only_the_moa_validates(personas: Any) -> None:
    exigence = _new(personas)
    exigence = services.exigence_submit(actor=personas.amoa, exigence=exigence, expected_version=exigence.version)
    assert exigence.status == ExigenceStatus.SOUMISE
    for role in ("amoa", "moe", "amoe", "admin"):
        with pytest.raises(PermissionDenied):
            services.exigence_validate(
                actor=getattr(personas, role), exigence=exigence, expected_version=exigence.version
            )
    exigence = services.exigence_validate(actor=personas.moa, exigence=exigence, expected_version=exigence.version)
    assert exigence.status == ExigenceStatus.VALIDEE
    assert exigence.decided_by == personas.moa
    # History names who did each step, also outside a web request (API token, CLI, jobs).
    steps = [(r.history_user, r.status) for r in exigence.history.order_by("history_id")]
    assert steps == [(personas.amoa, "brouillon"), (personas.amoa, "soumise"), (personas.moa, "validee")]


def test_it_reopens_a_validated_exigence_that_changes(personas: Any) -> None:
    exigence = _new(personas)
    exigence = services.exigence_submit(actor=personas.amoa, exigence=exigence, expected_version=exigence.version)
    exigence = services.exigence_validate(actor=personas.moa, exigence=exigence, expected_version=exigence.version)
    same = services.exigence_update(
        actor=personas.amoa, exigence=exigence, expected_version=exigence.version, title="Se connecter"
    )
    assert same.status == ExigenceStatus.VALIDEE  # nothing changed
    changed = services.exigence_update(
        actor=personas.amoa, exigence=same, expected_version=same.version, text="Avec FranceConnect."
    )
    assert changed.status == ExigenceStatus.MODIFIEE
    again = services.exigence_validate(actor=personas.moa, exigence=changed, expected_version=changed.version)
    assert again.status == ExigenceStatus.VALIDEE
    assert [r.status for r in again.history.order_by("history_id")][-3:] == ["validee", "modifiee", "validee"]


def test_it_needs_a_comment_to_reject(personas: Any) -> None:
    exigence = _new(personas)
    exigence = services.exigence_submit(actor=personas.amoa, exigence=exigence, expected_version=exigence.version)
    with pytest.raises(ValidationFailed) as caught:
        services.exigence_reject(actor=personas.moa, exigence=exigence, expected_version=exigence.version, comment=" ")
    assert "comment" in caught.value.errors
    rejected = services.exigence_reject(
        actor=personas.moa, exigence=exigence, expected_version=exigence.version, comment="Hors périmètre."
    )
    assert (rejected.status, rejected.status_comment) == (ExigenceStatus.REJETEE, "Hors périmètre.")


def test_it_refuses_a_transition_from_the_wrong_status(personas: Any) -> None:
    exigence = _new(personas)
    with pytest.raises(DomainError):
        services.exigence_validate(actor=personas.moa, exigence=exigence, expected_version=exigence.version)


def test_it_detects_a_concurrent_edit(personas: Any) -> None:
    exigence = _new(personas)
    read_version = exigence.version
    services.exigence_update(actor=personas.amoa, exigence=exigence, expected_version=read_version, title="Premier")
    with pytest.raises(StaleVersion):
        services.exigence_update(actor=personas.moa, exigence=exigence, expected_version=read_version, title="Second")
    assert Exigence.objects.get(pk=exigence.pk).title == "Premier"


def test_it_only_deletes_drafts(personas: Any) -> None:
    exigence = _new(personas)
    exigence = services.exigence_submit(actor=personas.amoa, exigence=exigence, expected_version=exigence.version)
    with pytest.raises(DomainError):
        services.exigence_delete(actor=personas.amoa, exigence=exigence)


def test_it_types_trace_links(personas: Any) -> None:
    project = personas.project
    ex, spec, comp = h.exigence(project), h.specification(project), h.component(project)
    link = services.trace_link_add(actor=personas.amoe, project=project, kind="satisfies", source=spec, target=ex)
    assert (link.src_specification, link.dst_exigence) == (spec, ex)
    with pytest.raises(ValidationFailed):
        services.trace_link_add(actor=personas.amoe, project=project, kind="satisfies", source=comp, target=ex)
    with pytest.raises(ValidationFailed):  # the same link twice
        services.trace_link_add(actor=personas.amoe, project=project, kind="satisfies", source=spec, target=ex)
    other = h.exigence(personas.other_project, "EX-009")
    with pytest.raises(ValidationFailed):
        services.trace_link_add(actor=personas.amoe, project=project, kind="satisfies", source=spec, target=other)
    with pytest.raises(PermissionDenied):
        services.trace_link_add(actor=personas.reader, project=project, kind="realises", source=comp, target=spec)


def test_it_sets_the_links_of_an_item_exactly(personas: Any) -> None:
    project = personas.project
    spec = h.specification(project)
    ex1, ex2, ex3 = (h.exigence(project, f"EX-00{i}") for i in (1, 2, 3))
    services.trace_links_set(actor=personas.amoe, project=project, kind="satisfies", source=spec, targets=[ex1, ex2])
    services.trace_links_set(actor=personas.amoe, project=project, kind="satisfies", source=spec, targets=[ex2, ex3])
    assert sorted(e.reference for e in spec.exigences.all()) == ["EX-002", "EX-003"]


def test_it_freezes_and_compares_baselines_word_by_word(personas: Any) -> None:
    project = personas.project
    ex1 = h.exigence(project, "EX-001", text="Le délai de traitement est de 5 jours ouvrés.")
    h.exigence(project, "EX-002")
    v1 = services.cdc_version_freeze(actor=personas.moa, project=project, label="V1.0")
    assert v1.entries.count() == 2
    ex1 = services.exigence_update(
        actor=personas.amoa,
        exigence=ex1,
        expected_version=ex1.version,
        text="Le délai de traitement est de 3 jours ouvrés.",
    )
    services.exigence_delete(actor=personas.amoa, exigence=Exigence.objects.get(reference="EX-002", project=project))
    h.exigence(project, "EX-003")
    today = selectors.baseline_compare(project, v1, None)
    assert [s.reference for s in today.added] == ["EX-003"]
    assert [s.reference for s in today.removed] == ["EX-002"]
    (change,) = today.changed
    assert change.fields == ["text"]
    assert [(c.op, c.text) for c in change.text_diff if c.op != "equal"] == [("delete", "5"), ("insert", "3")]
    v2 = services.cdc_version_freeze(actor=personas.amoa, project=project, label="V1.1")
    between = selectors.baseline_compare(project, v1, v2)
    assert (len(between.added), len(between.removed), len(between.changed)) == (1, 1, 1)
    with pytest.raises(ValidationFailed):
        services.cdc_version_freeze(actor=personas.moa, project=project, label="V1.1")
    with pytest.raises(PermissionDenied):
        services.cdc_version_freeze(actor=personas.moe, project=project, label="V9")


def test_it_finds_what_hangs_on_an_exigence(personas: Any) -> None:
    project = personas.project
    c = h.chain(project)
    child = h.exigence(project, "EX-010")
    h.link(project, "refines", child, c["ex1"])
    sp3 = h.specification(project, "SP-003")
    h.link(project, "satisfies", sp3, child)
    infra = h.component(project, "CMP-009")
    h.link(project, "allocated", c["ex1"], infra)
    impact = selectors.impact_of(project, [c["ex1"].pk])
    assert [e.reference for e in impact.exigences] == ["EX-001", "EX-010"]
    assert [s.reference for s in impact.specifications] == ["SP-001", "SP-003"]
    assert [k.reference for k in impact.components] == ["CMP-001", "CMP-009"]


def test_it_enforces_exactly_one_accountable(personas: Any) -> None:
    deliverable = services.deliverable_create(actor=personas.moe, project=personas.project, kind="dat", title="DAT")
    with pytest.raises(ValidationFailed):
        services.deliverable_set_raci(
            actor=personas.moe, deliverable=deliverable, expected_version=deliverable.version,
            assignments=[(personas.amoe, "R"), (personas.moe, "C")],
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.deliverable_set_raci(
            actor=personas.moe, deliverable=deliverable, expected_version=deliverable.version,
            assignments=[(personas.moe, "A"), (personas.moa, "A")],
        )  # fmt: skip
    with pytest.raises(ValidationFailed):  # not a member
        services.deliverable_set_raci(
            actor=personas.moe, deliverable=deliverable, expected_version=deliverable.version,
            assignments=[(personas.outsider, "A")],
        )  # fmt: skip
    deliverable = services.deliverable_set_raci(
        actor=personas.moe, deliverable=deliverable, expected_version=deliverable.version,
        assignments=[(personas.amoe, "R"), (personas.moe, "A"), (personas.exploitation, "C")],
    )  # fmt: skip
    assert sorted(a.letter for a in deliverable.raci.all()) == ["A", "C", "R"]


def test_it_follows_the_projects_deliverable_rules(personas: Any) -> None:
    """DOMAIN.md: the DAT is written by the AMOE and validated by the MOE (+ exploitation), per project."""
    project = personas.project
    dat = services.deliverable_create(actor=personas.moe, project=project, kind="dat", title="DAT")
    with pytest.raises(DomainError):  # no RACI yet
        services.deliverable_submit(actor=personas.amoe, deliverable=dat, expected_version=dat.version)
    dat = services.deliverable_set_raci(
        actor=personas.moe, deliverable=dat, expected_version=dat.version, assignments=[(personas.moe, "A")]
    )
    with pytest.raises(PermissionDenied):  # the MOA does not write the DAT
        services.deliverable_submit(actor=personas.moa, deliverable=dat, expected_version=dat.version)
    dat = services.deliverable_submit(actor=personas.amoe, deliverable=dat, expected_version=dat.version)
    with pytest.raises(PermissionDenied):  # nor validate it, by default
        services.deliverable_decide(actor=personas.moa, deliverable=dat, accept=True, expected_version=dat.version)
    with pytest.raises(ValidationFailed):
        services.deliverable_decide(actor=personas.moe, deliverable=dat, accept=False, expected_version=dat.version)
    refused = services.deliverable_decide(
        actor=personas.exploitation, deliverable=dat, accept=False, comment="Incomplet.", expected_version=dat.version
    )
    assert refused.status == "refuse"
    # This project's contract says the MOA validates the DAT.
    services.deliverable_rule_set(
        actor=personas.moa, project=project, kind="dat", author_roles=["amoe"], validator_roles=["moa"]
    )
    resubmitted = services.deliverable_submit(
        actor=personas.amoe, deliverable=refused, expected_version=refused.version
    )
    validated = services.deliverable_decide(
        actor=personas.moa, deliverable=resubmitted, accept=True, expected_version=resubmitted.version
    )
    assert validated.status == "valide"


@pytest.mark.usefixtures("without_test_stage")
def test_it_counts_coverage_for_the_home_page(personas: Any) -> None:
    h.chain(personas.project)
    summary = selectors.coverage_summary(personas.project)
    assert (summary.exigences, summary.with_spec, summary.specs, summary.specs_with_component) == (3, 2, 2, 1)
    assert summary.with_test is None
    assert TraceLink.objects.count() == 3


def test_it_deletes_a_draft_with_its_links_and_says_so_in_the_feed(personas: Any) -> None:
    from oeuvre.core.activity import project_activity

    project = personas.project
    ex, spec = h.exigence(project, "EX-001"), h.specification(project, "SP-001")
    services.trace_link_add(actor=personas.amoe, project=project, kind="satisfies", source=spec, target=ex)
    services.exigence_delete(actor=personas.amoa, exigence=ex)
    assert not TraceLink.objects.filter(project=project).exists()
    labels = [e.object_label for e in project_activity(project) if e.action == "-"]
    assert any(label.startswith("SP-001 ") for label in labels)  # the link's deletion, though its target is gone
