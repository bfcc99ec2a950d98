"""The deployment stage's releases and incidents in the global search."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oeuvre.mep.models import Incident, Release
from oeuvre.mep.permissions import MEP_VIEW
from oeuvre.web.searchable import Searchable, SearchDocument, register_searchable


def _release(r: Release) -> SearchDocument:
    url = reverse("mep:release_detail", args=[r.project.code, r.pk])
    return SearchDocument(r.number, r.title or r.number, r.description, url)


def _incident(i: Incident) -> SearchDocument:
    url = reverse("mep:incident_detail", args=[i.project.code, i.pk])
    return SearchDocument(i.reference, i.title, i.description, url)


def register() -> None:
    register_searchable(Searchable("release", _("Releases"), Release, MEP_VIEW, _release, 40, icon="bi-rocket-takeoff"))
    register_searchable(
        Searchable("incident", _("Incidents"), Incident, MEP_VIEW, _incident, 41, icon="bi-exclamation-octagon")
    )
