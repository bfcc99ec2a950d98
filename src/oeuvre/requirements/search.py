"""The requirements stage's objects in the global search: exigences, specifications, components, deliverables."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.requirements.models import Component, Deliverable, Exigence, Specification
from oeuvre.requirements.permissions import REQUIREMENTS_VIEW
from oeuvre.web.searchable import Searchable, SearchDocument, register_searchable


def _exigence(e: Exigence) -> SearchDocument:
    url = reverse("requirements:detail", args=[e.project.code, e.pk])
    return SearchDocument(e.reference, e.title, f"{e.text}\n{e.source}", url)


def _specification(s: Specification) -> SearchDocument:
    url = reverse("requirements:specification", args=[s.project.code, s.pk])
    return SearchDocument(s.reference, s.title, s.text, url)


def _component(c: Component) -> SearchDocument:
    url = reverse("requirements:component", args=[c.project.code, c.pk])
    return SearchDocument(c.reference, c.name, c.description, url)


def _deliverable(d: Deliverable) -> SearchDocument:
    url = reverse("requirements:deliverable", args=[d.project.code, d.pk])
    return SearchDocument(d.reference, d.title, d.get_kind_display(), url)


def register() -> None:
    register_searchable(
        Searchable("exigence", _("Requirements"), Exigence, REQUIREMENTS_VIEW, _exigence, 10, icon="bi-list-check")
    )
    register_searchable(
        Searchable(
            "specification",
            _("Specifications"),
            Specification,
            REQUIREMENTS_VIEW,
            _specification,
            11,
            icon="bi-journal-text",
        )
    )
    register_searchable(
        Searchable("component", _("Components"), Component, REQUIREMENTS_VIEW, _component, 12, icon="bi-boxes")
    )
    register_searchable(
        Searchable(
            "deliverable",
            _("Deliverables"),
            Deliverable,
            REQUIREMENTS_VIEW,
            _deliverable,
            13,
            icon="bi-file-earmark-check",
        )
    )
