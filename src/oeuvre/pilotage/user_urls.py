"""The pilotage pages about the signed-in user across projects (``/pilotage/…``): "Mes actions", the portfolio."""

from __future__ import annotations

from django.urls import URLPattern, path

from oeuvre.pilotage.views.committees import user_urlpatterns
from oeuvre.pilotage.views.portfolio import portfolio

app_name = "pilotage_user"

urlpatterns: list[URLPattern] = [*user_urlpatterns, path("portfolio/", portfolio, name="portfolio")]
