"""Change requests: the workflow (draft → submitted → analysed → accepted / refused / withdrawn), who may do what,
the what-if on a copy of the plan, the avenant and the new baseline, the météo's scope axis."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.engine.health import HealthFacts, HealthThresholds, assess
from oeuvre.pilotage.models import ChangeRequest, ChangeStatus
from oeuvre.pilotage.selectors.changes import change_facts
from oeuvre.pilotage.selectors.meteo import as_json, meteo_of
from oeuvre.pilotage.services.changes import (
    TaskImpactIn,
    change_analyse,
    change_avenant_record,
    change_create,
    change_decide,
    change_item_add,
    change_item_remove,
    change_submit,
    change_update,
    change_withdraw,
)
from oeuvre.planning.models import Baseline, Plan, Task
from oeuvre.planning.services import baseline_take, reschedule
from oeuvre.requirements.services import exigence_create
from tests.factories import local_days_ago
from tests.planning.conftest import SmallPlan


def _draft(personas: Any, actor: Any = None) -> ChangeRequest:
    change = change_create(
        actor=actor or personas.moa,
        project=personas.project,
        data={"title": "Export comptable mensuel", "justification": "Demande du contrôle de gestion", "origin": "moa"},
    )
    change_item_add(actor=personas.moa, change=change, kind="ajout", text="Le système exporte les écritures.")
    return change


def _submitted(personas: Any) -> ChangeRequest:
    change = _draft(personas)
    change.refresh_from_db()
    return change_submit(actor=personas.moa, change=change, expected_version=change.version)


def _plan_state(project: Any) -> list[tuple[Any, ...]]:
    return list(
        Task.objects.filter(project=project)
        .order_by("code")
        .values_list("code", "duration", "early_start", "early_finish", "is_critical", "version")
    )


def test_it_numbers_requests_and_keeps_a_draft_editable_only_by_those_who_prepare(personas: Any) -> None:
    first = _draft(personas)
    second = _draft(personas, actor=personas.moe)
    assert (first.reference, second.reference) == ("DM-001", "DM-002")
    assert first.status == ChangeStatus.BROUILLON
    assert first.requested_by == personas.moa
    first.refresh_from_db()
    change_update(actor=personas.amoe, change=first, data={"title": "Export mensuel"}, expected_version=first.version)
    for user in (personas.reader, personas.contributor, personas.exploitation, personas.outsider):
        with pytest.raises(PermissionDenied):
            change_create(actor=user, project=personas.project, data={"title": "x"})
    with pytest.raises(ValidationFailed) as info:
        change_item_add(actor=personas.moe, change=first, kind="modification", text="")
    assert set(info.value.errors) == {"exigence", "text"}
    assert first.history.count() >= 2  # created, then edited: every write leaves a row


def test_it_refuses_to_submit_an_empty_request_and_to_edit_a_submitted_one(personas: Any) -> None:
    change = change_create(actor=personas.moe, project=personas.project, data={"title": "Vide"})
    with pytest.raises(ValidationFailed) as info:
        change_submit(actor=personas.moe, change=change, expected_version=change.version)
    assert "items" in info.value.errors
    submitted = _submitted(personas)
    assert submitted.status == ChangeStatus.SOUMISE
    assert submitted.submitted_at is not None
    with pytest.raises(DomainError):
        change_update(actor=personas.moa, change=submitted, data={"title": "Autre"}, expected_version=None)
    item = submitted.items.get()
    with pytest.raises(DomainError):
        change_item_remove(actor=personas.moa, item=item)


def test_it_analyses_on_a_copy_of_the_plan_and_leaves_the_real_plan_untouched(
    personas: Any, small_plan: SmallPlan
) -> None:
    project = personas.project
    exigence = exigence_create(actor=personas.moa, project=project, title="Les factures sont archivées")
    change = change_create(actor=personas.moa, project=project, data={"title": "Archivage"})
    change_item_add(actor=personas.moa, change=change, kind="modification", exigence=exigence, text="10 ans")
    change.refresh_from_db()
    change = change_submit(actor=personas.moa, change=change, expected_version=change.version)
    before_tasks = _plan_state(project)
    before_plan = Plan.objects.values_list("revision", "version", "baseline_id").get(project=project)
    t = small_plan.tasks
    impacts = [
        TaskImpactIn(t["B"].pk, 4, Decimal(6)),  # on the critical path: the finish moves by 4 working days
        TaskImpactIn(t["D"].pk, 2, Decimal("1.5")),  # D has float: it moves nothing
    ]
    for user in (personas.moa, personas.amoa, personas.reader):
        with pytest.raises(PermissionDenied):
            change_analyse(actor=user, change=change, impacts=impacts, expected_version=None)
    analysed = change_analyse(
        actor=personas.moe, change=change, impacts=impacts, day_rate=Decimal(700), expected_version=change.version
    )
    assert analysed.status == ChangeStatus.ANALYSEE
    assert analysed.delay_days == 4
    assert analysed.extra_effort == Decimal("7.5")
    assert analysed.extra_cost == Decimal("5250.00")
    assert analysed.finish_after > analysed.finish_before
    assert analysed.reach["exigences"] == [exigence.reference]
    assert analysed.reach["critical_tasks"] == ["B"]
    # The real plan: same durations, dates, versions, revision and reference baseline.
    assert _plan_state(project) == before_tasks
    assert Plan.objects.values_list("revision", "version", "baseline_id").get(project=project) == before_plan
    assert not Baseline.objects.filter(project=project).exists()


def test_it_names_the_bad_line_of_an_estimate(personas: Any, small_plan: SmallPlan) -> None:
    change = _submitted(personas)
    t = small_plan.tasks
    with pytest.raises(ValidationFailed) as info, translation.override("en"):
        change_analyse(
            actor=personas.moe,
            change=change,
            impacts=[
                TaskImpactIn(t["A"].pk, 1, Decimal(1)),
                TaskImpactIn(999999, 1, Decimal(1)),
                TaskImpactIn(t["M"].pk, 2, Decimal(0)),
            ],
            expected_version=None,
        )
    texts = info.value.errors["impacts"]
    assert any("line 2" in text for text in texts)
    assert any("line 3" in text and "M" in text for text in texts)
    change.refresh_from_db()
    assert change.status == ChangeStatus.SOUMISE
    assert not change.task_impacts.exists()


def test_only_the_moa_decides_with_a_reason_and_acceptance_takes_a_new_baseline(
    personas: Any, small_plan: SmallPlan
) -> None:
    project = personas.project
    change = _submitted(personas)
    with pytest.raises(DomainError):  # not analysed yet
        change_decide(actor=personas.moa, change=change, accept=True, reason="OK", expected_version=None)
    t = small_plan.tasks
    change = change_analyse(
        actor=personas.amoe,
        change=change,
        impacts=[TaskImpactIn(t["C"].pk, 3, Decimal(3))],
        expected_version=None,
    )
    for user in (personas.moe, personas.amoe, personas.amoa, personas.admin, personas.reader):
        with pytest.raises(PermissionDenied):
            change_decide(actor=user, change=change, accept=True, reason="OK", expected_version=None)
    with pytest.raises(ValidationFailed) as info:
        change_decide(actor=personas.moa, change=change, accept=True, reason=" ", expected_version=None)
    assert "reason" in info.value.errors
    duration_before = Task.objects.get(pk=t["C"].pk).duration
    accepted = change_decide(
        actor=personas.moa, change=change, accept=True, reason="Validé en COPIL", expected_version=change.version
    )
    assert accepted.status == ChangeStatus.ACCEPTEE
    assert accepted.decided_by == personas.moa
    assert Task.objects.get(pk=t["C"].pk).duration == duration_before + 3
    assert accepted.baseline is not None
    assert Plan.objects.get(project=project).baseline_id == accepted.baseline.pk
    assert accepted.needs_avenant
    assert accepted.avenant_number is None
    # An accepted change that alters the deadline without its avenant: the scope axis is stormy.
    assert change_facts(project)["changes_without_avenant"] == 1
    assert meteo_of(project)["axes"]["scope"]["computed"] == "storm"
    with pytest.raises(PermissionDenied):
        change_avenant_record(
            actor=personas.moe, change=accepted, signed_on=timezone.localdate(), expected_version=None
        )
    with pytest.raises(ValidationFailed):
        change_avenant_record(
            actor=personas.moa,
            change=accepted,
            signed_on=timezone.localdate() + dt.timedelta(days=1),
            expected_version=None,
        )
    signed = change_avenant_record(
        actor=personas.moa, change=accepted, signed_on=timezone.localdate(), expected_version=None
    )
    assert signed.avenant_number == 1
    assert change_facts(project)["changes_without_avenant"] == 0
    with pytest.raises(DomainError):
        change_withdraw(actor=personas.moa, change=signed, reason="", expected_version=None)


def test_a_request_may_be_refused_unanalysed_or_withdrawn_before_its_decision(personas: Any) -> None:
    refused = _submitted(personas)
    refused = change_decide(
        actor=personas.moa, change=refused, accept=False, reason="Hors budget", expected_version=None
    )
    assert refused.status == ChangeStatus.REFUSEE
    assert refused.baseline is None
    with pytest.raises(DomainError):
        change_decide(actor=personas.moa, change=refused, accept=True, reason="Finalement", expected_version=None)
    withdrawn = _draft(personas)
    withdrawn = change_withdraw(actor=personas.moe, change=withdrawn, reason="Doublon", expected_version=None)
    assert withdrawn.status == ChangeStatus.RETIREE
    assert withdrawn.history.first().history_change_reason == "Doublon"
    with pytest.raises(PermissionDenied):
        change_withdraw(actor=personas.reader, change=_draft(personas), reason="", expected_version=None)


@pytest.mark.parametrize(
    ("ages", "expected"),
    [((), "sun"), ((30,), "sun"), ((31,), "rain"), ((0, 31, 45), "rain")],
)
def test_the_scope_axis_rains_only_past_the_waiting_threshold(ages: tuple[int, ...], expected: str) -> None:
    health = assess(HealthFacts(change_wait_days=ages), HealthThresholds(change_wait_days=30))
    assert health.axes["scope"].weather.label == expected


def test_the_scope_axis_reads_the_age_and_cumulated_impact_of_waiting_requests(personas: Any) -> None:
    project = personas.project
    today = timezone.localdate()
    old = _submitted(personas)
    young = _submitted(personas)
    _draft(personas)  # a draft is not waiting
    ChangeRequest.objects.filter(pk=old.pk).update(  # house-rules: test data
        submitted_at=local_days_ago(30), extra_cost=Decimal(1200), delay_days=3
    )
    facts = change_facts(project, today)
    assert facts["change_wait_days"] == [30, 0]
    assert (facts["change_waiting_cost"], facts["change_waiting_delay_days"]) == (1200.0, 3)
    with translation.override("en"):
        meteo = as_json(meteo_of(project, today))
    assert meteo["axes"]["scope"]["verdict"] == "sun"  # 30 days is not "more than 30"
    assert any("1,200" in r and "3" in r for r in meteo["axes"]["scope"]["reasons"])
    ChangeRequest.objects.filter(pk=old.pk).update(submitted_at=local_days_ago(31))
    meteo = as_json(meteo_of(project, today))
    assert meteo["axes"]["scope"]["verdict"] == "rain"
    assert json.dumps(meteo)  # plain JSON for the API and the CLI
    assert young.status == ChangeStatus.SOUMISE


def test_the_command_line_lists_requests_as_json(personas: Any, small_plan: SmallPlan) -> None:
    import io
    from contextlib import redirect_stdout

    from django.core.management import call_command
    from django.core.management.base import CommandError

    change = _submitted(personas)
    change_analyse(
        actor=personas.moe,
        change=change,
        impacts=[TaskImpactIn(small_plan.tasks["B"].pk, 2, Decimal("2.5"))],
        day_rate=Decimal(600),
        expected_version=None,
    )
    _draft(personas)
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("pilotage", "changes", "--project", personas.project.code, "--json")
    data = json.loads(out.getvalue())
    assert data["project"] == personas.project.code
    first, second = data["changes"]
    assert (first["reference"], first["status"], first["waiting_days"]) == ("DM-001", "analysee", 0)
    assert first["analysis"]["delay_days"] == 2
    assert first["analysis"]["extra_cost"] == 1500.0
    assert first["analysis"]["tasks"] == [{"task": "B", "extra_days": 2, "extra_effort_days": 2.5}]
    assert (second["status"], second["analysis"]) == ("brouillon", None)
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("pilotage", "changes", "--project", personas.project.code, "--json", "--status", "brouillon")
    assert [c["reference"] for c in json.loads(out.getvalue())["changes"]] == ["DM-002"]
    with pytest.raises(CommandError):
        call_command("pilotage", "changes", "--project", personas.project.code, "--status", "nope")


def test_the_api_walks_the_workflow_with_if_match(personas: Any, small_plan: SmallPlan) -> None:
    from django.test import Client

    from oeuvre.accounts.services import token_create

    def client(user: Any) -> Client:
        _token, raw = token_create(user=user, name="t")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    base = f"/api/projects/{personas.project.code}/changes"
    moa, moe = client(personas.moa), client(personas.moe)
    created = moa.post(base, {"title": "Export", "origin": "moa"}, content_type="application/json")
    assert created.status_code == 201
    url = f"{base}/{created.json()['id']}"
    assert (
        moa.post(
            f"{url}/items", {"kind": "ajout", "text": "Export mensuel"}, content_type="application/json"
        ).status_code
        == 201
    )
    etag = moa.get(url)["ETag"]
    assert moa.post(f"{url}/submit", headers={"If-Match": etag}).status_code == 200
    etag = moe.get(url)["ETag"]
    bad = moe.post(
        f"{url}/analysis",
        {"tasks": [{"task": "ZZ", "extra_days": 1}]},
        content_type="application/json",
        headers={"If-Match": etag, "Accept-Language": "en"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "tasks", "message": "tasks[0]: no task ZZ in the plan"}]
    bad_fr = moe.post(
        f"{url}/analysis",
        {"tasks": [{"task": "C", "extra_days": 1}, {"task": "ZZ", "extra_days": 1}]},
        content_type="application/json",
        headers={"If-Match": etag, "Accept-Language": "fr"},
    )
    assert bad_fr.status_code == 422
    assert bad_fr.json()["errors"] == [{"field": "tasks", "message": "tasks[1] : pas de tâche ZZ dans le planning"}]
    analysed = moe.post(
        f"{url}/analysis",
        {"tasks": [{"task": "C", "extra_days": 2, "extra_effort": 2}], "day_rate": 500},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert analysed.status_code == 200
    assert analysed.json()["analysis"]["delay_days"] == 2
    denied = moe.post(
        f"{url}/decision",
        {"accept": True, "reason": "OK"},
        content_type="application/json",
        headers={"If-Match": analysed["ETag"]},
    )
    assert denied.status_code == 403
    stale = moa.post(
        f"{url}/decision", {"accept": True, "reason": "OK"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code in (409, 412)
    accepted = moa.post(
        f"{url}/decision",
        {"accept": True, "reason": "OK"},
        content_type="application/json",
        headers={"If-Match": analysed["ETag"]},
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "acceptee"
    assert accepted.json()["baseline"]


def test_acceptance_moves_the_former_baseline_by_the_change_and_keeps_the_slippage_the_plan_had(
    personas: Any, small_plan: SmallPlan
) -> None:
    """The avenant covers the change, not the MOE's own delays: re-freezing today's forecast as the new reference
    would hide a slippage the committee must still see."""
    project = personas.project
    t = small_plan.tasks
    first = baseline_take(actor=personas.moe, project=project, name="Référence initiale")
    milestone = _row_of(first, t["M"].pk)
    # The MOE slips: B takes 2 more working days than planned (a delay of the MOE's, not a change).
    task = Task.objects.get(pk=t["B"].pk)
    task.duration += 2
    task.save()
    reschedule(project, Plan.objects.get(project=project))
    slipped = Task.objects.get(pk=t["M"].pk).early_finish
    assert slipped > milestone.finish
    change = change_analyse(
        actor=personas.moe,
        change=_submitted(personas),
        impacts=[TaskImpactIn(t["C"].pk, 3, Decimal(3))],
        expected_version=None,
    )
    accepted = change_decide(actor=personas.moa, change=change, accept=True, reason="COPIL", expected_version=None)
    new_milestone = _row_of(accepted.baseline, t["M"].pk)
    forecast = Task.objects.get(pk=t["M"].pk).early_finish
    # The reference moved by what the change moved, so the slip of the plan is still there…
    assert new_milestone.finish == milestone.finish + (forecast - slipped)
    assert forecast - new_milestone.finish == slipped - milestone.finish
    # …and the lengthened task's reference duration grew by the change's days only.
    assert _row_of(accepted.baseline, t["C"].pk).duration == _row_of(first, t["C"].pk).duration + 3


def _row_of(baseline: Any, task_id: int) -> Any:
    return baseline.tasks.get(task_id=task_id)
