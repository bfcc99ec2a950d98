"""The mep stage's pages, under ``p/<code>/mep/``."""

from __future__ import annotations

from django.urls import URLPattern

from oeuvre.mep import views, views_incidents, views_runbook, views_training

app_name = "mep"

urlpatterns: list[URLPattern] = [
    *views.urlpatterns,
    *views_incidents.urlpatterns,
    *views_runbook.urlpatterns,
    *views_training.urlpatterns,
]
