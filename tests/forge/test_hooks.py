"""The webhook endpoint over real HTTP: each forge's proof of origin, replays, size, processing by the worker."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.core.models import Job
from oeuvre.forge.models import ChainLink, CodeChange, EventStatus, ForgeEvent, Repository
from oeuvre.recette.models import AnomalyStatus
from tests.forge import payloads as p
from tests.forge.helpers import anomaly_in_fix, chain_items, post, repository, run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)

PUSHES = {
    "gitlab": ("push", lambda: p.gitlab_push(["EX-001: formulaire de connexion", "Refactor sans référence"])),
    "github": ("push", lambda: p.github_push(["EX-001: formulaire de connexion", "Refactor sans référence"])),
    "gitea": ("push", lambda: p.gitea_push(["EX-001: formulaire de connexion", "Refactor sans référence"])),
}


@pytest.mark.parametrize("kind", ["gitlab", "github", "gitea"])
def test_it_accepts_a_signed_push_and_links_its_commits(kind: str, personas: Any, live_server: Any) -> None:
    items = chain_items(personas)
    repo = repository(personas, kind)
    event, build = PUSHES[kind]
    body = p.body_of(build())
    status, answer = post(live_server.url, repo.webhook_path, body, p.headers(kind, event, body))
    assert status == 202, answer
    stored = ForgeEvent.objects.get(pk=answer["event_id"])
    assert stored.status == EventStatus.QUEUED
    assert bytes(stored.body) == body  # the raw payload is kept for replay and audit
    run_queued_jobs()
    stored.refresh_from_db()
    assert stored.status == EventStatus.PROCESSED, stored.error
    assert CodeChange.objects.filter(repository=repo, kind="commit").count() == 2
    link = ChainLink.objects.get(project=personas.project)
    assert (link.reference, link.target_type, link.target_id) == (
        "EX-001",
        "requirements.exigence",
        items["exigence"].pk,
    )


@pytest.mark.parametrize("kind", ["gitlab", "github", "gitea"])
@pytest.mark.parametrize("proof", ["wrong", "missing"])
def test_it_refuses_a_wrong_or_missing_secret(kind: str, proof: str, personas: Any, live_server: Any) -> None:
    repo = repository(personas, kind)
    event, build = PUSHES[kind]
    body = p.body_of(build())
    headers = p.headers(kind, event, body, secret="un-autre-secret-que-celui-du-depot")
    if proof == "missing":
        for name in ("X-Gitlab-Token", "X-Hub-Signature-256", "X-Gitea-Signature"):
            headers.pop(name, None)
    status, answer = post(live_server.url, repo.webhook_path, body, headers)
    assert status == 401, answer
    assert not ForgeEvent.objects.exists()
    assert not Job.objects.exists()
    repo.refresh_from_db()
    assert repo.rejected_count == 1
    assert repo.last_rejected_at is not None


def test_it_refuses_a_body_signed_for_another_body(personas: Any, live_server: Any) -> None:
    repo = repository(personas, "github")
    body = p.body_of(p.github_push(["EX-001"]))
    tampered = body.replace(b"EX-001", b"EX-002")
    status, _answer = post(live_server.url, repo.webhook_path, tampered, p.headers("github", "push", body))
    assert status == 401


def test_it_refuses_replays_and_processes_a_delivery_once(personas: Any, live_server: Any) -> None:
    repo = repository(personas, "github")
    body = p.body_of(p.github_push(["EX-001: une fois"]))
    headers = p.headers("github", "push", body, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    first, answer = post(live_server.url, repo.webhook_path, body, headers)
    assert first == 202
    # The forge's "Redeliver" button: same delivery id, same body.
    again, replay = post(live_server.url, repo.webhook_path, body, headers)
    assert again == 409
    assert replay["event_id"] == answer["event_id"]
    # A captured delivery sent again under a new delivery id: same body, still refused.
    other, _ = post(live_server.url, repo.webhook_path, body, p.headers("github", "push", body))
    assert other == 409
    # The same delivery id with another (correctly signed) body: refused too.
    body2 = p.body_of(p.github_push(["EX-001: deux fois"]))
    third, _ = post(
        live_server.url,
        repo.webhook_path,
        body2,
        p.headers("github", "push", body2, delivery=headers["X-GitHub-Delivery"]),
    )
    assert third == 409
    assert ForgeEvent.objects.count() == 1
    assert Job.objects.filter(kind="forge.process_event").count() == 1


def test_it_refuses_an_oversized_payload(personas: Any, live_server: Any, settings: Any) -> None:
    settings.OEUVRE_FORGE_MAX_PAYLOAD = 2_000
    repo = repository(personas, "gitlab")
    body = p.body_of(p.gitlab_push([f"EX-001 commit {i} " + "x" * 200 for i in range(20)]))
    status, _ = post(live_server.url, repo.webhook_path, body, p.headers("gitlab", "push", body))
    assert status == 413
    assert not ForgeEvent.objects.exists()


def test_it_answers_404_to_an_unknown_address(personas: Any, live_server: Any) -> None:
    repository(personas, "gitlab")
    body = p.body_of(p.gitlab_push(["EX-001"]))
    status, _ = post(live_server.url, "/api/forge/hooks/not-a-token", body, p.headers("gitlab", "push", body))
    assert status == 404


def test_it_answers_a_github_ping(personas: Any, live_server: Any) -> None:
    repo = repository(personas, "github")
    body = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'
    status, answer = post(live_server.url, repo.webhook_path, body, p.headers("github", "ping", body))
    assert status == 200
    assert answer["detail"] == "pong"
    assert not ForgeEvent.objects.exists()


def test_a_merged_request_with_a_keyword_delivers_the_anomaly(personas: Any, live_server: Any) -> None:
    items = chain_items(personas)
    anomaly = anomaly_in_fix(personas, items["anomaly"])
    repo = repository(personas, "gitlab", fix_release="R1.2")
    opened = p.body_of(
        p.gitlab_merge_request(12, "Corrige la connexion", "opened", "open", "fix/login", f"Fixes {anomaly.reference}")
    )
    assert post(live_server.url, repo.webhook_path, opened, p.headers("gitlab", "merge_request", opened))[0] == 202
    run_queued_jobs()
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.EN_CORRECTION  # open: nothing delivered yet
    merged = p.body_of(
        p.gitlab_merge_request(12, "Corrige la connexion", "merged", "merge", "fix/login", f"Fixes {anomaly.reference}")
    )
    assert post(live_server.url, repo.webhook_path, merged, p.headers("gitlab", "merge_request", merged))[0] == 202
    run_queued_jobs()
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.LIVREE
    assert anomaly.release_fixed == "R1.2"
    assert anomaly.history.first().history_user == personas.moe  # moved in the name of who registered the repo
    mr = CodeChange.objects.get(repository=repo, kind="merge_request")
    assert (mr.key, mr.state) == ("12", "merged")


def test_a_merged_request_without_keyword_leaves_the_anomaly_by_default(personas: Any, live_server: Any) -> None:
    items = chain_items(personas)
    anomaly = anomaly_in_fix(personas, items["anomaly"])
    repo = repository(personas, "github")
    body = p.body_of(p.github_pull_request(5, f"{anomaly.reference} meilleur message", "closed", True, "fix/x"))
    assert post(live_server.url, repo.webhook_path, body, p.headers("github", "pull_request", body))[0] == 202
    run_queued_jobs()
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.EN_CORRECTION
    assert ChainLink.objects.filter(target_type="recette.anomaly", target_id=anomaly.pk).exists()
    # The project chooses that any reference in a merged request delivers: the replay then moves it.
    Repository.objects.filter(pk=repo.pk).update(fix_policy="reference")
    from oeuvre.forge.services.events import event_process

    event_process(ForgeEvent.objects.get().pk)
    anomaly.refresh_from_db()
    assert anomaly.status == AnomalyStatus.LIVREE
