"""Imports: mapping, dry run row by row, one atomic commit, re-import by reference, round trips, jobs."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.core.errors import DomainError
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.requirements import exports, imports, jobs, services
from oeuvre.requirements.models import Exigence, ExigenceStatus, TraceLink
from tests.factories import ProjectFactory
from tests.requirements import helpers as h
from tests.requirements import reqif_samples

CDC_MAPPING = {
    "Référence": "reference",
    "Exigence / Titre": "title",
    "Exigence / Description": "text",
    "Classification / Type": "type",
    "Classification / Priorité": "priority",
    "Date de création": "extra",
}


def _source(data: bytes, name: str) -> imports.SourceFile:
    return imports.read_source(data, name)


def test_it_guesses_the_mapping_of_a_cdc_sheet() -> None:
    source = _source(h.cdc_workbook(), "cdc.xlsx")
    assert imports.suggest_mapping(source.table.columns) == CDC_MAPPING


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # The title comes through the derived "ReqIF title" column (ReqIF.Name, else ReqIF.ChapterName, else the
        # text's first sentence): the attribute it came from is not kept twice.
        (
            reqif_samples.DOORS,
            {"ReqIF.ForeignID": "reference", "ReqIF title": "title", "ReqIF.ChapterName": "", "ReqIF.Text": "text"},
        ),
        (
            reqif_samples.POLARION,
            {"ReqIF.ForeignID": "reference", "ReqIF title": "title", "ReqIF.Name": "", "ReqIF.Text": "text"},
        ),
        (
            reqif_samples.ENTERPRISE_ARCHITECT,
            {"Alias": "reference", "ReqIF title": "title", "Name": "", "Notes": "text"},
        ),
    ],
    ids=["doors", "polarion", "enterprise-architect"],
)
def test_it_maps_the_attributes_of_each_tool(sample: str, expected: dict[str, str]) -> None:
    mapping = imports.suggest_mapping(_source(sample.encode(), "export.reqif").table.columns)
    assert {k: mapping[k] for k in expected} == expected
    assert mapping["Priority"] == "priority"
    assert mapping["Created On"] == "extra"  # kept as an extra attribute


def test_it_previews_then_commits_in_one_go(personas: Any) -> None:
    project = personas.project
    source = _source(h.cdc_workbook(4), "cdc.xlsx")
    plan = imports.plan_import(project, source, CDC_MAPPING)
    assert (plan.count("create"), plan.count("error")) == (4, 0)
    assert Exigence.objects.count() == 0  # a dry run writes nothing
    imports.apply_import(actor=personas.amoa, project=project, source=source, mapping=CDC_MAPPING)
    created = Exigence.objects.get(project=project, reference="EX-001")
    assert (created.type, created.priority, created.status) == ("securite", "should", "brouillon")
    assert created.extra_attributes == {"Date de création": "2026-01-02"}
    assert created.history.first().history_user == personas.amoa
    from oeuvre.core.activity import project_activity

    imported = [e.object_label for e in project_activity(project) if e.model_label == "exigence"]
    assert imported == ["Import : 4 créées, 0 mises à jour"]  # one line in the feed for the whole import
    # The next reference the project hands out follows the imported ones.
    assert services.exigence_create(actor=personas.amoa, project=project, title="Suite").reference == "EX-005"


def test_it_names_the_row_and_column_of_each_error_and_imports_nothing(personas: Any) -> None:
    data = h.xlsx([
        ["Référence", "Titre", "Type", "Priorité", "Responsable"],
        ["EX-001", "Correcte", "Fonctionnelle", "Must", "moa"],
        ["EX-002", "", "Fonctionnelle", "Must", ""],
        ["EX-003", "Type inconnu", "Esthétique", "Must", ""],
        ["EX-004", "Priorité inconnue", "Technique", "Urgente", "inconnu"],
        ["EX-001", "Doublon", "Technique", "Could", ""],
    ])  # fmt: skip
    source = _source(data, "cdc.xlsx")
    mapping = imports.suggest_mapping(source.table.columns)
    assert mapping["Responsable"] == "owner"
    plan = imports.plan_import(personas.project, source, mapping)
    errors = {o.row: o.errors for o in plan.outcomes if o.action == "error"}
    assert sorted(errors) == [3, 4, 5, 6]
    assert errors[3][0][0] == "Titre"
    assert errors[4][0][0] == "Type"
    assert "Esthétique" in errors[4][0][1]
    assert {f for f, _m in errors[5]} == {"Priorité", "Responsable"}
    assert "EX-001" in errors[6][0][1]
    assert "2" in errors[6][0][1]
    with pytest.raises(DomainError):
        imports.apply_import(actor=personas.amoa, project=personas.project, source=source, mapping=mapping)
    assert Exigence.objects.count() == 0


def test_it_refuses_a_mapping_without_title_or_with_a_field_twice(personas: Any) -> None:
    source = _source(h.cdc_workbook(1), "cdc.xlsx")
    with pytest.raises(DomainError):
        imports.plan_import(personas.project, source, {"Référence": "reference"})
    with pytest.raises(DomainError):
        imports.plan_import(personas.project, source, {**CDC_MAPPING, "Exigence / Description": "title"})


def test_it_updates_by_reference_on_reimport(personas: Any) -> None:
    project = personas.project
    imports.apply_import(
        actor=personas.amoa, project=project, source=_source(h.cdc_workbook(2), "a.xlsx"), mapping=CDC_MAPPING
    )
    ex1 = Exigence.objects.get(project=project, reference="EX-001")
    ex1 = services.exigence_submit(actor=personas.amoa, exigence=ex1, expected_version=ex1.version)
    ex1 = services.exigence_validate(actor=personas.moa, exigence=ex1, expected_version=ex1.version)
    data = h.xlsx([
        ["Référence", "Titre", "Description"],
        ["EX-001", "Exigence importée 1", "Texte changé."],
        ["EX-002", "Exigence importée 2", "Texte de l'exigence 2."],
        ["", "Nouvelle sans référence", ""],
    ])  # fmt: skip
    source = _source(data, "b.xlsx")
    mapping = {"Référence": "reference", "Titre": "title", "Description": "text"}
    plan = imports.plan_import(project, source, mapping)
    assert [o.action for o in plan.outcomes] == ["update", "unchanged", "create"]
    imports.apply_import(actor=personas.amoa, project=project, source=source, mapping=mapping)
    ex1.refresh_from_db()
    assert (ex1.text, ex1.status) == ("Texte changé.", ExigenceStatus.MODIFIEE)  # back to the MOA
    assert Exigence.objects.filter(project=project).count() == 3
    assert Exigence.objects.get(project=project, title="Nouvelle sans référence").reference == "EX-003"


def test_it_round_trips_excel(personas: Any) -> None:
    project = personas.project
    h.exigence(project, "EX-001", title="Payer", text="**Carte** ou prélèvement.", type="securite", priority="could",
               source="§3.3", owner=personas.moa)  # fmt: skip
    h.exigence(project, "EX-002", title="=cmd|' /C calc'!A0", text="-1")
    data = exports.exigences_xlsx(project)
    target = ProjectFactory(code="copie")
    from tests.factories import MembershipFactory

    MembershipFactory(project=target, user=personas.amoa, role="amoa")
    MembershipFactory(project=target, user=personas.moa, role="moa")
    source = _source(data, "export.xlsx")
    imports.apply_import(
        actor=personas.amoa, project=target, source=source, mapping=imports.suggest_mapping(source.table.columns)
    )
    fields = ("reference", "title", "text", "type", "priority", "source", "owner_id")
    assert list(Exigence.objects.filter(project=target).order_by("number").values_list(*fields)) == list(
        Exigence.objects.filter(project=project).order_by("number").values_list(*fields)
    )


def test_it_round_trips_reqif_with_its_links(personas: Any) -> None:
    project = personas.project
    ex1 = h.exigence(project, "EX-001", title="Payer", text="Le portail accepte :\n\n- la carte\n- le prélèvement",
                     type="securite", priority="could", source="§3.3")  # fmt: skip
    ex2 = h.exigence(project, "EX-002", title="Reçu <courriel>", text="Un reçu & un courriel.")
    h.link(project, "refines", ex2, ex1)
    data = exports.exigences_reqif(project)
    target = ProjectFactory(code="copie")
    from tests.factories import MembershipFactory

    MembershipFactory(project=target, user=personas.amoa, role="amoa")
    source = _source(data, "export.reqif")
    imports.apply_import(
        actor=personas.amoa, project=target, source=source, mapping=imports.suggest_mapping(source.table.columns)
    )
    fields = ("reference", "title", "text", "type", "priority", "source")
    assert list(Exigence.objects.filter(project=target).order_by("number").values_list(*fields)) == list(
        Exigence.objects.filter(project=project).order_by("number").values_list(*fields)
    )
    link = TraceLink.objects.get(project=target)
    assert (link.kind, link.src_exigence.reference, link.dst_exigence.reference) == ("refines", "EX-002", "EX-001")
    # Re-importing the same file changes nothing.
    plan = imports.plan_import(target, source, imports.suggest_mapping(source.table.columns))
    assert plan.count("unchanged") == 2


def test_it_imports_a_doors_file_with_relations(personas: Any) -> None:
    source = _source(reqif_samples.DOORS.encode(), "cctp.reqif")
    mapping = imports.suggest_mapping(source.table.columns)
    mapping["Priority"] = "extra"  # DOORS' High/Low are not MoSCoW: keep them as attributes
    imports.apply_import(actor=personas.amoa, project=personas.project, source=source, mapping=mapping)
    first = Exigence.objects.get(project=personas.project, reference="CCTP-12")
    assert first.title == "Paiement en ligne"
    assert first.external_id == "_o1"
    assert first.extra_attributes == {"Priority": "High", "Created On": "2026-01-05"}
    assert "script" not in first.text
    assert "**doit**" in first.text
    link = TraceLink.objects.get(project=personas.project)
    assert (link.src_exigence.reference, link.dst_exigence.reference, link.comment) == ("CCTP-13", "CCTP-12", "Refines")


def test_it_runs_an_import_as_a_job(personas: Any) -> None:
    project = personas.project
    token = jobs.register_upload(project, "cdc.xlsx", h.cdc_workbook(3), None)
    info = jobs.upload_info(token)
    assert info is not None
    job = Job.objects.create(
        kind=jobs.IMPORT_JOB, project=project, created_by=personas.amoa,
        params={"stored": info["stored"], "filename": "cdc.xlsx", "mapping": CDC_MAPPING, "dry_run": True},
    )  # fmt: skip
    seen: list[tuple[int, int]] = []
    job = execute_job(job, listener=lambda done, total, _m: seen.append((done, total)))
    assert job.status == Job.Status.DONE
    assert (job.result["create"], job.result["dry_run"]) == (3, True)
    assert seen
    assert seen[-1] == (3, 3)
    bad = Job.objects.create(
        kind=jobs.IMPORT_JOB, project=project, created_by=personas.amoa,
        params={"stored": jobs.store_upload(project, "x.xlsx", b"not a zip"), "filename": "x.xlsx", "mapping": {},
                "dry_run": True},
    )  # fmt: skip
    bad = execute_job(bad)
    assert bad.status == Job.Status.FAILED
    assert "ne correspond pas" in bad.error  # translated in the actor's language (French by default)
