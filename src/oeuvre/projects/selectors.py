"""Every read that pages, the API and the CLI make on projects."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404

from oeuvre.accounts.permissions import require
from oeuvre.accounts.roles import Role
from oeuvre.projects.models import Membership, Project

__all__ = ["project_for", "project_members", "projects_for_user"]


def projects_for_user(user: Any) -> QuerySet[Project]:
    """The projects ``user`` belongs to, with their organisations, member count and the user's role."""
    if not user.is_authenticated:
        return Project.objects.none()
    mine = Membership.objects.filter(project=OuterRef("pk"), user=user)
    return (
        Project.objects.filter(memberships__user=user)
        .select_related("moa_organisation", "moe_organisation")
        .annotate(
            member_count=Count("memberships", distinct=True),
            my_role=Subquery(mine.values("role")[:1]),
            my_admin=Subquery(mine.values("is_admin")[:1]),
            my_user_id=Value(user.pk, output_field=IntegerField()),
        )
    )


def project_for(user: Any, code: str, permission: str | None = None) -> Project:
    """The project ``code`` if ``user`` is a member; 404 otherwise, so that its existence never leaks.

    With ``permission``, the user's role must also grant it (403 otherwise): the one project loader of the
    API endpoints and the pages (``project_for(request.user, code, RISKS_VIEW)``).
    """
    try:
        project = Project.objects.select_related("moa_organisation", "moe_organisation").get(
            code=code, memberships__user_id=getattr(user, "pk", None) or 0, memberships__user__is_active=True
        )
    except Project.DoesNotExist:
        raise Http404("project") from None
    if permission is not None:
        require(user, project, permission)
    return project


def project_members(project: Project) -> QuerySet[Membership]:
    """Members in the order of DOMAIN.md's roles (MOA first), then by name."""
    rank = Case(*[When(role=role, then=Value(i)) for i, role in enumerate(Role.values)], output_field=IntegerField())
    return (
        project.memberships.select_related("user", "organisation")
        .annotate(role_rank=rank)
        .order_by("role_rank", "user__last_name", "user__first_name")
    )
