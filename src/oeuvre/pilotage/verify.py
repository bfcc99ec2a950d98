"""Verification of the committee decisions: every chained decision must still read as it was sealed on closing.

The hash chain itself (links, hashes, seals) is checked by the recette ledger; this compares each
``pilotage.decision`` entry with the decision row it points to, so a decision edited or deleted in the
database is named.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from oeuvre.pilotage.models import Decision
from oeuvre.pilotage.selectors.committees import decision_snapshot
from oeuvre.projects.models import Project
from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import Problem

__all__ = ["decisions_verify"]

_LABELS = {"committee": "title", "held_on": "held_on", "signed_by": "closed_by"}


def _label(key: str) -> str:
    from oeuvre.pilotage.models import Committee

    model = Committee if key in _LABELS else Decision
    try:
        return str(getattr(model._meta.get_field(_LABELS.get(key, key)), "verbose_name", key))
    except Exception:  # a snapshot key that is not a field name
        return key


def decisions_verify(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    decisions = {
        d.pk: d for d in Decision.objects.filter(project=project).select_related("committee__closed_by", "risk")
    }
    chained: set[int] = set()
    entries = LedgerEntry.objects.filter(project=project, kind="pilotage.decision").order_by("sequence")
    for entry in entries:
        n = entry.sequence
        decision = decisions.get(entry.subject_id)
        if decision is None:
            message = _("the committee decision of entry #%(entry)s was deleted")
            problems.append(Problem("record_deleted", n, message % {"entry": n}))
            continue
        chained.add(decision.pk)
        stored = entry.payload if isinstance(entry.payload, dict) else {}
        current = decision_snapshot(decision, decision.committee, decision.committee.closed_by)
        changed = sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k))
        if (decision.chain_sequence, decision.chain_hash) != (n, entry.entry_hash):
            changed.append("chain_hash")
        number = stored.get("number", decision.number)  # as sealed, if the number itself was changed
        for key in changed:
            message = _(
                "committee decision %(number)s: %(field)s changed after the committee closed (entry #%(entry)s)"
            )
            problems.append(
                Problem("record_changed", n, message % {"number": number, "field": _label(key), "entry": n})
            )
    for decision in decisions.values():
        if decision.pk not in chained and (decision.chain_sequence is not None or decision.chain_hash):
            message = _("committee decision %(number)s claims chain entry #%(entry)s, which does not record it")
            problems.append(
                Problem(
                    "unchained",
                    decision.chain_sequence or 0,
                    message % {"number": decision.number, "entry": decision.chain_sequence},
                )
            )
    return problems
