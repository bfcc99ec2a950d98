"""Links shown for an item and for one reference; the command line; secrets at rest; purge of payloads."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from oeuvre.forge import selectors
from oeuvre.forge.models import ForgeEvent, Repository
from oeuvre.forge.services.events import event_process, event_receive, events_purge
from tests.forge import payloads as p
from tests.forge.helpers import chain_items, repository

pytestmark = pytest.mark.django_db


def _deliver(repo: Repository, kind: str, event: str, payload: dict[str, Any]) -> ForgeEvent:
    body = p.body_of(payload)
    received = event_receive(token=repo.hook_token, headers=p.headers(kind, event, body), body=body)
    assert received.status == 202, received.detail
    assert received.event_id is not None
    return event_process(received.event_id)


def test_an_exigence_shows_its_commits_merge_requests_and_last_pipeline(personas: Any) -> None:
    items = chain_items(personas)
    repo = repository(personas, "gitlab")
    _deliver(repo, "gitlab", "push", p.gitlab_push(["EX-1: premier jet", "autre chose"], branch="feature/ex-001"))
    _deliver(
        repo, "gitlab", "merge_request", p.gitlab_merge_request(4, "Connexion", "opened", "open", "feature/ex-001")
    )
    _deliver(repo, "gitlab", "pipeline", p.gitlab_pipeline(31_001, "failed", "feature/ex-001", "autre chose"))
    code = selectors.item_code(personas.project, "requirements.exigence", items["exigence"].pk)
    assert code.commit_count == 2  # the branch name names the exigence: both commits realise it
    assert [mr.key for mr in code.merge_requests] == ["4"]
    assert code.last_pipeline is not None
    assert code.last_pipeline.state == "failed"
    _deliver(repo, "gitlab", "pipeline", p.gitlab_pipeline(31_002, "success", "feature/ex-001", "EX-001 vert"))
    code = selectors.item_code(personas.project, "requirements.exigence", items["exigence"].pk)
    assert code.last_pipeline is not None
    assert code.last_pipeline.key == "31002"


def test_a_later_delivery_updates_a_merge_request_and_an_older_one_does_not_undo_it(personas: Any) -> None:
    chain_items(personas)
    repo = repository(personas, "github")
    merged = p.github_pull_request(8, "EX-001", "closed", True, "b")
    _deliver(repo, "github", "pull_request", merged)
    stale = p.github_pull_request(8, "EX-001", "opened", False, "b")
    stale["pull_request"]["updated_at"] = "2026-11-01T00:00:00Z"
    _deliver(repo, "github", "pull_request", stale)
    (mr,) = selectors.links_for_reference(personas.project, "EX-001")
    assert (mr["kind"], mr["iid"], mr["state"]) == ("merge_request", 8, "merged")


def test_the_links_command_prints_json_for_one_reference(personas: Any) -> None:
    chain_items(personas)
    repo = repository(personas, "gitlab")
    _deliver(repo, "gitlab", "push", p.gitlab_push(["CMP-003 câblage"]))
    _deliver(repo, "gitlab", "merge_request", p.gitlab_merge_request(2, "CMP-003", "merged", "merge", "b"))
    out = StringIO()
    call_command("forge", "links", "--project", personas.project.code, "cmp-3", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {r["kind"] for r in rows} == {"commit", "merge_request"}
    commit = next(r for r in rows if r["kind"] == "commit")
    assert len(commit["sha"]) == 40
    assert commit["url"].startswith("https://gitlab.example.com/")
    assert next(r for r in rows if r["kind"] == "merge_request")["iid"] == 2


def test_the_add_command_gives_the_webhook_address(personas: Any) -> None:
    out = StringIO()
    call_command(
        "forge", "add", "--project", "alpha", "--kind", "gitea", "--name", "moe/app",
        "--secret", p.SECRET, "--user", "amoe", "--json", stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    repo = Repository.objects.get(pk=data["id"])
    assert data["webhook_url"] == f"/api/forge/hooks/{repo.hook_token}"
    assert p.SECRET not in repo.secret_encrypted  # encrypted at rest
    with pytest.raises(CommandError, match="role"):
        call_command(
            "forge",
            "add",
            "--project",
            "alpha",
            "--kind",
            "gitea",
            "--name",
            "x",
            "--secret",
            p.SECRET,
            "--user",
            "reader",
        )
    with pytest.raises(CommandError, match="secret"):
        call_command(
            "forge", "add", "--project", "alpha", "--kind", "gitea", "--name", "y", "--secret", "court", "--user", "moe"
        )


def test_the_replay_command_processes_a_delivery_again(personas: Any) -> None:
    repo = repository(personas, "gitlab")
    event = _deliver(repo, "gitlab", "push", p.gitlab_push(["EX-001 avant que l'exigence existe"]))
    assert re.search(r"\b0 (link|lien)\b", event.summary), event.summary  # worded in the worker's language
    chain_items(personas)  # the exigence is created afterwards: a replay links the commit
    out = StringIO()
    call_command("forge", "replay", str(event.pk), "--user", "moe", "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "processed"
    assert len(selectors.links_for_reference(personas.project, "EX-001")) == 1


def test_it_purges_payloads_after_the_retention_period(personas: Any) -> None:
    repo = repository(personas, "gitlab", retention_days=30)
    old = _deliver(repo, "gitlab", "push", p.gitlab_push(["vieux"]))
    recent = _deliver(repo, "gitlab", "push", p.gitlab_push(["récent"], first=50))
    ForgeEvent.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    assert events_purge() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.purged
    assert bytes(old.body) == b""
    assert not recent.purged
    assert bytes(recent.body)
