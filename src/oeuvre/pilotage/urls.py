"""The pilotage stage's pages, under ``p/<code>/pilotage/``: each slice's views module lists its own ``urlpatterns``."""

from __future__ import annotations

from django.urls import URLPattern

from oeuvre.pilotage.views import changes, committees, meteo, risks

app_name = "pilotage"

urlpatterns: list[URLPattern] = [*meteo.urlpatterns, *risks.urlpatterns, *changes.urlpatterns, *committees.urlpatterns]
