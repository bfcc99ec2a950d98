"""Notifications: created by the worker from the stages' events, once per event and person, in their language;
e-mailed at once or in the daily digest; read on the bell, the page and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core import mail
from django.utils import timezone

from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.recette.models import AcceptanceTimeline
from oeuvre.recette.services.anomalies import anomaly_create, anomaly_transition
from oeuvre.requirements.services import exigence_submit
from oeuvre.web import notifications
from oeuvre.web.models import EmailMode, Notification, NotificationPreference
from tests.requirements import helpers as h


def run_worker() -> list[Job]:
    """What the worker does with the queued notification jobs."""
    return [
        execute_job(job)
        for job in Job.objects.filter(kind=notifications.NOTIFY_JOB, status=Job.Status.QUEUED).order_by("created_at")
    ]


def submit(personas: Any, capture: Any, reference: str = "EX-001") -> Any:
    exigence = h.exigence(personas.project, reference, "brouillon", title="Authentification forte")
    with capture(execute=True):
        exigence_submit(actor=personas.amoa, exigence=exigence, expected_version=None)
    return exigence


def test_it_queues_a_job_and_computes_nothing_in_the_request(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    submit(personas, django_capture_on_commit_callbacks)
    assert Job.objects.filter(kind=notifications.NOTIFY_JOB, status=Job.Status.QUEUED).count() == 1
    assert not Notification.objects.exists()


def test_it_tells_the_validator_once_even_when_the_job_runs_twice(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    exigence = submit(personas, django_capture_on_commit_callbacks)
    [job] = run_worker()
    assert job.status == Job.Status.DONE
    assert job.result == {"created": 1}
    execute_job(job)  # a retried job
    found = list(Notification.objects.all())
    assert [(n.recipient, n.kind, n.reference) for n in found] == [(personas.moa, "validation", exigence.reference)]
    assert found[0].url == f"/p/{personas.project.code}/requirements/{exigence.pk}/"


def test_it_writes_the_notification_in_the_recipients_language(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    personas.moe.language = "en"
    personas.moe.save()
    with django_capture_on_commit_callbacks(execute=True):
        anomaly = anomaly_create(
            actor=personas.moa, project=personas.project, title="Écran figé", assignee=personas.moe
        )
    with django_capture_on_commit_callbacks(execute=True):
        anomaly_transition(actor=personas.moe, anomaly=anomaly, action="qualify", expected_version=None)
    run_worker()
    to_moe = Notification.objects.get(recipient=personas.moe)
    to_moa = Notification.objects.get(recipient=personas.moa)
    assert (to_moe.kind, to_moe.title) == ("assigned", "Assigned to you: Écran figé")
    assert to_moa.kind == "status"
    assert to_moa.title.startswith("Désormais « ")
    assert to_moa.title.endswith(" » : Écran figé")


def test_it_tells_nobody_who_left_the_project(personas: Any, django_capture_on_commit_callbacks: Any) -> None:
    personas.project.memberships.filter(user=personas.moa).delete()
    submit(personas, django_capture_on_commit_callbacks)
    run_worker()
    assert not Notification.objects.exists()


def _timeline_with_va_due_in(personas: Any, days: int) -> AcceptanceTimeline:
    today = timezone.localdate()
    # The VA decision is due 30 days after the MOM (CCAG-TIC): a MOM 27 days ago leaves 3 days.
    return AcceptanceTimeline.objects.create(project=personas.project, mom_on=today - dt.timedelta(days=30 - days))


def test_it_announces_an_approaching_deadline_once_per_person(personas: Any) -> None:
    _timeline_with_va_due_in(personas, 3)
    first = notifications.deadlines_notify()
    again = notifications.deadlines_notify()
    assert again == []
    recipients = {n.recipient.username for n in first}
    assert "moa" in recipients
    assert "reader" not in recipients
    assert "contributor" not in recipients
    notification = Notification.objects.get(recipient=personas.moa)
    assert notification.kind == "deadline"
    assert notification.url.endswith("/recette/timers/")


def test_it_says_nothing_of_a_deadline_far_away(personas: Any) -> None:
    _timeline_with_va_due_in(personas, 25)
    assert notifications.deadlines_notify() == []


def _prefer(user: Any, mode: str, muted: list[str] | None = None) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_mode": mode, "muted_kinds": muted or []}
    )


def test_it_mails_at_once_whoever_asked_for_it_in_their_language(
    personas: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    personas.moa.language = "en"
    personas.moa.save()
    _prefer(personas.moa, EmailMode.IMMEDIATE)
    submit(personas, django_capture_on_commit_callbacks)
    run_worker()
    [message] = mail.outbox
    assert message.to == [personas.moa.email]
    assert message.subject.startswith("Œuvre: Waits for your validation")
    assert "Here is" not in message.body
    assert "Something waits for you" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert 'lang="en"' in html
    assert "/requirements/" in html
    assert Notification.objects.get().emailed_at is not None


def test_it_sends_the_daily_digest_once(personas: Any, django_capture_on_commit_callbacks: Any, settings: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _prefer(personas.amoe, EmailMode.NONE)
    submit(personas, django_capture_on_commit_callbacks, "EX-001")
    submit(personas, django_capture_on_commit_callbacks, "EX-002")
    _timeline_with_va_due_in(personas, 2)
    run_worker()
    notifications.deadlines_notify()
    assert mail.outbox == []  # the digest is the default
    totals = notifications.digest_send()
    by_person = {m.to[0]: m for m in mail.outbox}
    assert personas.amoe.email not in by_person
    moa_mail = by_person[personas.moa.email]
    assert moa_mail.subject == "Œuvre : 3 éléments vous attendent"
    assert moa_mail.body.count("EX-00") == 2
    assert totals["people"] == len(mail.outbox)
    assert notifications.digest_send() == {"people": 0, "notifications": 0}


def test_it_leaves_out_of_the_mail_the_kinds_a_person_muted(
    personas: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _prefer(personas.moa, EmailMode.DIGEST, muted=["validation"])
    submit(personas, django_capture_on_commit_callbacks)
    run_worker()
    notifications.digest_send()
    assert personas.moa.email not in [m.to[0] for m in mail.outbox]
    assert Notification.objects.filter(recipient=personas.moa).count() == 1  # still shown in Œuvre


def test_it_sends_the_digest_from_the_command_line(
    personas: Any, django_capture_on_commit_callbacks: Any, settings: Any, monkeypatch: Any, capsys: Any
) -> None:
    from django.db import connections

    from oeuvre.cli import main

    monkeypatch.setattr(connections, "close_all", lambda: None)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    submit(personas, django_capture_on_commit_callbacks)
    run_worker()
    main(["notify", "digest", "--json"])
    assert json.loads(capsys.readouterr().out) == {"people": 1, "notifications": 1}
    assert len(mail.outbox) == 1


def _notify(user: Any, project: Any, n: int = 1) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(recipient=user, kind="mention", key=f"k{i}", project=project, title=f"Note {i}", url="/p/alpha/")
        for i in range(n)
    )


def test_it_counts_the_unread_on_the_bell_in_one_query(personas: Any, django_assert_num_queries: Any) -> None:
    _notify(personas.moe, personas.project, 3)
    client = personas.client(personas.moe)
    client.get("/notifications/bell/")  # the session and the user are loaded once
    with django_assert_num_queries(3):  # session, user, count
        response = client.get("/notifications/bell/")
    assert "3 notifications non lues" in response.content.decode()


def test_it_lists_notifications_in_a_fixed_number_of_queries(personas: Any, django_assert_num_queries: Any) -> None:
    client = personas.client(personas.moe)
    _notify(personas.moe, personas.project, 2)
    client.get("/notifications/")
    with django_assert_num_queries(5) as few:
        client.get("/notifications/")
    Notification.objects.all().delete()
    _notify(personas.moe, personas.project, 40)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/notifications/")
    assert response.content.decode().count("Note ") == 40


def test_it_marks_read_one_and_all_and_never_someone_elses(personas: Any) -> None:
    mine = _notify(personas.moe, personas.project, 2)
    [theirs] = _notify(personas.moa, personas.project, 1)
    client = personas.client(personas.moe)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    response = client.post(f"/notifications/{mine[0].pk}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/p/alpha/"
    assert notifications.unread_count(personas.moe) == 1
    client.post("/notifications/read-all/")
    assert notifications.unread_count(personas.moe) == 0
    assert notifications.unread_count(personas.moa) == 1


def test_it_saves_the_email_preferences(personas: Any) -> None:
    client = personas.client(personas.moe)
    response = client.post(
        "/notifications/preferences/", {"email_mode": "immediate", "emailed_kinds": ["mention", "signature"]}
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=personas.moe)
    assert pref.email_mode == "immediate"
    assert "mention" not in pref.muted_kinds
    assert "deadline" in pref.muted_kinds
    assert client.post("/notifications/preferences/", {"email_mode": "hourly"}).status_code == 422


def test_it_serves_my_notifications_through_the_api(personas: Any) -> None:
    from django.test import Client

    from oeuvre.accounts.services import token_create

    mine = _notify(personas.moe, personas.project, 2)
    _notify(personas.moa, personas.project, 1)
    _token, raw = token_create(user=personas.moe, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    listed = client.get("/api/notifications?unread=true").json()
    assert listed["count"] == 2
    assert {i["project"] for i in listed["items"]} == {"alpha"}
    assert client.post(f"/api/notifications/{mine[0].pk}/read").json()["read_at"] is not None
    assert client.get("/api/notifications/count").json() == {"unread": 1}
    assert client.post("/api/notifications/read-all").json() == {"marked": 1}


def test_it_tells_the_buyer_a_release_waits_for_the_go_no_go_once_it_is_ready(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from oeuvre.mep.models import ReadinessCheck, ReadinessItem, Release
    from oeuvre.mep.services import readiness_attest

    release = Release.objects.create(project=personas.project, number="1.1.0")
    for item in ReadinessItem.values:
        if item != ReadinessItem.DRY_RUN:
            ReadinessCheck.objects.create(release=release, item=item, done=True, evidence="vu")
    with django_capture_on_commit_callbacks(execute=True):
        readiness_attest(actor=personas.moe, release=release, item="dry_run", done=True, evidence="5 h 10")
    run_worker()
    [notification] = Notification.objects.all()
    assert notification.recipient == personas.moa
    assert notification.kind == "signature"
    assert notification.title == "La version 1.1.0 est prête : le go/no-go attend votre décision et votre signature"


def test_it_tells_the_person_behind_a_resource_a_task_is_theirs_once(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from decimal import Decimal

    from oeuvre.planning.models import Lot, Resource, Task
    from oeuvre.planning.services import assignment_add

    personas.amoe.language = "en"
    personas.amoe.save()
    lot = Lot.objects.create(project=personas.project, code="L1", name="Lot 1")
    task = Task.objects.create(project=personas.project, lot=lot, code="T1", name="Écrire la SFD")
    linked = Resource.objects.create(project=personas.project, name="Ingénieure AMOE", user=personas.amoe)
    profile = Resource.objects.create(project=personas.project, name="Profil développeur")  # no account
    with django_capture_on_commit_callbacks(execute=True):
        assignment_add(actor=personas.moe, task=task, resource=linked, units=Decimal(1))
        assignment_add(actor=personas.moe, task=task, resource=profile, units=Decimal(1))
    jobs = run_worker()
    for job in jobs:
        execute_job(job)  # a retried job tells nobody twice
    [notification] = Notification.objects.all()
    assert notification.recipient == personas.amoe
    assert notification.kind == "assigned"
    assert notification.title == "A task is yours: Écrire la SFD"
    assert notification.url == f"/p/{personas.project.code}/planning/tasks/{task.pk}/"


def test_it_does_not_tell_whoever_assigns_their_own_resource(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from oeuvre.planning.models import Lot, Resource, Task
    from oeuvre.planning.services import assignment_add

    lot = Lot.objects.create(project=personas.project, code="L1", name="Lot 1")
    task = Task.objects.create(project=personas.project, lot=lot, code="T1", name="Recetter")
    mine = Resource.objects.create(project=personas.project, name="Moi", user=personas.moe)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_add(actor=personas.moe, task=task, resource=mine)
    run_worker()
    assert not Notification.objects.exists()


def test_older_notifications_about_an_incident_link_to_its_page_after_the_data_migration(personas: Any) -> None:
    import importlib

    from django.apps import apps

    from oeuvre.mep.incidents import incident_create

    migration = importlib.import_module("oeuvre.web.migrations.0006_incident_notification_links")
    incident = incident_create(
        actor=personas.moa, project=personas.project, title="Portail lent", impact=3, urgency=3
    )  # fmt: skip
    stored = {
        # As the worker wrote them before incidents had a page: the list of the project's incidents.
        "old": Notification.objects.create(
            recipient=personas.moa, kind="status", key="k1", project=personas.project, object_type="mep.incident",
            object_id=str(incident.pk), title="Votre incident", url="/p/alpha/mep/incidents/",
        ),
        "new": Notification.objects.create(
            recipient=personas.moa, kind="status", key="k2", project=personas.project, object_type="mep.incident",
            object_id=str(incident.pk), title="Votre incident", url=f"/p/alpha/mep/incidents/{incident.pk}/",
        ),
        "other": Notification.objects.create(
            recipient=personas.moa, kind="status", key="k3", project=personas.project, object_type="pilotage.action",
            object_id="7", title="Action", url="/p/alpha/pilotage/actions/",
        ),
    }  # fmt: skip
    migration.link_incidents(apps, None)
    urls = {name: Notification.objects.get(pk=n.pk).url for name, n in stored.items()}
    page = f"/p/alpha/mep/incidents/{incident.pk}/"
    assert urls == {"old": page, "new": page, "other": "/p/alpha/pilotage/actions/"}
    assert personas.client(personas.moa).get(page).status_code == 200


def test_a_project_whose_code_changes_moves_the_links_of_its_notifications(personas: Any) -> None:
    from django.db import transaction

    mine = Notification.objects.create(
        recipient=personas.moa, kind="mention", key="k1", project=personas.project, title="Mention",
        url="/p/alpha/requirements/12/",
    )  # fmt: skip
    elsewhere = Notification.objects.create(
        recipient=personas.moa, kind="mention", key="k2", project=personas.other_project, title="Mention",
        url=f"/p/{personas.other_project.code}/requirements/3/",
    )  # fmt: skip
    project = personas.project
    with transaction.atomic():
        project.code = "alpha-2"
        project.save()
    mine.refresh_from_db()
    before = elsewhere.url
    elsewhere.refresh_from_db()
    assert mine.url == "/p/alpha-2/requirements/12/"
    assert elsewhere.url == before
