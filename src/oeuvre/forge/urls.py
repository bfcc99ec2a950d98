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
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="delivery_redeliver"),
]
