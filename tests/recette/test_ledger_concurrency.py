"""Concurrent appends to the hash chain: the row lock on the project serialises them (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import GENESIS, ledger_append

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_gives_concurrent_appends_distinct_sequences_and_one_chain(personas: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; the row lock is for PostgreSQL")
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def append(k: int) -> None:
        try:
            barrier.wait()
            ledger_append(
                project=personas.project, kind="test", subject_type="t", subject_id=k, payload={"k": k}, actor=None
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = list(LedgerEntry.objects.filter(project=personas.project).order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5, 6]
    assert [e.previous_hash for e in entries] == [GENESIS] + [e.entry_hash for e in entries[:-1]]
