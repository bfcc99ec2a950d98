"""Pages: the code on an item's page, the integration page, the home panel, the repository page."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.forge.services.events import event_process, event_receive
from tests.forge import payloads as p
from tests.forge.helpers import chain_items, repository

pytestmark = pytest.mark.django_db


def _deliver(repo: Any, kind: str, event: str, payload: dict[str, Any]) -> None:
    body = p.body_of(payload)
    received = event_receive(token=repo.hook_token, headers=p.headers(kind, event, body), body=body)
    assert received.event_id is not None
    event_process(received.event_id)


def _fed(personas: Any) -> dict[str, Any]:
    items = chain_items(personas)
    repo = repository(personas, "gitlab")
    _deliver(repo, "gitlab", "push", p.gitlab_push(["EX-001 CMP-003: écran de connexion"], branch="feature/cmp-003"))
    _deliver(
        repo,
        "gitlab",
        "merge_request",
        p.gitlab_merge_request(21, "Écran de connexion", "merged", "merge", "feature/cmp-003"),
    )
    _deliver(repo, "gitlab", "pipeline", p.gitlab_pipeline(31_100, "failed", "feature/cmp-003", "CMP-003 tests"))
    items["repository"] = repo
    return items


def test_the_exigence_page_shows_its_code_and_pipeline(personas: Any) -> None:
    items = _fed(personas)
    client = personas.client(personas.reader)
    html = client.get(f"/p/alpha/requirements/{items['exigence'].pk}/").content.decode()
    assert "forge-code-title" in html
    assert p._sha(1)[:8] in html  # the commit
    assert "#31100" not in html  # the failed pipeline names the component, not the exigence: not shown here


def test_the_component_page_shows_its_merge_request_and_failed_pipeline(personas: Any) -> None:
    items = _fed(personas)
    client = personas.client(personas.reader)
    html = client.get(f"/p/alpha/requirements/components/{items['component'].pk}/").content.decode()
    assert "!21" in html
    assert "#31100" in html
    assert "text-bg-danger" in html


def test_the_integration_page_lists_the_failing_component(personas: Any, django_assert_max_num_queries: Any) -> None:
    items = _fed(personas)
    from tests.requirements import helpers as h

    for n in range(4, 24):  # enough components that a query per row would show
        h.component(personas.project, f"CMP-{n:03d}")
    client = personas.client(personas.reader)
    with django_assert_max_num_queries(25):
        html = client.get("/p/alpha/forge/").content.decode()
    assert "CMP-003" in html
    assert "CMP-023" in html
    assert items["repository"].name in html


def test_the_home_panel_shows_the_integration_summary(personas: Any) -> None:
    _fed(personas)
    html = personas.client(personas.moa).get("/p/alpha/").content.decode()
    assert "forge-home-title" in html
    assert "#31100" in html


def test_the_repository_page_gives_the_webhook_address_and_lists_deliveries(personas: Any) -> None:
    items = _fed(personas)
    repo = items["repository"]
    html = personas.client(personas.moe).get(f"/p/alpha/forge/repositories/{repo.pk}/").content.decode()
    assert f"/api/forge/hooks/{repo.hook_token}" in html
    assert html.count("Pipeline Hook") == 1
    assert "Merge Request Hook" in html
    assert p.SECRET not in html
