"""The peer of ``oeuvre engine level FILE.sm``: a plain CP-SAT model of a PSPLIB file, as the OR-Tools docs write it.

One interval per job, one cumulative per resource, the precedences, minimise the makespan.
Usage: python cpsat_rcpsp.py FILE.sm TIME_LIMIT WORKERS  (prints makespan, bound and status as JSON)
"""

import json
import sys

from ortools.sat.python import cp_model


def read(path):
    with open(path, encoding="latin-1") as fh:
        lines = fh.read().splitlines()
    n = int(next(line for line in lines if line.upper().startswith("JOBS (INCL")).split(":")[1])
    p = next(i for i, line in enumerate(lines) if line.startswith("PRECEDENCE RELATIONS")) + 2
    succ = {int(r.split()[0]): [int(x) for x in r.split()[3:]] for r in lines[p : p + n]}
    q = next(i for i, line in enumerate(lines) if line.startswith("REQUESTS/DURATIONS")) + 3
    rows = [[int(x) for x in r.split()] for r in lines[q : q + n]]
    a = next(i for i, line in enumerate(lines) if line.startswith("RESOURCEAVAILABILITIES")) + 2
    caps = [int(x) for x in lines[a].split()]
    return succ, {r[0]: r[2] for r in rows}, {r[0]: r[3:] for r in rows}, caps


def main():
    succ, dur, req, caps = read(sys.argv[1])
    horizon = sum(dur.values())
    m = cp_model.CpModel()
    start = {j: m.new_int_var(0, horizon, f"s{j}") for j in dur}
    end = {j: m.new_int_var(0, horizon, f"e{j}") for j in dur}
    iv = {j: m.new_interval_var(start[j], dur[j], end[j], f"i{j}") for j in dur}
    for j, ss in succ.items():
        for s in ss:
            m.add(start[s] >= end[j])
    for r, cap in enumerate(caps):
        m.add_cumulative([iv[j] for j in dur if req[j][r]], [req[j][r] for j in dur if req[j][r]], cap)
    makespan = m.new_int_var(0, horizon, "makespan")
    m.add_max_equality(makespan, list(end.values()))
    m.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(sys.argv[2])
    solver.parameters.num_workers = int(sys.argv[3])
    status = solver.solve(m)
    print(
        json.dumps(
            {
                "makespan": solver.value(makespan),
                "bound": solver.best_objective_bound,
                "optimal": status == cp_model.OPTIMAL,
            }
        )
    )


if __name__ == "__main__":
    main()
