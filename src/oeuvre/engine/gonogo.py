"""The go/no-go proposal for a mise en production, computed criterion by criterion (DOMAIN.md defaults).

Plain data in, plain data out: the deployment stage gathers the facts from the other stages, this module
decides which criteria are met and what it proposes. A criterion the project does not apply is still listed
(``applies=False``) so the decision shows what was left out, but it never turns the proposal to no-go.

Examples
--------
>>> facts = GoNoGoFacts(pv_status="signed", open_reserves=0, open_bloquantes=0, open_majeures=1,
...                     attested=dict.fromkeys(ATTESTED, True))
>>> propose(facts).proposal
'go'
>>> propose(GoNoGoFacts(pv_status="none", attested={})).proposal
'no_go'
>>> propose(GoNoGoFacts(pv_status="signed", attested=dict.fromkeys(ATTESTED, True), training_left=20)).proposal
'no_go'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ATTESTED",
    "CRITERIA",
    "Criterion",
    "GoNoGoFacts",
    "GoNoGoThresholds",
    "Proposal",
    "propose",
]

#: ``signed`` means signed with an acceptance decision; a signed refusal or deferral is ``refused``.
PvStatus = Literal["none", "draft", "decided", "signed", "refused"]

#: Criteria a person attests with evidence (data migration, procedures, training, rollback plan, dry run).
ATTESTED: tuple[str, ...] = ("data_migration", "operating_procedures", "training", "rollback_plan", "dry_run")
#: Every criterion, in the order the proposal lists them.
CRITERIA: tuple[str, ...] = ("pv_signed", "no_bloquante", "majeures_under_threshold", "perfsec_criteria_met", *ATTESTED)


@dataclass(frozen=True)
class GoNoGoThresholds:
    """How many open anomalies the project tolerates, and the criteria it does not apply."""

    max_open_bloquantes: int = 0
    max_open_majeures: int = 2
    ignored: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GoNoGoFacts:
    """What the other stages say about the release.

    ``pv_status`` is the state of the latest PV de recette; ``attested`` maps each code of :data:`ATTESTED` to
    whether a member attested it (a missing code is not attested).
    """

    pv_status: PvStatus
    attested: Mapping[str, bool]
    open_reserves: int = 0
    open_bloquantes: int = 0
    open_majeures: int = 0
    #: The performance and security criteria of the DAT: how many, and how many failed or were never measured
    #: on their last result. A project without criteria meets this criterion (it has nothing to prove).
    perfsec_total: int = 0
    perfsec_not_met: int = 0
    perfsec_not_measured: int = 0
    #: Users left to train in the waves going live (DOMAIN.md: users trained before their wave goes live). The
    #: training criterion is not met while some are left, attested or not.
    training_left: int = 0


@dataclass(frozen=True)
class Criterion:
    """One line of the proposal: its ``code``, whether it is ``met``, and the facts (``params``) behind it."""

    code: str
    met: bool
    applies: bool = True
    params: Mapping[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    proposal: Literal["go", "no_go"]
    criteria: tuple[Criterion, ...]

    @property
    def unmet(self) -> tuple[Criterion, ...]:
        """The applied criteria that are not met (why the proposal is no-go)."""
        return tuple(c for c in self.criteria if c.applies and not c.met)


def _check(thresholds: GoNoGoThresholds) -> None:
    unknown = set(thresholds.ignored) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown go/no-go criteria: {', '.join(sorted(unknown))}")
    if thresholds.max_open_bloquantes < 0 or thresholds.max_open_majeures < 0:
        raise ValueError("anomaly thresholds cannot be negative")


def _criteria(facts: GoNoGoFacts, thresholds: GoNoGoThresholds) -> Iterable[Criterion]:
    yield Criterion(
        "pv_signed",
        facts.pv_status == "signed",
        params={"status": facts.pv_status, "open_reserves": facts.open_reserves},
    )
    yield Criterion(
        "no_bloquante",
        facts.open_bloquantes <= thresholds.max_open_bloquantes,
        params={"count": facts.open_bloquantes, "threshold": thresholds.max_open_bloquantes},
    )
    yield Criterion(
        "majeures_under_threshold",
        facts.open_majeures <= thresholds.max_open_majeures,
        params={"count": facts.open_majeures, "threshold": thresholds.max_open_majeures},
    )
    yield Criterion(
        "perfsec_criteria_met",
        facts.perfsec_not_met == 0 and facts.perfsec_not_measured == 0,
        params={
            "total": facts.perfsec_total,
            "not_met": facts.perfsec_not_met,
            "not_measured": facts.perfsec_not_measured,
        },
    )
    for code in ATTESTED:
        if code == "training":
            attested = bool(facts.attested.get(code, False))
            yield Criterion(code, attested and facts.training_left == 0, params={"left": facts.training_left})
        else:
            yield Criterion(code, bool(facts.attested.get(code, False)))


def propose(facts: GoNoGoFacts, thresholds: GoNoGoThresholds | None = None) -> Proposal:
    """Go when every applied criterion is met, no-go otherwise; every criterion is listed with its facts.

    Raises
    ------
    ValueError
        When ``thresholds`` names an unknown criterion or a negative threshold.
    """
    limits = thresholds or GoNoGoThresholds()
    _check(limits)
    criteria = tuple(Criterion(c.code, c.met, c.code not in limits.ignored, c.params) for c in _criteria(facts, limits))
    verdict: Literal["go", "no_go"] = "go" if all(c.met for c in criteria if c.applies) else "no_go"
    return Proposal(verdict, criteria)
