"""The recette stage's test cases, anomalies and PV in the global search."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.recette.models import Anomaly, ProcesVerbal, TestCase
from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.web.searchable import Searchable, SearchDocument, register_searchable


def _test_case(t: TestCase) -> SearchDocument:
    url = reverse("recette:test_case", args=[t.project.code, t.pk])
    return SearchDocument(t.reference, t.title, f"{t.objective}\n{t.preconditions}", url)


def _anomaly(a: Anomaly) -> SearchDocument:
    url = reverse("recette:anomaly_detail", args=[a.project.code, a.pk])
    return SearchDocument(a.reference, a.title, a.description, url)


def _pv(pv: ProcesVerbal) -> SearchDocument:
    url = reverse("recette:pv_detail", args=[pv.project.code, pv.pk])
    return SearchDocument(pv.reference, pv.title, pv.decision_reason, url)


def register() -> None:
    register_searchable(
        Searchable("test_case", _("Test cases"), TestCase, RECETTE_VIEW, _test_case, 30, icon="bi-clipboard2-check")
    )
    register_searchable(Searchable("anomaly", _("Anomalies"), Anomaly, RECETTE_VIEW, _anomaly, 31, icon="bi-bug"))
    register_searchable(
        Searchable("pv", _("Acceptance reports (PV)"), ProcesVerbal, RECETTE_VIEW, _pv, 32, icon="bi-pen")
    )
