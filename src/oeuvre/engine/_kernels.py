"""Compiled schedule-generation kernels for resource levelling (numba, no Python objects inside).

Conventions shared by every kernel:

- ``d`` (n,) durations, ``q`` (n, R) demands, ``avail`` (R, H) free capacity per period;
- precedence is ``S[j] >= S[i] + w`` for each link, given twice in CSR form:
  by successor (``pp``/``pi``/``pw``: for j, the predecessors ``pi[pp[j]:pp[j+1]]``)
  and by predecessor (``sp``/``si``: for i, the successors);
- a link is plain (``S[j] >= S[i] + w``) or, when ``pt[k] >= 0``, read from row ``pt[k]`` of
  ``tab`` (``S[j] >= tab[t, S[i]]``, the exact bound of a calendar-day lag from
  :mod:`oeuvre.engine.timemodel`), with ``inv`` its inverse for mirrored (right-justified) passes;
- ``release`` (n,) earliest starts; ``keys`` (n,) priorities, the smallest is scheduled first
  among the activities whose predecessors are all scheduled; ``deadline`` (n,) latest finishes,
  which the samplers weigh in their objective (makespan + ``weight`` per slot late).

A kernel that cannot place an activity inside the horizon returns -1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from oeuvre.engine import _cache

_cache.configure()  # before numba reads its configuration

import numba  # noqa: E402

__all__: list[str] = []

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    return cast(Callable[..., Any], numba.njit(cache=True, nogil=True)(fn))


def _fits(avail: I64, q: I64, j: int, t: int, dur: int) -> int:
    """Return -1 when ``j`` fits at ``t``, else the latest conflicting period (to jump past it)."""
    n_res = avail.shape[0]
    for tau in range(t + dur - 1, t - 1, -1):
        for r in range(n_res):
            if q[j, r] > 0 and avail[r, tau] < q[j, r]:
                return tau
    return -1


fits = _jit(_fits)


def _earliest_fit(avail: I64, q: I64, j: int, es: int, dur: int) -> int:
    horizon = avail.shape[1]
    t = es
    if dur == 0:
        return t
    while t + dur <= horizon:
        c = fits(avail, q, j, t, dur)
        if c < 0:
            return t
        t = c + 1
    return -1


earliest_fit = _jit(_earliest_fit)


def _book(avail: I64, q: I64, j: int, t: int, dur: int) -> None:
    for r in range(avail.shape[0]):
        if q[j, r] > 0:
            for tau in range(t, t + dur):
                avail[r, tau] -= q[j, r]


book = _jit(_book)


def _bound(start: I64, k: int, pi: I64, pw: I64, pt: I64, tab: I64, inv: I64, d: I64, j: int, mirror: int) -> int:
    """Earliest start of ``j`` that link ``k`` (from ``pi[k]``, already placed) allows.

    A plain link adds its weight; a table link (``pt[k] >= 0``, a calendar-day lag) reads the
    exact bound from its row of ``tab``. In a mirrored pass (``mirror`` = the makespan being
    mirrored, ``-1`` otherwise) time runs backwards and the inverse table ``inv`` applies.
    """
    i = pi[k]
    t = pt[k]
    if t < 0:
        return int(start[i] + pw[k])
    h = tab.shape[1] - 1
    if mirror < 0:
        x = start[i]
        if x > h:
            return _FAR
        return int(tab[t, x])
    # original constraint S[succ] >= T(S[pred]) <=> S[pred] <= inv(S[succ]); here j is the
    # original predecessor and i the original successor, both in mirrored time.
    y = mirror - start[i] - d[i]
    if y < 0:
        return _FAR
    if y > h:
        y = h
    x = inv[t, y]
    if x < 0:
        return _FAR
    return int(mirror - d[j] - x)


_FAR = 1 << 40
bound = _jit(_bound)


def _serial_sgs(
    keys: F64,
    d: I64,
    q: I64,
    avail0: I64,
    pp: I64,
    pi: I64,
    pw: I64,
    pt: I64,
    sp: I64,
    si: I64,
    tab: I64,
    inv: I64,
    release: I64,
    start: I64,
    mirror: int,
) -> int:
    """Serial SGS: take the eligible activity with the smallest key, put it at its earliest fit."""
    n = d.shape[0]
    horizon = avail0.shape[1]
    avail = avail0.copy()
    left = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    ne = 0
    for j in range(n):
        left[j] = pp[j + 1] - pp[j]
        if left[j] == 0:
            elig[ne] = j
            ne += 1
    makespan = 0
    for _ in range(n):
        if ne == 0:
            return -1
        best = 0
        for e in range(1, ne):
            if keys[elig[e]] < keys[elig[best]]:
                best = e
        j = elig[best]
        ne -= 1
        elig[best] = elig[ne]
        es = release[j]
        for k in range(pp[j], pp[j + 1]):
            es = max(es, bound(start, k, pi, pw, pt, tab, inv, d, j, mirror))
        if es + d[j] > horizon:
            return -1
        t = earliest_fit(avail, q, j, es, d[j])
        if t < 0:
            return -1
        start[j] = t
        book(avail, q, j, t, d[j])
        makespan = max(makespan, t + d[j])
        for k in range(sp[j], sp[j + 1]):
            s = si[k]
            left[s] -= 1
            if left[s] == 0:
                elig[ne] = s
                ne += 1
    return makespan


serial_sgs = _jit(_serial_sgs)


def _parallel_sgs(
    keys: F64,
    d: I64,
    q: I64,
    avail0: I64,
    pp: I64,
    pi: I64,
    pw: I64,
    pt: I64,
    sp: I64,
    si: I64,
    tab: I64,
    inv: I64,
    release: I64,
    start: I64,
) -> int:
    """Parallel (time-incrementing) SGS: at each decision time start every eligible activity that fits,
    in key order; then move to the next finish, release or capacity change."""
    n = d.shape[0]
    horizon = avail0.shape[1]
    avail = avail0.copy()
    left = np.empty(n, np.int64)
    elig = np.empty(n, np.int64)
    es = np.empty(n, np.int64)
    done = np.zeros(n, np.bool_)
    ne = 0
    for j in range(n):
        left[j] = pp[j + 1] - pp[j]
        if left[j] == 0:
            elig[ne] = j
            es[j] = release[j]
            ne += 1
    n_done = 0
    makespan = 0
    t = 0
    order = np.empty(n, np.int64)
    while n_done < n:
        progress = True
        while progress:
            progress = False
            # eligible activities released by t, sorted by key (insertion sort: the set is small)
            m = 0
            for e in range(ne):
                j = elig[e]
                if es[j] <= t:
                    p = m
                    while p > 0 and keys[order[p - 1]] > keys[j]:
                        order[p] = order[p - 1]
                        p -= 1
                    order[p] = j
                    m += 1
            for o in range(m):
                j = order[o]
                if t + d[j] > horizon or (d[j] > 0 and fits(avail, q, j, t, d[j]) >= 0):
                    continue
                start[j] = t
                book(avail, q, j, t, d[j])
                done[j] = True
                n_done += 1
                makespan = max(makespan, t + d[j])
                for e in range(ne):
                    if elig[e] == j:
                        ne -= 1
                        elig[e] = elig[ne]
                        break
                for k in range(sp[j], sp[j + 1]):
                    s = si[k]
                    left[s] -= 1
                    if left[s] == 0:
                        v = release[s]
                        for kk in range(pp[s], pp[s + 1]):
                            v = max(v, bound(start, kk, pi, pw, pt, tab, inv, d, s, -1))
                        es[s] = v
                        elig[ne] = s
                        ne += 1
                        if v <= t:
                            progress = True
        if n_done == n:
            break
        nxt = horizon
        for j in range(n):
            if done[j] and start[j] + d[j] > t and start[j] + d[j] < nxt:
                nxt = start[j] + d[j]
        for e in range(ne):
            if es[elig[e]] > t and es[elig[e]] < nxt:
                nxt = es[elig[e]]
        for tau in range(t + 1, nxt):
            changed = False
            for r in range(avail0.shape[0]):
                if avail0[r, tau] != avail0[r, tau - 1]:
                    changed = True
            if changed:
                nxt = tau
                break
        if nxt >= horizon:
            return -1
        t = nxt
    return makespan


parallel_sgs = _jit(_parallel_sgs)


def _objective(start: I64, d: I64, deadline: I64, weight: int) -> int:
    """Makespan plus ``weight`` per slot of lateness past each activity's deadline."""
    mk = 0
    late = 0
    for j in range(d.shape[0]):
        f = start[j] + d[j]
        mk = max(mk, f)
        if f > deadline[j]:
            late += f - deadline[j]
    return mk + weight * late


objective = _jit(_objective)


def _justify(
    start: I64,
    makespan: int,
    d: I64,
    q: I64,
    avail0: I64,
    pp: I64,
    pi: I64,
    pw: I64,
    pt: I64,
    sp: I64,
    si: I64,
    rpp: I64,
    rpi: I64,
    rpw: I64,
    rpt: I64,
    rsp: I64,
    rsi: I64,
    tab: I64,
    inv: I64,
    release: I64,
    out: I64,
) -> int:
    """Double justification (right then left). Returns the new makespan, or -1 if not applicable.

    The right pass is a serial SGS on the mirrored problem (time runs backwards from
    ``makespan``, links reversed); the left pass is a serial SGS ordered by the right starts.
    """
    n = d.shape[0]
    n_res = avail0.shape[0]
    horizon = avail0.shape[1]
    mir = np.zeros_like(avail0)
    for r in range(n_res):
        for t in range(min(makespan, horizon)):
            mir[r, t] = avail0[r, makespan - 1 - t]
    keys = np.empty(n, np.float64)
    for j in range(n):
        keys[j] = -(start[j] + d[j])  # latest finish first
    zero = np.zeros(n, np.int64)
    mstart = np.empty(n, np.int64)
    mk = serial_sgs(keys, d, q, mir, rpp, rpi, rpw, rpt, rsp, rsi, tab, inv, zero, mstart, makespan)
    if mk < 0 or mk > makespan:
        return -1
    for j in range(n):
        s = makespan - mstart[j] - d[j]
        if s < release[j]:
            return -1
        keys[j] = s
    return int(serial_sgs(keys, d, q, avail0, pp, pi, pw, pt, sp, si, tab, inv, release, out, -1))


justify = _jit(_justify)


def _improve(
    cur: I64,
    mk: int,
    nxt: I64,
    d: I64,
    q: I64,
    avail0: I64,
    pp: I64,
    pi: I64,
    pw: I64,
    pt: I64,
    sp: I64,
    si: I64,
    rpp: I64,
    rpi: I64,
    rpw: I64,
    rpt: I64,
    rsp: I64,
    rsi: I64,
    tab: I64,
    inv: I64,
    release: I64,
    deadline: I64,
    weight: int,
) -> int:
    """Iterated double justification of ``cur`` in place while the objective improves; returns its makespan."""
    obj = objective(cur, d, deadline, weight)
    while True:
        nk = justify(
            cur, mk, d, q, avail0, pp, pi, pw, pt, sp, si, rpp, rpi, rpw, rpt, rsp, rsi, tab, inv, release, nxt
        )
        if nk < 0 or nk >= mk:
            return mk
        no = objective(nxt, d, deadline, weight)
        if no > obj:
            return mk
        mk = nk
        obj = no
        cur[:] = nxt


improve = _jit(_improve)


def _sample(
    base: F64,
    noise: float,
    n_iter: int,
    seed: int,
    use_parallel: bool,
    d: I64,
    q: I64,
    avail0: I64,
    pp: I64,
    pi: I64,
    pw: I64,
    pt: I64,
    sp: I64,
    si: I64,
    rpp: I64,
    rpi: I64,
    rpw: I64,
    rpt: I64,
    rsp: I64,
    rsi: I64,
    tab: I64,
    inv: I64,
    release: I64,
    deadline: I64,
    weight: int,
    best_start: I64,
    best_objective: int,
    accept_ties: bool,
) -> int:
    """Biased random sampling around ``base`` keys, each sample improved by iterated justification.

    ``best_start``/``best_objective`` hold the incumbent (objective: makespan plus ``weight`` per
    slot past a deadline) and are updated in place; returns the best objective, -1 if no sample fit.
    With ``accept_ties`` a sample as good as the incumbent replaces it (a walk on the plateau).
    """
    np.random.seed(seed)
    n = d.shape[0]
    keys = np.empty(n, np.float64)
    cur = np.empty(n, np.int64)
    nxt = np.empty(n, np.int64)
    spread = 1.0
    if n > 0:
        spread = max(1.0, base.max() - base.min())
    for _ in range(n_iter):
        scale = noise * spread * np.random.random()
        for j in range(n):
            keys[j] = base[j] + scale * np.random.standard_normal()
        if use_parallel and np.random.random() < 0.5:
            mk = parallel_sgs(keys, d, q, avail0, pp, pi, pw, pt, sp, si, tab, inv, release, cur)
        else:
            mk = serial_sgs(keys, d, q, avail0, pp, pi, pw, pt, sp, si, tab, inv, release, cur, -1)
        if mk < 0:
            continue
        improve(
            cur,
            mk,
            nxt,
            d,
            q,
            avail0,
            pp,
            pi,
            pw,
            pt,
            sp,
            si,
            rpp,
            rpi,
            rpw,
            rpt,
            rsp,
            rsi,
            tab,
            inv,
            release,
            deadline,
            weight,
        )
        obj = objective(cur, d, deadline, weight)
        if best_objective < 0 or obj < best_objective or (accept_ties and obj == best_objective):
            best_objective = obj
            best_start[:] = cur
    return best_objective


sample = _jit(_sample)


def _topological_levels(n: int, pred: I64, succ: I64) -> I64:
    """Longest path (in links) from a source to each activity, by Kahn's algorithm; -1 inside a cycle."""
    m = pred.shape[0]
    indeg = np.zeros(n, np.int64)
    ptr = np.zeros(n + 1, np.int64)
    for li in range(m):
        indeg[succ[li]] += 1
        ptr[pred[li] + 1] += 1
    for v in range(n):
        ptr[v + 1] += ptr[v]
    out = np.empty(m, np.int64)
    fill = ptr[:-1].copy()
    for li in range(m):
        out[fill[pred[li]]] = succ[li]
        fill[pred[li]] += 1
    level = np.full(n, -1, np.int64)
    queue = np.empty(n, np.int64)
    tail = 0
    for v in range(n):
        if indeg[v] == 0:
            level[v] = 0
            queue[tail] = v
            tail += 1
    head = 0
    best = np.zeros(n, np.int64)
    while head < tail:
        v = queue[head]
        head += 1
        lv = level[v]
        for k in range(ptr[v], ptr[v + 1]):
            s = out[k]
            best[s] = max(best[s], lv + 1)
            indeg[s] -= 1
            if indeg[s] == 0:
                level[s] = best[s]
                queue[tail] = s
                tail += 1
    return level


topological_levels = _jit(_topological_levels)


def _group_links(key: I64, level: I64, n_levels: int) -> tuple[I64, I64, I64, I64, I64]:
    """Order links by (level of ``key``, ``key``) with counting sorts, and index the groups.

    Returns (link order, link pointer per level, group starts, group key, group pointer per level).
    """
    n = level.shape[0]
    m = key.shape[0]
    # activities sorted by (level, id)
    lcount = np.zeros(n_levels + 1, np.int64)
    for v in range(n):
        lcount[level[v] + 1] += 1
    for k in range(n_levels):
        lcount[k + 1] += lcount[k]
    nodes = np.empty(n, np.int64)
    fill = lcount[:-1].copy()
    for v in range(n):
        nodes[fill[level[v]]] = v
        fill[level[v]] += 1
    # links grouped by key activity (stable)
    ptr = np.zeros(n + 1, np.int64)
    for li in range(m):
        ptr[key[li] + 1] += 1
    for v in range(n):
        ptr[v + 1] += ptr[v]
    by_key = np.empty(m, np.int64)
    f2 = ptr[:-1].copy()
    for li in range(m):
        by_key[f2[key[li]]] = li
        f2[key[li]] += 1
    order = np.empty(m, np.int64)
    lptr = np.zeros(n_levels + 1, np.int64)
    gstart = np.empty(m, np.int64)
    gkey = np.empty(m, np.int64)
    gptr = np.zeros(n_levels + 1, np.int64)
    pos = 0
    ng = 0
    cur_level = 0
    for idx in range(n):
        v = nodes[idx]
        while cur_level < level[v]:
            cur_level += 1
            lptr[cur_level] = pos
            gptr[cur_level] = ng
        if ptr[v + 1] > ptr[v]:
            gstart[ng] = pos
            gkey[ng] = v
            ng += 1
            for k in range(ptr[v], ptr[v + 1]):
                order[pos] = by_key[k]
                pos += 1
    while cur_level < n_levels:
        cur_level += 1
        lptr[cur_level] = pos
        gptr[cur_level] = ng
    return order, lptr, gstart[:ng].copy(), gkey[:ng].copy(), gptr


group_links = _jit(_group_links)


def _triangular_inverse_cdf(u: F64, lo: F64, ml: F64, hi: F64, out: F64) -> None:
    """Triangular durations from uniforms: ``u`` is (iterations, n), ``out`` is (n, iterations).

    Inverse of the triangular CDF: ``a + sqrt(u (b - a)(m - a))`` below the mode's quantile
    ``(m - a) / (b - a)``, ``b - sqrt((1 - u)(b - a)(b - m))`` above it.
    """
    c = u.shape[0]
    for j in range(lo.shape[0]):
        a, m, b = lo[j], ml[j], hi[j]
        if b <= a:
            for i in range(c):
                out[j, i] = m
            continue
        fc = (m - a) / (b - a)
        k1 = (b - a) * (m - a)
        k2 = (b - a) * (b - m)
        for i in range(c):
            x = u[i, j]
            if x < fc:
                out[j, i] = a + np.sqrt(x * k1)
            else:
                out[j, i] = b - np.sqrt((1.0 - x) * k2)


triangular_inverse_cdf = _jit(_triangular_inverse_cdf)


def _cpm_many(
    d: F64,
    topo: I64,
    ip: I64,
    isrc: I64,
    ikind: I64,
    ilag: I64,
    itab: I64,
    op: I64,
    odst: I64,
    okind: I64,
    olag: I64,
    otab: I64,
    tab: I64,
    inv: I64,
    release: I64,
    es: F64,
    ls: F64,
    fin: F64,
    crit: F64,
    s_d: F64,
    s_dd: F64,
    s_df: F64,
) -> None:
    """Forward and backward CPM passes for many duration samples at once, plus the statistics.

    ``d``, ``es``, ``ls`` are (n, iterations); the inner loops run over iterations (contiguous,
    SIMD-friendly), with the link kind decided outside them. Link kinds: 0 FS, 1 SS, 2 FF, 3 SF.
    A link with ``itab``/``otab`` >= 0 has a calendar-day lag: durations are whole slots then,
    and its exact bound is read from row ``t`` of ``tab`` (start or finish of the predecessor ->
    earliest start or finish of the successor, see :meth:`TimeModel.shift`), ``inv`` backwards.
    Adds to ``crit`` (iterations where the activity has zero total float), ``s_d``, ``s_dd`` and
    ``s_df`` (sums of d, d^2 and d x finish, for the correlation with the finish).
    """
    n, c = d.shape
    h = tab.shape[1] - 1
    for i in range(c):
        fin[i] = 0.0
    for t in range(n):
        v = topo[t]
        ev = es[v]
        dv = d[v]
        r = float(release[v])
        for i in range(c):
            ev[i] = r
        for k in range(ip[v], ip[v + 1]):
            p = isrc[k]
            kind = ikind[k]
            lag = float(ilag[k])
            ep = es[p]
            dp = d[p]
            tb = itab[k]
            if tb >= 0:
                for i in range(c):
                    x = ep[i] + dp[i] if kind == 0 or kind == 2 else ep[i]
                    xi = min(max(int(x), 0), h)
                    val = float(tab[tb, xi])
                    if kind >= 2:
                        val -= dv[i]
                    ev[i] = max(ev[i], val)
            elif kind == 0:
                for i in range(c):
                    ev[i] = max(ev[i], ep[i] + dp[i] + lag)
            elif kind == 1:
                for i in range(c):
                    ev[i] = max(ev[i], ep[i] + lag)
            elif kind == 2:
                for i in range(c):
                    ev[i] = max(ev[i], ep[i] + dp[i] + lag - dv[i])
            else:
                for i in range(c):
                    ev[i] = max(ev[i], ep[i] + lag - dv[i])
        for i in range(c):
            fin[i] = max(fin[i], ev[i] + dv[i])
    for t in range(n - 1, -1, -1):
        v = topo[t]
        lv = ls[v]
        dv = d[v]
        for i in range(c):
            lv[i] = fin[i] - dv[i]
        for k in range(op[v], op[v + 1]):
            s = odst[k]
            kind = okind[k]
            lag = float(olag[k])
            lsn = ls[s]
            ds = d[s]
            tb = otab[k]
            if tb >= 0:
                for i in range(c):
                    y = lsn[i] + ds[i] if kind >= 2 else lsn[i]
                    yi = min(max(int(y), 0), h)
                    val = float(inv[tb, yi])
                    if kind == 0 or kind == 2:
                        val -= dv[i]
                    lv[i] = min(lv[i], val)
            elif kind == 0:
                for i in range(c):
                    lv[i] = min(lv[i], lsn[i] - lag - dv[i])
            elif kind == 1:
                for i in range(c):
                    lv[i] = min(lv[i], lsn[i] - lag)
            elif kind == 2:
                for i in range(c):
                    lv[i] = min(lv[i], lsn[i] - lag - dv[i] + ds[i])
            else:
                for i in range(c):
                    lv[i] = min(lv[i], lsn[i] - lag + ds[i])
        ev = es[v]
        cnt = 0.0
        a1 = 0.0
        a2 = 0.0
        a3 = 0.0
        for i in range(c):
            x = dv[i]
            if lv[i] - ev[i] <= 1e-9 * max(1.0, fin[i]):
                cnt += 1.0
            a1 += x
            a2 += x * x
            a3 += x * fin[i]
        crit[v] += cnt
        s_d[v] += a1
        s_dd[v] += a2
        s_df[v] += a3


cpm_many = _jit(_cpm_many)
