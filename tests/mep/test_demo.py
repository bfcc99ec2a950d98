"""The demo project goes live: environments, a release in production after a signed go, one in recette."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command

from oeuvre.demo.generator import MAIN_PROJECT
from oeuvre.mep import selectors
from oeuvre.mep.models import GoNoGoDecision
from oeuvre.projects.models import Project


def test_the_demo_project_has_environments_releases_and_a_signed_go(demo_db: Any) -> None:
    project = Project.objects.get(code=MAIN_PROJECT)
    matrix = selectors.where_runs_what(project)
    assert [e.kind for e in matrix["environments"]] == ["recette", "preproduction", "production"]
    assert matrix["rows"]
    releases = {r.number: r for r in selectors.releases_for(project)}
    assert {n: r.status for n, r in releases.items()} == {"1.0.3": "en_production", "1.1.0": "en_recette"}
    decision = GoNoGoDecision.objects.get(release=releases["1.0.3"])
    assert decision.decision == "go"
    unmet = [c["code"] for c in decision.criteria if c["applies"] and not c["met"]]
    assert "operating_procedures" in unmet
    assert decision.proposal == "no_go"
    assert "Procédures d'exploitation" in decision.reason
    out = io.StringIO()
    call_command("verify", "--project", MAIN_PROJECT, stdout=out)
    assert out.getvalue().startswith("OK : ")  # French, the default language of the command


def test_the_demo_has_about_thirty_incidents_in_hypercare_with_two_breaches(demo_db: Any) -> None:
    from oeuvre.mep.incidents import incidents_board

    project = Project.objects.get(code=MAIN_PROJECT)
    board = incidents_board(project)
    assert 30 <= len(board) <= 34
    assert sum(1 for row in board if row.breached) == 2
    assert {row.incident.status for row in board} >= {"clos", "pris_en_charge"}


def test_the_demo_live_release_ran_its_runbook_and_the_next_one_has_it_planned(demo_db: Any) -> None:
    from oeuvre.mep import runbook

    project = Project.objects.get(code=MAIN_PROJECT)
    releases = {r.number: r for r in selectors.releases_for(project)}
    live = runbook.runbook_board(releases["1.0.3"])
    assert (live.done, live.total) == (7, 7)
    assert [r.step.failures for r in live.rows if r.step.failures] == [1]  # the data migration failed once, retried
    assert live.no_return_passed
    assert live.plan is not None
    assert live.plan.tested_on is not None
    # The dry run in staging took 5 h 10 for the 5 h planned, as the readiness evidence says; the go/no-go shows it.
    compared = runbook.runbook_comparison(releases["1.0.3"])
    assert (compared.planned_minutes, compared.dry.elapsed_minutes, compared.dry.late) == (300, 310, 2)
    assert compared.dry.finished
    assert compared.cutover.finished
    dry_run = next(c for c in GoNoGoDecision.objects.get(release=releases["1.0.3"]).criteria if c["code"] == "dry_run")
    assert "5\u00a0h\u00a010 pour 5\u00a0h prévues, 2\u00a0étapes en retard." in dry_run["evidence"]
    following = runbook.runbook_board(releases["1.1.0"])
    assert following.total == 7
    assert {r.step.status for r in following.rows} == {"a_faire"}
    garantie = selectors.garantie_for(project, list(releases.values()))
    assert garantie[releases["1.0.3"].pk].days_left > 300
    assert releases["1.1.0"].pk not in garantie


def test_the_demo_next_release_rolls_out_in_two_waves_over_four_sites_and_its_configuration_differs(
    demo_db: Any,
) -> None:
    from oeuvre.mep import configuration, waves

    project = Project.objects.get(code=MAIN_PROJECT)
    releases = {r.number: r for r in selectors.releases_for(project)}
    plan = waves.wave_plan(releases["1.1.0"])
    assert [w.gonogo for w in plan.waves] == ["go", ""]
    assert sum(len(w.sites.replace(" et ", ", ").split(", ")) for w in plan.waves) == 4
    assert plan.users == 440
    environments = list(selectors.environments_for(project))
    matrix = configuration.config_matrix(project, environments)
    assert {r.name for r in matrix["rows"] if r.differs} == {"DB_HOST", "PAYMENT_MODE"}
    assert all(item is None or not item.value.startswith("vault:") for r in matrix["rows"] for item in r.cells)
    assert runbook_plan_approved(releases["1.0.3"])


def runbook_plan_approved(release: Any) -> bool:
    from oeuvre.mep import runbook

    plan = runbook.rollback_plan_of(release)
    return plan is not None and plan.approved_at is not None


def test_the_demo_trained_the_first_wave_and_half_of_the_second(demo_db: Any) -> None:
    from oeuvre.mep import training

    project = Project.objects.get(code=MAIN_PROJECT)
    releases = {r.number: r for r in selectors.releases_for(project)}
    plan = training.training_plan(releases["1.1.0"])
    assert [(w.trained, w.users) for w in plan.waves] == [(180, 180), (130, 260)]
    assert plan.training_left == 0
    assert all(c.materials for c in plan.courses)
    assert {r.role: (r.trained, r.to_train) for r in plan.roles}["Instructeurs"] == (4, 1)
    named = [row for row in plan.rows if row.attendees]
    assert len(named) == 3
    assert named[0].satisfaction is not None
