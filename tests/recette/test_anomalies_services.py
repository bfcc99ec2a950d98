"""Anomalies: creation and numbering, every legal and illegal move per role, reclassification, labels,
quick creation from a KO."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.recette.models import Anomaly, RecetteSettings
from oeuvre.recette.selectors.anomalies import open_defects_by_severity, severity_labels
from oeuvre.recette.services import anomalies as svc
from tests.recette import helpers_anomalies as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    # Messages and default labels are checked in English; the French catalogue is checked elsewhere.
    with translation.override("en"):
        yield


ALL_STATUSES = ["nouvelle", "qualifiee", "en_correction", "livree", "verifiee", "close", "rejetee"]
LEGAL = {
    "qualify": ({"nouvelle"}, "qualifiee"),
    "reject": ({"nouvelle", "qualifiee"}, "rejetee"),
    "start_fix": ({"qualifiee"}, "en_correction"),
    "deliver": ({"en_correction"}, "livree"),
    "verify": ({"livree"}, "verifiee"),
    "close": ({"verifiee"}, "close"),
    "reopen": ({"livree", "verifiee"}, "en_correction"),
    "reclassify": ({"nouvelle", "qualifiee"}, None),
}


def _anomaly(p: Any, status: str = "nouvelle", **fields: Any) -> Anomaly:
    anomaly = svc.anomaly_create(actor=p.amoa, project=p.project, title="Le bouton Valider ne répond pas", **fields)
    if status != "nouvelle":
        Anomaly.objects.filter(pk=anomaly.pk).update(status=status)
        anomaly.refresh_from_db()
    return anomaly


def test_it_numbers_anomalies_from_the_project_settings(personas: Any) -> None:
    RecetteSettings.objects.create(project=personas.project, anomaly_prefix="BUG", reference_digits=4)
    first = _anomaly(personas)
    second = _anomaly(personas)
    assert (first.reference, second.reference) == ("BUG-0001", "BUG-0002")
    assert first.status == "nouvelle"
    assert first.reported_by == personas.amoa
    assert first.status_changed_at


def test_it_skips_a_reference_taken_by_hand(personas: Any) -> None:
    first = _anomaly(personas)
    Anomaly.objects.filter(pk=first.pk).update(reference="ANO-002")
    assert _anomaly(personas).reference == "ANO-003"


def test_it_refuses_an_empty_title_and_bad_choices_naming_the_field(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        svc.anomaly_create(actor=personas.amoa, project=personas.project, title="  ")
    assert "title" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        svc.anomaly_create(actor=personas.amoa, project=personas.project, title="x", severity="critique")
    assert "severity" in exc.value.errors
    assert not Anomaly.objects.exists()


def test_it_refuses_links_to_another_project(personas: Any) -> None:
    foreign = h.make_case(personas.other_project, 1)
    with pytest.raises(ValidationFailed) as exc:
        svc.anomaly_create(actor=personas.amoa, project=personas.project, title="x", test_case=foreign)
    assert exc.value.errors == {"test_case": ["This item belongs to another project."]}
    with pytest.raises(ValidationFailed) as exc:
        svc.anomaly_create(actor=personas.amoa, project=personas.project, title="x", assignee=personas.outsider)
    assert "assignee" in exc.value.errors


def test_it_lets_a_reader_not_report(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        svc.anomaly_create(actor=personas.reader, project=personas.project, title="x")
    svc.anomaly_create(actor=personas.contributor, project=personas.project, title="x")


@pytest.mark.parametrize("action", sorted(LEGAL))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_it_allows_exactly_the_legal_moves(personas: Any, action: str, status: str) -> None:
    anomaly = _anomaly(personas, status)
    sources, target = LEGAL[action]
    kwargs = {"reason": "motif"}
    if status in sources:
        moved = svc.anomaly_transition(
            actor=personas.admin, anomaly=anomaly, action=action, expected_version=anomaly.version, **kwargs
        )
        assert moved.status == (target or status)
        if action == "reclassify":
            assert moved.kind == "evolution"
        assert moved.version == anomaly.version + 1
    else:
        with pytest.raises(DomainError) as exc:
            svc.anomaly_transition(
                actor=personas.admin, anomaly=anomaly, action=action, expected_version=anomaly.version, **kwargs
            )
        assert anomaly.reference in str(exc.value.message)
        anomaly.refresh_from_db()
        assert anomaly.status == status
        assert anomaly.kind == "anomalie"


ROLE_MOVES = {
    # role: moves it may make (DOMAIN.md: the MOE fixes, the buyer side and the AMOE verify)
    "moa": {"qualify", "reject", "reclassify", "verify", "close", "reopen"},
    "amoa": {"qualify", "reject", "reclassify", "verify", "close", "reopen"},
    "moe": {"qualify", "reject", "reclassify", "start_fix", "deliver"},
    "amoe": {"qualify", "reject", "reclassify", "start_fix", "deliver", "verify", "close", "reopen"},
    "exploitation": set(),
    "contributor": set(),
    "reader": set(),
}


@pytest.mark.parametrize("role", sorted(ROLE_MOVES))
def test_it_checks_each_move_against_the_role(personas: Any, role: str) -> None:
    user = getattr(personas, role)
    for action, (sources, _target) in LEGAL.items():
        anomaly = _anomaly(personas, sorted(sources)[0])
        kwargs = {"actor": user, "anomaly": anomaly, "action": action, "expected_version": anomaly.version}
        if action in ROLE_MOVES[role]:
            svc.anomaly_transition(**kwargs, reason="motif")
        else:
            with pytest.raises(PermissionDenied):
                svc.anomaly_transition(**kwargs, reason="motif")


def test_it_walks_the_whole_workflow_with_dates_and_history(personas: Any) -> None:
    p = personas
    a = _anomaly(p)
    a = svc.anomaly_qualify(actor=p.amoa, anomaly=a, expected_version=a.version, severity="bloquante", priority="p1")
    a = svc.anomaly_start_fix(actor=p.moe, anomaly=a, expected_version=a.version, assignee=p.moe)
    a = svc.anomaly_deliver(actor=p.moe, anomaly=a, expected_version=a.version, release_fixed="R1.0.2")
    assert a.closed_at is None
    a = svc.anomaly_reopen(actor=p.moa, anomaly=a, expected_version=a.version, reason="Toujours KO en R1.0.2")
    assert a.status == "en_correction"
    assert "Toujours KO" in a.resolution
    a = svc.anomaly_deliver(actor=p.moe, anomaly=a, expected_version=a.version, release_fixed="R1.0.3")
    a = svc.anomaly_verify(actor=p.moa, anomaly=a, expected_version=a.version)
    a = svc.anomaly_close(actor=p.moa, anomaly=a, expected_version=a.version)
    assert a.status == "close"
    assert a.closed_at is not None
    assert a.severity == "bloquante"
    assert a.assignee == p.moe
    assert a.release_fixed == "R1.0.3"
    statuses = list(a.history.order_by("history_date", "history_id").values_list("status", flat=True))
    assert statuses == [
        "nouvelle",
        "qualifiee",
        "en_correction",
        "livree",
        "en_correction",
        "livree",
        "verifiee",
        "close",
    ]
    assert a.history.filter(history_user=p.moe).count() == 3


def test_it_needs_a_reason_to_reject_reclassify_or_reopen(personas: Any) -> None:
    a = _anomaly(personas)
    for action in ("reject", "reclassify"):
        with pytest.raises(ValidationFailed) as exc:
            svc.anomaly_transition(actor=personas.amoa, anomaly=a, action=action, expected_version=a.version)
        assert "reason" in exc.value.errors
    a.refresh_from_db()
    assert a.status == "nouvelle"


def test_it_refuses_a_stale_version(personas: Any) -> None:
    a = _anomaly(personas)
    with pytest.raises(StaleVersion):
        svc.anomaly_qualify(actor=personas.amoa, anomaly=a, expected_version=a.version - 1 if a.version > 1 else 99)


def test_it_takes_a_change_request_out_of_the_defect_counts(personas: Any) -> None:
    a = _anomaly(personas, severity="majeure")
    _anomaly(personas, severity="majeure")
    assert open_defects_by_severity(personas.project)["majeure"] == 2
    svc.anomaly_reclassify(actor=personas.moa, anomaly=a, expected_version=a.version, reason="Hors périmètre du CCTP")
    assert open_defects_by_severity(personas.project)["majeure"] == 1
    a.refresh_from_db()
    with pytest.raises(DomainError):
        svc.anomaly_reclassify(actor=personas.moa, anomaly=a, expected_version=a.version, reason="encore")


def test_it_relabels_severities_per_project(personas: Any) -> None:
    conf = svc.settings_for(personas.project)
    assert severity_labels(personas.project)["bloquante"] == "Blocking"
    with pytest.raises(PermissionDenied):
        svc.severity_labels_update(
            actor=personas.amoa, project=personas.project, expected_version=conf.version, label_bloquante="S1"
        )
    svc.severity_labels_update(
        actor=personas.moa,
        project=personas.project,
        expected_version=conf.version,
        label_bloquante="Sévérité 1",
        label_majeure="Sévérité 2",
        label_mineure="Sévérité 3",
    )
    assert list(severity_labels(personas.project).values()) == ["Sévérité 1", "Sévérité 2", "Sévérité 3"]
    assert severity_labels(personas.other_project)["mineure"] == "Minor"
    conf.refresh_from_db()
    with pytest.raises(ValidationFailed):
        svc.severity_labels_update(
            actor=personas.moa,
            project=personas.project,
            expected_version=conf.version,
            label_bloquante="S",
            label_majeure="s",
        )


def test_it_prefills_an_anomaly_from_the_failed_step(personas: Any) -> None:
    p = personas
    case = h.make_case(p.project, 12, exigences=("EX-007", "EX-003"))
    camp = h.campaign(p.project, cases=[case])
    iteration = camp.iterations.get()
    execution = h.run(iteration, case, "ko", h.at(date(2026, 3, 2)), failed_step=2, actual="Erreur 500")
    anomaly = svc.anomaly_create_from_execution(actor=p.contributor, execution=execution, severity="bloquante")
    assert anomaly.title.startswith("CT-012, step 2: Action 2 de CT-012")
    assert "Résultat attendu 2" in anomaly.description
    assert "Erreur 500" in anomaly.description
    assert anomaly.step_position == 2
    assert anomaly.test_case == case
    assert anomaly.campaign == camp
    assert anomaly.exigence.reference == "EX-003"  # the first covered exigence in the book's order
    assert anomaly.release_found == "R1.0.1"
    assert anomaly.severity == "bloquante"
    assert anomaly.execution == execution
    assert anomaly.reported_by == p.contributor


def test_it_suggests_anomalies_only_from_failures(personas: Any) -> None:
    case = h.make_case(personas.project, 1)
    camp = h.campaign(personas.project, cases=[case])
    ok = h.run(camp.iterations.get(), case, "ok", h.at(date(2026, 3, 2)))
    with pytest.raises(DomainError):
        svc.anomaly_create_from_execution(actor=personas.amoa, execution=ok)
    ko = h.run(camp.iterations.get(), case, "ko", h.at(date(2026, 3, 2)), failed_step=1)
    with pytest.raises(ValidationFailed) as exc:
        svc.anomaly_create_from_execution(actor=personas.amoa, execution=ko, step_position=9)
    assert "step_position" in exc.value.errors
    assert not Anomaly.objects.exists()
