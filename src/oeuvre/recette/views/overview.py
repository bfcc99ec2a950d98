"""The stage's landing page: where the campaigns, the test book, the anomalies and the PV stand."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from oeuvre.projects.models import Project
from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page


@project_page(RECETTE_VIEW)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    return render(request, "recette/index.html", project_context(request, project, "recette", section="overview"))


urlpatterns: list[URLPattern] = [path("", index, name="index")]
