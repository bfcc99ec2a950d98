"""Jobs run by a real worker with progress shown; the demo is deterministic and ships one login per role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from oeuvre.accounts.models import User
from oeuvre.core.jobs import Progress, job_enqueue, job_state
from oeuvre.core.models import Job
from oeuvre.demo.generator import DEMO_PASSWORD, MAIN_PROJECT, generate
from oeuvre.projects.models import Membership, Project

TODAY = date(2026, 11, 2)


@pytest.mark.django_db(transaction=True)
def test_it_generates_the_large_demo_in_a_job_run_by_the_worker() -> None:
    # The large demo is the scale data set, meant for PostgreSQL; generating it takes the longest of any test
    # (about 90 s), so it runs once, in the PostgreSQL pass. SQLite runs the same generator on the small demo.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the large demo runs in the PostgreSQL pass")
    with transaction.atomic():
        job = job_enqueue(kind="demo.generate", params={"size": "large", "seed": 7, "today": TODAY.isoformat()})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert Project.objects.count() == 50
    assert job.total == job.progress == 50 * (job.total // 50)
    assert job.result["projects"] == 50
    assert User.objects.filter(username__startswith="demo-").count() == 150


@pytest.mark.django_db
def test_it_shows_a_running_job_progress_in_the_page(personas: Any) -> None:
    job = Job.objects.create(kind="demo.generate", created_by=personas.moe, status=Job.Status.RUNNING)
    progress = Progress(job)
    progress.start(40, "projets")
    progress.advance(10, "demo-09: projects")
    assert job_state(job)["percent"] == 25
    client = personas.client(personas.moe)
    page = client.get(f"/jobs/{job.pk}/")
    assert "10 / 40" in page.text
    assert 'hx-trigger="every 1s"' in page.text
    partial = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert "<html" not in partial.text
    assert "10 / 40" in partial.text
    api = client.get(f"/api/jobs/{job.pk}").json()
    assert (api["progress"], api["total"], api["percent"]) == (10, 40, 25)
    # Someone outside the job's project and not its author does not see it.
    assert personas.client(personas.outsider).get(f"/jobs/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_it_records_a_failed_job_with_its_reason() -> None:
    from oeuvre.core.jobs import execute_job

    job = Job.objects.create(kind="demo.generate", params={"size": "huge"})
    execute_job(job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    # A refusal the caller caused is shown as it is (no error id), naming the sizes allowed.
    assert "large" in job.error
    assert "small" in job.error
    assert "huge" not in job.error


def _fingerprint() -> list[Any]:
    projects = list(
        Project.objects.order_by("code").values_list("code", "name", "start_date", "budget_amount", "phase")
    )
    members = list(
        Membership.objects.order_by("project__code", "user__username").values_list(
            "project__code", "user__username", "role"
        )
    )
    users = list(User.objects.order_by("username").values_list("username", "first_name", "last_name"))
    return [projects, members, users]


@pytest.mark.django_db(transaction=True)
def test_it_generates_the_same_demo_from_the_same_seed() -> None:
    # The people and the ~50 projects of the large size; each stage's own demo test covers its step.
    generate(size="large", seed=3, today=TODAY, stages=())
    first = _fingerprint()
    call_command("flush", interactive=False, verbosity=0)
    generate(size="large", seed=3, today=TODAY, stages=())
    assert _fingerprint() == first
    call_command("flush", interactive=False, verbosity=0)
    generate(size="large", seed=4, today=TODAY, stages=())
    assert _fingerprint() != first


def test_it_gives_one_demo_login_per_role_on_a_french_project(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    assert project.moa_organisation.kind == "public"
    assert project.moe_organisation.kind == "esn"
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles == {
        "moa": "moa",
        "amoa": "amoa",
        "moe": "moe",
        "amoe": "amoe",
        "exploitation": "exploitation",
        "lecteur": "reader",
    }
    assert authenticate(username="moa", password=DEMO_PASSWORD) is not None
    client = Client()
    assert client.login(username="amoe", password=DEMO_PASSWORD)
    assert "Guichet usagers" in client.get(f"/p/{MAIN_PROJECT}/").text


@pytest.mark.django_db
def test_it_refuses_to_replace_a_database_with_real_data(capsys: Any) -> None:
    from django.core.management.base import CommandError

    User.objects.create_user(username="vraie-personne", password="x" * 12)
    with pytest.raises(CommandError, match="not the demo's"):
        call_command("demo", "--no-serve")
    assert User.objects.filter(username="vraie-personne").exists()
