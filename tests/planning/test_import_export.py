"""Importing plans into a project and exporting them back: MSPDI, the workbook, .mpp, iCalendar."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import icalendar
import openpyxl
import pytest

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.interop import mpp
from oeuvre.interop.mspdi import read_mspdi
from oeuvre.planning import exporting
from oeuvre.planning.importing import import_plan_file
from oeuvre.planning.models import Absence, Baseline, Dependency, Lot, Plan, Resource, Task
from oeuvre.projects.models import Closure
from tests.planning.test_mspdi import _realistic_file

pytestmark = pytest.mark.django_db


def _start(project: Any) -> None:
    project.start_date = dt.date(2026, 3, 2)
    project.save()
    Plan.objects.update_or_create(project=project, defaults={"status_date": dt.date(2026, 2, 27)})


def test_it_imports_an_ms_project_file_into_lots_tasks_resources_and_a_baseline(personas: Any) -> None:
    project = personas.project
    _start(project)
    summary = import_plan_file(actor=personas.moe, project=project, filename="sirh.xml", data=_realistic_file())
    assert (summary["lots"], summary["tasks"], summary["milestones"]) == (2, 3, 1)
    assert summary["dependencies"] == 4
    assert summary["resources"] == 2
    assert summary["assignments"] == 2
    lots = {lot.name: lot for lot in Lot.objects.filter(project=project)}
    assert set(lots) == {"Conception", "Réalisation"}
    assert lots["Conception"].budget_effort == Decimal(20)  # 140 h at 7 h a day
    tasks = {t.name: t for t in Task.objects.filter(project=project)}
    assert tasks["Spécifications"].lot == lots["Conception"]
    assert tasks["Revue"].duration == 2  # 1.5 days round up to whole working days
    assert (tasks["Développement"].optimistic_duration, tasks["Développement"].pessimistic_duration) == (16, 30)
    assert tasks["Développement"].constraint_type == "SNET"
    livraison = tasks["Livraison"]
    assert livraison.kind == "milestone"
    assert livraison.milestone_type == "contractual"
    assert (livraison.constraint_type, livraison.constraint_date) == ("FNLT", dt.date(2026, 5, 29))
    link = Dependency.objects.get(predecessor=tasks["Revue"], successor=tasks["Développement"])
    assert (link.type, link.lag, link.lag_calendar_days) == ("FS", 2, True)
    marie = Resource.objects.get(project=project, name="Marie Curie")
    assert marie.tjm == Decimal(700)
    assert marie.working_days == [0, 1, 3, 4]
    assert list(Absence.objects.filter(resource=marie).values_list("start", "end")) == [
        (dt.date(2026, 3, 23), dt.date(2026, 3, 24))
    ]
    assert Resource.objects.get(project=project, name="Développeurs").kind == "profile"
    # The project calendar gained the file's non-working week (not a public holiday).
    assert Closure.objects.filter(project=project, start=dt.date(2026, 4, 20), end=dt.date(2026, 4, 24)).exists()
    plan = Plan.objects.get(project=project)
    baseline = Baseline.objects.get(project=project)
    assert plan.baseline == baseline
    row = baseline.tasks.get(task=tasks["Spécifications"])
    assert (row.start, row.finish, row.cost) == (dt.date(2026, 3, 2), dt.date(2026, 3, 13), Decimal(4200))
    # Scheduled on import: the specification starts on the project's first day.
    assert tasks["Spécifications"].early_start == dt.date(2026, 3, 2)


def test_it_exports_the_plan_to_ms_project_and_back_unchanged(personas: Any) -> None:
    project = personas.project
    _start(project)
    import_plan_file(actor=personas.moe, project=project, filename="sirh.xml", data=_realistic_file())
    exported = exporting.export_mspdi(project)
    other = personas.other_project
    _start(other)
    import_plan_file(actor=personas.outsider, project=other, filename="again.xml", data=exported)

    def shape(p: Any) -> dict[str, Any]:
        return {
            "lots": sorted(Lot.objects.filter(project=p).values_list("name", "budget_effort")),
            "tasks": sorted(
                Task.objects.filter(project=p).values_list(
                    "code",
                    "name",
                    "lot__name",
                    "kind",
                    "milestone_type",
                    "duration",
                    "effort",
                    "constraint_type",
                    "constraint_date",
                    "optimistic_duration",
                    "pessimistic_duration",
                    "early_start",
                    "early_finish",
                )
            ),
            "links": sorted(
                Dependency.objects.filter(project=p).values_list(
                    "predecessor__code", "successor__code", "type", "lag", "lag_calendar_days"
                )
            ),
            "resources": sorted(Resource.objects.filter(project=p).values_list("name", "kind", "tjm", "capacity")),
            "baseline": sorted(
                Baseline.objects.get(project=p).tasks.values_list("code", "start", "finish", "effort", "cost")
            ),
        }

    assert shape(other) == shape(project)


def test_it_refuses_a_file_with_a_loop_and_writes_nothing(personas: Any) -> None:
    project = personas.project
    _start(project)
    data = _realistic_file().replace(
        b"<UID>2</UID><ID>2</ID><Name>Sp\xc3\xa9cifications</Name>",
        b"<UID>2</UID><ID>2</ID><Name>Sp\xc3\xa9cifications</Name>"
        b"<PredecessorLink><PredecessorUID>6</PredecessorUID><Type>1</Type></PredecessorLink>",
    )
    with pytest.raises(DomainError) as refused:
        import_plan_file(actor=personas.moe, project=project, filename="loop.xml", data=data)
    assert all(code in str(refused.value) for code in ("T-001", "T-002", "T-003", "J-01"))
    assert not Task.objects.filter(project=project).exists()
    assert not Lot.objects.filter(project=project).exists()


def test_it_reports_a_bad_file_with_its_line(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        import_plan_file(actor=personas.moe, project=personas.project, filename="x.xml", data=b"<Project><Tasks>")
    assert "x.xml, ligne 1 : Le XML est mal formé" in refused.value.errors["file"][0]
    bad_duration = (
        b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks>\n'
        b"<Task><UID>1</UID><Name>A</Name>\n<Duration>trois jours</Duration></Task></Tasks></Project>"
    )
    with pytest.raises(ValidationFailed) as refused:
        import_plan_file(actor=personas.moe, project=personas.project, filename="y.xml", data=bad_duration)
    assert refused.value.errors["file"] == ["y.xml, ligne 3, champ « Duration » : « trois jours » n'est pas une durée."]


def test_it_says_in_french_what_is_missing_for_mpp_files(personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpp.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ValidationFailed) as refused:
        import_plan_file(actor=personas.moe, project=personas.project, filename="plan.mpp", data=b"\xd0\xcf")
    assert "demande le paquet optionnel MPXJ" in refused.value.errors["file"][0]


def test_it_refuses_to_import_over_a_plan_unless_asked(personas: Any) -> None:
    project = personas.project
    _start(project)
    import_plan_file(actor=personas.moe, project=project, filename="a.xml", data=_realistic_file())
    with pytest.raises(DomainError):
        import_plan_file(actor=personas.moe, project=project, filename="a.xml", data=_realistic_file())
    import_plan_file(actor=personas.moe, project=project, filename="a.xml", data=_realistic_file(), replace=True)
    assert Task.objects.filter(project=project).count() == 4


def test_it_exports_a_workbook_that_imports_back(personas: Any) -> None:
    project = personas.project
    _start(project)
    import_plan_file(actor=personas.moe, project=project, filename="sirh.xml", data=_realistic_file())
    data = exporting.export_xlsx(project)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Code", "Type", "Niveau", "Nom"]  # the user's language (French by default)
    rows = {row[3]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    development = rows["Développement"]
    assert development[header.index("Prédécesseurs")] == "T-001:SS-1; T-002:FS+2cd"
    assert development[header.index("Ressources")] == "Développeurs=2"
    other = personas.other_project
    _start(other)
    import_plan_file(actor=personas.outsider, project=other, filename="plan.xlsx", data=data)
    assert sorted(Task.objects.filter(project=other).values_list("code", "duration", "constraint_type")) == sorted(
        Task.objects.filter(project=project).values_list("code", "duration", "constraint_type")
    )
    assert sorted(Dependency.objects.filter(project=other).values_list("type", "lag", "lag_calendar_days")) == sorted(
        Dependency.objects.filter(project=project).values_list("type", "lag", "lag_calendar_days")
    )


def test_it_exports_milestones_as_an_icalendar_feed(personas: Any) -> None:
    project = personas.project
    _start(project)
    import_plan_file(actor=personas.moe, project=project, filename="sirh.xml", data=_realistic_file())
    calendar = icalendar.Calendar.from_ical(exporting.export_ics(project))
    events = list(calendar.walk("VEVENT"))
    milestone = Task.objects.get(project=project, kind="milestone")
    assert len(events) == 1
    event = events[0]
    assert event["UID"] == f"task-{milestone.pk}@{project.code}.oeuvre"
    assert event.decoded("DTSTART") == milestone.early_finish
    assert event.decoded("DTEND") == milestone.early_finish + dt.timedelta(days=1)
    assert "Livraison" in str(event["SUMMARY"])
    # The UID is stable: a second export updates the same event in Outlook or Thunderbird.
    again = icalendar.Calendar.from_ical(exporting.export_ics(project))
    assert [e["UID"] for e in again.walk("VEVENT")] == [event["UID"]]


def test_it_says_what_is_missing_for_mpp_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mpp.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(mpp.MppUnavailable) as missing:
        mpp.read_mpp("plan.mpp")
    assert "oeuvre[mpp]" in str(missing.value)
    assert "XML" in str(missing.value)


def test_it_says_when_java_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lib = tmp_path / "mpxj" / "lib"
    lib.mkdir(parents=True)
    (lib / "mpxj.jar").write_bytes(b"")
    monkeypatch.setattr(mpp, "_mpxj_lib", lambda: lib)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(mpp.shutil, "which", lambda name: None)
    assert "Java" in (mpp.mpp_support() or "")


@pytest.mark.skipif(mpp.mpp_support() is not None, reason="MPXJ (the mpp extra) or Java is not installed")
def test_it_reads_other_schedulers_files_through_mpxj(personas: Any, tmp_path: Path) -> None:
    """MPXJ converts its input to MS Project XML; an MPX file written by MPXJ itself proves the path."""
    import subprocess

    source = tmp_path / "plan.xml"
    source.write_bytes(_realistic_file())
    converted = tmp_path / "plan.mpx"
    lib = mpp._mpxj_lib()
    subprocess.run(
        [
            shutil.which("java") or "java",
            "-cp",
            str(lib / "*"),
            "org.mpxj.sample.MpxjConvert",
            str(source),
            str(converted),
        ],
        check=True,
        capture_output=True,
    )
    plan = mpp.read_mpp(converted)
    assert {t.name for t in plan.tasks} >= {"Spécifications", "Revue", "Développement", "Livraison"}
    assert read_mspdi(_realistic_file()).tasks[1].duration_days == 10
