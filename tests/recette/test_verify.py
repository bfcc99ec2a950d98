"""``oeuvre verify``: every kind of change made after signing, bypassing the services, is named."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from oeuvre.recette.models import LedgerEntry, ProcesVerbal, Reserve, Signature
from oeuvre.recette.services import pv as svc
from oeuvre.recette.services.ledger import chain_head, document_path, ledger_append, ledger_verify, sha256_bytes
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
    french = StringIO()
    with translation.override("fr"):
        call_command("verify", project=personas.project.code, stdout=french)
    expected = f"OK : 4 entrées vérifiées, aucun acte modifié après signature ({personas.project.code})"
    assert expected in french.getvalue()


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


def _verify_with(personas: Any, *args: str, language: str = "en") -> tuple[bool, str]:
    out = StringIO()
    try:
        with translation.override(language):
            call_command("verify", "--project", personas.project.code, *args, stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def _rewrite_reserve_2(entry: LedgerEntry) -> None:
    for reserve in entry.payload.get("reserves", []):
        if reserve["number"] == 2:
            reserve["description"] = "réécrite"


def test_it_reports_a_chain_rewritten_without_the_key(personas: Any, signed: ProcesVerbal) -> None:
    from tests.chain_tamper import rewrite_chain

    # The attacker changes réserve 2, then makes every snapshot and hash from entry #2 on agree with it.
    Reserve.objects.filter(pv=signed, number=2).update(description="réécrite")
    rewrite_chain(personas.project, 2, _rewrite_reserve_2)
    ok, out = _verify(personas)
    assert not ok
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert fails[0] == "FAIL: entry #2 seal broken: the entry was rewritten without the ledger key", out
    assert "entry #3 seal broken" in out
    assert "entry #4 seal broken" in out
    assert "entry #1" not in out  # the first entry was not touched
    with translation.override("fr"):
        messages = [p.message for p in ledger_verify(personas.project)]
    assert "sceau de l'entrée n° 2 rompu : l'entrée a été réécrite sans la clé du registre" in messages


def test_it_reports_an_entry_whose_seal_was_removed(personas: Any, signed: ProcesVerbal) -> None:
    LedgerEntry.objects.filter(sequence=3).update(seal="")
    ok, out = _verify(personas)
    assert not ok
    assert "entry #3 has no seal: it was written without the ledger key" in out


def test_it_tells_another_key_from_a_rewrite(personas: Any, signed: ProcesVerbal, settings: Any) -> None:
    settings.OEUVRE_LEDGER_KEY = "ab" * 32
    ok, out = _verify(personas)
    assert not ok
    assert "entry #1 was sealed with another ledger key" in out
    assert "seal broken" not in out


def test_it_seals_with_a_key_that_is_not_the_secret_key(monkeypatch: Any) -> None:
    from oeuvre import conf

    monkeypatch.delenv("OEUVRE_LEDGER_KEY", raising=False)
    secret = "s" * 50
    derived = conf.ledger_key(secret)
    assert derived == conf.ledger_key(secret)
    assert len(derived) == 64
    assert secret not in derived
    assert derived != conf.ledger_key("t" * 50)
    monkeypatch.setenv("OEUVRE_LEDGER_KEY", "k" * 40)
    assert conf.ledger_key(secret) != derived  # a dedicated key, whatever the secret key
    monkeypatch.setenv("OEUVRE_LEDGER_KEY", "short")
    with pytest.raises(conf.SettingError, match="OEUVRE_LEDGER_KEY must be at least 32 characters"):
        conf.ledger_key(secret)


def test_the_migration_seals_the_entries_written_before_seals(personas: Any, signed: ProcesVerbal) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("oeuvre.recette.migrations.0004_ledger_entry_seal")
    LedgerEntry.objects.update(seal="", key_id="")
    assert not _verify(personas)[0]
    migration.seal_existing(apps, None)
    ok, out = _verify(personas)
    assert ok, out


def test_it_checks_the_chain_against_an_exported_head(personas: Any, signed: ProcesVerbal, tmp_path: Any) -> None:
    from tests.chain_tamper import rewrite_chain

    head = tmp_path / "head.txt"
    ok, out = _verify_with(personas, "--export-head", str(head))
    assert ok, out
    text = head.read_text(encoding="utf-8")
    last = LedgerEntry.objects.get(sequence=4)
    assert f"project: {personas.project.code}\nentries: 4\nlast entry: 4\nhash: {last.entry_hash}\n" in text
    ok, out = _verify_with(personas, "--head", str(head))
    assert ok, out
    assert "the chain still holds the exported head (entry #4)" in out

    # An insider who has the key rewrites réserve 2 and re-seals the chain: only the head catches it.
    Reserve.objects.filter(pv=signed, number=2).update(description="réécrite")
    rewrite_chain(personas.project, 2, _rewrite_reserve_2, with_key=True)
    assert _verify(personas)[0]
    ok, out = _verify_with(personas, "--head", str(head))
    assert not ok
    assert "entry #4 no longer matches the exported chain head" in out
    ok, out = _verify_with(personas, "--head", str(head), language="fr")
    assert "l'entrée n° 4 ne correspond plus à la tête de chaîne exportée" in out, out


def test_it_catches_the_chain_cut_before_an_exported_head(personas: Any, signed: ProcesVerbal, tmp_path: Any) -> None:
    head = tmp_path / "head.txt"
    assert _verify_with(personas, "--export-head", str(head))[0]
    LedgerEntry.objects.filter(sequence=4).delete()
    ok, out = _verify_with(personas, "--head", str(head))
    assert not ok
    assert "entry #4 of the exported chain head is no longer in the chain" in out


def test_it_refuses_a_file_that_is_not_a_chain_head(personas: Any, signed: ProcesVerbal, tmp_path: Any) -> None:
    bad = tmp_path / "head.txt"
    bad.write_text("project: X\n", encoding="utf-8")
    ok, out = _verify_with(personas, "--head", str(bad))
    assert not ok
    assert "Cannot read the chain head" in out
    assert "not a chain head" in out


def test_it_does_not_export_the_head_of_a_broken_chain(personas: Any, signed: ProcesVerbal, tmp_path: Any) -> None:
    head = tmp_path / "head.txt"
    Reserve.objects.filter(pv=signed, number=2).update(description="réécrite")
    assert not _verify_with(personas, "--export-head", str(head))[0]
    assert not head.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"title": "Autre titre"}, "ANO-001, counted by PV-001: title changed after the decision (entry #1)"),
        ({"severity": "bloquante"}, "ANO-001, counted by PV-001: severity changed after the decision (entry #1)"),
        ({"reference": "ANO-999"}, "ANO-001, counted by PV-001: reference changed after the decision (entry #1)"),
        ({"status": "close"}, "ANO-001, counted by PV-001: status changed outside the application (entry #1)"),
    ],
)
def test_it_names_an_anomaly_the_pv_counted_changed_after_signing(
    personas: Any, signed: ProcesVerbal, change: dict[str, str], expected: str
) -> None:
    from oeuvre.recette.models import Anomaly

    Anomaly.objects.filter(project=personas.project, number=1).update(**change)
    ok, out = _verify(personas)
    assert not ok
    assert expected in out, out


def test_it_names_an_anomaly_the_pv_counted_deleted(personas: Any, signed: ProcesVerbal) -> None:
    from oeuvre.recette.models import Anomaly

    Reserve.objects.filter(pv=signed).update(anomaly=None)
    Anomaly.objects.filter(project=personas.project, number=2).delete()
    ok, out = _verify(personas)
    assert not ok
    assert "ANO-002, counted by PV-001, was deleted (entry #1)" in out
    with translation.override("fr"):
        messages = [p.message for p in ledger_verify(personas.project)]
    assert "ANO-002, comptée par le PV-001, a été supprimée (entrée n° 1)" in messages


def test_an_anomaly_fixed_through_the_application_after_signing_still_verifies(
    personas: Any, signed: ProcesVerbal
) -> None:
    from oeuvre.recette.models import Anomaly
    from oeuvre.recette.services.anomalies import anomaly_transition

    ano = Anomaly.objects.get(project=personas.project, number=1)
    ano = anomaly_transition(actor=personas.moe, anomaly=ano, action="start_fix", expected_version=ano.version)
    ok, out = _verify(personas)
    assert ok, out


def test_it_checks_a_signed_pdf_kept_outside_the_server(personas: Any, signed: ProcesVerbal, tmp_path: Any) -> None:
    from tests.chain_tamper import rewrite_chain

    moa = signed.signatures.get(role="moa").ledger_entry
    kept = tmp_path / "PV-001-signed.pdf"
    kept.write_bytes(document_path(moa.document_name).read_bytes())
    ok, out = _verify_with(personas, "--pdf", str(kept))
    assert ok, out
    assert f"is the document signed in entry #{moa.sequence}" in out

    # An insider with the key replaces the stored PDF and re-seals the chain: the copy kept elsewhere tells.
    forged = document_path(moa.document_name).read_bytes() + b"\n% forged"
    document_path(moa.document_name).write_bytes(forged)

    def new_document(entry: LedgerEntry) -> None:
        if entry.sequence == moa.sequence:
            entry.document_sha256 = sha256_bytes(forged)

    rewrite_chain(personas.project, moa.sequence, new_document, with_key=True)
    LedgerEntry.objects.filter(pk=moa.pk).update(document_sha256=sha256_bytes(forged))
    Signature.objects.filter(ledger_entry=moa).update(document_sha256=sha256_bytes(forged))
    assert _verify(personas)[0]
    ok, out = _verify_with(personas, "--pdf", str(kept))
    assert not ok
    assert "is not the document of any chain entry: the chain was rewritten" in out
