"""The engine CLI: tables, JSON field names, exit status 2 with one clear message on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oeuvre.engine.cli import main
from oeuvre.engine.errors import InputError

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


def test_schedule_csv_and_plain_tables_for_scripts(plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(plan), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,name,dur,ES,EF,LS,LF,TF,FF,critical"
    assert lines[1] == "A,Spec,3,0,3,0,3,0,0,True"
    assert main(["schedule", str(plan)]) == 0  # not a terminal: tab-separated, no colour codes
    text = capsys.readouterr().out
    assert "A\tSpec\t3\t0\t3" in text
    assert "\x1b[" not in text


def test_the_fast_json_reader_and_the_record_reader_agree(tmp_path: Path) -> None:
    from oeuvre.engine.io import read_json

    acts = [
        {"id": "A", "duration": 3, "optimistic": 2, "pessimistic": 5, "resources": {"dev": 1}},
        {"id": "B", "duration": 2, "predecessors": [{"id": "A", "type": "SS", "lag": 1}], "name": "Build"},
        {
            "id": "C",
            "duration": 4,
            "predecessors": [{"id": "A"}, {"id": "B", "type": "FF", "lag": -1, "calendar_days": True}],
            "constraints": [{"type": "SNET", "date": "2025-01-08"}],
        },
    ]
    doc = {"start": "2025-01-06", "capacities": {"dev": 2}, "activities": acts}
    fast = read_json(json.dumps(doc))
    # A string of predecessors is not taken by the fast path: the record reader reads the file.
    slow_doc = json.loads(json.dumps(doc))
    slow_doc["activities"][2]["predecessors"] = "A; B:FF-1cd"
    slow = read_json(json.dumps(slow_doc))
    for data in (fast, slow):
        assert data.ids == ["A", "B", "C"]
        assert data.names == ["", "Build", ""]
    assert [(x.pred, x.succ, x.type, x.lag, x.calendar_days) for x in fast.links] == [
        (x.pred, x.succ, x.type, x.lag, x.calendar_days) for x in slow.links
    ]
    assert fast.three_point()[2].tolist() == slow.three_point()[2].tolist() == [5.0, 2.0, 4.0]
    assert fast.constraints == slow.constraints
    assert fast.demands() == slow.demands() == {"A": {"dev": 1}}


@pytest.mark.parametrize(
    ("activities", "field"),
    [
        ([{"id": "A", "duration": -1}], "activities[0].duration"),
        ([{"id": "A", "duration": 1.5}], "activities[0].duration"),
        ([{"id": "A", "duration": 1}, {"id": "A", "duration": 1}], "activities[1].id"),
        ([{"id": "A", "duration": 1, "predecessors": [{"id": "Z"}]}], "activities[0].predecessors"),
        (
            [{"id": "A", "duration": 1, "predecessors": [{"id": "A", "type": "XX"}]}],
            "activities[0].predecessors[0].type",
        ),
    ],
)
def test_bad_json_names_the_field(tmp_path: Path, activities: list[object], field: str) -> None:
    from oeuvre.engine.io import read_json

    with pytest.raises(InputError) as exc:
        read_json(json.dumps({"activities": activities}))
    assert exc.value.field == field


def test_the_schedule_command_does_not_load_the_compiled_kernels(plan: Path) -> None:
    code = (
        "import sys; from oeuvre.engine.cli import main; main(['schedule', sys.argv[1], '--json']); "
        "heavy = sorted(m for m in ('numba', 'ortools', 'rich', 'holidays', 'django') if m in sys.modules); "
        "sys.stderr.write(repr(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(plan)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "[]"
