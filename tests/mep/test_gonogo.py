"""The go/no-go of a release computed from the other stages, decided by the MOA, signed and chained."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.mep import selectors, services
from oeuvre.mep.models import GoNoGoDecision, ReleaseStatus
from oeuvre.recette.models import Anomaly, LedgerEntry
from tests.mep.builders import PASSWORD, attest_all, release, signed_pv
from tests.recette.pv_factories import anomaly, campaign


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _met(rel: Any) -> dict[str, bool]:
    return {c.code: c.met for c in selectors.gonogo_for(rel).criteria}


def test_it_proposes_no_go_with_no_pv_and_nothing_attested(personas: Any) -> None:
    rel = release(personas)
    view = selectors.gonogo_for(rel)
    assert view.proposal == "no_go"
    met = {c.code: c.met for c in view.criteria}
    assert met["pv_signed"] is False
    assert met["no_bloquante"] is True
    assert not any(met[c] for c in ("data_migration", "operating_procedures", "training", "rollback_plan", "dry_run"))
    pv_line = next(c for c in view.criteria if c.code == "pv_signed")
    assert pv_line.evidence == "No PV de recette yet."


def test_it_proposes_go_once_the_pv_is_signed_and_readiness_attested(personas: Any) -> None:
    pv = signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel)
    view = selectors.gonogo_for(rel)
    assert view.proposal == "go", [c for c in view.criteria if not c.met]
    pv_line = next(c for c in view.criteria if c.code == "pv_signed")
    assert pv.reference in pv_line.evidence
    assert pv_line.link.endswith(f"/recette/pv/{pv.pk}/")
    training = next(c for c in view.criteria if c.code == "training")
    assert "training OK" in training.evidence
    assert str(personas.exploitation) in training.evidence


def test_an_unsigned_pv_is_not_met(personas: Any) -> None:
    camp = campaign(personas.project, results="oo")
    from oeuvre.recette.services.pv import pv_create

    pv_create(actor=personas.amoa, project=personas.project, campaigns=[camp])
    rel = release(personas)
    assert _met(rel)["pv_signed"] is False
    line = next(c for c in selectors.gonogo_for(rel).criteria if c.code == "pv_signed")
    assert "is not signed yet" in line.evidence


def test_open_blocking_and_major_anomalies_count_against_the_thresholds(personas: Any) -> None:
    signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel)
    camp = campaign(personas.project, results="o")
    blocking = anomaly(personas.project, camp, "bloquante")
    for _ in range(3):
        anomaly(personas.project, camp, "majeure")
    met = _met(rel)
    assert (met["no_bloquante"], met["majeures_under_threshold"]) == (False, False)
    line = next(c for c in selectors.gonogo_for(rel).criteria if c.code == "majeures_under_threshold")
    assert line.evidence == "3 open, 2 allowed."

    services.gonogo_settings_update(
        actor=personas.moa, project=personas.project, expected_version=None, max_open_majeures=3
    )
    Anomaly.objects.filter(pk=blocking.pk).update(status="close")
    assert selectors.gonogo_for(rel).proposal == "go"


def test_a_criterion_the_project_does_not_apply_does_not_block(personas: Any) -> None:
    signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel, skip=("training",))
    assert selectors.gonogo_for(rel).proposal == "no_go"
    services.gonogo_settings_update(
        actor=personas.moa, project=personas.project, expected_version=None, ignored_criteria=["training"]
    )
    assert selectors.gonogo_for(rel).proposal == "go"
    with pytest.raises(ValidationFailed) as caught:
        services.gonogo_settings_update(
            actor=personas.moa, project=personas.project, expected_version=None, ignored_criteria=["nope"]
        )
    assert "ignored_criteria" in caught.value.errors


def test_attesting_needs_evidence_and_the_right_role(personas: Any) -> None:
    rel = release(personas)
    with pytest.raises(ValidationFailed) as caught:
        services.readiness_attest(actor=personas.moe, release=rel, item="dry_run", done=True, evidence=" ")
    assert "evidence" in caught.value.errors
    with pytest.raises(PermissionDenied):
        services.readiness_attest(actor=personas.reader, release=rel, item="dry_run", done=True, evidence="x")
    assert not rel.checks.exists()


def test_departing_from_the_proposal_needs_a_written_reason(personas: Any) -> None:
    rel = release(personas)
    with pytest.raises(ValidationFailed) as caught:
        services.gonogo_decide(actor=personas.moa, release=rel, decision="go", reason="", password=PASSWORD)
    assert "reason" in caught.value.errors
    decision = services.gonogo_decide(
        actor=personas.moa,
        release=rel,
        decision="go",
        reason="Formation terminée le 3, PV en signature",
        password=PASSWORD,
    )
    assert (decision.proposal, decision.decision) == ("no_go", "go")
    assert decision.criteria[0]["code"] == "pv_signed"
    assert decision.criteria[0]["met"] is False
    rel.refresh_from_db()
    assert rel.status == ReleaseStatus.PRETE


def test_only_the_moa_decides_and_only_after_reauthentication(personas: Any) -> None:
    signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel)
    entries = LedgerEntry.objects.filter(project=personas.project).count()
    with pytest.raises(PermissionDenied):
        services.gonogo_decide(actor=personas.moe, release=rel, decision="go", reason="", password=PASSWORD)
    with pytest.raises(ValidationFailed) as caught:
        services.gonogo_decide(actor=personas.moa, release=rel, decision="go", reason="", password="wrong")
    assert "password" in caught.value.errors
    assert LedgerEntry.objects.filter(project=personas.project).count() == entries
    assert not GoNoGoDecision.objects.exists()
    decision = services.gonogo_decide(actor=personas.moa, release=rel, decision="go", reason="", password=PASSWORD)
    assert decision.ledger_entry.kind == "mep.gonogo"
    assert decision.ledger_entry.sequence == entries + 1


def test_a_release_in_production_takes_no_new_decision(personas: Any) -> None:
    import datetime as dt

    rel = release(personas, status=ReleaseStatus.EN_PRODUCTION, actual_date=dt.date(2026, 11, 2))
    with pytest.raises(DomainError, match="no longer awaiting"):
        services.gonogo_decide(actor=personas.moa, release=rel, decision="no_go", reason="x", password=PASSWORD)


def test_verify_names_a_decision_changed_after_signing(personas: Any) -> None:
    from oeuvre.mep.verify import gonogo_verify

    signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel)
    decision = services.gonogo_decide(actor=personas.moa, release=rel, decision="go", reason="", password=PASSWORD)
    assert gonogo_verify(personas.project) == []
    out = io.StringIO()
    call_command("verify", "--project", personas.project.code, stdout=out)
    assert out.getvalue().startswith("OK:")  # the chain entry itself is intact

    GoNoGoDecision.objects.filter(pk=decision.pk).update(reason="changed quietly", decision="no_go")
    messages = [p.message for p in gonogo_verify(personas.project)]
    sequence = decision.ledger_entry.sequence
    assert f"go/no-go of release 1.0: decision changed after signing (entry #{sequence})" in messages
    assert f"go/no-go of release 1.0: reason changed after signing (entry #{sequence})" in messages


def test_the_cli_prints_the_proposal_and_the_releases_as_json(personas: Any) -> None:
    import datetime as dt

    signed_pv(personas)
    rel = release(personas, planned_date=dt.date(2027, 1, 18))
    attest_all(personas, rel, skip=("dry_run",))
    out = io.StringIO()
    call_command("mep", "gonogo", "--project", "alpha", "--release", "1.0", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["proposal"] == "no_go"
    by_code = {c["code"]: c for c in data["criteria"]}
    assert by_code["dry_run"]["met"] is False
    assert by_code["pv_signed"]["met"] is True
    assert set(by_code["pv_signed"]) >= {"code", "met", "evidence"}

    out = io.StringIO()
    call_command("mep", "releases", "--project", "alpha", "--json", stdout=out)
    assert json.loads(out.getvalue()) == [
        {
            "number": "1.0",
            "title": "",
            "status": "planifiee",
            "planned_date": "2027-01-18",
            "actual_date": None,
            "garantie": None,
        }
    ]
    with pytest.raises(CommandError, match=r"9\.9"):
        call_command("mep", "gonogo", "--project", "alpha", "--release", "9.9", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"proposal": "no_go"}, "proposal"),
        ({"decision": "no_go"}, "decision"),
        ({"reason": "ajoutée après"}, "reason"),
        ({"criteria": []}, "criteria"),
        ({"decided_by_name": "Quelqu'un d'autre"}, "decided by (name)"),
        ({"decided_at": "2020-01-01T00:00:00Z"}, "decided at"),
        ({"reauthenticated_at": "2020-01-01T00:00:00Z"}, "re-authenticated at"),
    ],
)
def test_verify_names_every_signed_field_of_a_go_no_go_changed(
    personas: Any, change: dict[str, Any], field: str
) -> None:
    from oeuvre.recette.services.ledger import chain_verify

    signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel)
    decision = services.gonogo_decide(actor=personas.moa, release=rel, decision="go", reason="", password=PASSWORD)
    GoNoGoDecision.objects.filter(pk=decision.pk).update(**change)
    sequence = decision.ledger_entry.sequence
    expected = f"go/no-go of release 1.0: {field} changed after signing (entry #{sequence})"
    assert expected in [p.message for p in chain_verify(personas.project)]


def test_verify_names_a_go_no_go_deleted_or_rewritten_without_the_key(personas: Any) -> None:
    from oeuvre.recette.services.ledger import chain_verify
    from tests.chain_tamper import failures, rewrite_chain

    signed_pv(personas)
    rel = release(personas)
    attest_all(personas, rel)
    decision = services.gonogo_decide(actor=personas.moa, release=rel, decision="go", reason="", password=PASSWORD)
    sequence = decision.ledger_entry.sequence

    def to_no_go(entry: LedgerEntry) -> None:
        if entry.sequence == sequence:
            entry.payload["decision"] = "no_go"

    GoNoGoDecision.objects.filter(pk=decision.pk).update(decision="no_go")
    rewrite_chain(personas.project, sequence, to_no_go)
    assert failures(chain_verify(personas.project)) == [
        f"entry #{sequence} seal broken: the entry was rewritten without the ledger key"
    ]
    GoNoGoDecision.objects.filter(pk=decision.pk).delete()
    assert f"the go/no-go decision of entry #{sequence} was deleted" in failures(chain_verify(personas.project))
