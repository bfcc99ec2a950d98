"""The demo's forge: a GitLab repository with about sixty deliveries linked to the chain, and a webhook log."""

from __future__ import annotations

from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.forge import selectors
from oeuvre.forge.models import ChainLink, EventStatus, ForgeEvent, Repository, WebhookDelivery
from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly


def test_it_builds_a_repository_whose_deliveries_realise_the_chain(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    repository = Repository.objects.get(project=project)
    events = ForgeEvent.objects.filter(repository=repository)
    assert 55 <= events.count() <= 65
    assert set(events.values_list("status", flat=True)) == {EventStatus.PROCESSED}
    links = ChainLink.objects.filter(project=project)
    assert {"requirements.exigence", "planning.task", "requirements.component", "recette.anomaly"} <= set(
        links.values_list("target_type", flat=True)
    )
    statuses = selectors.component_statuses(project)
    assert any(s.integrated for s in statuses)
    assert any(s.pipeline_failed for s in statuses)
    # "Fixes ANO-…" in merged requests delivered anomalies that were being fixed, in release R1.1 (an open
    # request naming one leaves it "en correction").
    delivered = Anomaly.objects.filter(
        project=project,
        pk__in=links.filter(target_type="recette.anomaly", fixes=True, change__state="merged").values("target_id"),
    )
    assert delivered.exists()
    assert set(delivered.values_list("status", flat=True)) == {"livree"}
    assert set(delivered.values_list("release_fixed", flat=True)) == {"R1.1"}


def test_it_has_a_webhook_with_its_delivery_log(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    deliveries = WebhookDelivery.objects.filter(project=project)
    assert deliveries.count() >= 10
    assert {"succeeded", "failed"} == set(deliveries.values_list("status", flat=True))
