"""The PV de recette through the services: facts gathered from the database, the rules' proposal for every
case of DOMAIN.md, réserves, the MOA's decision, signatures after re-authentication, levée des réserves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.recette.models import LedgerEntry, PvStatus, RecetteSettings
from oeuvre.recette.services import pv as svc
from oeuvre.recette.services.ledger import document_path, sha256_bytes
from tests.recette.pv_factories import PASSWORD, anomaly, campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private(settings: Any, tmp_path: Any) -> None:
    settings.OEUVRE_PRIVATE_DIR = str(tmp_path / "private")


def _pv(p: Any, results: str = "oooo", anomalies: tuple[tuple[str, dict[str, Any]], ...] = ()) -> Any:
    camp = campaign(p.project, results=results)
    for severity, options in anomalies:
        anomaly(p.project, camp, severity, **options)
    return svc.pv_create(actor=p.amoa, project=p.project, campaigns=[camp])


@pytest.mark.parametrize(
    ("results", "anomalies", "expected", "codes"),
    [
        ("oooo", (), "sans_reserve", ["no_open_defect"]),
        ("oooo", (("mineure", {}),), "avec_reserves", ["mineures"]),
        ("oooo", (("majeure", {}), ("majeure", {}), ("majeure", {})), "avec_reserves", ["majeures_within_threshold"]),
        ("oooo", (("majeure", {}),) * 4, "refusee", ["majeures_above_threshold"]),
        ("oooo", (("bloquante", {"at_start": True}),), "refusee", ["bloquante_at_start"]),
        ("oooo", (("bloquante", {}),), "ajournee", ["bloquante_during"]),
        ("oook", (), "ajournee", ["pass_rate_low"]),  # with min pass rate 90 % set below
        ("ooon", (), "ajournee", ["execution_incomplete"]),
        ("", (), "ajournee", ["no_tests"]),
        # Closed, rejected anomalies and change requests do not count.
        (
            "oooo",
            (("majeure", {"status": "close"}), ("bloquante", {"status": "rejetee"})),
            "sans_reserve",
            ["no_open_defect"],
        ),
        ("oooo", (("majeure", {"kind": "evolution"}),), "sans_reserve", ["no_open_defect", "evolutions_excluded"]),
    ],
)
def test_it_proposes_the_decision_of_domain_md_from_the_database(
    personas: Any, results: str, anomalies: Any, expected: str, codes: list[str]
) -> None:
    RecetteSettings.objects.create(project=personas.project, min_pass_rate=90)
    pv = _pv(personas, results, anomalies)
    assert pv.reference == "PV-001"
    assert pv.proposed_decision == expected
    got = [r["code"] for r in pv.proposal_reasons]
    assert got[: len(codes)] == codes  # the deciding reasons first (a "no open defect" may follow)


def test_it_counts_the_latest_execution_of_each_planned_test(personas: Any) -> None:
    camp = campaign(personas.project, results="kk")
    iteration2 = camp.iterations.create(number=2)
    first = camp.planned_tests.first().test_case
    from oeuvre.recette.models import Execution

    Execution.objects.create(
        project=personas.project,
        iteration=iteration2,
        test_case=first,
        test_case_revision=first.revisions.get(),
        status="ok",
    )
    pv = svc.pv_create(actor=personas.amoa, project=personas.project, campaigns=[camp])
    assert pv.facts["totals"] == {"planned": 2, "passed": 1, "failed": 1, "blocked": 0, "not_run": 0}


def test_it_proposes_one_reserve_per_open_major_or_minor_anomaly(personas: Any) -> None:
    pv = _pv(personas, anomalies=(("majeure", {}), ("mineure", {}), ("mineure", {"status": "close"})))
    assert [r.anomaly.reference for r in pv.reserves.order_by("number")] == ["ANO-001", "ANO-002"]
    assert pv.reference == "PV-001"
    second = svc.pv_create(actor=personas.amoa, project=personas.project, campaigns=list(pv.campaigns.all()))
    assert second.reference == "PV-002"


def test_it_refuses_a_departure_without_a_written_reason(personas: Any) -> None:
    pv = _pv(personas, anomalies=(("mineure", {}),))
    with pytest.raises(ValidationFailed) as caught:
        svc.pv_decide(actor=personas.moa, pv=pv, decision="ajournee", reason="  ", expected_version=pv.version)
    assert "decision_reason" in caught.value.errors
    pv.refresh_from_db()
    assert pv.decision == ""
    assert not LedgerEntry.objects.exists()
    pv = svc.pv_decide(
        actor=personas.moa, pv=pv, decision="ajournee", reason="Recette incomplète", expected_version=pv.version
    )
    assert pv.correction_due_on == timezone.localdate() + timedelta(days=30)
    assert LedgerEntry.objects.get().kind == "pv.decision"


def test_it_lets_only_the_moa_decide(personas: Any) -> None:
    pv = _pv(personas)
    for user in (personas.moe, personas.amoa, personas.reader):
        with pytest.raises(PermissionDenied):
            svc.pv_decide(actor=user, pv=pv, decision="sans_reserve", expected_version=None)


def _decided(p: Any) -> Any:
    pv = _pv(p, anomalies=(("mineure", {}), ("mineure", {})))
    return svc.pv_decide(actor=p.moa, pv=pv, decision="avec_reserves", expected_version=pv.version)


def test_it_refuses_a_signature_without_re_authentication(personas: Any) -> None:
    pv = _decided(personas)
    for password in ("", "wrong password"):
        with pytest.raises(ValidationFailed) as caught:
            svc.pv_sign(actor=personas.moa, pv=pv, password=password)
        assert "password" in caught.value.errors
    pv.refresh_from_db()
    assert pv.status == PvStatus.DECIDE
    assert not pv.signatures.exists()
    assert LedgerEntry.objects.count() == 1


def test_it_keeps_each_side_to_its_own_signature(personas: Any) -> None:
    pv = _decided(personas)
    with pytest.raises(PermissionDenied):
        svc.pv_sign(actor=personas.moe, pv=pv, password=PASSWORD)  # the MOE cannot sign for the MOA
    with pytest.raises(DomainError):
        svc.pv_countersign(actor=personas.moe, pv=pv, password=PASSWORD)  # not before the buyer
    svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        svc.pv_countersign(actor=personas.moa, pv=pv, password=PASSWORD)  # the MOA cannot countersign
    with pytest.raises(DomainError):
        svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD)  # only once


def test_it_signs_countersigns_chains_the_pdf_and_becomes_final_when_reserves_are_lifted(personas: Any) -> None:
    pv = _decided(personas)
    with translation.override("en"):
        moa = svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD)
    assert moa.meaning == "Pronounces acceptance with réserves"
    assert moa.signer_name == str(personas.moa)
    with translation.override("fr"):
        moe = svc.pv_countersign(actor=personas.moe, pv=pv, password=PASSWORD)
    assert moe.meaning.startswith("Prend acte de la décision de l'acheteur")
    for signature in (moa, moe):
        entry = signature.ledger_entry
        data = document_path(entry.document_name).read_bytes()
        assert data.startswith(b"%PDF")
        assert entry.document_sha256 == sha256_bytes(data) == signature.document_sha256
    entries = list(LedgerEntry.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert [e.previous_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    pv.refresh_from_db()
    assert pv.status == PvStatus.SIGNE
    assert pv.final_at is None

    first, second = pv.reserves.order_by("number")
    with pytest.raises(DomainError):
        svc.reserve_update(actor=personas.amoa, reserve=first, expected_version=None, description="autre")
    with pytest.raises(ValidationFailed):
        svc.reserve_lift(actor=personas.moa, reserve=first, comment="")
    svc.reserve_lift(actor=personas.moa, reserve=first, comment="Corrigé en 1.0.1")
    pv.refresh_from_db()
    assert pv.final_at is None
    with pytest.raises(DomainError):
        svc.reserve_lift(actor=personas.amoa, reserve=first, comment="encore")
    svc.reserve_lift(actor=personas.amoa, reserve=second, comment="Corrigé en 1.0.2")
    pv.refresh_from_db()
    assert pv.final_at is not None
    assert LedgerEntry.objects.filter(kind="reserve.lift").count() == 2


def test_it_edits_reserves_before_signing_only(personas: Any) -> None:
    pv = _pv(personas, anomalies=(("mineure", {}),))
    reserve = svc.reserve_add(actor=personas.amoe, pv=pv, description="Documentation d'exploitation incomplète")
    assert reserve.number == 2
    with pytest.raises(ValidationFailed) as caught:
        svc.reserve_add(actor=personas.amoe, pv=pv, description=" ")
    assert "description" in caught.value.errors
    svc.reserve_update(
        actor=personas.amoe, reserve=reserve, expected_version=reserve.version, description="Doc à compléter"
    )
    svc.reserve_delete(actor=personas.amoe, reserve=reserve)
    assert pv.reserves.count() == 1
    with pytest.raises(ValidationFailed):
        svc.pv_decide(actor=personas.moa, pv=pv, decision="sans_reserve", reason="ok", expected_version=None)


def test_it_refreshes_the_proposal_in_draft_only(personas: Any) -> None:
    pv = _pv(personas)
    assert pv.proposed_decision == "sans_reserve"
    anomaly(personas.project, pv.campaigns.get(), "majeure")
    pv = svc.pv_refresh_proposal(actor=personas.amoa, pv=pv, expected_version=pv.version)
    assert pv.proposed_decision == "avec_reserves"
    assert pv.reserves.count() == 1
    pv = svc.pv_decide(actor=personas.moa, pv=pv, decision="avec_reserves", expected_version=pv.version)
    with pytest.raises(DomainError):
        svc.pv_refresh_proposal(actor=personas.amoa, pv=pv, expected_version=pv.version)


def test_it_asks_for_the_totp_code_of_an_account_with_mfa(personas: Any) -> None:
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    secret = generate_totp_secret()
    TOTP.activate(personas.moa, secret)
    pv = _decided(personas)
    with pytest.raises(ValidationFailed) as caught:
        svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD)  # the password alone is not enough
    assert "otp" in caught.value.errors
    with pytest.raises(ValidationFailed):
        svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD, otp="000000x")
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]  # the current period
    code = format_hotp_value(hotp_value(secret, counter))
    signature = svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD, otp=code)
    assert signature.reauthenticated_at is not None


def test_it_stops_guessing_the_password_through_the_signature(personas: Any) -> None:
    pv = _decided(personas)
    for _attempt in range(svc.REAUTH_MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            svc.pv_sign(actor=personas.moa, pv=pv, password="guess")
    with pytest.raises(DomainError) as caught:
        svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD)  # even the right one, for a while
    assert not isinstance(caught.value, ValidationFailed)
    assert not pv.signatures.exists()
