"""The design stage's pages, under ``p/<code>/design/``."""

from __future__ import annotations

from django.urls import URLPattern

from oeuvre.design import views

app_name = "design"

urlpatterns: list[URLPattern] = [*views.urlpatterns]
