"""What an attacker with write access to the database (and perhaps the ledger key) does to the hash chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import GENESIS, entry_hash, entry_seal


def rewrite_chain(
    project: Any, start: int, change: Callable[[LedgerEntry], None] | None = None, *, with_key: bool = False
) -> None:
    """Apply ``change`` to every entry from ``start`` on and recompute their hashes and links with the
    application's own hash function; the seals too only ``with_key`` (an insider who has the key)."""
    entries = list(LedgerEntry.objects.filter(project=project).order_by("sequence"))
    previous = GENESIS
    for e in entries:
        if e.sequence >= start:
            if change is not None:
                change(e)
            e.previous_hash = previous
            e.entry_hash = entry_hash(
                previous_hash=e.previous_hash,
                sequence=e.sequence,
                kind=e.kind,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                payload=e.payload,
                document_sha256=e.document_sha256,
                created_at=e.created_at,
            )
            if with_key:
                e.seal = entry_seal(entry_hash=e.entry_hash)
            e.save(update_fields=["payload", "previous_hash", "entry_hash", "seal"])
        previous = e.entry_hash


def failures(problems: list[Any]) -> list[str]:
    return [p.message for p in problems]
