"""The forge stage's pages, under ``p/<code>/forge/``."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "forge"

urlpatterns: list[URLPattern] = []
