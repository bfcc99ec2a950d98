"""The per-project hash chain of signed records (PV decisions, signatures, lifted réserves).

Each :class:`~oeuvre.recette.models.LedgerEntry` stores a data snapshot (canonical JSON) and, for a signature,
the SHA-256 of the signed PDF. Its hash covers the previous entry's hash, so changing, removing or reordering
an entry breaks every later link. Appends are serialised by a row lock on the project: two signatures can
never share a sequence (the unique constraint on ``(project, sequence)`` is the last line of defence).

Anyone with write access to the database could recompute every SHA-256 after changing a record, so each entry
is also *sealed*: an HMAC-SHA256 of the same content under the ledger key (``OEUVRE_LEDGER_KEY``, or derived
from the secret key), which lives in the server's configuration, never in the database. The plain hash stays
the link of the chain because it is printed in the signed PDFs and copied onto committee decisions; the seal
is what a rewrite cannot forge. Entries written before seals existed were sealed by a migration (there was no
unsealed "legacy" path to keep: accepting unsealed entries would let a rewrite simply drop the seals).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oeuvre.projects.models import Project
from oeuvre.recette.models import LedgerEntry

__all__ = [
    "GENESIS",
    "Problem",
    "canonical_json",
    "chain_head",
    "chain_verify",
    "document_path",
    "entry_hash",
    "entry_seal",
    "head_read",
    "head_text",
    "head_verify",
    "key_id",
    "ledger_append",
    "ledger_verify",
    "private_dir",
    "register_chain_verifier",
    "sha256_bytes",
    "store_document",
]

GENESIS = "0" * 64


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8; dates and decimals as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stamp(moment: datetime) -> str:
    """UTC, to the millisecond: the precision a backup keeps (Django's JSON serialiser drops microseconds),
    so a restored chain still verifies."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def entry_hash(
    *,
    previous_hash: str,
    sequence: int,
    kind: str,
    subject_type: str,
    subject_id: int,
    payload: Any,
    document_sha256: str,
    created_at: datetime,
) -> str:
    """SHA-256 over the canonical JSON of everything an entry asserts, linked to the previous entry."""
    return sha256_bytes(
        canonical_json(
            {
                "previous_hash": previous_hash,
                "sequence": sequence,
                "kind": kind,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "payload": payload,
                "document_sha256": document_sha256,
                "created_at": _stamp(created_at),
            }
        )
    )


def _key() -> bytes:
    return bytes.fromhex(settings.OEUVRE_LEDGER_KEY)


def key_id(key: bytes | None = None) -> str:
    """A short public name for the ledger key (an HMAC of a fixed label), to tell a rotated key from a rewrite."""
    return hmac.new(key if key is not None else _key(), b"oeuvre/ledger-key-id", hashlib.sha256).hexdigest()[:16]


def entry_seal(*, entry_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 under the ledger key of an entry's hash (itself over the entry's content and the previous
    hash): it seals the content and the link, and cannot be recomputed without the key."""
    return hmac.new(key if key is not None else _key(), entry_hash.encode(), hashlib.sha256).hexdigest()


def chain_head(project: Project) -> tuple[int, str]:
    """``(next sequence, previous hash)`` after locking the project row: call inside the appending transaction."""
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).get()
    last = LedgerEntry.objects.filter(project=project).order_by("-sequence").only("sequence", "entry_hash").first()
    if last is None:
        return 1, GENESIS
    return last.sequence + 1, last.entry_hash


def private_dir() -> Path:
    """Where signed documents are kept: the private part of the uploaded-files folder (so backups and every app
    server have them), never served as such: only through the permission-checked download view."""
    return Path(getattr(settings, "OEUVRE_PRIVATE_DIR", "") or Path(settings.MEDIA_ROOT) / "private" / "pv")


def document_path(name: str) -> Path:
    root = private_dir().resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError(f"document name outside the private directory: {name!r}")
    return path


def store_document(data: bytes, *, folder: str, suffix: str) -> str:
    """Write ``data`` under a generated name (never the user's) and return that name, relative to the private dir."""
    import uuid

    name = f"{folder}/{uuid.uuid4().hex}{suffix}"
    path = document_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


@transaction.atomic
def ledger_append(
    *,
    project: Project,
    kind: str,
    subject_type: str,
    subject_id: int,
    payload: Any,
    actor: Any,
    document_name: str = "",
    document_sha256: str = "",
) -> LedgerEntry:
    """Append one entry to the project's chain (serialised by a lock on the project row).

    Internal: callers are services that already checked the actor's permission for the act being recorded.
    """
    sequence, previous = chain_head(project)
    # The payload is stored as JSON and re-read from it: normalise now so the hash is over what is stored.
    payload = json.loads(canonical_json(payload))
    created_at = timezone.now()
    digest = entry_hash(
        previous_hash=previous,
        sequence=sequence,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        document_sha256=document_sha256,
        created_at=created_at,
    )
    return LedgerEntry.objects.create(
        project=project,
        sequence=sequence,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        document_name=document_name,
        document_sha256=document_sha256,
        previous_hash=previous,
        entry_hash=digest,
        seal=entry_seal(entry_hash=digest),
        key_id=key_id(),
        created_at=created_at,
        created_by=actor,
    )


# --- Verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`ledger_verify`: a stable ``code``, the entry concerned and a sentence for people."""

    code: str
    entry: int
    message: str


def _label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a snapshot key that is not a field (e.g. "campaigns" is one; "facts" too)
        return name


def _diff(stored: dict[str, Any], current: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k))


def ledger_verify(project: Project) -> list[Problem]:
    """Recompute the project's chain and compare every signed record with the database as it stands.

    Finds: an entry whose hash no longer matches its content, a broken link or a missing entry, a stored PDF
    altered or missing, and every record (PV decision, réserve, signature, lifted réserve) changed or deleted
    after it was signed. An empty list means the chain proves the records untouched.
    """
    from django.utils.translation import gettext as _

    from oeuvre.recette.models import ProcesVerbal, Reserve, Signature
    from oeuvre.recette.selectors import pv as pv_selectors

    problems: list[Problem] = []

    def say(code: str, entry: int, message: str, **params: Any) -> None:
        problems.append(Problem(code, entry, message % {"entry": entry, **params}))

    entries = list(LedgerEntry.objects.filter(project=project).order_by("sequence"))
    latest_decision: dict[int, int] = {}
    for e in entries:
        if e.kind == "pv.decision":
            latest_decision[e.subject_id] = e.sequence
    pvs = {
        pv.pk: pv
        for pv in ProcesVerbal.objects.filter(project=project).prefetch_related("campaigns", "reserves", "signatures")
    }
    signatures = {s.ledger_entry_id: s for s in Signature.objects.filter(project=project)}
    reserves = {r.pk: r for r in Reserve.objects.filter(project=project).select_related("pv")}

    expected_sequence, previous = 1, GENESIS
    current_key = key_id()
    for e in entries:
        n = e.sequence
        if n != expected_sequence:
            say(
                "entry_missing",
                n,
                _("entries #%(first)s to #%(last)s are missing before entry #%(entry)s"),
                first=expected_sequence,
                last=n - 1,
            )
        if e.previous_hash != previous:
            say("link_broken", n, _("entry #%(entry)s no longer follows the previous entry (chain broken)"))
        recomputed = entry_hash(
            previous_hash=e.previous_hash,
            sequence=e.sequence,
            kind=e.kind,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            payload=e.payload,
            document_sha256=e.document_sha256,
            created_at=e.created_at,
        )
        if recomputed != e.entry_hash:
            say("hash_broken", n, _("entry #%(entry)s hash broken: its content was changed"))
        elif not e.seal:
            say("seal_missing", n, _("entry #%(entry)s has no seal: it was written without the ledger key"))
        elif not hmac.compare_digest(entry_seal(entry_hash=recomputed), e.seal):
            if e.key_id and e.key_id != current_key:
                say(
                    "seal_other_key",
                    n,
                    _(
                        "entry #%(entry)s was sealed with another ledger key (%(key)s): "
                        "set OEUVRE_LEDGER_KEY to that key to verify it"
                    ),
                    key=e.key_id,
                )
            else:
                say("seal_broken", n, _("entry #%(entry)s seal broken: the entry was rewritten without the ledger key"))
        expected_sequence, previous = n + 1, e.entry_hash

        if e.document_name:
            try:
                data = document_path(e.document_name).read_bytes()
            except (OSError, ValueError):
                say("document_missing", n, _("PDF of entry #%(entry)s is missing"))
            else:
                if sha256_bytes(data) != e.document_sha256:
                    say("document_altered", n, _("PDF of entry #%(entry)s altered"))

        payload = e.payload if isinstance(e.payload, dict) else {}
        if e.kind == "pv.decision":
            if latest_decision.get(e.subject_id) != n:
                continue  # superseded by a later decision on the same PV before signing; only its link counts
            pv = pvs.get(e.subject_id)
            if pv is None:
                say("record_deleted", n, _("the PV decided in entry #%(entry)s was deleted"))
                continue
            stored_pv = payload.get("pv", {})
            _compare_pv(say, n, pv, stored_pv, pv_selectors.pv_snapshot(pv)["pv"])
            facts = stored_pv.get("facts") if isinstance(stored_pv, dict) else None
            counted = facts.get("anomalies", []) if isinstance(facts, dict) else []
            _compare_counted_anomalies(say, n, pv.reference, counted if isinstance(counted, list) else [])
        elif e.kind == "pv.signature":
            signature = signatures.get(e.pk)
            pv = pvs.get(e.subject_id)
            if signature is None or pv is None:
                say("record_deleted", n, _("the signature recorded in entry #%(entry)s was deleted"))
                continue
            if signature.document_sha256 != e.document_sha256:
                say(
                    "record_changed",
                    n,
                    _("%(ref)s: the signed document's hash was changed on the signature (entry #%(entry)s)"),
                    ref=pv.reference,
                )
            current = pv_selectors.signature_snapshot(pv, signature)
            _compare_pv(say, n, pv, payload.get("pv", {}), current["pv"])
            _compare_reserves(say, n, pv.reference, payload.get("reserves", []), current["reserves"])
            stored_sig, now_sig = payload.get("signature", {}), current["signature"]
            for key in _diff(stored_sig, now_sig):
                say(
                    "record_changed",
                    n,
                    _("%(ref)s: signature (%(role)s): %(field)s changed after signing (entry #%(entry)s)"),
                    ref=pv.reference,
                    role=signature.get_role_display(),
                    field=_label(Signature, key),
                )
            if payload.get("earlier_signatures") != current["earlier_signatures"]:
                say(
                    "record_changed",
                    n,
                    _("%(ref)s: an earlier signature changed after this one (entry #%(entry)s)"),
                    ref=pv.reference,
                )
        elif e.kind == "reserve.lift":
            reserve = reserves.get(e.subject_id)
            if reserve is None:
                say("record_deleted", n, _("the réserve lifted in entry #%(entry)s was deleted"))
                continue
            current = pv_selectors.reserve_lift_snapshot(reserve)
            changed = _diff(
                {k: v for k, v in payload.items() if k != "reserve"},
                {k: v for k, v in current.items() if k != "reserve"},
            )
            changed += _diff(payload.get("reserve", {}), current["reserve"])
            for key in sorted(set(changed)):
                say(
                    "record_changed",
                    n,
                    _("réserve %(number)s of %(ref)s: %(field)s changed after lifting (entry #%(entry)s)"),
                    number=reserve.number,
                    ref=reserve.pv.reference,
                    field=_label(Reserve, key),
                )
    if entries:
        last = entries[-1].sequence
        lifted = {e.subject_id for e in entries if e.kind == "reserve.lift"}
        for reserve in reserves.values():
            if reserve.lifted_at is not None and reserve.pk not in lifted:
                say(
                    "unchained",
                    last,
                    _("réserve %(number)s of %(ref)s is lifted but no chain entry records it (after entry #%(entry)s)"),
                    number=reserve.number,
                    ref=reserve.pv.reference,
                )
        for pv in pvs.values():
            if pv.decision and pv.pk not in latest_decision:
                say(
                    "unchained",
                    last,
                    _("%(ref)s has a decision that no chain entry records (after entry #%(entry)s)"),
                    ref=pv.reference,
                )
    return problems


def _compare_pv(say: Any, n: int, pv: Any, stored: dict[str, Any], current: dict[str, Any]) -> None:
    from django.utils.translation import gettext as _

    from oeuvre.recette.models import ProcesVerbal

    for key in _diff(stored, current):
        say(
            "record_changed",
            n,
            _("%(ref)s: %(field)s changed after signing (entry #%(entry)s)"),
            ref=pv.reference,
            field=_label(ProcesVerbal, key),
        )


_COUNTED_FIELDS = {"ref": "reference", "title": "title", "severity": "severity", "found_at": "blocks_step_start"}


def _compare_counted_anomalies(say: Any, n: int, ref: str, counted: list[Any]) -> None:
    """The anomalies a decided PV counted, against their records: the facts the decision rested on.

    Reference, title, severity (and whether it blocked the start) must read as counted: changing them after
    the decision rewrites what was decided on. The status is expected to move on (the anomaly gets fixed),
    so it is checked against the anomaly's own history instead: a status the history does not record was
    written outside the application.
    """
    from django.utils.translation import gettext as _

    from oeuvre.recette.models import Anomaly
    from oeuvre.recette.selectors import pv as pv_selectors

    items = [a for a in counted if isinstance(a, dict)]
    rows = {
        a.pk: a for a in Anomaly.objects.filter(pk__in=[a.get("id") for a in items if isinstance(a.get("id"), int)])
    }
    latest_status = {}
    for anomaly_id, status in (
        Anomaly.history.filter(id__in=list(rows))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status")
    ):
        latest_status[anomaly_id] = status  # the last one per anomaly wins
    for item in items:
        row = rows.get(item.get("id"))  # type: ignore[arg-type]
        name = str(item.get("ref", "?"))
        if row is None:
            say(
                "record_deleted",
                n,
                _("%(anomaly)s, counted by %(ref)s, was deleted (entry #%(entry)s)"),
                anomaly=name,
                ref=ref,
            )
            continue
        now = pv_selectors.counted_anomaly(row)
        for key in sorted(k for k in _COUNTED_FIELDS if item.get(k) != now.get(k)):
            say(
                "record_changed",
                n,
                _("%(anomaly)s, counted by %(ref)s: %(field)s changed after the decision (entry #%(entry)s)"),
                anomaly=name,
                ref=ref,
                field=_label(Anomaly, _COUNTED_FIELDS[key]),
            )
        if row.pk in latest_status and latest_status[row.pk] != row.status:
            say(
                "record_changed",
                n,
                _("%(anomaly)s, counted by %(ref)s: status changed outside the application (entry #%(entry)s)"),
                anomaly=name,
                ref=ref,
            )


def _compare_reserves(say: Any, n: int, ref: str, stored: list[dict[str, Any]], current: list[dict[str, Any]]) -> None:
    from django.utils.translation import gettext as _

    from oeuvre.recette.models import Reserve

    before = {r["number"]: r for r in stored}
    now = {r["number"]: r for r in current}
    for number in sorted(set(before) | set(now)):
        if number not in now:
            say(
                "record_deleted",
                n,
                _("réserve %(number)s of %(ref)s: deleted after signing (entry #%(entry)s)"),
                number=number,
                ref=ref,
            )
        elif number not in before:
            say(
                "record_added",
                n,
                _("%(ref)s: réserve %(number)s added after signing (entry #%(entry)s)"),
                number=number,
                ref=ref,
            )
        else:
            for key in _diff(before[number], now[number]):
                say(
                    "record_changed",
                    n,
                    _("réserve %(number)s of %(ref)s: %(field)s changed after signing (entry #%(entry)s)"),
                    number=number,
                    ref=ref,
                    field=_label(Reserve, key),
                )


_VERIFIERS: list[Callable[[Project], list[Problem]]] = []


def register_chain_verifier(verifier: Callable[[Project], list[Problem]]) -> None:
    """A later stage whose signed records share the chain (MEP's go/no-go) adds its own check here."""
    if verifier not in _VERIFIERS:
        _VERIFIERS.append(verifier)


def chain_verify(project: Project) -> list[Problem]:
    """:func:`ledger_verify` plus every registered stage's check of its own signed records."""
    problems = ledger_verify(project)
    for verifier in _VERIFIERS:
        problems += verifier(project)
    return problems


# --- Chain head: a short text to keep outside the database -------------------------------------------------------

_HEAD_TITLE = "Oeuvre hash chain head"


def head_text(project: Project) -> str:
    """The chain's head as a few lines to keep elsewhere (or send to the MOA): whoever later rewrites or cuts
    the chain before this entry, even with the ledger key, no longer matches it (:func:`head_verify`)."""
    last = LedgerEntry.objects.filter(project=project).order_by("-sequence").first()
    count = LedgerEntry.objects.filter(project=project).count()
    lines = [
        _HEAD_TITLE,
        f"project: {project.code}",
        f"entries: {count}",
        f"last entry: {last.sequence if last else 0}",
        f"hash: {last.entry_hash if last else GENESIS}",
        f"seal: {last.seal if last else ''}",
        f"date: {_stamp(timezone.now())}",
    ]
    return "\n".join(lines) + "\n"


def head_read(text: str) -> dict[str, str]:
    """The fields of a head written by :func:`head_text`; ValueError naming what is missing or malformed."""
    fields: dict[str, str] = {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != _HEAD_TITLE:
        raise ValueError(f"not a chain head (the first line must read {_HEAD_TITLE!r})")
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    for key in ("project", "last entry", "hash"):
        if key not in fields:
            raise ValueError(f"the chain head has no {key!r} line")
    if not fields["last entry"].isdigit():
        raise ValueError("the chain head's 'last entry' must be a number")
    if len(fields["hash"]) != 64 or any(c not in "0123456789abcdef" for c in fields["hash"]):
        raise ValueError("the chain head's 'hash' must be 64 hexadecimal digits")
    return fields


def head_verify(project: Project, head: dict[str, str]) -> list[Problem]:
    """The chain must still hold the exported head unchanged, at the same place."""
    from django.utils.translation import gettext as _

    sequence = int(head["last entry"])
    if head["project"] != project.code:
        message = _("the chain head was exported for project %(other)s, not %(project)s")
        return [Problem("head_other_project", sequence, message % {"other": head["project"], "project": project.code})]
    if sequence == 0:
        return []
    entry = LedgerEntry.objects.filter(project=project, sequence=sequence).only("entry_hash").first()
    if entry is None:
        message = _("entry #%(entry)s of the exported chain head is no longer in the chain")
        return [Problem("head_missing", sequence, message % {"entry": sequence})]
    if entry.entry_hash != head["hash"]:
        message = _("entry #%(entry)s no longer matches the exported chain head: the chain was rewritten up to there")
        return [Problem("head_changed", sequence, message % {"entry": sequence})]
    return []
