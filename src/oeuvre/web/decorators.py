"""The one way a project page loads its project: membership (404 otherwise), then the matrix (403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from oeuvre.accounts.permissions import require
from oeuvre.projects.selectors import project_for

__all__ = ["project_page", "user_page"]


def project_page(permission: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Decorate ``view(request, project, ...)`` mounted on a URL with ``<slug:code>``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            project = project_for(request.user, code)
            require(request.user, project, permission)
            request.project = project  # type: ignore[attr-defined]
            return view(request, project, *args, **kwargs)

        wrapper.oeuvre_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


def user_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page about the signed-in user only (their tokens, their portfolio): login is the whole check."""
    wrapped = login_required(view)
    wrapped.oeuvre_permission = "user"  # type: ignore[attr-defined]
    return wrapped
