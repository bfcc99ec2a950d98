"""The mep stage's pages, under ``p/<code>/mep/``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "mep"

urlpatterns: list[URLPattern] = []
