"""ReqIF files as DOORS, Polarion, ReqIF Studio, RMF and StrictDoc write them, imported with no hand-written mapping.

The files are those of ``../shared/interop-samples/reqif`` (see its SOURCES.md), read from there and never copied
into the project; ``OEUVRE_INTEROP_SAMPLES`` points elsewhere. Each file's counts are checked against the file
itself (its SPEC-OBJECTs, SPEC-RELATIONs), then exported again: the export validates against the ReqIF schema the
``reqif`` package ships, and re-importing it changes nothing.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from oeuvre.interop.errors import HostileFileError
from oeuvre.interop.reqif_io import (
    CHAPTER_COLUMN,
    TITLE_COLUMN,
    ReqifExportItem,
    ReqifRelation,
    read_reqif,
    relation_kind,
    short_title,
    write_reqif,
)
from oeuvre.requirements import exports, imports
from oeuvre.requirements.models import Exigence, TraceLink


def _samples() -> Path:
    """``OEUVRE_INTEROP_SAMPLES``, else ``<repo>/../shared/interop-samples`` (or one level up, from a worktree)."""
    if os.environ.get("OEUVRE_INTEROP_SAMPLES"):
        return Path(os.environ["OEUVRE_INTEROP_SAMPLES"])
    repo = Path(__file__).resolve().parents[2]
    candidates = [repo.parent / "shared" / "interop-samples", repo.parent.parent / "shared" / "interop-samples"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


SAMPLES = _samples()
REQIF = SAMPLES / "reqif"

# What each file holds that its element counts do not say: objects read as chapters, and the chapters' paths.
EXPECTED: dict[str, dict[str, Any]] = {
    "doors_02_user.reqif": {"chapters": 3, "sources": set()},  # three headings (ReqIF.ChapterName, no text)
    "doors_05_user.reqif": {"chapters": 0, "sources": {""}},  # no type definitions: attributes kept by identifier
    "implguide_TC1200.reqif": {"chapters": 0, "sources": {""}},
    "polarion_small.reqifz": {"chapters": 1, "sources": {"Section 1"}},  # Polarion's "Heading" type
    "reqif_studio_01.reqif": {"chapters": 1, "sources": {"", "...Anonymized..."}},  # objects before the heading
    "rmf_specrelation.reqif": {"chapters": 0, "sources": {""}},
    "strictdoc_tree_of_two_documents.reqif": {
        "chapters": 2,
        "sources": {"Document 1", "Document 1 > Document 1 section", "Document 2", "Document 2 > Document 2 section"},
    },
}


def _files() -> list[Any]:
    if not REQIF.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no interop samples in {REQIF}"))]
    return sorted(p.name for p in REQIF.iterdir())


def _xml_parts(path: Path) -> list[etree._Element]:
    data = path.read_bytes()
    if path.suffix == ".reqifz":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [etree.fromstring(archive.read(n)) for n in archive.namelist() if n.endswith(".reqif")]
    return [etree.fromstring(data)]


def _schema_errors(data: bytes) -> list[str]:
    """Errors of ``data`` against the ReqIF 1.2 schema shipped with the ``reqif`` package, strict validation."""
    import reqif
    import xmlschema

    root = Path(reqif.__file__).resolve().parent.parent
    old = Path.cwd()
    os.chdir(root)  # the schema imports its XHTML modules by relative paths (as ``reqif validate`` does)
    try:
        schema = xmlschema.XMLSchema(str(root / "reqif" / "reqif_schema" / "reqif.xsd"), validation="strict")
    finally:
        os.chdir(old)
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(io.BytesIO(data))]


def _import(project: Any, actor: Any, data: bytes, name: str) -> imports.ImportPlan:
    source = imports.read_source(data, name)
    mapping = imports.suggest_mapping(source.table.columns, source.table)
    return imports.apply_import(actor=actor, project=project, source=source, mapping=mapping)


@pytest.mark.parametrize("name", _files())
def test_each_tool_file_imports_without_a_mapping_and_comes_back_unchanged(name: str, personas: Any) -> None:
    path = REQIF / name
    parts = _xml_parts(path)
    objects = sum(len(p.findall(".//{*}SPEC-OBJECTS/{*}SPEC-OBJECT")) for p in parts)
    relations = sum(len(p.findall(".//{*}SPEC-RELATIONS/{*}SPEC-RELATION")) for p in parts)
    expected = EXPECTED[name]
    project, actor = personas.project, personas.amoa

    plan = _import(project, actor, path.read_bytes(), name)

    assert plan.ok
    assert plan.chapters == expected["chapters"]
    assert plan.count("create") == objects - expected["chapters"]
    imported = Exigence.objects.filter(project=project)
    assert imported.count() == objects - expected["chapters"]
    assert all(e.title.strip() for e in imported)  # a title for every requirement, from its name or its text
    assert {e.source for e in imported} == expected["sources"]
    assert len(plan.links) + len(plan.link_errors) == relations

    exported = exports.exigences_reqif(project)
    assert _schema_errors(exported) == []
    again = imports.plan_import(
        project, imports.read_source(exported, "export.reqif"), _mapping(exported)
    )  # re-importing our own export
    assert (again.count("create"), again.count("update"), again.count("error")) == (0, 0, 0)
    assert again.count("unchanged") == imported.count()
    assert again.chapters == len({c for e in imported for c in _prefixes(e.source)})


def _mapping(data: bytes) -> dict[str, str]:
    source = imports.read_source(data, "export.reqif")
    return imports.suggest_mapping(source.table.columns, source.table)


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split(" > ") if p]
    return [" > ".join(parts[: i + 1]) for i in range(len(parts))]


@pytest.mark.skipif(not REQIF.is_dir(), reason="no interop samples")
def test_reqif_studio_text_is_kept_whole_and_relations_keep_their_type(personas: Any) -> None:
    name = "reqif_studio_01.reqif"
    document = read_reqif((REQIF / name).read_bytes())
    assert document.headings == 1
    assert len(document.table.rows) == 136
    assert CHAPTER_COLUMN in document.table.columns
    assert TITLE_COLUMN in document.table.columns
    # The relation type is referenced but not defined in this file: kept by its identifier, not turned into refines.
    assert {(r.kind, r.name) for r in document.relations} == {("_gFhrYGojEeuExICsU7Acmg", "_gFhrYGojEeuExICsU7Acmg")}
    _import(personas.project, personas.amoa, (REQIF / name).read_bytes(), name)
    assert set(TraceLink.objects.filter(project=personas.project).values_list("comment", flat=True)) == {
        "_gFhrYGojEeuExICsU7Acmg"
    }


@pytest.mark.skipif(not REQIF.is_dir(), reason="no interop samples")
def test_strictdoc_documents_become_chapters_in_order(personas: Any) -> None:
    name = "strictdoc_tree_of_two_documents.reqif"
    _import(personas.project, personas.amoa, (REQIF / name).read_bytes(), name)
    rows = list(Exigence.objects.filter(project=personas.project).order_by("number").values_list("title", "source"))
    assert rows == [
        ("Document 1 free text.", "Document 1"),
        ("Document 1 statement.", "Document 1 > Document 1 section"),
        ("Document 2 free text.", "Document 2"),
        ("Document 2 statement.", "Document 2 > Document 2 section"),
    ]


@pytest.mark.skipif(not REQIF.is_dir(), reason="no interop samples")
def test_rmf_keeps_typed_values_and_an_unknown_relation_type() -> None:
    document = read_reqif((REQIF / "rmf_specrelation.reqif").read_bytes())
    records = [dict(zip(document.table.columns, r.cells, strict=True)) for r in document.table.rows]
    assert [(r["Author"], r["Age"]) for r in records] == [("Max Mustermann", 2), ("Hugo", 10)]
    assert [(r.kind, r.name) for r in document.relations] == [("SpecRelationType1", "SpecRelationType1")]


def test_a_reqifz_with_several_files_is_read_whole_with_relations_across_them() -> None:
    first = write_reqif([ReqifExportItem("_a", "A-1", "Un", "Texte un")], [], title="A", enum_values={})
    second = write_reqif(
        [ReqifExportItem("_b", "B-1", "Deux", "Texte deux", chapter="Chapitre")],
        [ReqifRelation("_b", "_a", "satisfies", "Satisfied By")],
        title="B",
        enum_values={},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.reqif", first)
        archive.writestr("sub/b.reqif", second)
    document = read_reqif(buffer.getvalue(), zipped=True)
    assert [r.cells[2] for r in document.table.rows] == ["Un", "Deux"]
    assert document.headings == 1
    assert [(r.source, r.target, r.kind, r.name) for r in document.relations] == [
        ("_b", "_a", "satisfies", "Satisfied By")
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Refines", "refines"),
        ("is refined by", "refines"),
        ("Satisfied By", "satisfies"),
        ("derived from", "derives"),
        ("Depends On", "depends"),
        ("Verifies", "verifies"),
        ("Custom Link 42", "Custom Link 42"),
    ],
)
def test_relation_type_names_are_mapped_or_kept(name: str, kind: str) -> None:
    assert relation_kind(name) == kind


def test_a_long_text_gives_a_short_title_and_is_never_refused() -> None:
    text = "Le système doit " + "permettre au guichet de traiter la demande " * 20 + ". Deuxième phrase."
    title = short_title(text)
    assert len(title) <= 120
    assert title.endswith("…")
    assert title.startswith("Le système doit permettre")
    assert short_title("Le portail accepte les paiements. Il envoie un reçu.") == "Le portail accepte les paiements"


def test_our_export_validates_against_the_schema_with_chapters_types_and_extras() -> None:
    items = [
        ReqifExportItem(
            "_a", "EX-001", "Payer", "Le **portail** accepte :\n\n- la carte\n- le prélèvement",
            enums={"Type": "securite"}, chapter="1 Paiement > 1.1 Carte",
            extras={"Age": 3, "Poids": 1.5, "Actif": True, "Auteur": "Hugo"},
        ),
        ReqifExportItem("_b", "EX-002", "Reçu", "Un reçu & un courriel.", chapter="1 Paiement"),
    ]  # fmt: skip
    data = write_reqif(
        items,
        [ReqifRelation("_b", "_a", "refines", "Refines")],
        title="CDC",
        enum_values={"Type": [("fonctionnelle", "Fonctionnelle"), ("securite", "Sécurité")]},
    )
    assert _schema_errors(data) == []
    document = read_reqif(data)
    record = dict(zip(document.table.columns, document.table.rows[0].cells, strict=True))
    assert (record["Age"], record["Poids"], record["Actif"], record["Auteur"]) == (3, 1.5, True, "Hugo")
    assert record[CHAPTER_COLUMN] == "1 Paiement > 1.1 Carte"
    assert document.headings == 2


def test_a_hostile_reqifz_member_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.reqif", write_reqif([], [], title="A", enum_values={}))
        archive.writestr(
            "evil.reqif", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><REQ-IF/>'
        )
    with pytest.raises(HostileFileError):
        read_reqif(buffer.getvalue(), zipped=True)


@pytest.mark.skipif(not REQIF.is_dir(), reason="no interop samples")
def test_the_import_page_counts_chapters_and_says_when_nothing_changes(
    personas: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client = personas.client(personas.amoa)
    name = "strictdoc_tree_of_two_documents.reqif"
    data = (REQIF / name).read_bytes()
    pages = []
    for _attempt in range(2):
        response = client.post(
            f"/p/{personas.project.code}/requirements/import/", {"file": SimpleUploadedFile(name, data)}
        )
        mapping_url = response["Location"]
        form = client.get(mapping_url).content.decode()
        assert '<option value="title" selected>' in form  # the derived title, no hand-written mapping
        source = imports.read_source(data, name)
        chosen = imports.suggest_mapping(source.table.columns, source.table)
        fields = {f"map-{i}": chosen[c] for i, c in enumerate(source.table.columns)}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(mapping_url, {**fields, "action": "dry_run"})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(mapping_url.rstrip("/") + "/commit/")
        pages.append(client.get(response["Location"]).content.decode())
    assert "4 créées" in pages[0]
    assert "2 chapitres lus dans le fichier" in pages[0]
    assert "Rien ne change : chaque exigence est déjà telle que le fichier la décrit." in pages[1]
    assert Exigence.objects.filter(project=personas.project).count() == 4
