"""The engine CLI: tables, JSON field names, exit status 2 with one clear message on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oeuvre.engine.cli import main

CSV = """id,name,duration,predecessors,optimistic,most_likely,pessimistic,resources
A,Spec,3,,2,3,5,dev=1
B,Build,5,A,4,5,9,dev=2
C,Test plan,2,A:SS+1,1,2,3,test=1
D,Test,4,B; C,3,4,8,test=1
"""


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    p = tmp_path / "plan.csv"
    p.write_text(CSV, encoding="utf-8")
    return p


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_schedule_json_fields(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["schedule", str(plan), "--json"])
    assert out["finish"] == 12
    acts = out["activities"]
    assert isinstance(acts, list)
    assert set(acts[0]) == {"id", "es", "ef", "ls", "lf", "total_float", "free_float", "critical"}
    assert [a["critical"] for a in acts] == [True, True, False, True]


def test_level_json_fields(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["level", str(plan), "--capacity", "dev=2,test=1", "--time-limit", "3", "--json"])
    assert {"makespan", "lower_bound", "optimal", "start"} <= set(out)
    assert out["makespan"] == 12
    assert out["optimal"] is True
    assert out["start"] == {"A": 0, "B": 3, "C": 1, "D": 8}


def test_risk_json_fields(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, ["risk", str(plan), "--iterations", "500", "--seed", "4", "--target", "14", "--json"])
    assert {"percentiles", "criticality", "sensitivity", "p80_standard_error"} <= set(out)
    assert set(out["percentiles"]) == {f"P{p}" for p in range(10, 100, 10)}  # type: ignore[arg-type]
    assert 0 <= out["probability"] <= 1  # type: ignore[operator]
    again = _json(capsys, ["risk", str(plan), "--iterations", "500", "--seed", "4", "--target", "14", "--json"])
    assert again == out


def test_evm_json_fields(capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(
        capsys,
        ["evm", "--bac", "4000", "--pv", "3000", "--ev", "2500", "--ac", "2800", "--duration", "4", "--json"],
    )
    for name in ("pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi", "es", "spi_t"):
        assert name in out
    assert out["eac"] == pytest.approx(4480)


def test_tables_by_default(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(plan)]) == 0
    text = capsys.readouterr().out
    assert "critical path: A → B → D" in text
    assert main(["evm", "--bac", "10", "--pv", "5", "--ev", "4", "--ac", "5"]) == 0
    assert "atterrissage" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        (
            "id,duration,predecessors\nA,3,\nB,2,Z\n",
            ".csv",
            "line 3, field 'predecessors': unknown predecessor 'Z'",
        ),
        ("id,duration\nA,-3\n", ".csv", "line 2, field 'duration'"),
        ("jobs (incl. supersource/sink ):  x\n", ".sm", "line 1"),
        ("id,duration,predecessors\nA,1,B\nB,1,A\n", ".csv", "precedence cycle"),
        ("id,duration,resources\nA,1,dev=5\n", ".csv", "no capacity for resource 'dev'"),
    ],
)
def test_bad_input_gives_one_message_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, suffix: str, expected: str
) -> None:
    f = tmp_path / f"bad{suffix}"
    f.write_text(content, encoding="utf-8")
    command = "level" if "resources" in content else "schedule"
    assert main([command, str(f)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2


def test_infeasible_capacity_and_bad_arguments(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["level", str(plan), "--capacity", "dev=1,test=1"]) == 2
    assert "needs 2 'dev' but at most 1" in capsys.readouterr().err
    assert main(["risk", str(plan), "--iterations", "many"]) == 2
    assert "invalid int value" in capsys.readouterr().err
    assert main(["evm", "--bac", "1"]) == 2


def test_it_runs_as_a_module(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "oeuvre.engine.cli", "schedule", str(plan), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["finish"] == 12
    assert main(["schedule", str(plan.parent / "nope.csv")]) == 2
    assert "file not found" in capsys.readouterr().err
