"""The one way a project page loads its project: membership (404 otherwise), then the matrix (403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from oeuvre.accounts.permissions import require
from oeuvre.projects.selectors import project_for

__all__ = ["project_page", "public_page", "user_page"]


def project_page(permission: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Decorate ``view(request, project, ...)`` mounted on a URL with ``<slug:code>``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            project = project_for(request.user, code)
            # Known before the check, so a refusal page can name the project and the user's role.
            request.project = project  # type: ignore[attr-defined]
            require(request.user, project, permission)
            return view(request, project, *args, **kwargs)

        wrapper.oeuvre_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorate


def user_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page about the signed-in user only (their tokens, their portfolio): login is the whole check."""
    wrapped = login_required(view)
    wrapped.oeuvre_permission = "user"  # type: ignore[attr-defined]
    return wrapped


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page anyone may read without logging in (the user guide, the accessibility statement)."""
    view.oeuvre_permission = "public"  # type: ignore[attr-defined]
    return view
