"""PV decision rules, CCAG-TIC timers and the VSR availability rule (DOMAIN.md, acceptance and severity rules)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oeuvre.engine.acceptance import (
    AcceptanceFacts,
    Anomaly,
    Deadline,
    DeadlineStatus,
    Decision,
    FoundAt,
    Period,
    PeriodUnit,
    Severity,
    TestCounts,
    Thresholds,
    TimerFacts,
    TimerSettings,
    UseHours,
    Verdict,
    add_months,
    add_period,
    alerts,
    compute_timers,
    next_working_day,
    propose_decision,
    severity_from_label,
    unavailability,
    vsr_regular,
)
from oeuvre.engine.errors import InputError

D = dt.date
B, MA, MI, EV = Severity.BLOQUANTE, Severity.MAJEURE, Severity.MINEURE, Severity.EVOLUTION


def anomalies(*spec: Severity | tuple[Severity, FoundAt]) -> list[Anomaly]:
    out = []
    for k, s in enumerate(spec):
        sev, at = s if isinstance(s, tuple) else (s, FoundAt.DURING)
        out.append(Anomaly(f"ANO-{k + 1}", sev, at))
    return out


# ---------------------------------------------------------------------------------------------- PV decision


@pytest.mark.parametrize(
    ("spec", "max_majeures", "decision", "codes"),
    [
        # DOMAIN: bloquante at the start of a step -> rejet
        ([(B, FoundAt.START)], 3, Decision.REFUSEE, ["bloquante_at_start"]),
        # DOMAIN: bloquante found during -> ajournement with a correction deadline
        ([(B, FoundAt.DURING)], 3, Decision.AJOURNEE, ["bloquante_during"]),
        # DOMAIN: majeures above the threshold -> rejet
        ([MA, MA, MA, MA], 3, Decision.REFUSEE, ["majeures_above_threshold"]),
        # DOMAIN: majeures under it -> avec réserves
        ([MA, MA], 3, Decision.AVEC_RESERVES, ["majeures_within_threshold"]),
        # boundary: exactly at the threshold is tolerated
        ([MA, MA, MA], 3, Decision.AVEC_RESERVES, ["majeures_within_threshold"]),
        # threshold 0: any majeure refuses
        ([MA], 0, Decision.REFUSEE, ["majeures_above_threshold"]),
        ([], 0, Decision.SANS_RESERVE, ["no_open_defect"]),
        ([MI], 0, Decision.AVEC_RESERVES, ["mineures"]),
        # DOMAIN: mineures -> réserves
        ([MI, MI, MI, MI, MI, MI, MI, MI, MI, MI], 3, Decision.AVEC_RESERVES, ["mineures"]),
        # DOMAIN: none -> sans réserve
        ([], 3, Decision.SANS_RESERVE, ["no_open_defect"]),
        # a demande d'évolution is not a defect
        ([EV, EV, EV], 0, Decision.SANS_RESERVE, ["no_open_defect", "evolutions_excluded"]),
        # mixes: the worst rule wins, every rule is reported
        ([(B, FoundAt.START), (B, FoundAt.DURING), MI], 3, Decision.REFUSEE,
         ["bloquante_at_start", "bloquante_during", "mineures"]),
        ([(B, FoundAt.DURING), MA, MI, EV], 3, Decision.AJOURNEE,
         ["bloquante_during", "majeures_within_threshold", "mineures", "evolutions_excluded"]),
        ([(B, FoundAt.DURING), MA, MA], 1, Decision.REFUSEE, ["majeures_above_threshold", "bloquante_during"]),
        ([MA, MI, EV], 1, Decision.AVEC_RESERVES, ["majeures_within_threshold", "mineures", "evolutions_excluded"]),
    ],
)  # fmt: skip
def test_it_applies_the_domain_severity_rules(
    spec: list[Severity | tuple[Severity, FoundAt]], max_majeures: int, decision: Decision, codes: list[str]
) -> None:
    p = propose_decision(AcceptanceFacts(anomalies(*spec), thresholds=Thresholds(max_majeures=max_majeures)))
    assert p.decision is decision
    assert [r.code for r in p.reasons] == codes
    assert (p.correction_deadline_days is not None) == (decision is Decision.AJOURNEE)


def test_it_lists_majeures_and_mineures_as_reserves_only_when_pronounced_with_reserves() -> None:
    facts = AcceptanceFacts(anomalies(MA, MI, EV, MI))
    p = propose_decision(facts)
    assert [(r.code, r.severity) for r in p.reserves] == [("ANO-1", MA), ("ANO-2", MI), ("ANO-4", MI)]
    refused = propose_decision(AcceptanceFacts([*facts.anomalies, Anomaly("X", B, FoundAt.START)]))
    assert refused.decision is Decision.REFUSEE
    assert refused.reserves == []


def test_it_ignores_closed_anomalies() -> None:
    closed = [Anomaly("A", B, FoundAt.START, is_open=False), Anomaly("B", MA, is_open=False)]
    assert propose_decision(AcceptanceFacts(closed)).decision is Decision.SANS_RESERVE


def test_it_gives_the_contract_correction_deadline_and_refs() -> None:
    p = propose_decision(
        AcceptanceFacts(anomalies((B, FoundAt.DURING)), thresholds=Thresholds(correction_deadline_days=15))
    )
    assert p.correction_deadline_days == 15
    assert p.reasons[0].params == {"count": 1, "refs": ["ANO-1"], "correction_deadline_days": 15}


@pytest.mark.parametrize(
    ("tests", "decision", "code"),
    [
        (TestCounts(planned=100, passed=95), Decision.SANS_RESERVE, "no_open_defect"),  # exactly 95 % executed
        (TestCounts(planned=100, passed=94), Decision.AJOURNEE, "execution_incomplete"),
        (TestCounts(planned=100, passed=90, blocked=10), Decision.AJOURNEE, "execution_incomplete"),
        (TestCounts(planned=100, passed=90, failed=10), Decision.SANS_RESERVE, "no_open_defect"),  # 90 % passed
        (TestCounts(planned=100, passed=89, failed=11), Decision.AJOURNEE, "pass_rate_low"),
        (TestCounts(planned=0), Decision.AJOURNEE, "no_tests"),
    ],
)
def test_it_postpones_when_execution_is_incomplete(tests: TestCounts, decision: Decision, code: str) -> None:
    p = propose_decision(AcceptanceFacts([], tests))
    assert p.decision is decision
    assert p.reasons[0].code == code


def test_it_reports_execution_figures_for_wording() -> None:
    p = propose_decision(AcceptanceFacts([], TestCounts(planned=10, passed=5, failed=1, blocked=2)))
    params = p.reasons[0].params
    assert (params["executed"], params["blocked"], params["not_run"], params["min"]) == (6, 2, 2, 0.95)


def test_incomplete_execution_does_not_hide_a_refusal() -> None:
    p = propose_decision(AcceptanceFacts(anomalies((B, FoundAt.START)), TestCounts(planned=10, passed=1)))
    assert p.decision is Decision.REFUSEE
    assert [r.code for r in p.reasons] == ["bloquante_at_start", "execution_incomplete"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"planned": -1}, "planned"),
        ({"planned": 3, "passed": 2, "failed": 2}, "planned"),
    ],
)
def test_it_refuses_inconsistent_counts(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(InputError) as err:
        TestCounts(**kwargs)
    assert err.value.field == field


def test_it_refuses_bad_thresholds() -> None:
    with pytest.raises(InputError):
        Thresholds(min_pass_rate=1.5)
    with pytest.raises(InputError):
        Thresholds(max_majeures=-1)


@pytest.mark.parametrize(
    ("label", "expected"),
    [("1", B), (2, MA), ("Sévérité 3", MI), (" Majeure ", MA), ("blocking", B), ("Demande d'évolution", EV)],
)
def test_it_maps_severity_labels(label: str | int, expected: Severity) -> None:
    assert severity_from_label(label) is expected


def test_it_lets_a_contract_relabel_severities() -> None:
    relabel = {"s1": MI, "1": MI}
    assert severity_from_label("S1", relabel) is MI
    assert severity_from_label("1", relabel) is MI
    with pytest.raises(InputError):
        severity_from_label("critique")


anomaly_st = st.builds(
    Anomaly,
    ref=st.text(min_size=1, max_size=4),
    severity=st.sampled_from(list(Severity)),
    found_at=st.sampled_from(list(FoundAt)),
    is_open=st.booleans(),
)
defect_st = st.builds(
    Anomaly,
    ref=st.just("NEW"),
    severity=st.sampled_from([B, MA, MI]),
    found_at=st.sampled_from(list(FoundAt)),
)
counts_st = st.integers(0, 30).flatmap(
    lambda planned: st.tuples(st.just(planned), st.integers(0, planned)).flatmap(
        lambda pa: st.integers(0, pa[0] - pa[1]).flatmap(
            lambda failed: st.integers(0, pa[0] - pa[1] - failed).map(
                lambda blocked: TestCounts(planned=pa[0], passed=pa[1], failed=failed, blocked=blocked)
            )
        )
    )
)
thresholds_st = st.builds(
    Thresholds,
    max_majeures=st.integers(0, 5),
    min_execution_rate=st.floats(0, 1),
    min_pass_rate=st.floats(0, 1),
)


@given(st.lists(anomaly_st, max_size=12), st.none() | counts_st, thresholds_st, defect_st)
def test_adding_a_defect_never_makes_the_decision_more_favourable(
    existing: list[Anomaly], tests: TestCounts | None, th: Thresholds, new: Anomaly
) -> None:
    before = propose_decision(AcceptanceFacts(existing, tests, th))
    after = propose_decision(AcceptanceFacts([*existing, new], tests, th))
    assert after.decision.rank >= before.decision.rank
    assert after.decision is not Decision.SANS_RESERVE


@given(st.lists(anomaly_st, max_size=12), counts_st, thresholds_st)
def test_a_failed_test_never_makes_the_decision_more_favourable(
    existing: list[Anomaly], tests: TestCounts, th: Thresholds
) -> None:
    if tests.passed == 0:
        return
    worse = TestCounts(tests.planned, tests.passed - 1, tests.failed + 1, tests.blocked)
    before = propose_decision(AcceptanceFacts(existing, tests, th))
    after = propose_decision(AcceptanceFacts(existing, worse, th))
    assert after.decision.rank >= before.decision.rank


@given(st.lists(anomaly_st, max_size=12), st.none() | counts_st, thresholds_st)
def test_reserves_exist_exactly_when_pronounced_with_reserves(
    existing: list[Anomaly], tests: TestCounts | None, th: Thresholds
) -> None:
    p = propose_decision(AcceptanceFacts(existing, tests, th))
    assert bool(p.reserves) == (p.decision is Decision.AVEC_RESERVES)
    assert all(r.severity in (MA, MI) for r in p.reserves)
    assert p.decision is max((r.effect for r in p.reasons), key=lambda d: d.rank)


# ---------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
    ],
)
def test_months_run_from_quantieme_to_quantieme(start: dt.date, months: int, due: dt.date) -> None:
    assert add_months(start, months) == due
    assert add_period(start, Period(months, PeriodUnit.MONTHS)) == due


@pytest.mark.parametrize(
    ("day", "department", "expected"),
    [
        (D(2025, 7, 14), None, D(2025, 7, 15)),  # 14 July (Monday)
        (D(2026, 5, 1), None, D(2026, 5, 4)),  # 1 May is a Friday, then the weekend
        (D(2025, 5, 31), None, D(2025, 6, 2)),  # Saturday
        (D(2025, 6, 1), None, D(2025, 6, 2)),  # Sunday
        (D(2025, 12, 26), None, D(2025, 12, 26)),  # a working day in most of France
        (D(2025, 12, 26), "57", D(2025, 12, 29)),  # Saint-Étienne in Moselle, then the weekend
        (D(2025, 4, 18), "68", D(2025, 4, 22)),  # Good Friday (Alsace), weekend, Easter Monday
        (D(2025, 12, 31), None, D(2025, 12, 31)),
        (D(2026, 1, 1), None, D(2026, 1, 2)),
    ],
)
def test_a_deadline_on_a_day_off_moves_to_the_next_working_day(
    day: dt.date, department: str | None, expected: dt.date
) -> None:
    assert next_working_day(day, department) == expected


def test_periods_start_the_day_after_the_event() -> None:
    assert add_period(D(2025, 6, 13), Period(30)) == D(2025, 7, 13)  # a Sunday
    assert add_period(D(2025, 6, 13), Period(30), extend_to_working_day=True) == D(2025, 7, 15)  # Sun, 14 July
    assert add_period(D(2025, 5, 30), Period(3, PeriodUnit.WORKING_DAYS)) == D(2025, 6, 4)  # Fri -> Wed
    assert add_period(D(2025, 6, 6), Period(1, PeriodUnit.WORKING_DAYS)) == D(2025, 6, 10)  # Whit Monday
    assert add_period(D(2025, 6, 6), Period(0)) == D(2025, 6, 6)


# ---------------------------------------------------------------------------------------------- timers

POSITIVE_VA = TimerFacts(
    mom_date=D(2025, 1, 2), va_decision_date=D(2025, 1, 30), va_outcome=Verdict.POSITIVE, vsr_start=D(2025, 2, 3)
)


def keyed(result_deadlines: list[Deadline]) -> dict[str, Deadline]:
    return {d.key: d for d in result_deadlines}


def test_it_uses_the_ccag_defaults() -> None:
    s = TimerSettings()
    assert (s.mom, s.va, s.vsr, s.decision_after_vsr) == (Period(30), Period(30), Period(30), Period(7))
    assert s.ajournement == Period(1, PeriodUnit.MONTHS)
    assert s.garantie == Period(12, PeriodUnit.MONTHS)
    assert s.vsr_max_unavailability == 0.02
    assert s.extend_to_working_day


def test_it_chains_mom_va_vsr_and_decision() -> None:
    facts = TimerFacts(contractual_delivery=D(2024, 12, 1), mom_date=D(2024, 12, 20))
    r = compute_timers(TimerSettings(), facts, today=D(2025, 1, 10))
    d = keyed(r.deadlines)
    assert d["mom"].due == D(2024, 12, 31)
    assert d["mom"].status is DeadlineStatus.DONE
    assert d["mom"].article == "CCAG-TIC 29"
    assert d["va_decision"].due == D(2025, 1, 20)  # 19 Jan is a Sunday
    assert d["va_decision"].status is DeadlineStatus.DUE
    assert r.admission_date is None
    assert r.garantie_end is None


def test_a_missing_va_decision_is_overdue_not_tacit() -> None:
    r = compute_timers(TimerSettings(), TimerFacts(mom_date=D(2025, 3, 3)), today=D(2025, 4, 3))
    assert keyed(r.deadlines)["va_decision"].status is DeadlineStatus.OVERDUE
    assert r.admission_date is None


def test_a_late_mom_is_overdue_then_done_late() -> None:
    r = compute_timers(TimerSettings(), TimerFacts(contractual_delivery=D(2025, 3, 3)), today=D(2025, 4, 3))
    assert keyed(r.deadlines)["mom"].status is DeadlineStatus.OVERDUE
    r = compute_timers(
        TimerSettings(), TimerFacts(contractual_delivery=D(2025, 3, 3), mom_date=D(2025, 4, 3)), D(2025, 4, 3)
    )
    assert keyed(r.deadlines)["mom"].late


@pytest.mark.parametrize(
    ("today", "status", "admission", "tacit"),
    [
        (D(2025, 3, 11), DeadlineStatus.DUE, None, False),
        (D(2025, 3, 12), DeadlineStatus.DUE, None, False),  # last day of the window
        (D(2025, 3, 13), DeadlineStatus.TACIT, D(2025, 3, 12), True),
    ],
)
def test_silence_after_the_vsr_is_a_tacit_admission_at_the_end_of_the_window(
    today: dt.date, status: DeadlineStatus, admission: dt.date | None, tacit: bool
) -> None:
    r = compute_timers(TimerSettings(), POSITIVE_VA, today)
    d = keyed(r.deadlines)
    assert d["vsr_end"].due == D(2025, 3, 5)
    assert d["vsr_end"].article == "CCAG-TIC 32.4"
    assert d["vsr_decision"].due == D(2025, 3, 12)
    assert d["vsr_decision"].status is status
    assert d["vsr_decision"].article == "CCAG-TIC 33.2.2"
    assert (r.admission_date, r.admission_tacit) == (admission, tacit)
    assert r.garantie_end == (add_months(admission, 12) if admission else None)


def test_the_decision_window_ending_on_a_holiday_is_extended() -> None:
    # VSR from 1 April: ends 1 May (not moved: observation runs every day), decision window to 8 May (holiday),
    # moved to Friday 9 May; tacit admission then.
    facts = TimerFacts(vsr_start=D(2025, 4, 1))
    r = compute_timers(TimerSettings(), facts, today=D(2025, 5, 12))
    d = keyed(r.deadlines)
    assert d["vsr_end"].due == D(2025, 5, 1)
    assert d["vsr_decision"].due == D(2025, 5, 9)
    assert r.admission_date == D(2025, 5, 9)
    strict = compute_timers(TimerSettings(extend_to_working_day=False), facts, today=D(2025, 5, 12))
    assert strict.admission_date == D(2025, 5, 8)


def test_alsace_moselle_holidays_extend_deadlines() -> None:
    facts = TimerFacts(mom_date=D(2025, 11, 26))  # + 30 days = Friday 26 December
    assert keyed(compute_timers(TimerSettings(), facts, D(2025, 12, 1)).deadlines)["va_decision"].due == D(2025, 12, 26)
    alsace = TimerSettings(department="67")
    assert keyed(compute_timers(alsace, facts, D(2025, 12, 1)).deadlines)["va_decision"].due == D(2025, 12, 29)


def test_a_timer_can_count_working_days() -> None:
    settings = TimerSettings(decision_after_vsr=Period(7, PeriodUnit.WORKING_DAYS))
    r = compute_timers(settings, POSITIVE_VA, today=D(2025, 3, 1))
    assert keyed(r.deadlines)["vsr_decision"].due == D(2025, 3, 14)  # Wed 5 March + 7 working days


def test_an_explicit_admission_starts_the_garantie_extended_by_deprivation() -> None:
    facts = TimerFacts(
        vsr_start=D(2024, 1, 1),
        vsr_decision_date=D(2024, 2, 5),
        vsr_outcome=Verdict.POSITIVE,
        deprivation_days=10,
    )
    r = compute_timers(TimerSettings(), facts, today=D(2024, 3, 1))
    assert r.admission_date == D(2024, 2, 5)
    assert not r.admission_tacit
    assert r.garantie_end == D(2025, 2, 15)
    assert keyed(r.deadlines)["garantie_end"].article == "CCAG-TIC 36"
    later = compute_timers(TimerSettings(), facts, today=D(2025, 2, 16))
    assert keyed(later.deadlines)["garantie_end"].status is DeadlineStatus.DONE


def test_admission_on_29_february_ends_the_garantie_on_28_february() -> None:
    facts = TimerFacts(vsr_start=D(2024, 1, 25), vsr_decision_date=D(2024, 2, 29), vsr_outcome=Verdict.POSITIVE)
    assert compute_timers(TimerSettings(), facts, D(2024, 3, 1)).garantie_end == D(2025, 2, 28)


def test_a_refaction_is_an_admission_with_its_percentage() -> None:
    facts = TimerFacts(
        vsr_start=D(2025, 1, 6),
        vsr_decision_date=D(2025, 2, 7),
        vsr_outcome=Verdict.REFACTION,
        refaction_percent=5.0,
    )
    r = compute_timers(TimerSettings(), facts, today=D(2025, 2, 10))
    assert (r.admission_date, r.refaction_percent, r.rejected) == (D(2025, 2, 7), 5.0, False)


def test_an_ajournement_extends_the_vsr_then_a_new_tacit_window_follows() -> None:
    facts = TimerFacts(vsr_start=D(2025, 1, 6), vsr_decision_date=D(2025, 2, 7), vsr_outcome=Verdict.AJOURNEMENT)
    r = compute_timers(TimerSettings(), facts, today=D(2025, 3, 1))
    d = keyed(r.deadlines)
    assert d["vsr_decision"].status is DeadlineStatus.DONE
    assert d["vsr_extension_end"].due == D(2025, 3, 7)  # one month after the decision
    assert d["final_decision"].due == D(2025, 3, 14)
    assert r.admission_date is None
    assert compute_timers(TimerSettings(), facts, today=D(2025, 3, 15)).admission_date == D(2025, 3, 14)
    shorter = TimerFacts(**{**facts.__dict__, "vsr_extension": Period(15)})
    assert keyed(compute_timers(TimerSettings(), shorter, D(2025, 3, 1)).deadlines)["vsr_extension_end"].due == D(
        2025, 2, 22
    )


def test_a_vsr_extension_longer_than_the_contract_allows_is_refused() -> None:
    facts = TimerFacts(
        vsr_start=D(2025, 1, 6),
        vsr_decision_date=D(2025, 2, 7),
        vsr_outcome=Verdict.AJOURNEMENT,
        vsr_extension=Period(40),
    )
    with pytest.raises(InputError) as err:
        compute_timers(TimerSettings(), facts, D(2025, 3, 1))
    assert err.value.field == "vsr_extension"


def test_a_rejet_after_the_extension_ends_without_admission() -> None:
    facts = TimerFacts(
        vsr_start=D(2025, 1, 6),
        vsr_decision_date=D(2025, 2, 7),
        vsr_outcome=Verdict.AJOURNEMENT,
        final_decision_date=D(2025, 3, 10),
        final_outcome=Verdict.REJET,
    )
    r = compute_timers(TimerSettings(), facts, today=D(2025, 4, 1))
    assert r.rejected
    assert r.admission_date is None
    assert r.garantie_end is None


def test_a_decision_after_the_window_does_not_undo_the_tacit_admission() -> None:
    facts = TimerFacts(vsr_start=D(2025, 1, 6), vsr_decision_date=D(2025, 2, 20), vsr_outcome=Verdict.REJET)
    r = compute_timers(TimerSettings(), facts, today=D(2025, 3, 1))
    assert r.admission_date == D(2025, 2, 12)
    assert r.admission_tacit
    assert not r.rejected
    assert [w.code for w in r.warnings] == ["decision_after_tacit_admission"]
    assert keyed(r.deadlines)["vsr_decision"].late


def test_an_ajournee_va_sets_a_correction_deadline_and_a_new_mom_restarts_the_va() -> None:
    facts = TimerFacts(mom_date=D(2025, 1, 2), va_decision_date=D(2025, 1, 31), va_outcome=Verdict.AJOURNEMENT)
    d = keyed(compute_timers(TimerSettings(), facts, today=D(2025, 2, 10)).deadlines)
    assert d["va_corrections"].due == D(2025, 2, 28)
    assert d["va_corrections"].status is DeadlineStatus.DUE
    assert d["va_decision"].status is DeadlineStatus.DONE
    again = TimerFacts(**{**facts.__dict__, "mom_date": D(2025, 2, 20)})
    d = keyed(compute_timers(TimerSettings(), again, today=D(2025, 3, 1)).deadlines)
    assert d["va_corrections"].status is DeadlineStatus.DONE
    assert d["va_decision"].due == D(2025, 3, 24)
    assert d["va_decision"].status is DeadlineStatus.DUE


def test_a_rejected_va_stops_the_chain() -> None:
    facts = TimerFacts(mom_date=D(2025, 1, 2), va_decision_date=D(2025, 1, 31), va_outcome=Verdict.REJET)
    r = compute_timers(TimerSettings(), facts, today=D(2025, 6, 1))
    assert r.rejected
    assert [d.key for d in r.deadlines] == ["va_decision"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"va_decision_date": D(2024, 12, 1)}, "va_decision_date"),
        ({"vsr_start": D(2025, 1, 10)}, "vsr_start"),
        ({"va_outcome": Verdict.REJET}, "vsr_start"),
        ({"va_outcome": None}, "va_outcome"),
        ({"final_decision_date": D(2025, 5, 1), "final_outcome": Verdict.POSITIVE}, "final_decision_date"),
        ({"deprivation_days": -1}, "deprivation_days"),
    ],
)
def test_it_refuses_inconsistent_facts(changes: dict[str, object], field: str) -> None:
    facts = TimerFacts(**{**POSITIVE_VA.__dict__, **changes})  # type: ignore[arg-type]
    with pytest.raises(InputError) as err:
        compute_timers(TimerSettings(), facts, D(2025, 6, 1))
    assert err.value.field == field


def test_alerts_pick_what_is_due_soon_or_overdue() -> None:
    r = compute_timers(TimerSettings(), TimerFacts(mom_date=D(2025, 2, 10)), today=D(2025, 3, 6))
    assert keyed(r.deadlines)["va_decision"].due == D(2025, 3, 12)
    assert [a.key for a in alerts(r.deadlines, D(2025, 3, 6), 7)] == ["va_decision"]
    assert alerts(r.deadlines, D(2025, 3, 4), 7) == []
    assert [a.key for a in alerts(r.deadlines, D(2025, 3, 13), 0)] == ["va_decision"]  # overdue
    tacit = compute_timers(TimerSettings(), POSITIVE_VA, D(2025, 3, 20))
    assert alerts(tacit.deadlines, D(2025, 3, 20), 7) == []  # the tacit admission decided


# ---------------------------------------------------------------------------------------------- VSR availability

dtm = dt.datetime.fromisoformat


def test_outages_are_clipped_to_use_hours_across_nights_and_weekends() -> None:
    # Week of 3-7 March 2025 (no holiday): 50 h of use time.
    outages = [
        (dtm("2025-03-03T20:00"), dtm("2025-03-04T09:00")),  # night: 1 h counted (08-09)
        (dtm("2025-03-07T17:30"), dtm("2025-03-09T23:00")),  # Friday evening to Sunday: 30 min
        (dtm("2025-03-05T12:00"), dtm("2025-03-05T12:30")),  # 30 min
        (dtm("2025-03-05T12:15"), dtm("2025-03-05T13:00")),  # overlaps: 30 more min, not 45
    ]
    a = unavailability(outages, D(2025, 3, 3), D(2025, 3, 7))
    assert a.use_seconds == 50 * 3600
    assert a.outage_seconds == 2.5 * 3600
    assert a.ratio == pytest.approx(0.05)
    assert not a.regular


def test_public_holidays_are_not_use_time() -> None:
    # 14 July 2025 is a Monday: the week has 40 h of use, and an outage that day does not count.
    outages = [(dtm("2025-07-14T08:00"), dtm("2025-07-14T18:00")), (dtm("2025-07-15T08:00"), dtm("2025-07-15T08:48"))]
    a = unavailability(outages, D(2025, 7, 14), D(2025, 7, 18))
    assert a.use_seconds == 40 * 3600
    assert a.outage_seconds == 48 * 60
    assert a.ratio == pytest.approx(0.02)
    assert a.regular
    alsace = unavailability([], D(2025, 12, 22), D(2025, 12, 26), department="57")
    assert alsace.use_seconds == 3 * 10 * 3600  # 25 and 26 December off


def test_use_hours_are_configurable() -> None:
    hours = UseHours(start=dt.time(7), end=dt.time(19), workdays=(0, 1, 2, 3, 4, 5))
    a = unavailability([(dtm("2025-03-08T06:00"), dtm("2025-03-08T08:00"))], D(2025, 3, 3), D(2025, 3, 9), hours=hours)
    assert a.use_seconds == 6 * 12 * 3600
    assert a.outage_seconds == 3600


def test_aware_outages_are_read_in_local_time() -> None:
    paris = ZoneInfo("Europe/Paris")
    utc = dt.UTC
    outage = (dt.datetime(2025, 3, 3, 7, 0, tzinfo=utc), dt.datetime(2025, 3, 3, 8, 0, tzinfo=utc))  # 08-09 Paris
    a = unavailability([outage], D(2025, 3, 3), D(2025, 3, 3), tz=paris)
    assert a.outage_seconds == 3600


def test_vsr_is_regular_only_if_every_equipment_is() -> None:
    outages = {"web": [], "db": [(dtm("2025-03-04T08:00"), dtm("2025-03-04T18:00"))]}
    ok, per = vsr_regular(outages, D(2025, 3, 3), D(2025, 3, 28))
    assert not ok
    assert per["web"].regular
    assert not per["db"].regular
    ok, _ = vsr_regular(outages, D(2025, 3, 3), D(2025, 3, 28), max_ratio=0.05)
    assert ok


def test_it_refuses_an_outage_ending_before_it_starts() -> None:
    with pytest.raises(InputError) as err:
        unavailability([(dtm("2025-03-04T10:00"), dtm("2025-03-04T09:00"))], D(2025, 3, 3), D(2025, 3, 7))
    assert err.value.line == 1
