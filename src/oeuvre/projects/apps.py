from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "oeuvre.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.projects.models import Closure, Membership, Project

        register_activity(Project, "id")
        register_activity(Membership, "project")
        register_activity(Closure, "project")
        post_delete.connect(_forget_activity, sender=Project, dispatch_uid="projects.forget_activity")


def _forget_activity(sender: Any, instance: Any, **kwargs: Any) -> None:
    from oeuvre.core.activity import forget_project

    forget_project(instance.pk)
