"""Change requests deferred (ajournées) by the MOA and submitted again; committee decisions that decide a change
request; the CDC baseline an accepted change takes, linked to the change and its plan baseline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.pilotage.models import ChangeRequest, ChangeStatus, Decision
from oeuvre.pilotage.selectors.changes import change_facts
from oeuvre.pilotage.services.changes import (
    TaskImpactIn,
    change_analyse,
    change_create,
    change_defer,
    change_item_add,
    change_resubmit,
    change_submit,
    change_withdraw,
)
from oeuvre.pilotage.services.committees import committee_close, committee_create, decision_record
from oeuvre.requirements.models import CdcVersion
from oeuvre.requirements.services import exigence_create
from tests.factories import local_days_ago
from tests.planning.conftest import SmallPlan


def _submitted(personas: Any, title: str = "Export comptable mensuel") -> ChangeRequest:
    change = change_create(actor=personas.moa, project=personas.project, data={"title": title})
    change_item_add(actor=personas.moa, change=change, kind="ajout", text="Le système exporte les écritures.")
    return change_submit(actor=personas.moa, change=change, expected_version=None)


def _age_submission(change: ChangeRequest, days: int) -> None:
    ChangeRequest.objects.filter(pk=change.pk).update(submitted_at=local_days_ago(days))


def test_the_moa_defers_with_a_reason_and_a_review_date_and_the_request_can_come_back(personas: Any) -> None:
    change = _submitted(personas)
    today = timezone.localdate()
    for user in (personas.moe, personas.amoe, personas.amoa, personas.reader):
        with pytest.raises(PermissionDenied):
            change_defer(actor=user, change=change, reason="Plus tard", expected_version=None)
    with pytest.raises(ValidationFailed) as info:
        change_defer(actor=personas.moa, change=change, reason="  ", expected_version=None)
    assert "reason" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        change_defer(
            actor=personas.moa, change=change, reason="Plus tard", review_on=today - dt.timedelta(days=1),
            expected_version=None,
        )  # fmt: skip
    assert "review_on" in info.value.errors
    review = today + dt.timedelta(days=60)
    deferred = change_defer(
        actor=personas.moa, change=change, reason="Après la MEP", review_on=review, expected_version=change.version
    )
    assert deferred.status == ChangeStatus.AJOURNEE
    assert deferred.review_on == review
    assert deferred.decision_reason == "Après la MEP"
    assert deferred.decided_by == personas.moa
    assert not deferred.is_waiting
    with pytest.raises(DomainError):  # already deferred: it cannot be deferred twice
        change_defer(actor=personas.moa, change=deferred, reason="Encore", expected_version=None)
    with pytest.raises(PermissionDenied):
        change_resubmit(actor=personas.reader, change=deferred, expected_version=None)
    again = change_resubmit(actor=personas.moe, change=deferred, expected_version=deferred.version)
    assert again.status == ChangeStatus.SOUMISE
    assert again.review_on is None
    assert again.decided_at is None
    with pytest.raises(DomainError):  # only a deferred request is submitted again
        change_resubmit(actor=personas.moe, change=again, expected_version=None)
    deferred = change_defer(actor=personas.moa, change=again, reason="Toujours pas", expected_version=None)
    withdrawn = change_withdraw(actor=personas.moa, change=deferred, reason="Abandon", expected_version=None)
    assert withdrawn.status == ChangeStatus.RETIREE


def test_the_scope_axis_counts_a_deferred_request_only_once_its_review_date_has_passed(personas: Any) -> None:
    project = personas.project
    change = _submitted(personas)
    _age_submission(change, 45)
    assert change_facts(project)["change_wait_days"] == [45]
    today = timezone.localdate()
    change_defer(actor=personas.moa, change=change, reason="Après la MEP", review_on=today, expected_version=None)
    # Deferred: decided for now, nothing waits.
    assert change_facts(project)["change_wait_days"] == []
    # The review date passed 40 days ago and nobody took the request up again: it waits since then.
    ChangeRequest.objects.filter(pk=change.pk).update(review_on=today - dt.timedelta(days=40))
    assert change_facts(project)["change_wait_days"] == [40]
    assert change_facts(project, today - dt.timedelta(days=41))["change_wait_days"] == []
    # Deferred without a review date: never counted.
    ChangeRequest.objects.filter(pk=change.pk).update(review_on=None)
    assert change_facts(project)["change_wait_days"] == []


def test_a_committee_decision_decides_the_change_request_it_names(personas: Any, small_plan: SmallPlan) -> None:
    project = personas.project
    t = small_plan.tasks
    exigence_create(actor=personas.moa, project=project, title="Export", text="Le système exporte.")
    accepted = change_analyse(
        actor=personas.moe,
        change=_submitted(personas, "Export comptable"),
        impacts=[TaskImpactIn(t["C"].pk, 2, Decimal(2))],
        expected_version=None,
    )
    deferred = _submitted(personas, "Portail fournisseurs")
    referred = _submitted(personas, "Signature électronique")
    committee = committee_create(
        actor=personas.moe, project=project, data={"title": "COPIL 3", "held_on": timezone.localdate()}
    )
    # The MOE prepares committees but does not decide change requests.
    with pytest.raises(PermissionDenied):
        decision_record(actor=personas.moe, committee=committee, text="Accepté", change=accepted, outcome="accept")
    with pytest.raises(ValidationFailed):
        decision_record(actor=personas.moa, committee=committee, text="Accepté", outcome="accept")  # no change named
    with pytest.raises(ValidationFailed):
        decision_record(actor=personas.moa, committee=committee, text="?", change=accepted, outcome="maybe")
    versions_before = CdcVersion.objects.filter(project=project).count()
    d1 = decision_record(
        actor=personas.moa, committee=committee, text="DM acceptée, avenant à signer", change=accepted, outcome="accept"
    )
    review = timezone.localdate() + dt.timedelta(days=30)
    d2 = decision_record(
        actor=personas.moa, committee=committee, text="Reportée au lot 2", change=deferred, outcome="defer",
        review_on=review,
    )  # fmt: skip
    d3 = decision_record(actor=personas.moe, committee=committee, text="Chiffrer l’option", change=referred)
    accepted.refresh_from_db()
    deferred.refresh_from_db()
    referred.refresh_from_db()
    # Accepted in the committee: the decision's text is the reason; a plan baseline and a CDC baseline are taken.
    assert accepted.status == ChangeStatus.ACCEPTEE
    assert accepted.decision_reason == "DM acceptée, avenant à signer"
    assert accepted.decided_by == personas.moa
    assert accepted.baseline is not None
    assert CdcVersion.objects.filter(project=project).count() == versions_before + 1
    assert accepted.cdc_version is not None
    assert accepted.cdc_version.label == accepted.reference
    assert accepted.cdc_version.is_frozen
    # The project's exigence as it stands, and the one the accepted change adds.
    assert accepted.cdc_version.entries.count() == 2
    assert list(accepted.decisions.all()) == [d1]
    assert d1.subject.startswith(accepted.reference)
    # Deferred in the committee, with its review date.
    assert deferred.status == ChangeStatus.AJOURNEE
    assert deferred.review_on == review
    assert list(deferred.decisions.all()) == [d2]
    # A decision that only refers to a request leaves it waiting.
    assert referred.status == ChangeStatus.SOUMISE
    assert list(referred.decisions.all()) == [d3]
    # Closing the committee seals the link in the hash chain.
    closed = committee_close(actor=personas.moa, committee=committee, expected_version=None)
    assert closed.is_closed
    from oeuvre.recette.models import LedgerEntry

    entry = LedgerEntry.objects.get(project=project, subject_type="pilotage.decision", subject_id=d1.pk)
    assert entry.payload["change"] == accepted.reference
    assert Decision.objects.get(pk=d1.pk).chain_hash == entry.entry_hash


def test_the_pages_and_the_api_show_a_deferred_request_and_send_it_back(personas: Any) -> None:
    project = personas.project
    change = _submitted(personas)
    moa = personas.client(personas.moa)
    base = f"/p/{project.code}/pilotage/changes/{change.pk}/"
    review = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    answer = moa.post(
        f"{base}decide/",
        {"decision": "defer", "reason": "Après la MEP", "review_on": review, "version": change.version},
    )
    assert answer.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.AJOURNEE
    page = moa.get(base).content.decode()
    assert "Ajournée" in page
    assert 'id="review-on"' in page
    assert "resubmit/" in page
    listing = moa.get(f"/p/{project.code}/pilotage/changes/?status=ajournee").content.decode()
    assert change.reference in listing
    api = personas.client(personas.moe)
    body = api.get(f"/api/projects/{project.code}/changes/{change.pk}").json()
    assert body["status"] == "ajournee"
    assert body["decision"]["review_on"] == review
    again = api.post(
        f"/api/projects/{project.code}/changes/{change.pk}/resubmission",
        headers={"If-Match": f'"{change.version}"'},
    )
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "soumise"
    deferred = personas.client(personas.moa).post(
        f"/api/projects/{project.code}/changes/{change.pk}/deferral",
        {"reason": "Toujours après la MEP"},
        content_type="application/json",
        headers={"If-Match": f'"{again.json()["version"]}"'},
    )
    assert deferred.status_code == 200, deferred.content
    assert deferred.json()["status"] == "ajournee"
    assert deferred.json()["decision"]["review_on"] is None
