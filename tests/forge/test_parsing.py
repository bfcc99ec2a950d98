"""The payload reader (no Django): references found in every place a forge puts text, per forge."""

from __future__ import annotations

import pytest

from oeuvre.interop import forge_hooks
from oeuvre.interop.errors import FileFormatError
from tests.forge import payloads as p


def _refs(delivery: forge_hooks.ForgeDelivery) -> dict[str, list[tuple[str, bool]]]:
    return {c.key: [(r.text, r.fixes) for r in c.references] for c in delivery.changes}


def test_it_reads_references_in_commit_messages_and_branch_names() -> None:
    body = p.body_of(
        p.gitlab_push(["EX-012 et SP-004: formulaire", "Corrige ANO-7\n\nVoir CMP-003"], branch="feature/t-045-login")
    )
    delivery = forge_hooks.parse("gitlab", "Push Hook", body)
    assert delivery.event == "push"
    first, second = delivery.changes
    assert [(r.text, r.fixes) for r in first.references] == [("EX-012", False), ("SP-004", False), ("T-045", False)]
    assert [(r.text, r.fixes) for r in second.references] == [("ANO-7", True), ("CMP-003", False), ("T-045", False)]
    assert first.branch == "feature/t-045-login"
    assert first.title == "EX-012 et SP-004: formulaire"


def test_it_reads_a_gitlab_merge_request_title_description_and_branch() -> None:
    body = p.body_of(p.gitlab_merge_request(7, "EX-001 connexion", "merged", "merge", "fix/ano-003", "Closes ANO-004"))
    (mr,) = forge_hooks.parse("gitlab", "Merge Request Hook", body).changes
    assert (mr.kind, mr.key, mr.state) == ("merge_request", "7", "merged")
    assert [(r.text, r.fixes) for r in mr.references] == [("EX-001", False), ("ANO-004", True), ("ANO-003", False)]


@pytest.mark.parametrize(
    ("merged", "action", "state"),
    [(True, "closed", "merged"), (False, "closed", "closed"), (False, "opened", "opened")],
)
def test_it_reads_the_state_of_a_pull_request(merged: bool, action: str, state: str) -> None:
    body = p.body_of(p.github_pull_request(3, "T-010 écran", action, merged, "feature/x", "fixes ano-002"))
    for kind in ("github", "gitea"):  # Gitea sends GitHub's pull request shape
        (pr,) = forge_hooks.parse(kind, "pull_request", body).changes
        assert (pr.key, pr.state) == ("3", state)
        assert [(r.text, r.fixes) for r in pr.references] == [("T-010", False), ("ANO-002", True)]


@pytest.mark.parametrize(
    ("status", "state"),
    [("success", "success"), ("failed", "failed"), ("running", "running"), ("canceled", "canceled")],
)
def test_it_reads_a_gitlab_pipeline(status: str, state: str) -> None:
    body = p.body_of(p.gitlab_pipeline(31_000, status, "feature/ex-012", "Merge branch for CMP-003"))
    (pipeline,) = forge_hooks.parse("gitlab", "Pipeline Hook", body).changes
    assert (pipeline.kind, pipeline.key, pipeline.state) == ("pipeline", "31000", state)
    assert [r.text for r in pipeline.references] == ["CMP-003", "EX-012"]
    assert pipeline.url.endswith("/pipelines/31000")


@pytest.mark.parametrize(("conclusion", "state"), [("success", "success"), ("failure", "failed"), (None, "running")])
def test_it_reads_a_github_workflow_run(conclusion: str | None, state: str) -> None:
    body = p.body_of(p.github_workflow_run(99, conclusion, "main", "EX-001 done"))
    (run,) = forge_hooks.parse("github", "workflow_run", body).changes
    assert (run.key, run.state, [r.text for r in run.references]) == ("99", state, ["EX-001"])


def test_it_ignores_what_looks_like_a_reference_but_is_not() -> None:
    refs = [r.text for r in forge_hooks.find_references("UTF-8, ISO-8601, SHA-256, RFC-7231 et CVE-2024 mais EX-3")]
    assert refs == ["EX-3"]


def test_it_gives_an_empty_delivery_for_an_event_it_does_not_read() -> None:
    assert forge_hooks.parse("github", "issues", b'{"action": "opened"}').changes == []


def test_it_names_the_line_of_a_body_that_is_not_json() -> None:
    with pytest.raises(FileFormatError) as caught:
        forge_hooks.parse("github", "push", b'{\n"ref": "main",\n oops}')
    assert caught.value.line == 3


@pytest.mark.parametrize("kind", ["gitlab", "github", "gitea"])
def test_it_verifies_each_forge_proof(kind: str) -> None:
    body = p.body_of(p.github_push(["x"]))
    good = p.headers(kind, "push", body)
    assert forge_hooks.verify(kind, p.SECRET, good, body)
    # GitLab's token does not cover the body (as GitLab documents); the HMACs of GitHub and Gitea do.
    assert forge_hooks.verify(kind, p.SECRET, good, body + b" ") is (kind == "gitlab")
    assert not forge_hooks.verify(kind, p.SECRET + "x", good, body)
    assert not forge_hooks.verify(kind, "", good, body)


def test_gitea_is_checked_on_its_own_header_first() -> None:
    body = b"{}"
    headers = p.headers("gitea", "push", body)
    headers["X-Gitea-Signature"] = "0" * 64  # a wrong Gitea signature is not rescued by a good GitHub one
    assert not forge_hooks.verify("gitea", p.SECRET, headers, body)
