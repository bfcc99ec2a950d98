"""Test book writes that used to skip the version and history (``QuerySet.update``) now go through the lock path."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.core.models import ActivityEvent
from oeuvre.recette import models as m
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db


def test_it_records_the_campaign_start_in_history_and_moves_its_version(personas: Any) -> None:
    case = h.make_case(personas)
    campaign = h.campaign(personas, cases=[case])
    before = m.Campaign.objects.get(pk=campaign.pk)
    assert before.status == m.CampaignStatus.PREPARATION
    services.execution_start(actor=personas.contributor, iteration=campaign.iterations.get(), test_case=case)
    after = m.Campaign.objects.get(pk=campaign.pk)
    assert after.status == m.CampaignStatus.EN_COURS
    assert after.version == before.version + 1, "an open form on the campaign must see the change"
    latest = after.history.order_by("-history_id").first()
    assert latest is not None
    assert latest.status == m.CampaignStatus.EN_COURS
    assert latest.history_user == personas.contributor


def test_it_records_each_case_moved_out_of_a_deleted_folder(personas: Any) -> None:
    root = services.folder_create(actor=personas.amoa, project=personas.project, name="Portail")
    sub = services.folder_create(actor=personas.amoa, project=personas.project, name="Connexion", parent=root)
    inner = services.folder_create(actor=personas.amoa, project=personas.project, name="SMS", parent=sub)
    case = h.make_case(personas, "A", folder=sub)
    version = m.TestCase.objects.get(pk=case.pk).version
    sub_pk = sub.pk
    services.folder_delete(actor=personas.amoa, folder=sub)
    moved = m.TestCase.objects.get(pk=case.pk)
    assert moved.folder_id == root.pk
    assert moved.version == version + 1
    assert moved.history.order_by("-history_id").first().folder_id == root.pk  # type: ignore[union-attr]
    assert m.TestFolder.objects.get(pk=inner.pk).parent_id == root.pk
    assert not m.TestFolder.objects.filter(pk=sub_pk).exists()
    deleted = m.TestFolder.history.filter(id=sub_pk, history_type="-").get()
    assert deleted.history_user == personas.amoa
    changes = ActivityEvent.objects.filter(project=personas.project, model="recette.testcase", action="~")
    assert ["folder"] in list(changes.values_list("changed_fields", flat=True))


def test_it_writes_one_summary_line_for_a_junit_import(personas: Any) -> None:
    cases = [h.make_case(personas, "Connexion"), h.make_case(personas, "Déconnexion")]
    campaign = h.campaign(personas, "Non-régression", cases=cases)
    report = h.junit_xml([("portail", f"test_{c.reference.replace('-', '_')}", "passed") for c in cases])
    before = ActivityEvent.objects.filter(project=personas.project, model="recette.execution").count()
    services.junit_import(actor=personas.moe, campaign=campaign, data=report, filename="r.xml")
    events = ActivityEvent.objects.filter(project=personas.project, model="recette.execution")
    assert events.count() == before + 1
    assert events.order_by("-pk").first().user == personas.moe  # type: ignore[union-attr]
    assert m.Campaign.objects.get(pk=campaign.pk).status == m.CampaignStatus.EN_COURS
