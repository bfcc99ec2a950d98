"""File readers: CSV and JSON formats, and their error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from oeuvre.engine import InputError, LinkType, read_csv, read_json, read_project, schedule

CSV = """id,name,duration,predecessors,optimistic,most_likely,pessimistic,resources
A,Cadrage,5,,4,5,8,moe=1
B,Spécifications,10,A,8,10,15,moe=2; amoa=1
C,Réalisation,20,B:SS+5; A,15,20,30,dev=3
D,Recette,8,C:FF+2,6,8,12,test=2
"""


def test_it_reads_the_csv_format() -> None:
    data = read_csv(CSV)
    assert [a.id for a in data.activities] == ["A", "B", "C", "D"]
    assert data.activities[1].name == "Spécifications"
    assert data.activities[1].demands == {"moe": 2, "amoa": 1}
    assert [(x.pred, x.succ, x.type, x.lag) for x in data.links] == [
        ("A", "B", LinkType.FS, 0),
        ("B", "C", LinkType.SS, 5),
        ("A", "C", LinkType.FS, 0),
        ("C", "D", LinkType.FF, 2),
    ]
    assert schedule(data.network()).finish == 5 + 5 + 20 + 2


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("id,duration,predecessors\nA,3,\nB,2,A\nC,1,Q\n", 4, "predecessors", "unknown predecessor 'Q'"),
        ("id,duration\nA,3\nB,-2\n", 3, "duration", "negative duration"),
        ("id,duration\nA,3\nB,two\n", 3, "duration", "not a number"),
        ("id,duration\nA,3\nA,2\n", 3, "id", "duplicate id"),
        ("id,duration,predecessors\nA,3,\nB,2,A:XX+1\n", 3, "predecessors", "cannot read predecessor"),
        ("id,duration,resources\nA,3,dev=x\n", 2, "resources", "whole number"),
        ("id,duration,optimistic\nA,3,5\n", 2, "optimistic", "above most likely"),
        ("id,duration\nA,3,4\n", 2, None, "values for 2 columns"),
        ("name,duration\nA,3\n", 1, None, "missing column 'id'"),
    ],
)
def test_it_names_the_line_and_field_of_bad_csv(text: str, line: int, field: str | None, words: str) -> None:
    with pytest.raises(InputError) as exc:
        read_csv(text)
    assert exc.value.line == line
    assert exc.value.field == field
    assert words in str(exc.value)


def test_it_reads_the_json_format_with_dates_and_risks() -> None:
    doc = """{
      "start": "2025-05-05",
      "calendar": {"department": "57", "closures": [["2025-08-11", "2025-08-15"]]},
      "capacities": {"dev": 2, "test": [1, 1, 0, 1]},
      "activities": [
        {"id": "A", "duration": 3, "resources": {"dev": 1}},
        {"id": "B", "duration": 2, "predecessors": "A:SS+1", "constraints": [{"type": "SNET", "date": "2025-05-12"}]},
        {"id": "C", "duration": 1, "predecessors": [{"id": "B", "type": "FF", "lag": 0}]}
      ],
      "risks": [{"name": "late data", "probability": 0.3, "delay": [1, 2, 5], "activities": ["B"]}]
    }"""
    data = read_json(doc)
    assert data.calendar is not None
    assert data.capacities == {"dev": 2, "test": [1, 1, 0, 1]}
    assert data.constraints[0].index == 4  # 5..9 May minus 8 May (holiday) -> 12 May is working day 4
    assert data.risks[0].delay == (1.0, 2.0, 5.0)
    assert schedule(data.network()).es.tolist() == [0, 4, 5]


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ('{"activities": [{"id": "A", "duration": -1}]}', "activities[0].duration"),
        ('{"activities": [{"id": "A", "duration": 1, "predecessors": "Z"}]}', "activities[0].predecessors"),
        ('{"activities": [{"id": "A", "duration": 1}], "capacities": {"dev": "x"}}', "capacities.dev"),
        ('{"activities": [{"duration": 1}]}', "activities[0].id"),
    ],
)
def test_it_names_the_field_of_bad_json(doc: str, where: str) -> None:
    with pytest.raises(InputError) as exc:
        read_json(doc)
    assert exc.value.field == where


def test_it_names_the_line_of_a_json_syntax_error() -> None:
    with pytest.raises(InputError) as exc:
        read_json('{\n "activities": [\n  {"id": "A",, "duration": 1}\n ]\n}')
    assert exc.value.line == 3


def test_it_chooses_the_reader_by_extension(tmp_path: Path) -> None:
    p = tmp_path / "plan.csv"
    p.write_text(CSV, encoding="utf-8")
    assert len(read_project(p).activities) == 4
    with pytest.raises(InputError, match="file not found"):
        read_project(tmp_path / "missing.json")


def test_resource_calendars_in_json_become_capacities_per_day() -> None:
    import json

    from oeuvre.engine import read_json

    doc = {
        "start": "2025-05-05",  # Thursday 8 May is a holiday
        "resources": {
            "alice": {"workdays": [0, 1, 2, 3], "absences": [["2025-05-12", "2025-05-13"]]},
            "team": {"units": 3, "holidays": ["2025-05-06"]},
        },
        "activities": [{"id": "A", "duration": 2, "resources": {"alice": 1}}],
    }
    data = read_json(json.dumps(doc))
    # Mon 5, Tue 6, Wed 7, Fri 9, Mon 12, Tue 13, Wed 14, Thu 15, Fri 16
    assert data.capacities["alice"][:9] == [1, 1, 1, 0, 0, 0, 1, 1, 0]
    assert data.capacities["team"][:4] == [3, 0, 3, 3]
    del doc["start"]
    with pytest.raises(InputError) as exc:
        read_json(json.dumps(doc))
    assert exc.value.field == "resources"
    doc["start"] = "2025-05-05"
    doc["resources"]["alice"]["absences"] = [["2025-05-13", "2025-05-12"]]
    with pytest.raises(InputError) as exc:
        read_json(json.dumps(doc))
    assert exc.value.field == "resources.alice.absences"
