"""An independent validator: does a schedule respect every link, capacity and date constraint?

Written apart from the code that builds schedules, and on purpose in the plainest terms: every
calendar-day lag is checked on dates and hours (``datetime``), not through the time model's
tables; every capacity slot by a difference array. The tests run it on every schedule they get,
and levelling and Monte Carlo call it on their results in debug mode (``OEUVRE_ENGINE_DEBUG=1``).

Rules checked, for start slots ``S`` and durations ``d`` (finish ``F = S + d``):

- links: FS ``S[b] >= F[a] + lag``, SS ``S[b] >= S[a] + lag``, FF ``F[b] >= F[a] + lag``,
  SF ``F[b] >= S[a] + lag``; a calendar-day lag compares instants: the predecessor's finish is the
  end of its last slot, its start the beginning of its first slot, and the successor's start (or
  finish) instant must be at or after that instant plus the lag in days;
- constraints: SNET ``S >= i``, SNLT ``S <= i``, FNET ``F >= i``, FNLT ``F <= i``, MSO ``S == i``,
  MFO ``F == i``; the late side (SNLT, FNLT, MSO, MFO) is a violation when deadlines are hard, a
  warning with the lateness when they are soft;
- capacity: in every slot, the units used by the activities running then (``S <= t < F``) are
  at most the capacity of that slot.

:func:`explain_constraint` tells why a late constraint cannot be met: the chain of activities that
pushes it (links only), or the work that must be done before it on a resource that is too small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oeuvre.engine.network import CompiledNetwork, ConstraintType, driving_chain, schedule

__all__ = ["Issue", "ValidationReport", "check_schedule", "explain_constraint"]

IntArray = npt.NDArray[np.int64]

_KINDS = ("FS", "SS", "FF", "SF")


@dataclass(frozen=True)
class Issue:
    """One broken rule: ``kind`` is ``link``, ``constraint``, ``capacity``, ``release`` or ``shape``.

    Examples
    --------
    >>> Issue("capacity", "capacity of 'dev' exceeded in slot 3: 2 > 1", resource="dev", slot=3).slot
    3
    """

    kind: str
    message: str
    activities: tuple[str, ...] = ()
    resource: str | None = None
    slot: int | None = None
    chain: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of a validation: ``ok`` when no hard rule is broken.

    ``violations`` and ``warnings`` are the messages; ``issues`` the same as records.

    Examples
    --------
    >>> ValidationReport(True, [], []).ok
    True
    """

    ok: bool
    violations: list[str]
    warnings: list[str]
    issues: list[Issue] = field(default_factory=list)


def _instants(net: CompiledNetwork, x: IntArray, *, finish: bool) -> list[dt.datetime]:
    """Instants of boundaries ``x``, from dates: a finish is the end of the slot before it."""
    assert net.calendar is not None
    spd = net.slots_per_day
    step = dt.timedelta(hours=24 // spd)
    slot = np.where(finish & (x > 0), x - 1, x) if finish else x
    days = net.calendar.to_date(slot // spd)  # numpy business days: the calendar's own definition
    out = []
    for day, k, xx in zip(days.tolist(), slot.tolist(), x.tolist(), strict=True):
        begin = dt.datetime.combine(day, dt.time()) + (k % spd) * step
        out.append(begin + step if finish and xx > 0 else begin)
    return out


def check_schedule(
    network: CompiledNetwork,
    start: Sequence[float] | npt.NDArray[np.int64] | npt.NDArray[np.float64],
    *,
    demands: IntArray | None = None,
    capacity: IntArray | None = None,
    resources: Sequence[str] = (),
    deadlines: str = "hard",
    limit: int = 20,
    durations: Sequence[float] | npt.NDArray[np.float64] | None = None,
) -> ValidationReport:
    """Check a schedule against the network's links and constraints and, if given, the capacities.

    Parameters
    ----------
    network : CompiledNetwork
    start : array of int, shape (n,)
        Start slot of every activity.
    demands : array (n, R), optional
    capacity : array (R, T), optional
        Capacity per slot; the last column holds for every later slot.
    resources : sequence of str
        Resource names, for messages.
    deadlines : {"hard", "soft"}
        A late constraint missed is a violation (hard) or a warning (soft).
    limit : int
        At most this many messages of each kind.
    durations : array of float, optional
        Durations to check with instead of the network's (a Monte Carlo sample); starts may then
        be fractional, and are compared with a tolerance of 1e-9 slot.

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> import datetime as dt
    >>> from oeuvre.engine.calendar import WorkCalendar
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> cal = WorkCalendar(dt.date(2025, 1, 6))  # Monday
    >>> net = Network([Activity("A", 5), Activity("B", 1)], [Link("A", "B", lag=3, calendar_days=True)],
    ...               calendar=cal).compile()
    >>> check_schedule(net, [0, 5]).violations  # Monday: only Sat, Sun elapsed after Friday evening
    ['link A -> B (FS+3cd) broken: B starts 2025-01-13 00:00, needs 2025-01-14 00:00 or later']
    >>> check_schedule(net, [0, 6]).ok
    True
    """
    net = network
    sampled = durations is not None
    s = np.asarray(start, dtype=np.float64 if sampled else np.int64)
    tol = 1e-9 if sampled else 0
    issues: list[Issue] = []
    warnings: list[str] = []
    if s.shape != (net.n,):
        issue = Issue("shape", f"expected {net.n} start times, got shape {s.shape}")
        return ValidationReport(False, [issue.message], [], [issue])
    d = net.durations if durations is None else np.asarray(durations, dtype=np.float64)
    f = s + d
    ids = net.ids
    # links with working-slot lags: the four textbook inequalities, written out
    plain = np.flatnonzero(~net.calendar_lag)
    p, q, kind, lag = net.pred[plain], net.succ[plain], net.kind[plain], net.lag[plain]
    ok = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [s[q] + tol >= f[p] + lag, s[q] + tol >= s[p] + lag, f[q] + tol >= f[p] + lag, f[q] + tol >= s[p] + lag],
        default=True,
    ).astype(bool)
    for li in plain[~ok][:limit]:
        a, b, k, lg = int(net.pred[li]), int(net.succ[li]), int(net.kind[li]), int(net.lag[li])
        need = {0: f[a] + lg, 1: s[a] + lg, 2: f[a] + lg, 3: s[a] + lg}[k]
        what = "starts" if k < 2 else "finishes"
        got = s[b] if k < 2 else f[b]
        issues.append(
            Issue(
                "link",
                f"link {ids[a]} -> {ids[b]} ({_KINDS[k]}{lg:+d}) broken: {ids[b]} {what} at {got:g}, "
                f"needs {need:g} or later",
                (ids[a], ids[b]),
            )
        )
    # links with calendar-day lags: compare instants on the calendar
    cal_links = np.flatnonzero(net.calendar_lag)
    if len(cal_links):
        p, q, kind = net.pred[cal_links], net.succ[cal_links], net.kind[cal_links]
        from_finish = (kind == 0) | (kind == 2)
        to_finish = kind >= 2
        whole = np.rint(s).astype(np.int64), np.rint(f).astype(np.int64)
        if sampled and (np.abs(s - whole[0]).max() > tol or np.abs(f - whole[1]).max() > tol):
            raise ValueError("calendar-day lags are checked on whole slots")
        anchor_f = _instants(net, whole[1][p], finish=True)
        anchor_s = _instants(net, whole[0][p], finish=False)
        target_f = _instants(net, whole[1][q], finish=True)
        target_s = _instants(net, whole[0][q], finish=False)
        bad = 0
        for i, li in enumerate(cal_links.tolist()):
            anchor = anchor_f[i] if from_finish[i] else anchor_s[i]
            need = anchor + dt.timedelta(days=int(net.lag[li]))
            got = target_f[i] if to_finish[i] else target_s[i]
            if got < need and bad < limit:
                bad += 1
                a, b, k = int(net.pred[li]), int(net.succ[li]), int(net.kind[li])
                what = "finishes" if to_finish[i] else "starts"
                issues.append(
                    Issue(
                        "link",
                        f"link {ids[a]} -> {ids[b]} ({_KINDS[k]}{int(net.lag[li]):+d}cd) broken: {ids[b]} {what} "
                        f"{got:%Y-%m-%d %H:%M}, needs {need:%Y-%m-%d %H:%M} or later",
                        (ids[a], ids[b]),
                    )
                )
    # constraints (or, for networks built from arrays, the release and latest-finish arrays)
    cons = net._constraints or tuple(
        [(int(j), ConstraintType.SNET, int(net.release[j])) for j in np.flatnonzero(net.release > 0)]
        + [(int(j), ConstraintType.FNLT, int(net.latest_finish[j])) for j in np.flatnonzero(net.latest_finish < 2**49)]
    )
    for j, ctype, idx in cons:
        value = f[j] if ctype.is_finish else s[j]
        early = ctype.bounds_early and value + tol < idx
        late = ctype.bounds_late and value - tol > idx
        if not (early or late):
            continue
        what = "finishes" if ctype.is_finish else "starts"
        message = f"{ids[j]} {what} at {value:g}, against {ctype.value} {idx}"
        if late and not early and deadlines == "soft":
            warnings.append(message + f" ({value - idx:g} late)")
            continue
        issues.append(Issue("constraint", message, (ids[j],)))
    if s.size and (s < -tol).any():
        j = int(np.flatnonzero(s < -tol)[0])
        issues.append(Issue("release", f"{ids[j]} starts at {s[j]:g}, before the project start", (ids[j],)))
    # capacity in every slot
    if demands is not None and capacity is not None and net.n and not sampled:
        horizon = max(int(f.max()), capacity.shape[1]) + 1
        running = d > 0
        names = list(resources) or [f"r{r}" for r in range(capacity.shape[0])]
        bad = 0
        for r in range(capacity.shape[0]):
            use = np.zeros(horizon + 1, np.int64)
            qr = np.where(running, demands[:, r], 0)
            np.add.at(use, np.clip(s, 0, horizon).astype(np.int64), qr)
            np.add.at(use, np.clip(f, 0, horizon).astype(np.int64), -qr)
            use = np.cumsum(use)[:horizon]
            cap = np.empty(horizon, np.int64)
            t = min(horizon, capacity.shape[1])
            cap[:t] = capacity[r, :t]
            cap[t:] = capacity[r, -1]
            for slot in np.flatnonzero(use > cap)[: max(0, limit - bad)]:
                bad += 1
                who = tuple(ids[j] for j in np.flatnonzero((s <= slot) & (slot < f) & (qr > 0)))
                issues.append(
                    Issue(
                        "capacity",
                        f"capacity of {names[r]!r} exceeded in slot {int(slot)}: {int(use[slot])} > {int(cap[slot])}",
                        who,
                        names[r],
                        int(slot),
                    )
                )
    return ValidationReport(not issues, [i.message for i in issues], warnings, issues)


def explain_constraint(
    network: CompiledNetwork,
    activity: int,
    limit: int,
    *,
    demands: IntArray | None = None,
    capacity: IntArray | None = None,
    resources: Sequence[str] = (),
) -> Issue | None:
    """Why ``activity`` cannot finish by ``limit`` (a finish slot), or ``None`` if no reason is found.

    First the links alone: if the early finish is past ``limit``, the chain of driving links
    is the reason. Then the resources: the activity and everything that must finish before it
    (its predecessors through finish-to-start-like links) need, on some resource, more units x
    slots than the resource offers before ``limit``.

    Examples
    --------
    >>> from oeuvre.engine.network import Activity, Link, Network
    >>> net = Network([Activity("A", 4), Activity("B", 3)], [Link("A", "B")]).compile()
    >>> explain_constraint(net, 1, 5).chain
    ('A', 'B')
    >>> from oeuvre.engine.network import LinkType
    >>> q, cap = np.array([[1], [1]]), np.array([[1]])
    >>> net2 = Network([Activity("A", 2), Activity("B", 2)], [Link("A", "B", LinkType.SS)]).compile()
    >>> explain_constraint(net2, 1, 3, demands=q, capacity=cap, resources=["dev"]).message
    "B cannot finish by 3: it and the 1 activity before it need 4 slot-units of 'dev', which offers 3 before slot 3"
    """
    net = network
    ids = net.ids
    cpm = schedule(net)
    if cpm.ef[activity] > limit:
        chain = tuple(ids[k] for k in driving_chain(net, cpm.es, activity))
        return Issue(
            "constraint",
            f"{ids[activity]} cannot finish by {limit}: its earliest finish is {int(cpm.ef[activity])}, "
            f"driven by {' -> '.join(chain)}",
            (ids[activity],),
            chain=chain,
        )
    if demands is None or capacity is None:
        return None
    # everything that must run (at least partly) before `limit`: the activity and its ancestors
    before = {activity}
    frontier = [activity]
    preds: dict[int, list[int]] = {}
    for a, b in zip(net.pred.tolist(), net.succ.tolist(), strict=True):
        preds.setdefault(b, []).append(a)
    while frontier:
        node = frontier.pop()
        for a in preds.get(node, []):
            if a not in before:
                before.add(a)
                frontier.append(a)
    members = np.array(sorted(before), np.int64)
    names = list(resources) or [f"r{r}" for r in range(capacity.shape[0])]
    for r in range(capacity.shape[0]):
        need = int((demands[members, r] * net.durations[members]).sum())
        offered = int(
            np.concatenate([capacity[r, :limit], np.repeat(capacity[r, -1:], max(0, limit - capacity.shape[1]))]).sum()
        )
        if need > offered:
            chain = tuple(ids[k] for k in members.tolist())
            return Issue(
                "constraint",
                f"{ids[activity]} cannot finish by {limit}: it and the {len(members) - 1} "
                f"{'activity' if len(members) == 2 else 'activities'} before it "
                f"need {need} slot-units of {names[r]!r}, which offers {offered} before slot {limit}",
                (ids[activity],),
                names[r],
                chain=chain,
            )
    return None
