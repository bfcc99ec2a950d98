"""Test book services: numbering, revisions, steps, coverage, campaigns, executions and their permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from oeuvre.core.errors import DomainError, StaleVersion, ValidationFailed
from oeuvre.recette import models as m
from oeuvre.recette.selectors import testbook as selectors
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h
from tests.requirements import helpers as req

pytestmark = pytest.mark.django_db


def test_it_numbers_test_cases_from_the_settings(personas: Any) -> None:
    first = h.make_case(personas)
    m.RecetteSettings.objects.filter(project=personas.project).update(test_case_prefix="TC", reference_digits=4)
    second = h.make_case(personas, "Déconnexion")
    explicit = h.make_case(personas, "Mot de passe oublié", reference="TC-0010")
    after = h.make_case(personas, "Changement de mot de passe")
    assert [first.reference, second.reference, explicit.reference, after.reference] == [
        "CT-001", "TC-0002", "TC-0010", "TC-0011",
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        h.make_case(personas, "Doublon", reference="TC-0010")
    assert "reference" in caught.value.errors


def test_it_freezes_a_revision_on_each_content_change_only(personas: Any) -> None:
    case = h.make_case(personas)
    assert case.revision == 1
    assert m.TestCaseRevision.objects.get(test_case=case, revision=1).content["steps"][2]["action"] == "Valider"
    case = services.test_case_update(
        actor=personas.amoa, test_case=case, expected_version=case.version, priority="haute"
    )
    assert case.revision == 1, "priority is not content"
    steps = [*h.STEPS[:2], {"action": "Cliquer sur « Se connecter »", "expected": "Le tableau de bord s'affiche"}]
    case = services.test_case_set_steps(actor=personas.amoa, test_case=case, expected_version=case.version, steps=steps)
    assert case.revision == 2
    assert m.TestStep.objects.get(test_case=case, position=3).action == "Cliquer sur « Se connecter »"
    old, new = m.TestCaseRevision.objects.filter(test_case=case).order_by("revision")
    assert old.content["steps"][2]["action"] == "Valider"
    assert new.content["steps"][2]["action"] == "Cliquer sur « Se connecter »"
    case = services.test_case_update(
        actor=personas.amoa, test_case=case, expected_version=case.version, preconditions="Compte actif"
    )
    assert case.revision == 3


def test_it_refuses_a_stale_edit_and_writes_nothing(personas: Any) -> None:
    case = h.make_case(personas)
    services.test_case_update(actor=personas.amoa, test_case=case, expected_version=case.version, title="Autre")
    with pytest.raises(StaleVersion):
        services.test_case_update(actor=personas.moe, test_case=case, expected_version=case.version, title="Perdu")
    case.refresh_from_db()
    assert case.title == "Autre"


def test_it_names_the_step_that_is_incomplete(personas: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        h.make_case(personas, steps=[h.STEPS[0], {"action": "Valider", "expected": ""}])
    assert "steps.2.expected" in caught.value.errors
    assert not m.TestCase.objects.exists()


def test_it_covers_only_exigences_of_the_same_project(personas: Any) -> None:
    mine = h.exigence(personas)
    theirs = req.exigence(personas.other_project, "EX-009")
    case = h.make_case(personas, exigences=[mine])
    assert list(case.exigences.all()) == [mine]
    with pytest.raises(ValidationFailed):
        services.test_case_set_exigences(
            actor=personas.amoa, test_case=case, expected_version=case.version, exigences=[theirs]
        )


def test_it_refuses_the_test_book_to_a_reader_and_an_operator(personas: Any) -> None:
    for user in (personas.reader, personas.exploitation, personas.contributor):
        with pytest.raises(PermissionDenied):
            services.test_case_create(actor=user, project=personas.project, title="Interdit", steps=h.STEPS)


def test_it_plans_whole_folders_with_subfolders_but_not_obsolete_cases(personas: Any) -> None:
    root = services.folder_create(actor=personas.amoa, project=personas.project, name="Portail")
    sub = services.folder_create(actor=personas.amoa, project=personas.project, name="Connexion", parent=root)
    a = h.make_case(personas, "A", folder=root)
    b = h.make_case(personas, "B", folder=sub)
    h.make_case(personas, "C", folder=sub, status="obsolete")
    h.make_case(personas, "D")
    campaign = h.campaign(personas)
    added = services.planned_tests_add(actor=personas.amoa, campaign=campaign, folders=[root], tester=personas.moe)
    assert {p.test_case_id for p in added} == {a.pk, b.pk}
    again = services.planned_tests_add(actor=personas.amoa, campaign=campaign, test_cases=[a])
    assert again == []
    assert m.PlannedTest.objects.filter(campaign=campaign).count() == 2
    with pytest.raises(ValidationFailed):
        services.planned_tests_add(actor=personas.amoa, campaign=campaign, test_cases=[a], tester=personas.outsider)
    with pytest.raises(ValidationFailed):
        services.folder_update(actor=personas.amoa, folder=root, expected_version=root.version, parent=sub)


def test_it_snapshots_the_revision_an_execution_ran(personas: Any) -> None:
    case = h.make_case(personas)
    campaign = h.campaign(personas, cases=[case])
    iteration = campaign.iterations.get()
    execution = services.execution_start(actor=personas.contributor, iteration=iteration, test_case=case)
    assert execution.test_case_revision.revision == 1
    assert m.StepResult.objects.filter(execution=execution).count() == 3
    case = services.test_case_set_steps(
        actor=personas.amoa, test_case=case, expected_version=case.version, steps=h.STEPS[:2]
    )
    execution.refresh_from_db()
    assert execution.test_case_revision.revision == 1, "the run keeps what it ran"
    assert len(selectors.step_view(selectors.execution_for(personas.project, execution.pk))) == 3
    later = services.execution_start(actor=personas.contributor, iteration=iteration, test_case=case)
    assert later.test_case_revision.revision == 2
    assert later.step_results.count() == 2


def test_it_derives_the_overall_status_from_the_steps() -> None:
    assert services.suggest_status(["ok", "ok", "ok"]) == "ok"
    assert services.suggest_status(["ok", "bloque", "ko"]) == "ko"
    assert services.suggest_status(["ok", "bloque", "non_execute"]) == "bloque"
    assert services.suggest_status(["ok", "non_execute"]) == "non_execute"
    assert services.suggest_status([]) == "non_execute"


def test_it_records_steps_and_lets_the_tester_decide(personas: Any) -> None:
    case = h.make_case(personas)
    campaign = h.campaign(personas, cases=[case])
    execution = services.execution_start(
        actor=personas.contributor, iteration=campaign.iterations.get(), test_case=case
    )
    services.execution_record_step(actor=personas.contributor, execution=execution, position=1, status="ok")
    with pytest.raises(ValidationFailed) as caught:
        services.execution_record_step(actor=personas.contributor, execution=execution, position=2, status="ko")
    assert "actual" in caught.value.errors
    services.execution_record_step(
        actor=personas.contributor, execution=execution, position=2, status="ko", actual="Erreur 500"
    )
    execution.refresh_from_db()
    assert execution.status == "ko"
    execution = services.execution_set_status(
        actor=personas.contributor, execution=execution, expected_version=execution.version, status="bloque",
        comment="Environnement indisponible", duration=timedelta(minutes=12),
    )  # fmt: skip
    assert (execution.status, execution.duration) == ("bloque", timedelta(minutes=12))
    with pytest.raises(ValidationFailed):
        services.execution_record_step(actor=personas.contributor, execution=execution, position=9, status="ok")
    with pytest.raises(PermissionDenied):
        services.execution_record_step(actor=personas.reader, execution=execution, position=1, status="ok")


def test_it_refuses_to_run_an_unplanned_case_or_in_a_finished_campaign(personas: Any) -> None:
    planned, unplanned = h.make_case(personas), h.make_case(personas, "Hors campagne")
    campaign = h.campaign(personas, cases=[planned])
    iteration = campaign.iterations.get()
    with pytest.raises(ValidationFailed):
        services.execution_start(actor=personas.contributor, iteration=iteration, test_case=unplanned)
    with pytest.raises(PermissionDenied):
        services.execution_start(actor=personas.reader, iteration=iteration, test_case=planned)
    campaign.refresh_from_db()
    services.campaign_update(
        actor=personas.amoa, campaign=campaign, expected_version=campaign.version, status="terminee"
    )
    with pytest.raises(DomainError):
        services.execution_start(actor=personas.contributor, iteration=iteration, test_case=planned)


def test_it_keeps_executed_cases_in_the_book(personas: Any) -> None:
    case = h.make_case(personas)
    campaign = h.campaign(personas, cases=[case])
    services.execution_start(actor=personas.contributor, iteration=campaign.iterations.get(), test_case=case)
    with pytest.raises(DomainError):
        services.test_case_delete(actor=personas.amoa, test_case=case)
    assert m.TestCase.objects.filter(pk=case.pk).exists()


def test_it_drafts_an_anomaly_from_the_failed_step(personas: Any) -> None:
    exigence = h.exigence(personas)
    case = h.make_case(personas, exigences=[exigence])
    campaign = h.campaign(personas, cases=[case])
    iteration = services.iteration_create(actor=personas.amoa, campaign=campaign, release="1.0.3")
    execution = services.execution_start(actor=personas.contributor, iteration=iteration, test_case=case)
    services.execution_record_step(
        actor=personas.contributor, execution=execution, position=3, status="ko", actual="Page blanche"
    )
    draft = selectors.anomaly_draft_from_execution(selectors.execution_for(personas.project, execution.pk))
    assert draft["step_position"] == 3
    assert draft["exigence"] == exigence.pk
    assert draft["campaign"] == campaign.pk
    assert draft["release_found"] == "1.0.3"
    assert draft["severity"] == "majeure"
    assert "Le tableau de bord s'affiche" in draft["description"]
    assert "Page blanche" in draft["description"]
    assert draft["title"].startswith(case.reference)


def test_it_measures_progress_by_the_latest_result_of_each_case(personas: Any) -> None:
    cases = [h.make_case(personas, f"Cas {n}") for n in range(4)]
    campaign = h.campaign(personas, cases=cases)
    iteration = campaign.iterations.get()
    for case, status in zip(cases[:3], ["ko", "ok", "bloque"], strict=True):
        ex = services.execution_start(actor=personas.contributor, iteration=iteration, test_case=case)
        services.execution_set_status(
            actor=personas.contributor, execution=ex, expected_version=ex.version, status=status
        )
    retry = services.execution_start(actor=personas.contributor, iteration=iteration, test_case=cases[0])
    services.execution_set_status(
        actor=personas.contributor, execution=retry, expected_version=retry.version, status="ok"
    )
    progress = selectors.campaign_progress([campaign])[campaign.pk]
    assert progress.as_dict() == {
        "planned": 4, "ok": 2, "ko": 0, "bloque": 1, "not_run": 1, "executed": 3, "execution_rate": 75.0,
        "pass_rate": 66.7,
    }  # fmt: skip
    assert m.Execution.objects.count() == 4
