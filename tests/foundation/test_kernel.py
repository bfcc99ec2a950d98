"""The kernel every stage builds on: model_update, references, private files, CLI conventions, periodic jobs."""

from __future__ import annotations

import io
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection, transaction

from oeuvre.core import cli, files, periodic
from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.core.jobs import execute_job, job_handler
from oeuvre.core.models import Job, PeriodicRun, ReferenceCounter
from oeuvre.core.references import allocate_references, format_reference, note_reference, reference_number
from oeuvre.core.services import model_update
from oeuvre.projects.models import Project
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- model_update ---------------------------------------------------------------------------------------


def test_it_updates_the_named_fields_with_history_and_version() -> None:
    project = ProjectFactory(name="Avant")
    actor = UserFactory()
    with transaction.atomic():
        fresh, changed = model_update(
            instance=project, fields={"name", "description"}, data={"name": "Après"}, actor=actor, expected_version=1
        )
    assert changed == ["name"]
    assert fresh.version == 2
    record = Project.history.filter(id=project.pk).latest("history_date")
    assert record.name == "Après"
    assert record.history_user == actor


def test_it_refuses_a_field_that_is_not_listed() -> None:
    project = ProjectFactory()
    with pytest.raises(ValidationFailed) as caught, transaction.atomic():
        model_update(instance=project, fields={"name"}, data={"code": "other"})
    assert "code" in caught.value.errors


def test_it_refuses_a_stale_version() -> None:
    project = ProjectFactory()
    with pytest.raises(StaleVersion), transaction.atomic():
        model_update(instance=project, fields={"name"}, data={"name": "x"}, expected_version=7)


def test_it_saves_nothing_when_nothing_changes() -> None:
    project = ProjectFactory(name="Même")
    before = Project.history.filter(id=project.pk).count()
    with transaction.atomic():
        fresh, changed = model_update(instance=project, fields={"name"}, data={"name": "Même"}, expected_version=1)
    assert changed == []
    assert Project.objects.get(pk=project.pk).version == 1
    assert fresh.version == 1
    assert Project.history.filter(id=project.pk).count() == before


def test_it_runs_full_clean() -> None:
    project = ProjectFactory()
    with pytest.raises(ValidationFailed) as caught, transaction.atomic():
        model_update(instance=project, fields={"name"}, data={"name": "x" * 1000})
    assert "name" in caught.value.errors
    assert Project.objects.get(pk=project.pk).version == 1


# --- references -----------------------------------------------------------------------------------------


def test_it_allocates_references_skipping_those_taken() -> None:
    project = ProjectFactory()
    other = ProjectFactory()
    taken = Project.objects.filter(code__in=[project.code, other.code])
    with transaction.atomic():
        first = allocate_references(project=project, key="t.kind", prefix="EX", digits=3, taken=taken, field="code")
        # A project whose code looks like the next reference is skipped.
        ProjectFactory(code="EX-002")
        nxt = allocate_references(
            project=project,
            key="t.kind",
            prefix="EX",
            digits=3,
            taken=Project.objects.all(),
            field="code",
            count=2,
        )
    assert first == ["EX-001"]
    assert nxt == ["EX-003", "EX-004"]
    assert ReferenceCounter.objects.get(project=project, key="t.kind").next_number == 5


def test_it_moves_the_counter_past_an_explicit_reference() -> None:
    project = ProjectFactory()
    with transaction.atomic():
        note_reference(project=project, key="t.kind", prefix="RSK", reference="RSK-041")
        note_reference(project=project, key="t.kind", prefix="RSK", reference="OTHER-900")
        refs = allocate_references(
            project=project, key="t.kind", prefix="RSK", digits=3, taken=Project.objects.none(), field="code"
        )
    assert refs == ["RSK-042"]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_allocate_outside_a_transaction() -> None:
    project = ProjectFactory()
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        allocate_references(project=project, key="k", prefix="X", digits=2, taken=Project.objects.none())


def test_it_formats_and_reads_reference_numbers() -> None:
    assert format_reference("ANO", 7, 3) == "ANO-007"
    assert reference_number("ANO-007") == 7
    assert reference_number("sans numéro") == 0


@pytest.mark.django_db(transaction=True)
def test_it_gives_different_references_to_concurrent_creations() -> None:
    """Eight threads (eight connections) allocate at once; on PostgreSQL the row lock serialises them."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; the race is PostgreSQL's")
    project = ProjectFactory()
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        from django.db import connections

        try:
            barrier.wait()
            with transaction.atomic():
                refs = allocate_references(
                    project=project, key="race", prefix="EX", digits=3, taken=Project.objects.none(), field="code"
                )
                time.sleep(0.01)  # hold the lock a little so the others really wait
            results.extend(refs)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [f"EX-{n:03d}" for n in range(1, 9)]


# --- private files --------------------------------------------------------------------------------------


def test_it_stores_private_files_under_generated_names(settings: Any, tmp_path: Any) -> None:
    settings.OEUVRE_PRIVATE_ROOT = str(tmp_path / "private")
    name = files.store_private("tests", b"%PDF-1.7", ".PDF")
    assert name.endswith(".pdf")
    assert "/" in name
    assert ".." not in name
    assert files.private_path("tests", name).read_bytes() == b"%PDF-1.7"
    for bad in ("../x", "ab/../../etc/passwd", "ab/cd.pdf", "/etc/passwd"):
        with pytest.raises(ValueError, match="bad stored file name"):
            files.private_path("tests", bad)
    # A user's suffix that is not a plain extension is dropped rather than kept on disk.
    assert "." not in files.store_private("tests", b"x", ".ph p").split("/")[1]


def test_it_sweeps_orphans_after_the_grace_period(settings: Any, tmp_path: Any) -> None:
    settings.OEUVRE_PRIVATE_ROOT = str(tmp_path / "private")
    kept = files.store_private("sweeptest", b"kept", ".txt")
    orphan = files.store_private("sweeptest", b"orphan", ".txt")
    young = files.store_private("sweeptest", b"young", ".txt")
    old = time.time() - 7200
    for name in (kept, orphan):
        os.utime(files.private_path("sweeptest", name), (old, old))
    files.register_private_area("sweeptest", lambda: [kept])
    removed = files.sweep_orphans(grace_seconds=3600)
    assert removed["sweeptest"] == 1
    assert files.private_path("sweeptest", kept).exists()
    assert not files.private_path("sweeptest", orphan).exists()
    assert files.private_path("sweeptest", young).exists()


# --- CLI conventions ------------------------------------------------------------------------------------


def test_it_picks_the_cli_language_from_the_environment() -> None:
    assert cli.cli_language({"LANGUAGE": "en_GB:en"}) == "en"
    assert cli.cli_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert cli.cli_language({"LC_ALL": "C.UTF-8"}) == "fr"
    assert cli.cli_language({}) == "fr"


def test_it_accepts_only_active_users() -> None:
    UserFactory(username="actif")
    UserFactory(username="parti", is_active=False)
    assert cli.actor_named("actif").username == "actif"
    for name in ("", "parti", "inconnu"):
        with pytest.raises(CommandError):
            cli.actor_named(name)


def test_it_writes_plain_json_and_plain_tables_off_a_terminal() -> None:
    out = io.StringIO()
    cli.print_json({"date": datetime(2026, 12, 7, tzinfo=UTC), "é": {1, 2}}, out)
    assert out.getvalue() == '{"date": "2026-12-07T00:00:00+00:00", "é": [1, 2]}\n'
    out = io.StringIO()
    cli.print_table(["a", "b"], [[1, None]], stream=out)
    assert out.getvalue() == "a\tb\n1\t\n"


# --- periodic jobs --------------------------------------------------------------------------------------


@job_handler("tests.periodic_probe")
def _probe(job: Job, progress: Any) -> dict[str, Any]:
    return {}


def test_it_queues_a_periodic_job_once_when_due(django_capture_on_commit_callbacks: Any) -> None:
    periodic.register_periodic("tests.periodic_probe", every=timedelta(days=7))
    try:
        now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
        with django_capture_on_commit_callbacks(execute=False):
            assert "tests.periodic_probe" in periodic.enqueue_due(now)
            assert "tests.periodic_probe" not in periodic.enqueue_due(now + timedelta(hours=1))
            # A worker down for three weeks queues one run, not three.
            assert "tests.periodic_probe" in periodic.enqueue_due(now + timedelta(days=21))
        row = PeriodicRun.objects.get(kind="tests.periodic_probe")
        assert row.next_run_at == now + timedelta(days=28)
        assert Job.objects.filter(kind="tests.periodic_probe").count() == 2
    finally:
        periodic._PERIODIC.pop("tests.periodic_probe", None)


# --- domain events --------------------------------------------------------------------------------------


def test_it_delivers_events_after_the_commit_only(django_capture_on_commit_callbacks: Any) -> None:
    from oeuvre.core import events

    project = ProjectFactory()
    seen: list[events.Event] = []
    events.declare_event("tests.probed", "probed")
    events.listen(seen.append)
    try:
        with pytest.raises(ValueError, match="undeclared"):
            events.emit("tests.unknown", project=project, obj=project)
        with django_capture_on_commit_callbacks(execute=True):
            events.emit("tests.probed", project=project, obj=project, reference="X-1", data={"a": 1})
        assert [(e.name, e.project_code, e.reference, e.data) for e in seen] == [
            ("tests.probed", project.code, "X-1", {"a": 1})
        ]
        # A rolled-back transaction announces nothing.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            events.emit("tests.probed", project=project, obj=project)
        assert len(callbacks) == 1
        assert len(seen) == 1
    finally:
        events._LISTENERS.remove(seen.append)
        events.EVENT_TYPES.pop("tests.probed", None)


# --- job errors -----------------------------------------------------------------------------------------


@job_handler("tests.crash")
def _crash(job: Job, progress: Any) -> dict[str, Any]:
    raise RuntimeError("password=hunter2 in /srv/secret.conf")


@job_handler("tests.refuse")
def _refuse(job: Job, progress: Any) -> dict[str, Any]:
    raise DomainError("Le fichier n'a pas de ligne d'en-tête.")


def test_it_keeps_a_crash_traceback_in_the_log_and_shows_an_error_id(caplog: Any) -> None:
    from django.test import Client

    from oeuvre.accounts.services import token_create

    user = UserFactory()
    job = Job.objects.create(kind="tests.crash", created_by=user)
    with caplog.at_level("ERROR", logger="oeuvre.core.jobs"):
        job = execute_job(job)
    assert job.status == Job.Status.FAILED
    error_id = job.result["error_id"]
    assert len(error_id) == 12
    assert error_id in job.error
    assert "hunter2" not in job.error + job.message + str(job.result)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert error_id in logged
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records), "the log keeps the cause"
    _token, raw = token_create(user=user, name="test")
    body = Client(headers={"Authorization": f"Bearer {raw}"}).get(f"/api/jobs/{job.pk}").json()
    assert error_id in body["error"]
    assert "hunter2" not in str(body)
    assert "Traceback" not in str(body)


def test_it_shows_an_expected_refusal_as_it_is() -> None:
    job = execute_job(Job.objects.create(kind="tests.refuse"))
    assert job.status == Job.Status.FAILED
    assert job.error == "Le fichier n'a pas de ligne d'en-tête."
    assert job.result == {}
