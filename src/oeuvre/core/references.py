"""One reference allocator for every stage: ``EX-042``, ``CT-007``, ``ANO-013``, ``PV-002``, ``RSK-004``…

A stage keeps the prefix and the number of digits in its settings (the project configures them) and asks
this module for the next free numbers. The counter row is locked for the transaction, so concurrent
creations get different references on both databases; numbers already taken by hand (an explicit
reference typed by a user or read from an imported file) are skipped.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, models, transaction

from oeuvre.core.models import ReferenceCounter

__all__ = ["allocate_references", "format_reference", "note_reference", "reference_number"]

_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


def reference_number(reference: str) -> int:
    """The trailing number of a reference (``EX-042`` → 42), to sort references naturally."""
    match = _TRAILING_NUMBER.search(reference or "")
    return int(match.group(1)) if match else 0


def format_reference(prefix: str, number: int, digits: int) -> str:
    """``format_reference("EX", 42, 3)`` → ``"EX-042"``."""
    return f"{prefix}-{number:0{digits}d}"


def _counter(project: Any, key: str) -> ReferenceCounter:
    """The counter row under a lock, created on first use (a concurrent creator loses and re-reads it)."""
    locked = ReferenceCounter.objects.select_for_update()
    found = locked.filter(project=project, key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: the unique constraint may refuse a concurrent twin
            ReferenceCounter.objects.create(project=project, key=key, next_number=1)
    except IntegrityError:
        pass
    return locked.get(project=project, key=key)


def allocate_references(
    *,
    project: Any,
    key: str,
    prefix: str,
    digits: int,
    taken: models.QuerySet[Any],
    field: str = "reference",
    count: int = 1,
) -> list[str]:
    """Reserve ``count`` new references ``prefix-NNN`` for ``project``; must run inside ``transaction.atomic``.

    ``taken`` is the queryset of the project's objects of that kind (the references already in use there are
    skipped). The counter only moves forward, so a deleted object's reference is not given again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_references must run inside transaction.atomic")
    counter = _counter(project, key)
    number = counter.next_number
    allocated: list[str] = []
    while len(allocated) < count:
        wanted = count - len(allocated)
        candidates = [format_reference(prefix, n, digits) for n in range(number, number + wanted)]
        used = set(taken.filter(**{f"{field}__in": candidates}).values_list(field, flat=True))
        allocated.extend(c for c in candidates if c not in used)
        number += wanted
    counter.next_number = number
    counter.save(update_fields=["next_number"])
    return allocated


def note_reference(*, project: Any, key: str, prefix: str, reference: str) -> None:
    """An explicit reference with the project's prefix moves the counter past it, so the next one stays free."""
    if not reference.startswith(f"{prefix}-"):
        return
    number = reference_number(reference)
    counter = _counter(project, key)
    if number >= counter.next_number:
        counter.next_number = number + 1
        counter.save(update_fields=["next_number"])
