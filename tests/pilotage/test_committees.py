"""Committees: an agenda from live data, numbered decisions sealed in the hash chain on closing, the action plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.pilotage.models import Committee, Decision
from oeuvre.pilotage.selectors.committees import my_actions
from oeuvre.pilotage.services.committees import (
    action_create,
    action_set_status,
    committee_close,
    committee_create,
    decision_record,
)
from oeuvre.pilotage.services.risks import risk_action_add, risk_create
from oeuvre.recette.models import LedgerEntry
from oeuvre.recette.services.ledger import ledger_verify


def _committee(personas: Any, **data: Any) -> Any:
    return committee_create(
        actor=personas.moe,
        project=personas.project,
        data={"kind": "copil", "title": "COPIL n°3", "held_on": timezone.localdate(), **data},
    )


def test_it_draws_the_agenda_from_live_data(personas: Any) -> None:
    risk_create(
        actor=personas.moe, project=personas.project, data={"title": "Reprise KO", "probability": 4, "impact": 3}
    )
    action_create(
        actor=personas.moe,
        project=personas.project,
        title="Relancer l'hébergeur",
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    from oeuvre.pilotage.services.changes import change_create, change_item_add, change_submit

    change = change_create(actor=personas.moa, project=personas.project, data={"title": "Export comptable"})
    change_item_add(actor=personas.moa, change=change, kind="ajout", text="Export mensuel")
    change_submit(actor=personas.moa, change=change, expected_version=None)
    change_create(actor=personas.moa, project=personas.project, data={"title": "Brouillon"})
    from oeuvre.requirements import services as requirements
    from oeuvre.requirements.models import Deliverable

    dat = requirements.deliverable_create(actor=personas.moe, project=personas.project, kind="dat", title="DAT v2")
    Deliverable.objects.filter(pk=dat.pk).update(status=Deliverable.Status.SOUMIS)  # submitted (its RACI aside)
    requirements.deliverable_create(actor=personas.moe, project=personas.project, kind="sfd", title="SFD brouillon")
    committee = _committee(personas)
    assert "RSK-001 Reprise KO (P×I 12)" in committee.agenda
    decisions_to_take = committee.agenda.split("\n4. ")[1]
    assert "DM-001 Export comptable" in decisions_to_take  # waiting for the MOA
    assert "Brouillon" not in decisions_to_take  # a draft is not for the committee yet
    assert "DAT v2" in decisions_to_take  # a deliverable waiting for its validation
    assert "SFD brouillon" not in decisions_to_take
    assert "\n5. " in committee.agenda  # the coming contractual milestones (none in this project)
    assert "A1 Relancer l'hébergeur" in committee.agenda
    assert "overdue" in committee.agenda or "en retard" in committee.agenda  # the line of the late action


def test_it_numbers_decisions_across_committees_and_seals_them_on_closing(personas: Any) -> None:
    risk = risk_create(
        actor=personas.moe, project=personas.project, data={"title": "Reprise", "probability": 2, "impact": 2}
    )
    first = _committee(personas)
    d1 = decision_record(actor=personas.moe, committee=first, text="Le lot 2 est reporté d'une semaine.")
    d2 = decision_record(actor=personas.amoa, committee=first, text="Le risque est accepté.", risk=risk)
    with pytest.raises(PermissionDenied):
        committee_close(actor=personas.moe, committee=first, expected_version=first.version)
    first = committee_close(actor=personas.moa, committee=first, expected_version=first.version)
    d1.refresh_from_db()
    d2.refresh_from_db()
    assert (d1.number, d2.number) == (1, 2)
    assert d1.chain_sequence is not None
    assert d2.chain_sequence == d1.chain_sequence + 1
    assert ledger_verify(personas.project) == []
    with pytest.raises(DomainError):
        decision_record(actor=personas.moe, committee=first, text="Trop tard")
    with pytest.raises(DomainError):
        committee_close(actor=personas.moa, committee=first, expected_version=first.version)
    second = _committee(personas, title="COPIL n°4")
    assert decision_record(actor=personas.moe, committee=second, text="Go").number == 3
    assert Decision.objects.filter(project=personas.project).count() == 3


def test_it_refuses_to_close_without_decision_or_record_an_empty_one(personas: Any) -> None:
    committee = _committee(personas)
    with pytest.raises(ValidationFailed):
        decision_record(actor=personas.moe, committee=committee, text="   ")
    with pytest.raises(DomainError):
        committee_close(actor=personas.moa, committee=committee, expected_version=committee.version)


def test_it_lets_the_owner_follow_their_action_and_lists_my_actions(personas: Any) -> None:
    committee = _committee(personas)
    late = action_create(
        actor=personas.moe,
        project=personas.project,
        title="Livrer le correctif",
        owner=personas.contributor,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        committee=committee,
    )
    risk = risk_create(
        actor=personas.moe, project=personas.project, data={"title": "Reprise", "probability": 2, "impact": 2}
    )
    risk_action_add(actor=personas.moe, risk=risk, data={"title": "Reprise à blanc", "owner": personas.contributor})
    mine = my_actions(personas.contributor)
    assert [r["kind"] for r in mine["rows"]] == ["action", "mitigation"]
    assert mine["overdue"] == 1
    done = action_set_status(actor=personas.contributor, action=late, status="fait", expected_version=late.version)
    assert done.done_on == timezone.localdate()
    other = action_create(actor=personas.moe, project=personas.project, title="Autre", owner=personas.moe)
    with pytest.raises(DomainError):
        action_set_status(actor=personas.contributor, action=other, status="fait", expected_version=other.version)
    with pytest.raises(ValidationFailed):
        action_create(actor=personas.moe, project=personas.project, title="x", owner=personas.outsider)


def test_it_shows_a_committee_and_my_actions_in_french(personas: Any, django_assert_max_num_queries: Any) -> None:
    committee = _committee(personas)
    for n in range(15):
        decision_record(actor=personas.moe, committee=committee, text=f"Décision {n}")
        action_create(
            actor=personas.moe,
            project=personas.project,
            title=f"Action {n}",
            owner=personas.reader,
            committee=committee,
        )
    client = personas.client(personas.reader)
    with django_assert_max_num_queries(30):
        page = client.get(
            f"/p/{personas.project.code}/pilotage/committees/{committee.pk}/", headers={"Accept-Language": "fr"}
        )
    body = page.content.decode()
    assert "Relevé de décisions" in body
    assert body.count("Décision ") >= 15
    assert "Clore et signer" not in body  # the reader signs nothing
    with django_assert_max_num_queries(20):
        mine = client.get("/pilotage/my-actions/", headers={"Accept-Language": "fr"})
    assert mine.content.decode().count("Action ") >= 15


@pytest.fixture
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


def _closed(personas: Any) -> tuple[Any, Decision]:
    risk = risk_create(
        actor=personas.moe, project=personas.project, data={"title": "Reprise", "probability": 2, "impact": 2}
    )
    committee = _committee(personas)
    decision = decision_record(
        actor=personas.moe, committee=committee, text="Le risque est accepté.", risk=risk, subject="Lot 2"
    )
    committee = committee_close(actor=personas.moa, committee=committee, expected_version=committee.version)
    decision.refresh_from_db()
    return committee, decision


@pytest.mark.parametrize(
    ("tamper", "field"),
    [
        (lambda c, d: Decision.objects.filter(pk=d.pk).update(text="Le risque est refusé."), "decision"),
        (lambda c, d: Decision.objects.filter(pk=d.pk).update(number=7), "number"),
        (
            lambda c, d: Decision.objects.filter(pk=d.pk).update(subject="Lot 3"),
            "what it decides (deliverable, go/no-go, change request…)",
        ),
        (lambda c, d: Decision.objects.filter(pk=d.pk).update(risk=None), "risk decided"),
        (lambda c, d: Decision.objects.filter(pk=d.pk).update(chain_hash="f" * 64), "hash"),
        (lambda c, d: Committee.objects.filter(pk=c.pk).update(title="COPIL n°9"), "title"),
        (lambda c, d: Committee.objects.filter(pk=c.pk).update(held_on=dt.date(2020, 1, 1)), "date"),
    ],
)
@pytest.mark.usefixtures("_english")
def test_verify_names_every_sealed_field_of_a_committee_decision_changed(
    personas: Any, tamper: Any, field: str
) -> None:
    from oeuvre.recette.services.ledger import chain_verify

    committee, decision = _closed(personas)
    assert chain_verify(personas.project) == []
    tamper(committee, decision)
    expected = (
        f"committee decision {decision.number}: {field} changed after the committee closed "
        f"(entry #{decision.chain_sequence})"
    )
    assert expected in [p.message for p in chain_verify(personas.project)]


@pytest.mark.usefixtures("_english")
def test_verify_names_a_committee_decision_deleted_or_rewritten_without_the_key(personas: Any) -> None:
    from oeuvre.recette.services.ledger import chain_verify
    from tests.chain_tamper import failures, rewrite_chain

    _, decision = _closed(personas)
    n = decision.chain_sequence

    def reword(entry: Any) -> None:
        entry.payload["text"] = "Le risque est refusé."

    Decision.objects.filter(pk=decision.pk).update(text="Le risque est refusé.")
    rewrite_chain(personas.project, n, reword)
    Decision.objects.filter(pk=decision.pk).update(chain_hash=LedgerEntry.objects.get(sequence=n).entry_hash)
    assert failures(chain_verify(personas.project)) == [
        f"entry #{n} seal broken: the entry was rewritten without the ledger key"
    ]
    Decision.objects.filter(pk=decision.pk).delete()
    assert f"the committee decision of entry #{n} was deleted" in failures(chain_verify(personas.project))
