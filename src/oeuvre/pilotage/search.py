"""The steering stage's risks, change requests and actions in the global search."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.pilotage.models import Action, ChangeRequest, Risk
from oeuvre.pilotage.permissions import PILOTAGE_VIEW
from oeuvre.web.searchable import Searchable, SearchDocument, register_searchable


def _risk(r: Risk) -> SearchDocument:
    url = reverse("pilotage:risk_detail", args=[r.project.code, r.pk])
    return SearchDocument(r.reference, r.title, f"{r.cause}\n{r.event}\n{r.consequence}", url)


def _change(c: ChangeRequest) -> SearchDocument:
    url = reverse("pilotage:change_detail", args=[c.project.code, c.pk])
    return SearchDocument(c.reference, c.title, f"{c.justification}\n{c.analysis_note}", url)


def _action(a: Action) -> SearchDocument:
    url = reverse("pilotage:actions", args=[a.project.code])
    return SearchDocument(f"A-{a.number}", a.title, "", url)


def register() -> None:
    register_searchable(Searchable("risk", _("Risks"), Risk, PILOTAGE_VIEW, _risk, 50, icon="bi-exclamation-triangle"))
    register_searchable(
        Searchable(
            "change", _("Change requests"), ChangeRequest, PILOTAGE_VIEW, _change, 51, icon="bi-arrow-left-right"
        )
    )
    register_searchable(Searchable("action", _("Actions"), Action, PILOTAGE_VIEW, _action, 52, icon="bi-check2-square"))
