"""An accepted change request applies its items to the exigences (changed, removed, added) through the requirements
stage's services, before the CDC baseline is frozen, so the baseline holds the change; what could not be applied is
said, not guessed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation

from oeuvre.pilotage.models import ChangeItem, ChangeRequest, ChangeStatus
from oeuvre.pilotage.selectors.changes import applied_lines, change_detail
from oeuvre.pilotage.selectors.meteo import gather_facts
from oeuvre.pilotage.services.changes import (
    change_analyse,
    change_create,
    change_decide,
    change_item_add,
    change_submit,
)
from oeuvre.pilotage.services.committees import committee_close, committee_create
from oeuvre.requirements.models import Exigence, ExigenceStatus
from oeuvre.requirements.services import exigence_create, exigence_submit, exigence_validate


def _validated(personas: Any, title: str, text: str) -> Exigence:
    exigence = exigence_create(actor=personas.amoa, project=personas.project, title=title, text=text)
    exigence = exigence_submit(actor=personas.amoa, exigence=exigence, expected_version=None)
    return exigence_validate(actor=personas.moa, exigence=exigence, expected_version=None)


def _accept(personas: Any, change: ChangeRequest) -> ChangeRequest:
    change = change_submit(actor=personas.moe, change=change, expected_version=None)
    change = change_analyse(actor=personas.moe, change=change, impacts=[], expected_version=None)
    return change_decide(
        actor=personas.moa, change=change, accept=True, reason="Validé en COPIL", expected_version=None
    )


def test_an_accepted_change_updates_removes_and_adds_exigences_and_the_baseline_holds_it(personas: Any) -> None:
    project = personas.project
    changed = _validated(personas, "Export", "Le système exporte en CSV.")
    removed = _validated(personas, "Fax", "Le système envoie les bons par fax.")
    untouched = _validated(personas, "Connexion", "L’utilisateur se connecte par SSO.")
    change = change_create(actor=personas.moe, project=project, data={"title": "Modernisation des échanges"})
    change_item_add(
        actor=personas.moe, change=change, kind="modification", exigence=changed, text="Le système exporte en XLSX."
    )
    change_item_add(actor=personas.moe, change=change, kind="suppression", exigence=removed)
    change_item_add(
        actor=personas.moe, change=change, kind="ajout", text="Portail fournisseurs\nLes fournisseurs déposent."
    )
    rejected_before = gather_facts(project).exigences_rejected_after_validation

    change = _accept(personas, change)

    assert change.status == ChangeStatus.ACCEPTEE
    changed.refresh_from_db()
    removed.refresh_from_db()
    untouched.refresh_from_db()
    # Changed: the new statement, still validated, and its history says the MOA did it for the change.
    assert changed.text == "Le système exporte en XLSX."
    assert changed.status == ExigenceStatus.VALIDEE
    steps = list(changed.history.order_by("history_id"))
    assert [s.history_user for s in steps[-2:]] == [personas.moa, personas.moa]
    assert [s.status for s in steps[-2:]] == [ExigenceStatus.MODIFIEE, ExigenceStatus.VALIDEE]
    assert steps[-2].text == "Le système exporte en XLSX."
    assert change.reference in changed.status_comment
    # Removed: rejected by the MOA, never deleted.
    assert removed.status == ExigenceStatus.REJETEE
    assert removed.history.order_by("-history_id").first().history_user == personas.moa
    assert change.reference in removed.status_comment
    # Added: a validated exigence whose source is the change, and the item now names it.
    added = Exigence.objects.get(project=project, source=change.reference)
    assert added.title == "Portail fournisseurs"
    assert added.text == "Portail fournisseurs\nLes fournisseurs déposent."
    assert added.status == ExigenceStatus.VALIDEE
    assert added.history.order_by("history_id").first().history_user == personas.moa
    assert ChangeItem.objects.get(change=change, kind="ajout").exigence == added
    # Untouched: no new history line.
    assert untouched.history.count() == 3
    # The frozen CDC version holds the change.
    entries = {e.reference: e for e in change.cdc_version.entries.all()}
    assert entries[changed.reference].text == "Le système exporte en XLSX."
    assert entries[changed.reference].status == ExigenceStatus.VALIDEE
    assert entries[removed.reference].status == ExigenceStatus.REJETEE
    assert entries[added.reference].title == "Portail fournisseurs"
    assert entries[untouched.reference].text == "L’utilisateur se connecte par SSO."
    # What was applied, item by item.
    assert [(line["exigence"], line["outcome"]) for line in change.applied] == [
        (changed.reference, "updated"),
        (removed.reference, "removed"),
        (added.reference, "created"),
    ]
    # A removal decided through a change is not a rejection after validation on the scope axis.
    assert gather_facts(project).exigences_rejected_after_validation == rejected_before


def test_an_item_without_what_it_needs_is_reported_not_guessed(personas: Any) -> None:
    project = personas.project
    gone = exigence_create(actor=personas.amoa, project=project, title="Fax", text="Par fax.")
    same = _validated(personas, "Export", "Le système exporte en CSV.")
    change = change_create(actor=personas.moe, project=project, data={"title": "Nettoyage"})
    change_item_add(actor=personas.moe, change=change, kind="suppression", exigence=gone)
    change_item_add(
        actor=personas.moe, change=change, kind="modification", exigence=same, text="Le système exporte en CSV."
    )
    gone.delete()  # a draft exigence deleted since the request was written: the item names nothing now
    version_before = same.version

    change = _accept(personas, change)

    same.refresh_from_db()
    assert same.version == version_before  # nothing to change
    assert [line["outcome"] for line in change.applied] == ["missing_exigence", "unchanged"]
    with translation.override("fr"):
        messages = [line["message"] for line in applied_lines(change)]
    assert messages[0].startswith("non appliqué")
    assert same.reference in messages[1]
    # The page and the API say it.
    reader = personas.client(personas.reader)
    page = reader.get(f"/p/{project.code}/pilotage/changes/{change.pk}/")
    assert page.status_code == 200
    assert 'id="applied"' in page.content.decode()
    assert "non appliqué\u00a0: l’exigence" in page.content.decode()
    body = reader.get(f"/api/projects/{project.code}/changes/{change.pk}").json()
    assert [line["outcome"] for line in body["applied"]] == ["missing_exigence", "unchanged"]
    assert change_detail(project, change.pk).applied == change.applied


def test_the_api_records_a_committee_decision_that_decides_a_change_request(personas: Any) -> None:
    project = personas.project
    kept = _validated(personas, "Export", "Le système exporte en CSV.")
    change = change_create(actor=personas.moe, project=project, data={"title": "Export XLSX"})
    change_item_add(actor=personas.moe, change=change, kind="modification", exigence=kept, text="En XLSX.")
    change = change_submit(actor=personas.moe, change=change, expected_version=None)
    change = change_analyse(actor=personas.moe, change=change, impacts=[], expected_version=None)
    committee = committee_create(
        actor=personas.moe, project=project, data={"title": "COPIL 4", "held_on": timezone.localdate()}
    )
    url = f"/api/projects/{project.code}/committees/{committee.pk}/decisions"
    moe, moa = personas.client(personas.moe), personas.client(personas.moa)
    plain = moe.post(url, {"text": "Go pour la VSR", "subject": "Go/no-go VSR"}, content_type="application/json")
    assert plain.status_code == 201, plain.content
    assert plain.json()["change"] is None
    # The MOE prepares the committee but does not decide the change request.
    deciding = {"text": "DM acceptée", "change": change.reference, "outcome": "accept"}
    assert moe.post(url, deciding, content_type="application/json").status_code == 403
    unknown = moa.post(url, {**deciding, "change": "DM-999"}, content_type="application/json")
    assert unknown.status_code == 422
    assert "DM-999" in unknown.content.decode()
    decided = moa.post(url, deciding, content_type="application/json")
    assert decided.status_code == 201, decided.content
    assert decided.json()["number"] == plain.json()["number"] + 1
    assert decided.json()["change"] == change.reference
    assert decided.json()["change_status"] == "acceptee"
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTEE
    assert change.decision_reason == "DM acceptée"
    kept.refresh_from_db()
    assert kept.text == "En XLSX."  # applied through the same service as a decision on the request itself
    listed = personas.client(personas.reader).get(url).json()
    assert [(d["number"], d["change"], d["sealed"]) for d in listed] == [
        (plain.json()["number"], None, False),
        (decided.json()["number"], change.reference, False),
    ]
    committee_close(actor=personas.moa, committee=committee, expected_version=None)
    assert all(d["sealed"] for d in personas.client(personas.reader).get(url).json())
    late = moa.post(url, {"text": "Trop tard"}, content_type="application/json")
    assert late.status_code in (409, 422), late.content
