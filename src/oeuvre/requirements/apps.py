from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "oeuvre.requirements"
    label = "requirements"
    verbose_name = _("Requirements")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.requirements import (  # noqa: F401 — registers the job
            jobs,
            models,
            notify,
        )
        from oeuvre.requirements.home import register
        from oeuvre.requirements.permissions import REQUIREMENTS_VIEW
        from oeuvre.web.stages import Stage, register_stage

        register_stage(Stage("requirements", _("Requirements"), "requirements:index", REQUIREMENTS_VIEW, 10))
        from oeuvre.requirements import search as requirements_search

        requirements_search.register()  # what the search box finds (web's registry)
        from oeuvre.requirements import work as requirements_work

        requirements_work.register()  # what waits for a person ("Mon travail")
        register()
        register_activity(models.Exigence, "project")
        register_activity(models.Specification, "project")
        register_activity(models.Component, "project")
        register_activity(models.CdcVersion, "project")
        register_activity(models.Deliverable, "project")
        register_activity(models.TraceLink, "project")
