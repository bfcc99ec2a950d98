"""CPM and levelling against the PSPLIB instances and the UGent best-known bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from oeuvre.engine import InputError, LevellingProblem, level, read_psplib, schedule
from oeuvre.engine.io import read_ugent_bounds

SETS = {"j30": "J30.csv", "j60": "J60_1.csv", "j90": "J90_3.csv", "j120": "J120_0.csv"}


@pytest.mark.parametrize("name", list(SETS))
def test_it_finds_the_published_critical_path_length_of_every_instance(psplib_dir: Path, name: str) -> None:
    bounds = read_ugent_bounds(psplib_dir / "solutions" / "ugent-2024" / SETS[name])
    files = sorted((psplib_dir / f"{name}.sm").glob("*.sm"))
    assert len(files) == len(bounds) == (600 if name == "j120" else 480)
    wrong = []
    for f in files:
        data = read_psplib(f)
        finish = schedule(data.network()).finish
        if finish != bounds[f.name].cpm:
            wrong.append((f.name, finish, bounds[f.name].cpm))
    assert not wrong


def test_it_levels_small_instances_to_their_proven_optimum(psplib_dir: Path) -> None:
    bounds = read_ugent_bounds(psplib_dir / "solutions" / "ugent-2024" / "J30.csv")
    for name in ("j301_1.sm", "j3045_7.sm"):
        data = read_psplib(psplib_dir / "j30.sm" / name)
        problem = LevellingProblem.build(data.network(), data.demands(), data.capacities)
        r = level(problem, time_limit=3, workers=2)
        assert r.validation.ok
        assert r.makespan >= bounds[name].optimum
        assert r.lower_bound <= bounds[name].optimum
        if r.optimal:
            assert r.makespan == bounds[name].optimum


def test_it_names_the_line_of_a_malformed_sm_file(psplib_dir: Path) -> None:
    text = (psplib_dir / "j30.sm" / "j301_1.sm").read_text()
    lines = text.splitlines()
    idx = next(i for i, line in enumerate(lines) if line.strip().startswith("5 ") and "20" in line)
    lines[idx] = lines[idx].replace("20", "2x0")
    with pytest.raises(InputError) as exc:
        read_psplib("\n".join(lines), source="broken.sm")
    assert exc.value.line == idx + 1
    assert f"line {idx + 1}" in str(exc.value)


# j30 instances of ten parameter classes that level() proves optimal in well under a second on an idle
# core (bench/bench_levelling.py). The time limit leaves room for a loaded CI machine; the test fails
# if a change to the engine loses a proof, not if it is slow.
PROVEN = [
    "j301_1.sm",
    "j305_3.sm",
    "j3010_5.sm",
    "j3017_2.sm",
    "j3021_4.sm",
    "j3025_9.sm",
    "j3033_1.sm",
    "j3037_6.sm",
    "j3044_8.sm",
    "j3048_10.sm",
]


@pytest.mark.parametrize("name", PROVEN)
def test_instances_proven_today_stay_proven(psplib_dir: Path, name: str) -> None:
    optimum = read_ugent_bounds(psplib_dir / "solutions" / "ugent-2024" / "J30.csv")[name].optimum
    data = read_psplib(psplib_dir / "j30.sm" / name)
    r = level(LevellingProblem.build(data.compiled(), data.demands(), data.capacities), time_limit=20, workers=2)
    assert r.validation.ok
    assert r.optimal
    assert r.makespan == optimum
