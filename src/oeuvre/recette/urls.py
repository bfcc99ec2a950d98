"""The recette stage's pages, under ``p/<code>/recette/``: each slice's views module lists its own ``urlpatterns``."""

from __future__ import annotations

from django.urls import URLPattern

from oeuvre.recette.views import overview
from oeuvre.recette.views import pv as pv_views
from oeuvre.recette.views import timers as timers_views

app_name = "recette"

urlpatterns: list[URLPattern] = [*overview.urlpatterns]
urlpatterns += [*pv_views.urlpatterns, *timers_views.urlpatterns]
