"""The `oeuvre` command: Django's commands plus ours, with one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oeuvre.accounts.services import token_authenticate
from oeuvre.cli import main
from tests.factories import UserFactory


@pytest.mark.django_db
def test_it_creates_lists_and_revokes_tokens() -> None:
    user = UserFactory(username="ci-bot")
    out = StringIO()
    call_command("token", "create", "ci-bot", "--name", "pipeline", stdout=out)
    raw = out.getvalue().strip()
    assert token_authenticate(raw) == user
    listing = StringIO()
    call_command("token", "list", "ci-bot", stdout=listing)
    assert "pipeline" in listing.getvalue()
    assert "active" in listing.getvalue()
    prefix = raw.split("_")[1]
    call_command("token", "revoke", "ci-bot", prefix, stdout=StringIO())
    assert token_authenticate(raw) is None
    with pytest.raises(CommandError, match="unknown user 'nobody'"):
        call_command("token", "create", "nobody")


def test_it_prints_its_own_help(capsys: Any) -> None:
    assert main(["--help"]) == 0
    assert "oeuvre demo" in capsys.readouterr().out


def test_it_stops_quietly_when_the_reader_of_its_output_goes_away(tmp_path: Path) -> None:
    # `oeuvre … --json | head`: the reader closes the pipe before the command writes. The command must end
    # successfully (the reader has what it wanted), without a traceback on stderr.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    env["OEUVRE_DATA_DIR"] = str(tmp_path)
    for args in (["help"], ["engine", "evm", "--bac", "10", "--pv", "5", "--ev", "4", "--ac", "5", "--json"]):
        read_end, write_end = os.pipe()
        os.close(read_end)  # nobody will ever read: the first write fails with EPIPE
        try:
            done = subprocess.run(
                [sys.executable, "-m", "oeuvre", *args],
                env=env,
                stdout=write_end,
                stderr=subprocess.PIPE,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            os.close(write_end)
        assert "Traceback" not in done.stderr, done.stderr
        assert "BrokenPipeError" not in done.stderr, done.stderr
        assert done.returncode == 0, (args, done.returncode, done.stderr)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_it_serves_with_gunicorn_and_a_worker_that_runs_jobs(tmp_path: Path, migrated_template: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    env["OEUVRE_DATA_DIR"] = str(tmp_path)
    if "sqlite" in migrated_template:  # `serve` still migrates first, with nothing left to apply
        shutil.copyfile(migrated_template["sqlite"], tmp_path / "oeuvre.sqlite3")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "oeuvre", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        deadline = time.monotonic() + 300  # a generous bound for a loaded machine; it answers in seconds
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert '"database": "ok"' in body
        enqueue = (
            "from django.db import transaction; from oeuvre.core.jobs import job_enqueue\n"
            "with transaction.atomic(): print(job_enqueue(kind='core.prune_jobs', params={'days': 1}).pk)"
        )
        shell = [sys.executable, "-m", "oeuvre", "shell", "-c"]
        job_id = subprocess.run([*shell, enqueue], env=env, capture_output=True, text=True, check=True).stdout.split()[
            -1
        ]
        status = ""
        for _ in range(120):
            check = f"from oeuvre.core.models import Job; print(Job.objects.get(pk='{job_id}').status)"
            status = subprocess.run(
                [*shell, check], env=env, capture_output=True, text=True, check=True
            ).stdout.split()[-1]
            if status in {"done", "failed"}:
                break
            time.sleep(0.5)
        assert status == "done"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output
    assert "Booting worker" in output  # gunicorn, not runserver


def test_it_runs_the_engine_without_django_settings(capsys: Any) -> None:
    code = main(["engine", "evm", "--bac", "100", "--pv", "50", "--ev", "40", "--ac", "45", "--json"])
    assert code == 0
    out = capsys.readouterr().out
    assert json.loads(out)["spi"] == pytest.approx(0.8)
    assert main(["engine", "schedule", "/nonexistent.csv"]) == 2


@pytest.mark.django_db
def test_a_stage_command_on_an_outdated_database_says_to_migrate(personas: Any, monkeypatch: Any) -> None:
    """After an upgrade, a missing table is one line telling what to do, not a traceback."""
    from django.core.management import CommandError, call_command
    from django.db import OperationalError

    from oeuvre.core import cli
    from oeuvre.pilotage.selectors import meteo

    assert cli.pending_migrations() is False  # the test database is migrated: nothing to say

    def missing_table(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: pilotage_changerequest")

    monkeypatch.setattr(meteo, "meteo_of", missing_table)
    with pytest.raises(OperationalError):  # a database error with every migration applied stays what it is
        call_command("pilotage", "meteo", "--project", personas.project.code)
    monkeypatch.setattr(cli, "pending_migrations", lambda: True)
    with pytest.raises(CommandError, match="oeuvre migrate"):
        call_command("pilotage", "meteo", "--project", personas.project.code)
