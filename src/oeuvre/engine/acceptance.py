"""Acceptance (recette) rules: the PV decision, the CCAG-TIC 2021 timers and the VSR availability rule.

Three independent, pure parts (plain data in and out, no Django):

- :func:`propose_decision` proposes the decision of a PV de recette from the open anomalies and the test
  counts of one or several campaigns (DOMAIN.md, "Severity rules in recette").
- :func:`compute_timers` turns the contract's timer settings and the dates known so far (PV de MOM, VA
  decision, VSR, decision after VSR) into dated deadlines, the admission date (explicit or tacit) and the
  end of the garantie (DOMAIN.md, "Acceptance under CCAG-TIC 2021"); :func:`alerts` picks the deadlines
  that need attention.
- :func:`unavailability` measures an equipment's unavailability during the VSR over actual use time and
  says whether the service is regular (≤ 2 % by default).

Every result carries machine-readable reasons (a ``code`` and ``params``) so that an edge can word them in
French or English.

Examples
--------
>>> facts = AcceptanceFacts(anomalies=[Anomaly("ANO-1", Severity.MINEURE)])
>>> proposal = propose_decision(facts)
>>> proposal.decision.value, [r.code for r in proposal.reserves]
('avec_reserves', ['ANO-1'])
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from oeuvre.engine.calendar import WorkCalendar, french_holidays
from oeuvre.engine.errors import InputError

__all__ = [
    "AcceptanceFacts",
    "Anomaly",
    "Availability",
    "Deadline",
    "DeadlineStatus",
    "Decision",
    "FoundAt",
    "Period",
    "PeriodUnit",
    "Proposal",
    "Reason",
    "Reserve",
    "Severity",
    "TestCounts",
    "Thresholds",
    "TimerFacts",
    "TimerResult",
    "TimerSettings",
    "UseHours",
    "Verdict",
    "add_months",
    "add_period",
    "alerts",
    "compute_timers",
    "next_working_day",
    "propose_decision",
    "severity_from_label",
    "unavailability",
    "vsr_regular",
]


# --------------------------------------------------------------------------------------------------------------
# PV decision
# --------------------------------------------------------------------------------------------------------------


class Severity(enum.StrEnum):
    """Severity of an anomalie; ``EVOLUTION`` (demande d'évolution) is a change request, not a defect."""

    BLOQUANTE = "bloquante"
    MAJEURE = "majeure"
    MINEURE = "mineure"
    EVOLUTION = "evolution"


# Contracts that number severities (sévérité 1/2/3) map them this way unless they say otherwise.
_DEFAULT_SEVERITY_LABELS: dict[str, Severity] = {
    "1": Severity.BLOQUANTE,
    "2": Severity.MAJEURE,
    "3": Severity.MINEURE,
    "bloquante": Severity.BLOQUANTE,
    "blocking": Severity.BLOQUANTE,
    "majeure": Severity.MAJEURE,
    "major": Severity.MAJEURE,
    "mineure": Severity.MINEURE,
    "minor": Severity.MINEURE,
    "evolution": Severity.EVOLUTION,
    "évolution": Severity.EVOLUTION,
    "demande d'évolution": Severity.EVOLUTION,
    "change request": Severity.EVOLUTION,
}


def severity_from_label(label: str | int, labels: Mapping[str, Severity] | None = None) -> Severity:
    """Map a contract's severity label (``"1"``, ``"Majeure"``, ``"sévérité 2"``…) to a :class:`Severity`.

    Parameters
    ----------
    label : str or int
        The label as written in the contract or the test tool; case and surrounding spaces are ignored, and a
        leading ``"sévérité"``/``"severity"`` word is dropped.
    labels : mapping of str to Severity, optional
        The contract's own relabelling (keys lower-case); it is consulted before the defaults
        (1 = bloquante, 2 = majeure, 3 = mineure, French and English names).

    Returns
    -------
    Severity

    Raises
    ------
    InputError
        The label is unknown (``field="severity"``).

    Examples
    --------
    >>> severity_from_label("Sévérité 2").value
    'majeure'
    >>> severity_from_label("A", {"a": Severity.BLOQUANTE}).value
    'bloquante'
    """
    key = str(label).strip().lower()
    for prefix in ("sévérité", "severite", "severity"):
        if key.startswith(prefix):
            key = key[len(prefix) :].strip()
    if labels and key in labels:
        return labels[key]
    if key in _DEFAULT_SEVERITY_LABELS:
        return _DEFAULT_SEVERITY_LABELS[key]
    raise InputError(f"unknown severity {label!r}", field="severity")


class FoundAt(enum.StrEnum):
    """When a bloquante was found: at the start of a test step (the step cannot run) or during it."""

    START = "start"
    DURING = "during"


class Decision(enum.StrEnum):
    """Decision of a PV de recette, from the most to the least favourable (see :attr:`rank`)."""

    SANS_RESERVE = "sans_reserve"
    AVEC_RESERVES = "avec_reserves"
    AJOURNEE = "ajournee"
    REFUSEE = "refusee"

    @property
    def rank(self) -> int:
        """0 for ``SANS_RESERVE`` up to 3 for ``REFUSEE``: a higher rank is less favourable."""
        return _DECISION_ORDER.index(self)


_DECISION_ORDER = (Decision.SANS_RESERVE, Decision.AVEC_RESERVES, Decision.AJOURNEE, Decision.REFUSEE)


@dataclass(frozen=True)
class Anomaly:
    """An anomalie (or a demande d'évolution) as seen by the PV decision.

    Parameters
    ----------
    ref : str
        Its reference (e.g. ``"ANO-12"``), carried into reasons and réserves.
    severity : Severity
    found_at : FoundAt
        Meaningful for a bloquante only: ``START`` blocks the step (rejet), ``DURING`` leads to an ajournement.
    is_open : bool
        Closed anomalies are ignored.
    title : str
        Free text, copied into the réserve.
    """

    ref: str
    severity: Severity
    found_at: FoundAt = FoundAt.DURING
    is_open: bool = True
    title: str = ""


@dataclass(frozen=True)
class TestCounts:
    """Test results of the campaigns behind the PV.

    ``planned`` tests were foreseen; each ended ``passed`` (OK), ``failed`` (KO), ``blocked`` (bloqué) or was not
    run. *Executed* means passed or failed: a blocked test did not run to a verdict.

    Examples
    --------
    >>> t = TestCounts(planned=100, passed=90, failed=5, blocked=3)
    >>> t.executed, t.not_run, t.execution_rate, round(t.pass_rate, 3)
    (95, 2, 0.95, 0.947)
    """

    __test__ = False  # not a pytest test class

    planned: int
    passed: int = 0
    failed: int = 0
    blocked: int = 0

    def __post_init__(self) -> None:
        for name in ("planned", "passed", "failed", "blocked"):
            if getattr(self, name) < 0:
                raise InputError(f"{name} must not be negative", field=name)
        if self.passed + self.failed + self.blocked > self.planned:
            raise InputError(
                f"passed + failed + blocked ({self.passed + self.failed + self.blocked}) "
                f"exceeds planned ({self.planned})",
                field="planned",
            )

    @property
    def executed(self) -> int:
        return self.passed + self.failed

    @property
    def not_run(self) -> int:
        return self.planned - self.passed - self.failed - self.blocked

    @property
    def execution_rate(self) -> float:
        """Executed / planned (1.0 when nothing is planned)."""
        return self.executed / self.planned if self.planned else 1.0

    @property
    def pass_rate(self) -> float:
        """Passed / executed (1.0 when nothing was executed)."""
        return self.passed / self.executed if self.executed else 1.0


@dataclass(frozen=True)
class Thresholds:
    """A contract's acceptance thresholds (defaults below; every one is configurable).

    Parameters
    ----------
    max_majeures : int
        Open majeures tolerated for a PV *avec réserves*; above it the PV is refused (DOMAIN.md). Default 3.
        ``0`` means any open majeure refuses the PV.
    min_execution_rate : float
        Share of planned tests that must have run to a verdict (passed or failed); below it the PV is
        *ajournée*: the verification is not finished. Default 0.95.
    min_pass_rate : float
        Share of executed tests that must pass; below it the PV is *ajournée*. Default 0.90.
    correction_deadline_days : int
        Calendar days given to correct when a bloquante found during a step leads to an ajournement. Default 30.
    """

    max_majeures: int = 3
    min_execution_rate: float = 0.95
    min_pass_rate: float = 0.90
    correction_deadline_days: int = 30

    def __post_init__(self) -> None:
        if self.max_majeures < 0:
            raise InputError("max_majeures must not be negative", field="max_majeures")
        for name in ("min_execution_rate", "min_pass_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise InputError(f"{name} must be between 0 and 1", field=name)
        if self.correction_deadline_days < 0:
            raise InputError("correction_deadline_days must not be negative", field="correction_deadline_days")


@dataclass(frozen=True)
class AcceptanceFacts:
    """What the PV decision is based on.

    Parameters
    ----------
    anomalies : sequence of Anomaly
        Anomalies of the campaigns (closed ones and demandes d'évolution are ignored).
    tests : TestCounts, optional
        Test counts; ``None`` skips the execution and pass-rate rules.
    thresholds : Thresholds
    """

    anomalies: Sequence[Anomaly] = ()
    tests: TestCounts | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class Reason:
    """One machine-readable reason: ``code``, ``params`` for wording it, and the decision it leads to alone."""

    code: str
    params: dict[str, Any]
    effect: Decision


@dataclass(frozen=True)
class Reserve:
    """An item to list as a réserve on the PV (``code`` is the anomaly's reference)."""

    code: str
    severity: Severity
    title: str = ""


@dataclass(frozen=True)
class Proposal:
    """A proposed PV decision.

    ``reasons`` are ordered from the most to the least severe effect; ``reserves`` is filled only when the
    decision is ``AVEC_RESERVES`` (and then is never empty); ``correction_deadline_days`` is set when a
    bloquante found during a step asks for corrections.
    """

    decision: Decision
    reasons: list[Reason]
    reserves: list[Reserve]
    correction_deadline_days: int | None = None


def propose_decision(facts: AcceptanceFacts) -> Proposal:
    """Propose the decision of a PV de recette.

    Rules (DOMAIN.md, "Severity rules in recette"; the worst effect wins and every triggered rule is reported):

    =================================================  ==================  ==============================
    fact                                               decision            reason code
    =================================================  ==================  ==============================
    open bloquante found at the start of a step        refusée (rejet)     ``bloquante_at_start``
    open majeures > ``max_majeures``                   refusée (rejet)     ``majeures_above_threshold``
    open bloquante found during a step                 ajournée            ``bloquante_during``
    no test planned (when test counts are given)       ajournée            ``no_tests``
    execution rate < ``min_execution_rate``            ajournée            ``execution_incomplete``
    pass rate < ``min_pass_rate``                      ajournée            ``pass_rate_low``
    1 ≤ open majeures ≤ ``max_majeures``               avec réserves       ``majeures_within_threshold``
    open mineures                                      avec réserves       ``mineures``
    none of the above                                  sans réserve        ``no_open_defect``
    =================================================  ==================  ==============================

    Demandes d'évolution are not defects: they never change the decision (reason ``evolutions_excluded``, effect
    sans réserve). Majeures within the threshold and mineures become réserves when the decision is avec réserves.
    The rules are monotonic: one more open defect, or a passed test turned failed, never gives a more favourable
    decision.

    Parameters
    ----------
    facts : AcceptanceFacts

    Returns
    -------
    Proposal

    Examples
    --------
    >>> start = Anomaly("ANO-1", Severity.BLOQUANTE, FoundAt.START)
    >>> propose_decision(AcceptanceFacts([start])).decision.value
    'refusee'
    >>> during = Anomaly("ANO-2", Severity.BLOQUANTE, FoundAt.DURING)
    >>> p = propose_decision(AcceptanceFacts([during]))
    >>> p.decision.value, p.correction_deadline_days
    ('ajournee', 30)
    >>> propose_decision(AcceptanceFacts([], TestCounts(planned=10, passed=10))).decision.value
    'sans_reserve'
    """
    th = facts.thresholds
    open_defects = [a for a in facts.anomalies if a.is_open and a.severity is not Severity.EVOLUTION]
    evolutions = [a for a in facts.anomalies if a.is_open and a.severity is Severity.EVOLUTION]
    at_start = [a.ref for a in open_defects if a.severity is Severity.BLOQUANTE and a.found_at is FoundAt.START]
    during = [a.ref for a in open_defects if a.severity is Severity.BLOQUANTE and a.found_at is not FoundAt.START]
    majeures = [a for a in open_defects if a.severity is Severity.MAJEURE]
    mineures = [a for a in open_defects if a.severity is Severity.MINEURE]

    reasons: list[Reason] = []
    if at_start:
        reasons.append(Reason("bloquante_at_start", {"count": len(at_start), "refs": at_start}, Decision.REFUSEE))
    majeures_ok = len(majeures) <= th.max_majeures
    if not majeures_ok:
        reasons.append(
            Reason(
                "majeures_above_threshold",
                {"count": len(majeures), "max": th.max_majeures, "refs": [a.ref for a in majeures]},
                Decision.REFUSEE,
            )
        )
    correction: int | None = None
    if during:
        correction = th.correction_deadline_days
        reasons.append(
            Reason(
                "bloquante_during",
                {"count": len(during), "refs": during, "correction_deadline_days": correction},
                Decision.AJOURNEE,
            )
        )
    tests = facts.tests
    if tests is not None:
        if tests.planned == 0:
            reasons.append(Reason("no_tests", {}, Decision.AJOURNEE))
        else:
            if tests.execution_rate < th.min_execution_rate:
                reasons.append(
                    Reason(
                        "execution_incomplete",
                        {
                            "rate": tests.execution_rate,
                            "min": th.min_execution_rate,
                            "planned": tests.planned,
                            "executed": tests.executed,
                            "blocked": tests.blocked,
                            "not_run": tests.not_run,
                        },
                        Decision.AJOURNEE,
                    )
                )
            if tests.pass_rate < th.min_pass_rate:
                reasons.append(
                    Reason(
                        "pass_rate_low",
                        {
                            "rate": tests.pass_rate,
                            "min": th.min_pass_rate,
                            "passed": tests.passed,
                            "executed": tests.executed,
                        },
                        Decision.AJOURNEE,
                    )
                )
    reserve_items: list[Anomaly] = []
    if majeures and majeures_ok:
        reserve_items += majeures
        reasons.append(
            Reason(
                "majeures_within_threshold",
                {"count": len(majeures), "max": th.max_majeures, "refs": [a.ref for a in majeures]},
                Decision.AVEC_RESERVES,
            )
        )
    if mineures:
        reserve_items += mineures
        reasons.append(
            Reason("mineures", {"count": len(mineures), "refs": [a.ref for a in mineures]}, Decision.AVEC_RESERVES)
        )
    if not open_defects:
        reasons.append(Reason("no_open_defect", {}, Decision.SANS_RESERVE))
    if evolutions:
        reasons.append(
            Reason(
                "evolutions_excluded",
                {"count": len(evolutions), "refs": [a.ref for a in evolutions]},
                Decision.SANS_RESERVE,
            )
        )

    decision = max((r.effect for r in reasons), key=lambda d: d.rank, default=Decision.SANS_RESERVE)
    reasons.sort(key=lambda r: -r.effect.rank)  # stable: rule order within one effect
    reserves = (
        [Reserve(a.ref, a.severity, a.title) for a in reserve_items] if decision is Decision.AVEC_RESERVES else []
    )
    return Proposal(
        decision=decision,
        reasons=reasons,
        reserves=reserves,
        correction_deadline_days=correction if decision is Decision.AJOURNEE else None,
    )


# --------------------------------------------------------------------------------------------------------------
# Periods and date arithmetic (CCAG 2021 art. 3: computation of délais)
# --------------------------------------------------------------------------------------------------------------


class PeriodUnit(enum.StrEnum):
    """How a period is counted."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


@dataclass(frozen=True)
class Period:
    """A contractual period: ``amount`` calendar days (CCAG default), working days or months."""

    amount: int
    unit: PeriodUnit = PeriodUnit.CALENDAR_DAYS

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise InputError("a period must not be negative", field="amount")


def _as_date(value: Any) -> dt.date:
    """A numpy datetime64[D] scalar as a date."""
    result = value.astype(object)
    assert isinstance(result, dt.date)
    return result


def add_months(start: dt.date, months: int) -> dt.date:
    """Add months *de quantième à quantième*; a missing day (31 Jan + 1 month) ends the month.

    Examples
    --------
    >>> add_months(dt.date(2025, 1, 31), 1), add_months(dt.date(2024, 1, 31), 1)
    (datetime.date(2025, 2, 28), datetime.date(2024, 2, 29))
    >>> add_months(dt.date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    """
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def next_working_day(day: dt.date, department: str | None = None) -> dt.date:
    """The day itself if it is a working day, else the next one (not a Saturday, Sunday or French public holiday).

    Parameters
    ----------
    day : datetime.date
    department : str, optional
        ``"57"``, ``"67"`` or ``"68"`` adds the Alsace-Moselle holidays (Good Friday, 26 December).

    Examples
    --------
    >>> next_working_day(dt.date(2025, 7, 12))  # Saturday; Monday 14 July is a holiday
    datetime.date(2025, 7, 15)
    >>> next_working_day(dt.date(2025, 12, 26)), next_working_day(dt.date(2025, 12, 26), "67")
    (datetime.date(2025, 12, 26), datetime.date(2025, 12, 29))
    """
    cal = WorkCalendar.france(day, years=range(day.year, day.year + 2), department=department)
    return _as_date(cal.to_date([0])[0])


def add_period(
    start: dt.date,
    period: Period,
    *,
    extend_to_working_day: bool = False,
    department: str | None = None,
) -> dt.date:
    """The day a period starting with the event of ``start`` expires (at the end of that day).

    The day of the event is not counted (the period runs from the next day): ``n`` calendar days expire on
    ``start + n``; ``n`` working days on the ``n``-th working day after ``start``; months run *de quantième à
    quantième*. With ``extend_to_working_day``, a period expiring on a Saturday, Sunday or public holiday is
    extended to the next working day (CCAG 2021 art. 3; code des relations entre le public et l'administration).

    Examples
    --------
    >>> add_period(dt.date(2025, 1, 1), Period(30))
    datetime.date(2025, 1, 31)
    >>> add_period(dt.date(2025, 4, 1), Period(30), extend_to_working_day=True)  # 1 May -> Friday 2 May
    datetime.date(2025, 5, 2)
    >>> add_period(dt.date(2025, 5, 5), Period(5, PeriodUnit.WORKING_DAYS))  # 8 May is a holiday
    datetime.date(2025, 5, 13)
    """
    if period.unit is PeriodUnit.MONTHS:
        due = add_months(start, period.amount)
    elif period.unit is PeriodUnit.WORKING_DAYS:
        first = start + dt.timedelta(days=1)
        years = range(first.year, first.year + 2 + period.amount // 200)
        cal = WorkCalendar.france(first, years=years, department=department)
        due = _as_date(cal.to_date([period.amount - 1])[0]) if period.amount else start
    else:
        due = start + dt.timedelta(days=period.amount)
    if extend_to_working_day:
        due = next_working_day(due, department)
    return due


# --------------------------------------------------------------------------------------------------------------
# CCAG-TIC timers
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimerSettings:
    """A contract's acceptance timers (CCAG-TIC 2021 defaults; each can be overridden by the CCAP).

    Parameters
    ----------
    mom : Period
        From the contractual delivery date to the PV de MOM (art. 29). 30 days.
    va : Period
        From the PV de MOM to the notified VA decision (VABF). 30 days.
    vsr : Period
        Duration of the VSR after a positive VA (art. 32.4). 30 days.
    vsr_max_unavailability : float
        A VSR is regular if each equipment's unavailability is at most this share of use time. 0.02.
    decision_after_vsr : Period
        From the end of the VSR to the decision; silence is a tacit admission at its end (art. 33.2.2). 7 days.
    ajournement : Period
        Longest ajournement: the VSR extension after a failed VSR, and the correction period after an ajournée VA.
        1 month.
    garantie : Period
        From the admission (art. 34.1); extended by the days the buyer was deprived of use (art. 36). 12 months.
    extend_to_working_day : bool
        Extend the deadlines of an *act* (MOM, VA decision, corrections, decisions after VSR) that expire on a
        Saturday, Sunday or public holiday to the next working day. Observation and coverage periods (the VSR
        itself and the garantie) run every day and are not extended. Default True.
    department : str, optional
        ``"57"``, ``"67"`` or ``"68"`` for the Alsace-Moselle holidays.
    """

    mom: Period = Period(30)
    va: Period = Period(30)
    vsr: Period = Period(30)
    vsr_max_unavailability: float = 0.02
    decision_after_vsr: Period = Period(7)
    ajournement: Period = Period(1, PeriodUnit.MONTHS)
    garantie: Period = Period(12, PeriodUnit.MONTHS)
    extend_to_working_day: bool = True
    department: str | None = None


class Verdict(enum.StrEnum):
    """Outcome of a verification decision."""

    POSITIVE = "positive"  # VA passed / admission after VSR
    AJOURNEMENT = "ajournement"
    REFACTION = "refaction"  # admission with a price reduction (after VSR)
    REJET = "rejet"


@dataclass(frozen=True)
class TimerFacts:
    """Dates and decisions known so far (leave unknown ones ``None``).

    Parameters
    ----------
    contractual_delivery : date, optional
        Contractual delivery date: starts the MOM period.
    mom_date : date, optional
        Date of the (latest) PV de MOM: starts the VA period. After an ajournée VA, the new MOM restarts it.
    va_decision_date, va_outcome : date, Verdict, optional
        The notified VA decision: ``POSITIVE``, ``AJOURNEMENT`` or ``REJET``.
    vsr_start : date, optional
        First day of the VSR observation.
    vsr_end : date, optional
        Actual end of the VSR, when it differs from start + period.
    vsr_decision_date, vsr_outcome : date, Verdict, optional
        The decision after the VSR. ``AJOURNEMENT`` extends the VSR from the decision date.
    vsr_extension : Period, optional
        The extension granted by that ajournement; default and maximum ``TimerSettings.ajournement``.
    final_decision_date, final_outcome : date, Verdict, optional
        The decision after the extended VSR: ``POSITIVE``, ``REFACTION`` or ``REJET``.
    refaction_percent : float, optional
        The price reduction of an admission with réfaction.
    deprivation_days : int
        Days the buyer was deprived of use during the garantie; they extend it.
    """

    contractual_delivery: dt.date | None = None
    mom_date: dt.date | None = None
    va_decision_date: dt.date | None = None
    va_outcome: Verdict | None = None
    vsr_start: dt.date | None = None
    vsr_end: dt.date | None = None
    vsr_decision_date: dt.date | None = None
    vsr_outcome: Verdict | None = None
    vsr_extension: Period | None = None
    final_decision_date: dt.date | None = None
    final_outcome: Verdict | None = None
    refaction_percent: float | None = None
    deprivation_days: int = 0


class DeadlineStatus(enum.StrEnum):
    """``done`` (the act happened or the period is over), ``due``, ``overdue``, ``tacit`` (silence decided)."""

    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    TACIT = "tacit"


@dataclass(frozen=True)
class Deadline:
    """One dated deadline.

    ``key`` is one of ``mom``, ``va_decision``, ``va_corrections``, ``vsr_end``, ``vsr_decision``,
    ``vsr_extension_end``, ``final_decision``, ``garantie_end``; ``done_on`` is the date of the act when known;
    ``late`` tells an act done after its due date; ``tacit_on_expiry`` marks a decision whose absence is a tacit
    admission.
    """

    key: str
    due: dt.date
    status: DeadlineStatus
    article: str
    start: dt.date
    done_on: dt.date | None = None
    late: bool = False
    tacit_on_expiry: bool = False


@dataclass(frozen=True)
class TimerResult:
    """Deadlines in date order, the admission (explicit or tacit), the garantie end, and warnings."""

    deadlines: list[Deadline]
    admission_date: dt.date | None
    admission_tacit: bool
    garantie_end: dt.date | None
    rejected: bool
    refaction_percent: float | None
    warnings: list[Reason]

    def get(self, key: str) -> Deadline | None:
        """The deadline called ``key``, or ``None``."""
        return next((d for d in self.deadlines if d.key == key), None)


def _check_order(earlier: dt.date | None, later: dt.date | None, field_name: str, what: str) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise InputError(f"{field_name} ({later}) is before {what} ({earlier})", field=field_name)


def _status(due: dt.date, done_on: dt.date | None, today: dt.date, tacit: bool) -> DeadlineStatus:
    if done_on is not None:
        return DeadlineStatus.DONE
    if today <= due:
        return DeadlineStatus.DUE
    return DeadlineStatus.TACIT if tacit else DeadlineStatus.OVERDUE


def compute_timers(settings: TimerSettings, facts: TimerFacts, today: dt.date) -> TimerResult:
    """Compute the CCAG-TIC acceptance deadlines from what is known on ``today``.

    Chain (DOMAIN.md, "Acceptance under CCAG-TIC 2021"): contractual delivery → MOM (art. 29) → VA decision →
    VSR (art. 32.4) → decision within 7 days, silence = tacit admission at the end of the window (art. 33.2.2) →
    admission (art. 34.1) → garantie (art. 36). Each period starts the day after its event (CCAG art. 3).

    Rules chosen where the CCAG leaves room:

    - Deadlines of an act (MOM, VA decision, corrections, decisions) expiring on a Saturday, Sunday or public
      holiday move to the next working day when ``settings.extend_to_working_day`` (default); the VSR and the
      garantie are observation/coverage periods and do not move.
    - The VA has no tacit outcome here: a missing VA decision is ``overdue``.
    - An ajournée VA gives a ``va_corrections`` deadline (``settings.ajournement`` after the decision); a new
      PV de MOM (``facts.mom_date`` after the decision) restarts the VA clock.
    - A VSR ajournement extends the observation from the decision date by ``facts.vsr_extension`` (at most
      ``settings.ajournement``); a new 7-day decision window follows, tacit again. Only one extension.
    - A decision dated after its window does not undo the tacit admission (warning
      ``decision_after_tacit_admission``).
    - The garantie ends ``settings.garantie`` after the admission plus ``facts.deprivation_days`` days; its
      deadline is ``done`` once passed.

    Parameters
    ----------
    settings : TimerSettings
    facts : TimerFacts
    today : datetime.date

    Returns
    -------
    TimerResult

    Raises
    ------
    InputError
        Dates out of order, an outcome that does not fit its step, or an extension above the maximum.

    Examples
    --------
    >>> facts = TimerFacts(mom_date=dt.date(2025, 1, 2), va_decision_date=dt.date(2025, 1, 30),
    ...                    va_outcome=Verdict.POSITIVE, vsr_start=dt.date(2025, 2, 3))
    >>> result = compute_timers(TimerSettings(), facts, today=dt.date(2025, 3, 20))
    >>> [(d.key, str(d.due), d.status.value) for d in result.deadlines]  # doctest: +NORMALIZE_WHITESPACE
    [('va_decision', '2025-02-03', 'done'), ('vsr_end', '2025-03-05', 'done'),
     ('vsr_decision', '2025-03-12', 'tacit'), ('garantie_end', '2026-03-12', 'due')]
    >>> result.admission_date, result.admission_tacit
    (datetime.date(2025, 3, 12), True)
    """
    if facts.deprivation_days < 0:
        raise InputError("deprivation_days must not be negative", field="deprivation_days")
    if facts.refaction_percent is not None and not 0 <= facts.refaction_percent <= 100:
        raise InputError("refaction_percent must be between 0 and 100", field="refaction_percent")
    if facts.va_outcome not in (None, Verdict.POSITIVE, Verdict.AJOURNEMENT, Verdict.REJET):
        raise InputError("a VA decision is positive, ajournement or rejet", field="va_outcome")
    if facts.final_outcome is Verdict.AJOURNEMENT:
        raise InputError("the VSR can be extended only once", field="final_outcome")
    for date_name, outcome_name in (
        ("va_decision_date", "va_outcome"),
        ("vsr_decision_date", "vsr_outcome"),
        ("final_decision_date", "final_outcome"),
    ):
        if (getattr(facts, date_name) is None) != (getattr(facts, outcome_name) is None):
            raise InputError(f"{date_name} and {outcome_name} go together", field=outcome_name)
    if facts.va_outcome is not Verdict.AJOURNEMENT:  # after an ajournement, a new PV de MOM follows the decision
        _check_order(facts.mom_date, facts.va_decision_date, "va_decision_date", "the PV de MOM")
    _check_order(facts.va_decision_date, facts.vsr_start, "vsr_start", "the VA decision")
    _check_order(facts.vsr_start, facts.vsr_end, "vsr_end", "the VSR start")
    _check_order(facts.vsr_start, facts.vsr_decision_date, "vsr_decision_date", "the VSR start")
    _check_order(facts.vsr_decision_date, facts.final_decision_date, "final_decision_date", "the VSR decision")
    if facts.vsr_start is not None and facts.va_outcome not in (None, Verdict.POSITIVE):
        raise InputError("a VSR starts only after a positive VA", field="vsr_start")

    def act(start: dt.date, period: Period) -> dt.date:
        """Due date of an act: extended past non-working days when the contract says so."""
        return add_period(
            start, period, extend_to_working_day=settings.extend_to_working_day, department=settings.department
        )

    deadlines: list[Deadline] = []
    warnings: list[Reason] = []

    def deadline(
        key: str, start: dt.date, due: dt.date, article: str, done_on: dt.date | None, tacit: bool = False
    ) -> Deadline:
        item = Deadline(
            key=key,
            due=due,
            status=_status(due, done_on, today, tacit),
            article=article,
            start=start,
            done_on=done_on,
            late=done_on is not None and done_on > due,
            tacit_on_expiry=tacit,
        )
        deadlines.append(item)
        return item

    def result(admission: dt.date | None, tacit: bool, rejected: bool, refaction: float | None) -> TimerResult:
        garantie_end = None
        if admission is not None:
            garantie_end = add_period(admission, settings.garantie) + dt.timedelta(days=facts.deprivation_days)
            deadline(
                "garantie_end", admission, garantie_end, "CCAG-TIC 36", garantie_end if today > garantie_end else None
            )
        deadlines.sort(key=lambda d: (d.due, d.key))
        return TimerResult(deadlines, admission, tacit, garantie_end, rejected, refaction, warnings)

    # MOM: only while no PV de MOM after an ajournement (the latest MOM is what counts).
    if facts.contractual_delivery is not None:
        due = act(facts.contractual_delivery, settings.mom)
        deadline("mom", facts.contractual_delivery, due, "CCAG-TIC 29", facts.mom_date)

    va_decided = facts.va_decision_date
    # A PV de MOM after an ajournée VA restarts the VA: the earlier decision belongs to a previous round.
    new_round = (
        facts.va_outcome is Verdict.AJOURNEMENT
        and va_decided is not None
        and facts.mom_date is not None
        and facts.mom_date > va_decided
    )
    if facts.mom_date is not None:
        due = act(facts.mom_date, settings.va)
        deadline("va_decision", facts.mom_date, due, "CCAG-TIC 32", None if new_round else va_decided)
    if va_decided is not None and facts.va_outcome is Verdict.AJOURNEMENT:
        due = act(va_decided, settings.ajournement)
        deadline("va_corrections", va_decided, due, "CCAG-TIC 33", facts.mom_date if new_round else None)
        return result(None, False, False, None)
    if facts.va_outcome is Verdict.REJET:
        return result(None, False, True, None)
    if facts.vsr_start is None:
        return result(None, False, False, None)

    vsr_end = facts.vsr_end or add_period(facts.vsr_start, settings.vsr)
    recorded_end = facts.vsr_end or (vsr_end if today > vsr_end or facts.vsr_decision_date else None)
    deadline("vsr_end", facts.vsr_start, vsr_end, "CCAG-TIC 32.4", recorded_end)

    def decision_step(
        key: str, window_start: dt.date, decided: dt.date | None, outcome: Verdict | None
    ) -> tuple[dt.date | None, bool, Verdict | None]:
        """(admission date, tacit?, effective outcome) of one decision window."""
        due = act(window_start, settings.decision_after_vsr)
        item = deadline(key, window_start, due, "CCAG-TIC 33.2.2", decided, tacit=True)
        if decided is not None and item.late:
            warnings.append(
                Reason(
                    "decision_after_tacit_admission",
                    {"deadline": key, "due": due.isoformat(), "decided": decided.isoformat()},
                    Decision.SANS_RESERVE,
                )
            )
            return due, True, Verdict.POSITIVE
        if decided is None:
            return (due, True, Verdict.POSITIVE) if today > due else (None, False, None)
        if outcome in (Verdict.POSITIVE, Verdict.REFACTION):
            return decided, False, outcome
        return None, False, outcome

    admission, tacit, outcome = decision_step("vsr_decision", vsr_end, facts.vsr_decision_date, facts.vsr_outcome)
    if outcome is Verdict.AJOURNEMENT:
        assert facts.vsr_decision_date is not None
        extension = facts.vsr_extension or settings.ajournement
        longest = add_period(facts.vsr_decision_date, settings.ajournement)
        extension_end = add_period(facts.vsr_decision_date, extension)
        if extension_end > longest:
            raise InputError("the VSR extension exceeds the contract's ajournement period", field="vsr_extension")
        recorded = extension_end if today > extension_end or facts.final_decision_date else None
        deadline("vsr_extension_end", facts.vsr_decision_date, extension_end, "CCAG-TIC 33.2.2", recorded)
        admission, tacit, outcome = decision_step(
            "final_decision", extension_end, facts.final_decision_date, facts.final_outcome
        )
    elif facts.final_decision_date is not None:
        raise InputError("a final decision needs an ajournement after the VSR", field="final_decision_date")
    rejected = outcome is Verdict.REJET
    refaction = facts.refaction_percent if outcome is Verdict.REFACTION else None
    return result(admission, tacit, rejected, refaction)


def alerts(deadlines: Iterable[Deadline], today: dt.date, warn_days: int = 7) -> list[Deadline]:
    """Deadlines that need attention on ``today``: not done and due within ``warn_days`` days, or overdue.

    A decision window whose silence is a tacit admission is not an alert once expired (it has decided); the
    ``DONE`` ones never are. Sorted by due date.

    Examples
    --------
    >>> d = Deadline("va_decision", dt.date(2025, 3, 10), DeadlineStatus.DUE, "CCAG-TIC 32", dt.date(2025, 2, 8))
    >>> [a.key for a in alerts([d], dt.date(2025, 3, 4), warn_days=7)], alerts([d], dt.date(2025, 3, 1), 7)
    (['va_decision'], [])
    """
    if warn_days < 0:
        raise InputError("warn_days must not be negative", field="warn_days")
    picked = []
    for d in deadlines:
        if d.done_on is not None or d.status is DeadlineStatus.DONE:
            continue
        if today > d.due:
            if not d.tacit_on_expiry:
                picked.append(d)
        elif (d.due - today).days <= warn_days:
            picked.append(d)
    return sorted(picked, key=lambda d: (d.due, d.key))


# --------------------------------------------------------------------------------------------------------------
# VSR availability (art. 32.4)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UseHours:
    """Actual use time: ``start``–``end`` on ``workdays`` (0 = Monday), public holidays excluded."""

    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(18, 0)
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InputError("use hours must end after they start", field="end")


@dataclass(frozen=True)
class Availability:
    """Use time and outage time within it (seconds), the unavailability ratio and the verdict."""

    use_seconds: float
    outage_seconds: float
    ratio: float
    regular: bool
    max_ratio: float


def _naive(moment: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def unavailability(
    outages: Iterable[tuple[dt.datetime, dt.datetime]],
    first_day: dt.date,
    last_day: dt.date,
    *,
    hours: UseHours | None = None,
    max_ratio: float = 0.02,
    department: str | None = None,
    tz: dt.tzinfo | None = None,
) -> Availability:
    """Unavailability of one equipment over the actual use time of ``first_day``..``last_day`` (inclusive).

    Outages are clipped to the use hours (08:00–18:00 on working days by default, French public holidays
    excluded); overlapping outages are counted once. Aware datetimes are converted to ``tz`` (local time of the
    system, if ``None``) and naive ones are taken as local time. The VSR is regular when the ratio is at most
    ``max_ratio`` (2 %, CCAG-TIC 32.4). A period without any use time has ratio 0.

    Examples
    --------
    >>> d = dt.datetime.fromisoformat
    >>> a = unavailability([(d("2025-03-07T17:00"), d("2025-03-10T09:30"))],  # Fri 17:00 -> Mon 09:30
    ...                    dt.date(2025, 3, 3), dt.date(2025, 3, 14))
    >>> a.outage_seconds / 3600, a.use_seconds / 3600, round(a.ratio, 4), a.regular
    (2.5, 100.0, 0.025, False)
    """
    if last_day < first_day:
        raise InputError(f"the period ends ({last_day}) before it starts ({first_day})", field="last_day")
    hours = hours or UseHours()
    spans = []
    for k, (start, end) in enumerate(outages):
        a, b = _naive(start, tz), _naive(end, tz)
        if b < a:
            raise InputError(f"outage {k + 1} ends before it starts", line=k + 1, field="end")
        spans.append((a, b))
    spans.sort()
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    off = set(french_holidays(range(first_day.year, last_day.year + 1), department))
    use = outage = 0.0
    day = first_day
    while day <= last_day:
        if day.weekday() in hours.workdays and day not in off:
            w0, w1 = dt.datetime.combine(day, hours.start), dt.datetime.combine(day, hours.end)
            use += (w1 - w0).total_seconds()
            for a, b in merged:
                if b <= w0:
                    continue
                if a >= w1:
                    break
                outage += (min(b, w1) - max(a, w0)).total_seconds()
        day += dt.timedelta(days=1)
    ratio = outage / use if use else 0.0
    return Availability(use, outage, ratio, ratio <= max_ratio, max_ratio)


def vsr_regular(
    outages_by_equipment: Mapping[str, Iterable[tuple[dt.datetime, dt.datetime]]],
    first_day: dt.date,
    last_day: dt.date,
    **options: Any,
) -> tuple[bool, dict[str, Availability]]:
    """Whether the VSR is regular: every equipment within its unavailability limit.

    ``options`` are those of :func:`unavailability` (``hours``, ``max_ratio``, ``department``, ``tz``).

    Examples
    --------
    >>> d = dt.datetime.fromisoformat
    >>> ok, per = vsr_regular({"web": [], "db": [(d("2025-03-04T08:00"), d("2025-03-04T12:00"))]},
    ...                       dt.date(2025, 3, 3), dt.date(2025, 3, 28))
    >>> ok, round(per["db"].ratio, 3)
    (True, 0.02)
    """
    per = {name: unavailability(spans, first_day, last_day, **options) for name, spans in outages_by_equipment.items()}
    return all(a.regular for a in per.values()), per
