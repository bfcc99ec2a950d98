"""The pilotage stage's pages, under ``p/<code>/pilotage/``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "pilotage"

urlpatterns: list[URLPattern] = []
