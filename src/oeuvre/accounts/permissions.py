"""The permission matrix, kept as data, and the one function that reads it.

Each stage declares its permissions with :func:`define` (role × permission); every edge — view, API
endpoint, CLI command — asks :func:`can` (or :func:`require`), never a role directly.
A user who is not a member of a project cannot see it at all: selectors answer 404 before any
permission is checked, so that a project's existence never leaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

if TYPE_CHECKING:
    from oeuvre.accounts.models import User
    from oeuvre.projects.models import Membership, Project

__all__ = ["MATRIX", "Permission", "can", "current_user", "define", "membership_of", "permissions_of", "require"]


@dataclass(frozen=True)
class Permission:
    code: str
    label: Promise
    stage: Promise
    roles: frozenset[str]

    def granted_to(self, role: str, is_admin: bool) -> bool:
        return role in self.roles or (is_admin and ADMIN in self.roles)


MATRIX: dict[str, Permission] = {}


def define(code: str, label: Promise, stage: Promise, roles: Iterable[str]) -> str:
    """Add one row to the matrix; ``roles`` holds Role values and possibly ``ADMIN``."""
    granted = frozenset(str(r) for r in roles)
    unknown = granted - {str(r) for r in ALL_ROLES} - {ADMIN}
    if unknown:
        raise ValueError(f"permission {code}: unknown roles {sorted(unknown)}")
    existing = MATRIX.get(code)
    if existing is not None and existing.roles != granted:
        raise ValueError(f"permission {code} is defined twice with different roles")
    MATRIX[code] = Permission(code, label, stage, granted)
    return code


_CACHE_ATTR = "_oeuvre_memberships"


def membership_of(user: Any, project: Project) -> Membership | None:
    """The user's membership on ``project``, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cache: dict[int, Membership | None] = user.__dict__.setdefault(_CACHE_ATTR, {})
    if project.pk not in cache:
        # Through the app registry: accounts sits below projects in the foundation order and does not import it.
        membership_model = apps.get_model("projects", "Membership")

        if getattr(project, "my_user_id", None) == user.pk and getattr(project, "my_role", None):
            # Annotated by projects_for_user(): a list of projects costs no query per row.
            role, is_admin = project.my_role, project.my_admin  # type: ignore[attr-defined]
            cache[project.pk] = membership_model(project=project, user=user, role=role, is_admin=is_admin)
        else:
            cache[project.pk] = membership_model.objects.filter(project=project, user=user).first()
    return cache[project.pk]


def can(user: Any, project: Project, code: str) -> bool:
    """May ``user`` do ``code`` on ``project``? The single answer every edge relies on."""
    permission = MATRIX.get(code)
    if permission is None:
        raise KeyError(f"unknown permission {code!r}")
    membership = membership_of(user, project)
    if membership is None:
        return False
    return permission.granted_to(membership.role, membership.is_admin)


def require(user: Any, project: Project, code: str) -> None:
    """Raise PermissionDenied (403) unless :func:`can` says yes."""
    if not can(user, project, code):
        raise PermissionDenied(str(_("Your role on this project does not allow this action.")))


def permissions_of(user: Any, project: Project) -> set[str]:
    membership = membership_of(user, project)
    if membership is None:
        return set()
    return {code for code, p in MATRIX.items() if p.granted_to(membership.role, membership.is_admin)}


# --- The foundation's rows -------------------------------------------------------------------------
_PROJECT = _("Project")
_EVERYONE = ALL_ROLES
_MANAGEMENT = {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN}

PROJECT_VIEW = define("project.view", _("See the project"), _PROJECT, _EVERYONE)
PROJECT_VIEW_BUDGET = define("project.view_budget", _("See the budget"), _PROJECT, _MANAGEMENT)
PROJECT_EDIT = define(
    "project.edit", _("Edit the project (dates, budget, calendar)"), _PROJECT, {Role.MOA, Role.MOE, ADMIN}
)
PROJECT_CHANGE_PHASE = define(
    "project.change_phase", _("Move the project to another phase"), _PROJECT, {Role.MOA, ADMIN}
)
PROJECT_MANAGE_MEMBERS = define("project.manage_members", _("Add and remove members, change roles"), _PROJECT, {ADMIN})
PROJECT_VIEW_ACTIVITY = define("project.view_activity", _("See who changed what"), _PROJECT, _EVERYONE)


def current_user(request: Any) -> User:
    """The signed-in user of a request that the edge already authenticated (typed for services)."""
    from oeuvre.accounts.models import User

    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied(str(_("Log in first.")))
    return user
