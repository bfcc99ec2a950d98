"""Topological levels and link grouping in plain numpy (no compiled kernels).

:mod:`oeuvre.engine.network` uses these when the compiled kernels of :mod:`oeuvre.engine._kernels`
are not loaded yet: importing numba costs more than half a second, more than the whole CPM of a
100,000-activity network, so ``oeuvre engine schedule`` (a fresh process) never pays for it. Once
the kernels are loaded (levelling, Monte Carlo, a warmed app server), the compiled versions are used;
both give identical arrays (tested).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__: list[str] = []

I64 = npt.NDArray[np.int64]


def topological_levels(n: int, pred: I64, succ: I64) -> I64:
    """Longest path (in links) from a source to each activity, by Kahn's algorithm; -1 inside a cycle.

    Frontier by frontier: each round takes the activities with no unprocessed predecessor, gathers
    their outgoing links at once and lowers the in-degrees with one ``unique``.
    """
    level = np.full(n, -1, np.int64)
    if n == 0:
        return level
    order = np.argsort(pred, kind="stable")
    ptr = np.searchsorted(pred[order], np.arange(n + 1))
    targets = succ[order]
    indeg = np.bincount(succ, minlength=n).astype(np.int64)
    front = np.flatnonzero(indeg == 0)
    depth = 0
    while len(front):
        level[front] = depth
        first = ptr[front]
        count = ptr[front + 1] - first
        total = int(count.sum())
        if total == 0:
            break
        # positions of every outgoing link of the frontier, without a Python loop
        offsets = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(total)
        reached = targets[offsets]
        np.subtract.at(indeg, reached, 1)  # no sort: the frontier's links are few per round
        front = reached[indeg[reached] == 0]
        if len(front) > 1:
            front = np.unique(front)  # an activity reached by several links of the round
        depth += 1
    return level


def group_links(key: I64, level: I64, n_levels: int) -> tuple[I64, I64, I64, I64, I64]:
    """Order links by (level of ``key``, ``key``, link number) and index the groups.

    Returns (link order, link pointer per level, group starts, group key, group pointer per level),
    exactly as the compiled ``_kernels.group_links``.
    """
    m = len(key)
    n = len(level)
    # one stable sort on a combined key (level, activity): cheaper than lexsort's two passes
    order = np.argsort(level[key] * n + key, kind="stable").astype(np.int64) if m else np.zeros(0, np.int64)
    lv = level[key[order]]
    bounds = np.arange(n_levels + 1)
    lptr = np.searchsorted(lv, bounds).astype(np.int64)
    k = key[order]
    new = np.ones(m, bool)
    if m:
        new[1:] = k[1:] != k[:-1]
    gstart = np.flatnonzero(new).astype(np.int64)
    gkey = k[gstart].astype(np.int64)
    gptr = np.searchsorted(level[gkey], bounds).astype(np.int64)
    return order, lptr, gstart, gkey, gptr
