"""Load (or compile, the first time) the engine's compiled kernels before a user waits for them.

The kernels of levelling and Monte Carlo are compiled by numba on first use and cached on disk
(see :mod:`oeuvre.engine._cache`): the very first call in a new environment compiles for several
seconds, later processes load the cache in a fraction of a second. An app server calls
:func:`warm_up_in_background` at start, so the first levelling a user asks for does not pay.
"""

from __future__ import annotations

import threading
import time

__all__ = ["warm_up", "warm_up_in_background"]


def warm_up() -> float:
    """Run every compiled kernel once on a tiny problem; returns the seconds it took.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    t0 = time.perf_counter()
    from oeuvre.engine import _kernels  # noqa: F401 - loads numba with the engine's cache directory
    from oeuvre.engine.levelling import LevellingProblem, level_heuristic
    from oeuvre.engine.network import CompiledNetwork
    from oeuvre.engine.risk import monte_carlo

    net = CompiledNetwork.from_arrays([2, 3, 1, 2], [0, 0, 1, 2], [1, 2, 3, 3], [0, 1, 0, 2], [0, 1, 0, 0])
    problem = LevellingProblem.build(net, {"1": {"r": 1}, "2": {"r": 1}}, {"r": 1})
    level_heuristic(problem, iterations=2)
    monte_carlo(net, [1, 2, 1, 1], [2, 3, 1, 2], [3, 5, 2, 3], iterations=16)
    return time.perf_counter() - t0


def warm_up_in_background() -> threading.Thread:
    """Start :func:`warm_up` in a daemon thread (for ``AppConfig.ready()`` or ``oeuvre serve``).

    Examples
    --------
    >>> warm_up_in_background().join()
    """
    thread = threading.Thread(target=warm_up, name="oeuvre-engine-warm-up", daemon=True)
    thread.start()
    return thread
