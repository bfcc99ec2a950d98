"""Multi-project levelling: shared people, project priorities, calendars, deadlines, from the CLI too."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oeuvre.engine import (
    Activity,
    Constraint,
    ConstraintType,
    InfeasibleError,
    InputError,
    Link,
    LinkType,
    Network,
    WorkCalendar,
)
from oeuvre.engine.cli import main
from oeuvre.engine.portfolio import PortfolioProject, level_portfolio


def _erp(priority: int = 1, cal: WorkCalendar | None = None) -> PortfolioProject:
    net = Network([Activity("SFD", 2), Activity("DEV", 4)], [Link("SFD", "DEV")], calendar=cal)
    return PortfolioProject("ERP", net, {"SFD": {"alice": 1}, "DEV": {"alice": 1, "bob": 1}}, priority)


def _crm(priority: int = 1, cal: WorkCalendar | None = None) -> PortfolioProject:
    net = Network([Activity("DEV", 3), Activity("TEST", 1)], [Link("DEV", "TEST")], calendar=cal)
    return PortfolioProject("CRM", net, {"DEV": {"alice": 1}, "TEST": {"bob": 1}}, priority)


def test_the_priority_decides_who_gets_the_shared_person_first() -> None:
    first = level_portfolio([_erp(5), _crm(1)], {"alice": 1, "bob": 1}, time_limit=3, workers=1)
    assert first.finishes == {"ERP": 6, "CRM": 10}
    assert first.validation.ok
    assert first.optimal
    second = level_portfolio([_erp(1), _crm(5)], {"alice": 1, "bob": 1}, time_limit=3, workers=1)
    assert second.finishes == {"CRM": 4, "ERP": 9}
    assert second.objective == 5 * 4 + 9
    assert second.starts["CRM"] == {"DEV": 0, "TEST": 3}


def test_a_later_project_starts_at_its_own_date_on_the_shared_calendar() -> None:
    early = WorkCalendar.france(dt.date(2025, 4, 28))
    late = WorkCalendar.france(dt.date(2025, 5, 5))  # a week later (1 May is a holiday: 4 working days)
    r = level_portfolio([_erp(1, early), _crm(1, late)], {"alice": 1, "bob": 1}, time_limit=3, workers=1)
    assert r.validation.ok
    assert min(r.starts["CRM"].values()) >= 4
    with pytest.raises(InputError, match="different calendars"):
        level_portfolio(
            [_erp(1, early), _crm(1, WorkCalendar.france(dt.date(2025, 5, 5), department="57"))],
            {"alice": 1, "bob": 1},
        )


def test_deadlines_hold_across_projects() -> None:
    crm = _crm(1)
    crm = PortfolioProject(
        "CRM",
        Network(
            [Activity("DEV", 3), Activity("TEST", 1)],
            [Link("DEV", "TEST")],
            [Constraint("TEST", ConstraintType.FNLT, 4)],
        ),
        crm.demands,
    )
    r = level_portfolio([_erp(9), crm], {"alice": 1, "bob": 1}, time_limit=3, workers=1)
    assert r.finishes["CRM"] == 4  # the deadline wins over the ERP's priority
    assert r.validation.ok
    tight = PortfolioProject("ERP", Network([Activity("X", 5)], [], [Constraint("X", ConstraintType.FNLT, 2)]))
    with pytest.raises(InfeasibleError):
        level_portfolio([tight, crm], {"alice": 1, "bob": 1}, time_limit=2, workers=1)


def test_bad_portfolios_are_refused() -> None:
    with pytest.raises(InputError, match="duplicate project name"):
        level_portfolio([_erp(), _erp()], {"alice": 1, "bob": 1})
    with pytest.raises(InputError, match="priorities"):
        level_portfolio([_erp(0), _crm()], {"alice": 1, "bob": 1})
    with pytest.raises(InfeasibleError):
        level_portfolio([_erp(), _crm()], {"alice": 0, "bob": 1})


def _write(path: Path, activities: list[dict[str, object]], capacities: dict[str, int]) -> Path:
    path.write_text(json.dumps({"capacities": capacities, "activities": activities}), encoding="utf-8")
    return path


def test_the_cli_levels_several_files_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _write(
        tmp_path / "erp.json",
        [{"id": "DEV", "duration": 4, "resources": {"alice": 1}}],
        {"alice": 1},
    )
    b = _write(
        tmp_path / "crm.json",
        [{"id": "DEV", "duration": 2, "resources": {"alice": 1}}],
        {"alice": 1},
    )
    assert main(["level", str(a), str(b), "--priority", "crm=4", "--time-limit", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["finish"] == {"erp": 6, "crm": 2}
    assert out["start"]["crm"] == {"DEV": 0}
    assert out["valid"] is True
    assert main(["level", str(a), str(b), "--time-limit", "2", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "project,id,start"
    assert len(lines) == 3
    c = _write(tmp_path / "other.json", [{"id": "X", "duration": 1, "resources": {"alice": 1}}], {"alice": 2})
    assert main(["level", str(a), str(c)]) == 2
    assert "different capacities for 'alice'" in capsys.readouterr().err
    assert main(["level", str(a), str(b), "--priority", "nope=2"]) == 2
    assert "PROJECT=N" in capsys.readouterr().err


def test_the_cli_explains_an_infeasible_deadline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _write(
        tmp_path / "plan.json",
        [
            {"id": "A", "duration": 3, "resources": {"dev": 1}},
            {"id": "B", "duration": 3, "resources": {"dev": 1}, "constraints": [{"type": "FNLT", "index": 3}]},
            {"id": "C", "duration": 1, "predecessors": "A", "constraints": [{"type": "FNLT", "index": 2}]},
        ],
        {"dev": 1},
    )
    assert main(["level", str(f), "--time-limit", "2"]) == 2
    err = capsys.readouterr().err
    assert "C cannot finish by 2: its earliest finish is 4, driven by A -> C" in err
    assert main(["level", str(f), "--time-limit", "2", "--deadlines", "soft", "--penalty", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lateness"] >= 2
    assert out["warnings"]


@st.composite
def portfolios(draw: st.DrawFn) -> list[PortfolioProject]:
    projects = []
    for k in range(draw(st.integers(2, 3))):
        n = draw(st.integers(1, 5))
        acts = [Activity(f"T{i}", draw(st.integers(0, 4))) for i in range(n)]
        links = [
            Link(f"T{i}", f"T{i + 1}", draw(st.sampled_from(list(LinkType))))
            for i in range(n - 1)
            if draw(st.booleans())
        ]
        demands = {a.id: {draw(st.sampled_from(["alice", "bob"])): 1} for a in acts if draw(st.booleans())}
        projects.append(PortfolioProject(f"P{k}", Network(acts, links), demands, draw(st.integers(1, 4))))
    return projects


@settings(max_examples=25, deadline=None)
@given(portfolios())
def test_property_levelled_portfolios_pass_the_validator(projects: list[PortfolioProject]) -> None:
    r = level_portfolio(projects, {"alice": 1, "bob": 2}, time_limit=1, workers=1)
    assert r.validation.ok, r.validation.violations
    assert r.objective == sum(p.priority * r.finishes[p.name] for p in projects)
    assert r.lower_bound <= r.objective
