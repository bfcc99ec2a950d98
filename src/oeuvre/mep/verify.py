"""``oeuvre verify`` for the go/no-go: every chained decision must still read as it was signed.

The hash chain itself (links, hashes) is checked by the recette ledger; this adds the comparison of each
``mep.gonogo`` entry with the decision row it points to, so a decision edited in the database is named.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from oeuvre.mep.models import GoNoGoDecision
from oeuvre.mep.selectors import decision_snapshot
from oeuvre.projects.models import Project
from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import Problem

__all__ = ["gonogo_verify"]


def _label(name: str) -> str:
    try:
        return str(getattr(GoNoGoDecision._meta.get_field(name), "verbose_name", name))
    except Exception:  # a snapshot key that is not a field name
        return name


def gonogo_verify(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    decisions = {d.ledger_entry_id: d for d in GoNoGoDecision.objects.filter(project=project).select_related("release")}
    for entry in LedgerEntry.objects.filter(project=project, kind="mep.gonogo").order_by("sequence"):
        decision = decisions.pop(entry.pk, None)
        if decision is None:
            problems.append(
                Problem(
                    "record_deleted",
                    entry.sequence,
                    _("the go/no-go decision of entry #%(entry)s was deleted") % {"entry": entry.sequence},
                )
            )
            continue
        stored = entry.payload if isinstance(entry.payload, dict) else {}
        current = decision_snapshot(decision)
        for key in sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k)):
            problems.append(
                Problem(
                    "record_changed",
                    entry.sequence,
                    _("go/no-go of release %(number)s: %(field)s changed after signing (entry #%(entry)s)")
                    % {"number": decision.release.number, "field": _label(key), "entry": entry.sequence},
                )
            )
    return problems
