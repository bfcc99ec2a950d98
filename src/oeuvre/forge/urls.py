"""The forge stage's pages, under ``p/<code>/forge/``."""

from __future__ import annotations

from django.urls import path

from oeuvre.forge import views

app_name = "forge"

urlpatterns = [
    path("", views.index, name="index"),
    path("repositories/new/", views.repository_new, name="repository_new"),
    path("repositories/<int:pk>/", views.repository_detail, name="repository"),
    path("repositories/<int:pk>/edit/", views.repository_edit, name="repository_edit"),
    path("repositories/<int:pk>/delete/", views.repository_delete, name="repository_delete"),
    path("events/<int:pk>/replay/", views.event_replay, name="event_replay"),
]
