"""``oeuvre verify``: every kind of change made after signing, bypassing the services, is named."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from oeuvre.recette.models import LedgerEntry, ProcesVerbal, Reserve, Signature
from oeuvre.recette.services import pv as svc
from oeuvre.recette.services.ledger import chain_head, document_path, ledger_append
from tests.recette.pv_factories import PASSWORD, anomaly, campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private(settings: Any, tmp_path: Any) -> None:
    settings.OEUVRE_PRIVATE_DIR = str(tmp_path / "private")


@pytest.fixture
def signed(personas: Any) -> ProcesVerbal:
    """PV-001 decided (#1), signed (#2), countersigned (#3), réserve 1 lifted (#4); réserve 2 still open."""
    camp = campaign(personas.project, results="oooo")
    anomaly(personas.project, camp, "mineure")
    anomaly(personas.project, camp, "majeure")
    pv = svc.pv_create(actor=personas.amoa, project=personas.project, campaigns=[camp])
    pv = svc.pv_decide(actor=personas.moa, pv=pv, decision="avec_reserves", expected_version=pv.version)
    svc.pv_sign(actor=personas.moa, pv=pv, password=PASSWORD)
    svc.pv_countersign(actor=personas.moe, pv=pv, password=PASSWORD)
    svc.reserve_lift(actor=personas.moa, reserve=pv.reserves.get(number=1), comment="Corrigé")
    return pv


def _verify(personas: Any) -> tuple[bool, str]:
    out = StringIO()
    try:
        with translation.override("en"):
            call_command("verify", project=personas.project.code, stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def test_it_says_ok_when_nothing_changed(personas: Any, signed: ProcesVerbal) -> None:
    ok, out = _verify(personas)
    assert ok, out
    assert "OK: 4 entries verified" in out


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            lambda pv: ProcesVerbal.objects.filter(pk=pv.pk).update(decision="sans_reserve"),
            ["PV-001: decision changed after signing (entry #1)", "PV-001: decision changed after signing (entry #2)"],
        ),
        (
            lambda pv: ProcesVerbal.objects.filter(pk=pv.pk).update(decision_reason="ajouté après"),
            ["PV-001: reason for departing from the proposal changed after signing (entry #1)"],
        ),
        (
            lambda pv: Reserve.objects.filter(pv=pv, number=2).update(description="réécrite"),
            [
                "réserve 2 of PV-001: description changed after signing (entry #2)",
                "réserve 2 of PV-001: description changed after signing (entry #3)",
            ],
        ),
        (
            lambda pv: Reserve.objects.filter(pv=pv, number=2).delete(),
            ["réserve 2 of PV-001: deleted after signing (entry #3)"],
        ),
        (
            lambda pv: Reserve.objects.create(pv=pv, project=pv.project, number=3, description="en plus"),
            ["PV-001: réserve 3 added after signing (entry #2)"],
        ),
        (
            lambda pv: Signature.objects.filter(pv=pv, role="moa").update(signer_name="Quelqu'un d'autre"),
            ["PV-001: signature (Buyer (MOA)): signer's name changed after signing (entry #2)"],
        ),
        (
            lambda pv: Signature.objects.filter(pv=pv, role="moe").update(meaning="Refuse"),
            ["PV-001: signature (Contractor (MOE)): meaning of the signature changed after signing (entry #3)"],
        ),
        (
            lambda pv: Reserve.objects.filter(pv=pv, number=1).update(lifting_comment="Rien"),
            ["réserve 1 of PV-001: lifting comment changed after lifting (entry #4)"],
        ),
        (
            lambda pv: Reserve.objects.filter(pv=pv, number=2).update(lifted_at=pv.decided_at),
            ["réserve 2 of PV-001 is lifted but no chain entry records it"],
        ),
        (
            lambda pv: LedgerEntry.objects.filter(sequence=1).update(payload={"pv": {"decision": "sans_reserve"}}),
            ["entry #1 hash broken"],
        ),
        (
            lambda pv: LedgerEntry.objects.filter(sequence=4).update(previous_hash="f" * 64),
            ["entry #4 no longer follows the previous entry", "entry #4 hash broken"],
        ),
        (
            lambda pv: LedgerEntry.objects.filter(sequence=4).delete(),
            ["réserve 1 of PV-001 is lifted but no chain entry records it"],
        ),
    ],
)
def test_it_names_every_record_changed_after_signing(
    personas: Any, signed: ProcesVerbal, tamper: Any, expected: list[str]
) -> None:
    tamper(signed)
    ok, out = _verify(personas)
    assert not ok
    for sentence in expected:
        assert sentence in out, out


def test_it_detects_an_entry_removed_from_the_middle(personas: Any, signed: ProcesVerbal) -> None:
    # Entry #1 (the decision) has no signature pointing to it, so it can be removed with a plain delete.
    LedgerEntry.objects.filter(sequence=1).delete()
    ok, out = _verify(personas)
    assert not ok
    assert "entries #1 to #1 are missing before entry #2" in out
    assert "entry #2 no longer follows the previous entry" in out
    assert "PV-001 has a decision that no chain entry records" in out


def test_it_detects_an_altered_or_missing_pdf(personas: Any, signed: ProcesVerbal) -> None:
    moa, moe = (s.ledger_entry for s in signed.signatures.order_by("signed_at"))
    path = document_path(moa.document_name)
    path.write_bytes(path.read_bytes().replace(b"%PDF", b"%PDF ", 1))
    document_path(moe.document_name).unlink()
    ok, out = _verify(personas)
    assert not ok
    assert "PDF of entry #2 altered" in out
    assert "PDF of entry #3 is missing" in out


def test_it_exits_with_a_non_zero_status(personas: Any, signed: ProcesVerbal) -> None:
    ProcesVerbal.objects.filter(pk=signed.pk).update(decision="refusee")
    with pytest.raises(CommandError) as caught:
        call_command("verify", project=personas.project.code, stdout=StringIO())
    assert caught.value.returncode == 1


def test_it_never_gives_two_appends_the_same_sequence(personas: Any) -> None:
    first = ledger_append(project=personas.project, kind="test", subject_type="t", subject_id=1, payload={}, actor=None)
    second = ledger_append(
        project=personas.project, kind="test", subject_type="t", subject_id=2, payload={}, actor=None
    )
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.entry_hash
    assert chain_head(personas.project) == (3, second.entry_hash)
    # The database refuses a second entry at a taken sequence, whatever the code path.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            project=personas.project,
            sequence=2,
            kind="x",
            subject_type="t",
            subject_id=3,
            payload={},
            previous_hash=first.entry_hash,
            entry_hash="e" * 64,
            created_at=first.created_at,
        )
