"""The recette stage's pages, under ``p/<code>/recette/``: each slice's views module lists its own ``urlpatterns``."""

from __future__ import annotations

from django.urls import URLPattern

from oeuvre.recette.views import anomalies, dashboards, overview, pv, results, testbook, timers

app_name = "recette"

urlpatterns: list[URLPattern] = [
    *overview.urlpatterns,
    *testbook.urlpatterns,
    *anomalies.urlpatterns,
    *dashboards.urlpatterns,
    *pv.urlpatterns,
    *timers.urlpatterns,
    *results.urlpatterns,
]
