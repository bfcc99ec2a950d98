"""The pilotage pages about the signed-in user across projects (``/pilotage/…``): "Mes actions"."""

from __future__ import annotations

from django.urls import URLPattern

from oeuvre.pilotage.views.committees import user_urlpatterns

app_name = "pilotage_user"

urlpatterns: list[URLPattern] = [*user_urlpatterns]
