from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oeuvre.accounts.permissions import membership_of, permissions_of
from oeuvre.projects.models import Project
from oeuvre.web.stages import stages


def project_context(request: HttpRequest, project: Project, nav: str, **extra: Any) -> dict[str, Any]:
    """What every project page's layout needs: the project, its visible stages and the user's rights."""
    granted = permissions_of(request.user, project)
    return {
        "project": project,
        "nav": nav,
        "my_permissions": granted,
        "my_membership": membership_of(request.user, project),
        "project_stages": [s for s in stages() if s.permission in granted],
        **extra,
    }
