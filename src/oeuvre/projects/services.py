"""Every write on projects, memberships and closures: one transaction each, permission-checked, in history."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import (
    PROJECT_CHANGE_PHASE,
    PROJECT_EDIT,
    PROJECT_MANAGE_MEMBERS,
    membership_of,
    require,
)
from oeuvre.accounts.roles import Role
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.projects.models import Closure, Membership, Phase, Project

__all__ = [
    "closure_add",
    "closure_remove",
    "membership_add",
    "membership_remove",
    "membership_update",
    "project_change_phase",
    "project_create",
    "project_update",
]

# Fields a project edit may change; the phase has its own service and permission.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "moa_organisation",
        "moe_organisation",
        "regime",
        "pricing",
        "start_date",
        "delivery_date",
        "golive_date",
        "end_date",
        "budget_amount",
        "budget_effort",
        "working_days",
        "holiday_zone",
    }
)


def may_create_project(user: Any) -> bool:
    """Creating a project is an instance-level right (staff), outside any project's matrix."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


@transaction.atomic
def project_create(*, actor: User, role: str, **fields: Any) -> Project:
    """Create a project; its creator becomes a member with ``role`` and the administrator flag."""
    if not may_create_project(actor):
        raise PermissionDenied(_("Only staff members can create projects."))
    unknown = set(fields) - EDITABLE_FIELDS - {"code", "phase"}
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in sorted(unknown)})
    if role not in Role.values:
        raise ValidationFailed({"role": [_("Unknown role.")]})
    project = Project(**fields)
    _full_clean(project)
    project.save()
    Membership.objects.create(project=project, user=actor, role=role, is_admin=True)
    return project


@transaction.atomic
def project_update(*, actor: User, project: Project, expected_version: int | None, **changes: Any) -> Project:
    require(actor, project, PROJECT_EDIT)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    fresh = lock_for_update(project, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh)
    fresh._change_reason = "update"  # type: ignore[attr-defined]
    fresh.save()
    return fresh


@transaction.atomic
def project_change_phase(*, actor: User, project: Project, phase: str, expected_version: int | None) -> Project:
    require(actor, project, PROJECT_CHANGE_PHASE)
    if phase not in Phase.values:
        raise ValidationFailed({"phase": [_("Unknown phase.")]})
    fresh = lock_for_update(project, expected_version)
    fresh.phase = phase
    fresh.save()
    return fresh


def _admins_left(project: Project, excluding: Membership) -> bool:
    return project.memberships.filter(is_admin=True).exclude(pk=excluding.pk).exists()


@transaction.atomic
def membership_add(*, actor: User, project: Project, user: User, role: str, is_admin: bool = False) -> Membership:
    require(actor, project, PROJECT_MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationFailed({"role": [_("Unknown role.")]})
    if not user.is_active:
        raise ValidationFailed({"user": [_("This account is deactivated.")]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(project=project, user=user, role=role, is_admin=is_admin)
    except IntegrityError:
        raise ValidationFailed({"user": [_("This person is already a member of the project.")]}) from None
    return membership


@transaction.atomic
def membership_update(
    *, actor: User, membership: Membership, role: str, is_admin: bool, expected_version: int | None
) -> Membership:
    require(actor, membership.project, PROJECT_MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationFailed({"role": [_("Unknown role.")]})
    fresh = lock_for_update(membership, expected_version)
    if fresh.is_admin and not is_admin and not _admins_left(fresh.project, fresh):
        raise DomainError(_("A project keeps at least one administrator."))
    fresh.role = role
    fresh.is_admin = is_admin
    fresh.save()
    _forget_cached_membership(actor, fresh.project)
    return fresh


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    require(actor, membership.project, PROJECT_MANAGE_MEMBERS)
    if membership.is_admin and not _admins_left(membership.project, membership):
        raise DomainError(_("A project keeps at least one administrator."))
    project = membership.project
    membership.delete()
    _forget_cached_membership(actor, project)


def _forget_cached_membership(actor: User, project: Project) -> None:
    cached = actor.__dict__.get("_oeuvre_memberships")
    if cached is not None:
        cached.pop(project.pk, None)
    membership_of(actor, project)


@transaction.atomic
def closure_add(*, actor: User, project: Project, start: date, end: date, label: str = "") -> Closure:
    require(actor, project, PROJECT_EDIT)
    if start is not None and end is not None and end < start:
        raise ValidationFailed({"end": [_("The last day comes before the first day.")]})
    closure = Closure(project=project, start=start, end=end, label=label)
    _full_clean(closure)
    closure.save()
    return closure


@transaction.atomic
def closure_remove(*, actor: User, closure: Closure) -> None:
    require(actor, closure.project, PROJECT_EDIT)
    closure.delete()
