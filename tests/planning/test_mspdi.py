"""MS Project XML: round trips, realistic files built here, and hostile XML."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest

from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.mspdi import read_mspdi, write_mspdi
from oeuvre.interop.plandata import AssignmentData, CalendarData, LinkData, PlanData, ResourceData, TaskData

NS = "http://schemas.microsoft.com/project"


def _realistic_file() -> bytes:
    """A plan as MS Project 2016 writes it: summary tasks, calendar exceptions, lags of every kind."""
    return textwrap.dedent(
        f"""\
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Project xmlns="{NS}">
          <SaveVersion>14</SaveVersion>
          <Name>Refonte SIRH.xml</Name>
          <Title>Refonte du SIRH</Title>
          <StartDate>2026-03-02T08:00:00</StartDate>
          <CalendarUID>1</CalendarUID>
          <MinutesPerDay>420</MinutesPerDay>
          <StatusDate>2026-02-27T17:00:00</StatusDate>
          <Calendars>
            <Calendar>
              <UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
              <WeekDays>
                <WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
                <WeekDay><DayType>2</DayType><DayWorking>1</DayWorking></WeekDay>
                <WeekDay><DayType>3</DayType><DayWorking>1</DayWorking></WeekDay>
                <WeekDay><DayType>4</DayType><DayWorking>1</DayWorking></WeekDay>
                <WeekDay><DayType>5</DayType><DayWorking>1</DayWorking></WeekDay>
                <WeekDay><DayType>6</DayType><DayWorking>1</DayWorking></WeekDay>
                <WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>
              </WeekDays>
              <Exceptions>
                <Exception>
                  <EnteredByOccurrences>0</EnteredByOccurrences>
                  <TimePeriod><FromDate>2026-04-20T00:00:00</FromDate><ToDate>2026-04-24T23:59:00</ToDate></TimePeriod>
                  <Occurrences>1</Occurrences><Name>Séminaire</Name><Type>1</Type><DayWorking>0</DayWorking>
                </Exception>
              </Exceptions>
            </Calendar>
            <Calendar>
              <UID>3</UID><Name>Marie</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID>
              <WeekDays>
                <WeekDay><DayType>4</DayType><DayWorking>0</DayWorking></WeekDay>
                <WeekDay><DayType>0</DayType><DayWorking>0</DayWorking>
                  <TimePeriod><FromDate>2026-03-23T00:00:00</FromDate><ToDate>2026-03-24T23:59:00</ToDate></TimePeriod></WeekDay>
              </WeekDays>
            </Calendar>
          </Calendars>
          <Tasks>
            <Task><UID>0</UID><ID>0</ID><Name>Refonte du SIRH</Name><OutlineLevel>0</OutlineLevel>
              <Summary>1</Summary></Task>
            <Task><UID>1</UID><ID>1</ID><Name>Conception</Name><WBS>1</WBS><OutlineLevel>1</OutlineLevel><Summary>1</Summary>
              <Work>PT140H0M0S</Work></Task>
            <Task><UID>2</UID><ID>2</ID><Name>Spécifications</Name><WBS>1.1</WBS><OutlineLevel>2</OutlineLevel>
              <Start>2026-03-02T08:00:00</Start><Finish>2026-03-13T17:00:00</Finish>
              <Duration>PT70H0M0S</Duration><Work>PT70H0M0S</Work><PercentComplete>0</PercentComplete>
              <ConstraintType>0</ConstraintType>
              <Baseline><Number>0</Number><Start>2026-03-02T08:00:00</Start><Finish>2026-03-13T17:00:00</Finish>
                <Duration>PT70H0M0S</Duration><Work>PT70H0M0S</Work><Cost>420000</Cost></Baseline>
            </Task>
            <Task><UID>3</UID><ID>3</ID><Name>Revue</Name><WBS>1.2</WBS><OutlineLevel>2</OutlineLevel>
              <Duration>PT10H30M0S</Duration><Work>PT21H0M0S</Work>
              <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type><LinkLag>8400</LinkLag><LagFormat>7</LagFormat></PredecessorLink>
            </Task>
            <Task><UID>4</UID><ID>4</ID><Name>Réalisation</Name><WBS>2</WBS><OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>
            <Task><UID>5</UID><ID>5</ID><Name>Développement</Name><WBS>2.1</WBS><OutlineLevel>2</OutlineLevel>
              <Duration>PT140H0M0S</Duration><Work>PT280H0M0S</Work>
              <ConstraintType>4</ConstraintType><ConstraintDate>2026-03-23T08:00:00</ConstraintDate>
              <PredecessorLink><PredecessorUID>2</PredecessorUID><Type>3</Type><LinkLag>-4200</LinkLag><LagFormat>7</LagFormat></PredecessorLink>
              <PredecessorLink><PredecessorUID>3</PredecessorUID><Type>1</Type><LinkLag>28800</LinkLag><LagFormat>8</LagFormat></PredecessorLink>
              <ExtendedAttribute><FieldID>188743783</FieldID><Value>PT112H0M0S</Value></ExtendedAttribute>
              <ExtendedAttribute><FieldID>188743785</FieldID><Value>PT210H0M0S</Value></ExtendedAttribute>
            </Task>
            <Task><UID>6</UID><ID>6</ID><Name>Livraison</Name><WBS>2.2</WBS><OutlineLevel>2</OutlineLevel>
              <Duration>PT0H0M0S</Duration><Milestone>1</Milestone>
              <ConstraintType>7</ConstraintType><ConstraintDate>2026-05-29T17:00:00</ConstraintDate>
              <PredecessorLink><PredecessorUID>5</PredecessorUID><Type>0</Type></PredecessorLink>
              <ExtendedAttribute><FieldID>188743731</FieldID><Value>contractuel</Value></ExtendedAttribute>
            </Task>
          </Tasks>
          <Resources>
            <Resource><UID>0</UID><ID>0</ID><Name>Unassigned</Name><IsNull>0</IsNull></Resource>
            <Resource><UID>1</UID><ID>1</ID><Name>Marie Curie</Name><Type>1</Type><MaxUnits>1.00</MaxUnits>
              <StandardRate>100</StandardRate><StandardRateFormat>3</StandardRateFormat><CalendarUID>3</CalendarUID></Resource>
            <Resource><UID>2</UID><ID>2</ID><Name>Développeurs</Name><Type>1</Type><MaxUnits>3.00</MaxUnits>
              <StandardRate>80</StandardRate><IsGeneric>1</IsGeneric></Resource>
            <Resource><UID>3</UID><ID>3</ID><Name>Serveurs</Name><Type>0</Type></Resource>
          </Resources>
          <Assignments>
            <Assignment><UID>1</UID><TaskUID>2</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units><Work>PT70H0M0S</Work></Assignment>
            <Assignment><UID>2</UID><TaskUID>5</TaskUID><ResourceUID>2</ResourceUID><Units>2</Units><Work>PT280H0M0S</Work></Assignment>
            <Assignment><UID>3</UID><TaskUID>5</TaskUID><ResourceUID>-65535</ResourceUID><Units>1</Units></Assignment>
          </Assignments>
        </Project>
        """
    ).encode()


def test_it_reads_a_realistic_ms_project_file() -> None:
    plan = read_mspdi(_realistic_file(), source="sirh.xml")
    assert plan.name == "Refonte du SIRH"
    assert plan.minutes_per_day == 420
    standard = plan.calendar(None)
    assert standard is not None
    assert standard.working_days == (0, 1, 2, 3, 4)
    assert standard.exceptions == [(dt.date(2026, 4, 20), dt.date(2026, 4, 24), "Séminaire")]
    marie_calendar = plan.calendar(3)
    assert marie_calendar is not None
    assert 2 not in marie_calendar.working_days  # Wednesdays off (DayType 4)
    assert marie_calendar.exceptions == [(dt.date(2026, 3, 23), dt.date(2026, 3, 24), "")]
    tasks = {t.uid: t for t in plan.tasks}
    assert 0 not in tasks  # the project summary task
    assert tasks[1].summary
    assert tasks[4].summary
    assert tasks[2].duration_days == 10  # 70 h at 7 h a day
    assert tasks[3].duration_days == 1.5
    assert tasks[5].constraint == "SNET"
    assert tasks[5].constraint_date == dt.date(2026, 3, 23)
    assert (tasks[5].optimistic_days, tasks[5].pessimistic_days) == (16.0, 30.0)
    assert tasks[6].milestone
    assert tasks[6].contractual
    assert tasks[6].constraint == "FNLT"
    assert tasks[2].baseline_start == dt.date(2026, 3, 2)
    assert tasks[2].baseline_cost == 4200.0
    links = {(link.pred_uid, link.succ_uid): link for link in plan.links}
    assert links[(2, 3)].lag_days == 2
    assert not links[(2, 3)].lag_calendar
    assert links[(2, 5)].type == "SS"
    assert links[(2, 5)].lag_days == -1
    assert links[(3, 5)].lag_calendar
    assert links[(3, 5)].lag_days == 2
    assert links[(5, 6)].type == "FF"
    resources = {r.name: r for r in plan.resources}
    assert set(resources) == {"Marie Curie", "Développeurs"}  # no null or material resource
    assert resources["Marie Curie"].day_rate == 700  # 100 €/h × 7 h
    assert resources["Développeurs"].generic
    assert resources["Développeurs"].max_units == 3
    assert [(a.task_uid, a.resource_uid, a.units) for a in plan.assignments] == [(2, 1, 1.0), (5, 2, 2.0)]


def test_it_round_trips_every_field_it_writes() -> None:
    original = PlanData(
        name="Aller-retour",
        start=dt.date(2026, 1, 5),
        status_date=dt.date(2026, 2, 6),
        calendar_uid=1,
        calendars=[
            CalendarData(1, "Projet", (0, 1, 2, 3, 4), [(dt.date(2026, 5, 1), dt.date(2026, 5, 1), "")]),
            CalendarData(
                2, "Temps partiel", (0, 1, 2, 3), [(dt.date(2026, 3, 2), dt.date(2026, 3, 6), "")], base_uid=1
            ),
        ],
        tasks=[
            TaskData(uid=1, name="Lot A", wbs="L1", summary=True, work_days=12),
            TaskData(
                uid=2,
                name="Tâche & <spéciale>",
                outline_level=2,
                wbs="L1.1",
                code="T-001",
                duration_days=5,
                work_days=8.5,
                constraint="SNET",
                constraint_date=dt.date(2026, 1, 12),
                actual_start=dt.date(2026, 1, 12),
                percent_complete=40,
                optimistic_days=4,
                pessimistic_days=9,
                baseline_start=dt.date(2026, 1, 5),
                baseline_finish=dt.date(2026, 1, 9),
                baseline_duration_days=5,
                baseline_work_days=8,
                baseline_cost=5600,
                notes="deux\nlignes",
            ),
            TaskData(uid=3, name="Jalon", outline_level=2, code="J-01", milestone=True, contractual=True),
        ],
        links=[
            LinkData(2, 3, "FF", 2.0),
            LinkData(2, 3, "SS", 3.0, lag_calendar=True),
        ],
        resources=[
            ResourceData(1, "Ada", max_units=0.8, day_rate=650, calendar_uid=2),
            ResourceData(2, "Devs", generic=True),
        ],
        assignments=[AssignmentData(2, 1, 0.8, 4.0)],
    )
    again = read_mspdi(write_mspdi(original))
    assert again.name == original.name
    assert again.calendars[0].working_days == (0, 1, 2, 3, 4)
    assert again.calendars[1].working_days == (0, 1, 2, 3)
    assert again.calendars[1].exceptions == [(dt.date(2026, 3, 2), dt.date(2026, 3, 6), "")]
    for before, after in zip(original.tasks, again.tasks, strict=True):
        for field in (
            "uid",
            "name",
            "outline_level",
            "summary",
            "milestone",
            "contractual",
            "code",
            "duration_days",
            "work_days",
            "constraint",
            "constraint_date",
            "actual_start",
            "percent_complete",
            "optimistic_days",
            "pessimistic_days",
            "baseline_start",
            "baseline_finish",
            "baseline_duration_days",
            "baseline_work_days",
            "baseline_cost",
            "notes",
        ):
            assert getattr(after, field) == getattr(before, field), field
    assert [(link.type, link.lag_days, link.lag_calendar) for link in again.links] == [
        ("FF", 2.0, False),
        ("SS", 3.0, True),
    ]
    assert [(r.name, r.max_units, r.day_rate, r.generic, r.calendar_uid) for r in again.resources] == [
        ("Ada", 0.8, 650.0, False, 2),
        ("Devs", 1.0, 0.0, True, None),
    ]
    assert [(a.units, a.work_days) for a in again.assignments] == [(0.8, 4.0)]


HOSTILE = {
    "external entity": (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<Project xmlns="{NS}"><Name>&x;</Name></Project>'
    ),
    "network entity": (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "http://127.0.0.1:9/evil">]>'
        f'<Project xmlns="{NS}"><Name>&x;</Name></Project>'
    ),
    "entity expansion": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
        f'<Project xmlns="{NS}"><Name>&lol4;</Name></Project>'
    ),
    "external DTD": f'<?xml version="1.0"?><!DOCTYPE Project SYSTEM "http://127.0.0.1:9/x.dtd"><Project xmlns="{NS}"/>',
}


@pytest.mark.parametrize("attack", sorted(HOSTILE))
def test_it_refuses_hostile_xml_before_reading_it(attack: str) -> None:
    with pytest.raises(FileFormatError) as refused:
        read_mspdi(HOSTILE[attack].encode(), source="hostile.xml")
    assert "DTD" in str(refused.value) or "malformed" in str(refused.value)
    assert "root:" not in str(refused.value)  # /etc/passwd never reached the message


def test_it_never_resolves_an_entity_even_in_a_valid_looking_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<Project xmlns="{NS}"><Tasks><Task><UID>1</UID><Name>&x;</Name></Task></Tasks></Project>'
    ).encode()
    with pytest.raises(FileFormatError) as refused:
        read_mspdi(data)
    assert "TOP-SECRET" not in str(refused.value)


@pytest.mark.parametrize(
    ("data", "line", "field", "words"),
    [
        (b"not xml at all", 1, None, "not an XML file"),
        (b'<?xml version="1.0"?>\n<Project>\n<Tasks>\n<Task></Tasks></Project>', 4, None, "malformed"),
        (b"<?xml version='1.0'?><Plan/>", 1, None, "<Plan>"),
        (
            (
                f'<Project xmlns="{NS}">\n<Tasks>\n<Task><UID>1</UID><Name>A</Name>\n'
                "<Duration>deux jours</Duration></Task></Tasks></Project>"
            ).encode(),
            4,
            "Duration",
            "not a duration",
        ),
        (
            (
                f'<Project xmlns="{NS}"><Tasks>\n<Task><UID>2</UID><Name>B</Name>\n'
                "<PredecessorLink><PredecessorUID>9</PredecessorUID></PredecessorLink></Task></Tasks></Project>"
            ).encode(),
            3,
            "PredecessorUID",
            "not in the file",
        ),
    ],
)
def test_it_names_the_line_and_element_of_a_bad_file(data: bytes, line: int, field: str | None, words: str) -> None:
    with pytest.raises(FileFormatError) as refused:
        read_mspdi(data, source="plan.xml")
    error: Any = refused.value
    assert error.line == line
    assert error.field == field
    assert words in str(error)
    assert str(error).startswith("plan.xml, line")
