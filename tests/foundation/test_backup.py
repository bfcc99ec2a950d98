"""Backups: a consistent snapshot of database and files, restorable on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from oeuvre.core.backup import BackupError, backup_create, backup_restore
from oeuvre.projects.models import Project
from oeuvre.projects.services import project_update

pytestmark = pytest.mark.django_db


def _media_file(name: str, content: bytes) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_it_restores_database_history_and_files_as_they_were(personas: Any, tmp_path: Path) -> None:
    project_update(actor=personas.moe, project=personas.project, expected_version=1, name="Avant la sauvegarde")
    evidence = _media_file("recette/preuve.png", b"\x89PNG evidence")
    history_count = Project.history.count()
    archive = tmp_path / "oeuvre.tar.gz"
    manifest = backup_create(archive)
    assert manifest["objects"] > 20

    # Life goes on after the backup…
    Project.objects.filter(pk=personas.project.pk).update(name="Après")
    personas.other_project.delete()
    evidence.unlink()
    _media_file("nouveau.txt", b"later")

    backup_restore(archive)
    restored = Project.objects.get(code=personas.project.code)
    assert restored.name == "Avant la sauvegarde"
    assert Project.objects.filter(code=personas.other_project.code).exists()
    assert Project.history.count() == history_count
    assert evidence.read_bytes() == b"\x89PNG evidence"
    assert not (Path(settings.MEDIA_ROOT) / "nouveau.txt").exists()
    # Sequences follow the restored rows: new objects get fresh ids.
    new = Project.objects.create(
        code="apres",
        name="Après",
        moa_organisation=restored.moa_organisation,
        moe_organisation=restored.moe_organisation,
    )
    assert new.pk > max(p.pk for p in Project.objects.exclude(pk=new.pk))


def test_it_refuses_a_file_that_is_not_a_backup_and_changes_nothing(personas: Any, tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    with pytest.raises(BackupError, match="not a readable Œuvre backup"):
        backup_restore(bogus)
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz") as archive:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(BackupError, match="no valid manifest"):
        backup_restore(empty)
    assert Project.objects.count() == 2


def test_it_refuses_paths_that_escape_the_media_folder(personas: Any, tmp_path: Path) -> None:
    archive = tmp_path / "oeuvre.tar.gz"
    backup_create(archive)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(evil, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 4
        target.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(BackupError):
        backup_restore(evil)
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_it_asks_before_replacing_everything_from_the_command_line(
    personas: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    archive = tmp_path / "b.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(archive))
    call_command("restore", str(archive), "--yes")


def test_it_restores_a_backup_made_on_a_sqlite_demo(sqlite_demo_template: dict[str, Any], tmp_path: Path) -> None:
    """A backup written by another installation (SQLite) loads into this database, whatever its kind."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    other = tmp_path / "other"
    # The other installation: the demo (built once per run by `oeuvre demo`) in its own data folder.
    shutil.copytree(sqlite_demo_template["data_dir"] / "media", other / "media")
    shutil.copyfile(sqlite_demo_template["path"], other / "oeuvre.sqlite3")
    env["OEUVRE_DATA_DIR"] = str(other)
    archive = tmp_path / "demo.tar.gz"
    result = subprocess.run(
        [sys.executable, "-m", "oeuvre", "backup", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = backup_restore(archive)
    assert manifest["database"] == "sqlite"
    project = Project.objects.get(code="guichet-usagers")
    assert project.memberships.count() == 6
    assert project.moa_organisation.name.startswith("Communauté d'agglomération")
    # The signed PV's chain came along, with its PDFs (private uploaded files): it still proves them untouched.
    from oeuvre.recette.models import LedgerEntry
    from oeuvre.recette.services.ledger import ledger_verify

    assert LedgerEntry.objects.filter(project=project).exclude(document_sha256="").exists()
    assert ledger_verify(project) == []


def test_the_search_is_found_again_after_a_restore_its_ranking_rows_rebuilt_not_restored(
    personas: Any, tmp_path: Path
) -> None:
    import json

    from django.db import connection

    from oeuvre.requirements.services import exigence_create
    from oeuvre.web.models import SearchEntry, SearchRankRow
    from oeuvre.web.selectors import search

    exigence = exigence_create(actor=personas.amoa, project=personas.project, title="Archivage des journaux")
    archive = tmp_path / "oeuvre.tar.gz"
    backup_create(archive)
    with tarfile.open(archive) as opened:
        member = opened.extractfile("data.json")
        assert member is not None
        models = {row["model"] for row in json.loads(member.read())}
    assert "web.searchentry" in models
    assert "web.searchrankrow" not in models  # derived by PostgreSQL's trigger from the entries

    backup_restore(archive)
    assert [hit.reference for hit in search(personas.moa, "archivage")] == [exigence.reference]
    if connection.vendor == "postgresql":
        assert SearchRankRow.objects.count() == SearchEntry.objects.count() > 0
