"""The discussion under every domain object's page: change requests, committees, interfaces, criteria and campaigns
(the exigence, anomaly, task, risk, deliverable, PV, incident, specification, component, test case and release pages
are covered by their own tests). Each one: the thread is on the page, a comment posted through it is stored on the
object, the member it mentions is told through the worker with a link back to the page, and the feed shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from oeuvre.core.activity import project_activity
from oeuvre.core.jobs import execute_job
from oeuvre.core.models import Job
from oeuvre.web import notifications
from oeuvre.web.models import Comment, Notification
from tests.design import helpers as design
from tests.recette import testbook_helpers as testbook


def _change(personas: Any) -> tuple[Any, str]:
    from oeuvre.pilotage.services.changes import change_create

    change = change_create(
        actor=personas.moa, project=personas.project,
        data={"title": "Export comptable mensuel", "justification": "Contrôle de gestion", "origin": "moa"},
    )  # fmt: skip
    return change, f"/p/alpha/pilotage/changes/{change.pk}/"


def _committee(personas: Any) -> tuple[Any, str]:
    from oeuvre.pilotage.services.committees import committee_create

    committee = committee_create(
        actor=personas.moe, project=personas.project,
        data={"kind": "copil", "title": "COPIL n°3", "held_on": timezone.localdate()},
    )  # fmt: skip
    return committee, f"/p/alpha/pilotage/committees/{committee.pk}/"


def _interface(personas: Any) -> tuple[Any, str]:
    interface = design.interface(personas)
    return interface, f"/p/alpha/design/interfaces/{interface.pk}/"


def _criterion(personas: Any) -> tuple[Any, str]:
    criterion = design.criterion(personas)
    return criterion, f"/p/alpha/design/criteria/{criterion.pk}/"


def _campaign(personas: Any) -> tuple[Any, str]:
    campaign = testbook.campaign(personas)
    return campaign, f"/p/alpha/recette/campaigns/{campaign.pk}/"


OBJECTS: dict[str, Callable[[Any], tuple[Any, str]]] = {
    "pilotage.changerequest": _change,
    "pilotage.committee": _committee,
    "design.interface": _interface,
    "design.criterion": _criterion,
    "recette.campaign": _campaign,
}


@pytest.mark.parametrize("label", list(OBJECTS))
def test_its_page_carries_a_discussion_that_tells_the_members_mentioned(
    personas: Any, label: str, django_capture_on_commit_callbacks: Any
) -> None:
    target, page_url = OBJECTS[label](personas)
    assert target._meta.label_lower == label
    client = personas.client(personas.moe)
    page = client.get(page_url)
    assert page.status_code == 200
    thread_url = f"/p/alpha/comments/{label}/{target.pk}/"
    assert f'action="{thread_url}"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            thread_url,
            {"body": "Relu, mon **avis** — @moa à toi", "page_url": page_url},
            headers={"HX-Request": "true"},
        )
    assert posted.status_code == 200
    assert "<strong>avis</strong>" in posted.content.decode()
    [comment] = Comment.objects.filter(object_type=label, object_id=str(target.pk))
    assert [u.username for u in comment.mentions.all()] == ["moa"]
    for job in Job.objects.filter(kind=notifications.NOTIFY_JOB):
        execute_job(job)
    [told] = Notification.objects.all()
    assert (told.recipient, told.kind, told.url) == (personas.moa, "mention", page_url)

    again = client.get(page_url).content.decode()
    assert "à toi" in again  # the thread shows on the object's page
    feed = [(e.model_label, e.object_label) for e in project_activity(personas.project)]
    assert any(obj.startswith("Relu, mon **avis**") for _model, obj in feed)


def test_a_change_request_shows_in_the_activity_feed(personas: Any) -> None:
    change, _url = _change(personas)
    feed = [(e.action, e.object_label) for e in project_activity(personas.project)]
    assert ("+", str(change)) in feed
