"""Runbook steps edited and reordered after creation, with optimistic locking; dependencies keep their order."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import StaleVersion, ValidationFailed
from oeuvre.mep import runbook as svc
from oeuvre.mep.models import RunbookStep
from tests.mep.test_runbook import _runbook


def _titles(rel: Any) -> list[str]:
    return [s.title for s in RunbookStep.objects.filter(release=rel).order_by("position")]


def test_a_step_is_edited_with_its_version_checked(personas: Any) -> None:
    _rel, (first, second, third) = _runbook(personas)
    edited = svc.runbook_step_edit(
        actor=personas.moe,
        step=third,
        expected_version=third.version,
        title="Go/no-go of the night (COPIL)",
        planned_minutes=20,
        depends_on=[first.pk, second.pk],
    )
    assert (edited.title, edited.planned_minutes, edited.depends_on) == (
        "Go/no-go of the night (COPIL)",
        20,
        [first.pk, second.pk],
    )
    with pytest.raises(StaleVersion):
        svc.runbook_step_edit(actor=personas.moe, step=third, expected_version=third.version, planned_minutes=5)
    with pytest.raises(ValidationFailed) as caught:  # a step depends only on steps before it
        svc.runbook_step_edit(actor=personas.moe, step=first, expected_version=None, depends_on=[third.pk])
    assert "depends_on" in caught.value.errors
    with pytest.raises(PermissionDenied):
        svc.runbook_step_edit(actor=personas.reader, step=first, expected_version=None, title="x")
    assert RunbookStep.history.filter(id=third.pk).count() == 2


def test_steps_are_reordered_but_never_above_a_step_they_depend_on(personas: Any) -> None:
    rel, (first, second, third) = _runbook(personas)
    with pytest.raises(ValidationFailed) as caught:  # the migration depends on stopping the batches
        svc.runbook_step_move(actor=personas.moe, step=second, direction="up", expected_version=second.version)
    assert "Migrate the database" in caught.value.errors["direction"][0]
    with pytest.raises(ValidationFailed):  # the night's go/no-go waits for the migration
        svc.runbook_step_move(actor=personas.moe, step=third, direction="up", expected_version=third.version)
    third = svc.runbook_step_edit(actor=personas.moe, step=third, expected_version=third.version, depends_on=[first.pk])
    moved = svc.runbook_step_move(actor=personas.moe, step=third, direction="up", expected_version=third.version)
    assert moved.position == 2
    assert _titles(rel) == ["Stop the batches", "Go/no-go of the night", "Migrate the database"]
    with pytest.raises(StaleVersion):  # the board showed the step before it moved
        svc.runbook_step_move(actor=personas.moe, step=third, direction="down", expected_version=third.version)
    with pytest.raises(ValidationFailed):
        svc.runbook_step_move(actor=personas.moe, step=first, direction="up", expected_version=None)
    second.refresh_from_db()
    assert second.version == 2  # the step that gave way has a new version too
    assert second.position == 3


def test_the_page_and_the_api_edit_and_move_steps(personas: Any) -> None:
    rel, (first, _second, third) = _runbook(personas)
    url = f"/p/alpha/mep/releases/{rel.pk}/runbook/"
    client = personas.client(personas.moe)
    assert f"{url}steps/{third.pk}/move/" in client.get(url).content.decode()
    assert f"{url}steps/{third.pk}/move/" not in personas.client(personas.reader).get(url).content.decode()
    client.post(
        f"{url}steps/{third.pk}/edit/",
        {"title": "COPIL de la nuit", "planned_minutes": "25", "version": third.version, "depends_on": [first.pk]},
    )
    third.refresh_from_db()
    assert (third.title, third.planned_minutes, third.depends_on) == ("COPIL de la nuit", 25, [first.pk])
    client.post(f"{url}steps/{third.pk}/move/", {"direction": "up", "version": third.version})
    assert _titles(rel)[1] == "COPIL de la nuit"
    third.refresh_from_db()

    _token, raw = token_create(user=personas.moe, name="outil")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    base = f"/api/projects/alpha/mep/releases/{rel.pk}/runbook/steps/{third.pk}"
    assert api.patch(base, {"planned_minutes": 30}, content_type="application/json").status_code == 428
    done = api.patch(
        base, {"planned_minutes": 30}, content_type="application/json", headers={"If-Match": f'"{third.version}"'}
    )
    assert done.status_code == 200, done.content
    assert done.json()["planned_minutes"] == 30
    moved = api.post(
        f"{base}/move", {"direction": "down"}, content_type="application/json", headers={"If-Match": done["ETag"]}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["position"] == 3
