from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def shell(request: HttpRequest) -> dict[str, Any]:
    project = getattr(request, "project", None)
    context: dict[str, Any] = {"OEUVRE_DEMO": settings.DEMO, "LANGUAGE_CHOICES": settings.LANGUAGES}
    if project is not None:
        # The project a refused request was about: error pages offer the way back and name the role.
        context["error_project"] = project
        context["error_role"] = SimpleLazyObject(lambda: _role_label(request, project))
    return context


def _role_label(request: HttpRequest, project: Any) -> str:
    from oeuvre.accounts.permissions import membership_of

    membership = membership_of(request.user, project)
    return membership.get_role_display() if membership is not None else ""
