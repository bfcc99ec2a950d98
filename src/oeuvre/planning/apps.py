from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "oeuvre.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.planning import jobs, notify, permissions  # noqa: F401  (matrix rows, job handlers, who is told)
        from oeuvre.planning import search as planning_search
        from oeuvre.planning.models import (
            Assignment,
            Baseline,
            Dependency,
            Lot,
            Plan,
            RafEstimate,
            Resource,
            Task,
            TimeEntry,
        )
        from oeuvre.web.stages import Stage, register_stage

        planning_search.register()  # what the search box finds (web's registry)
        from oeuvre.planning import work as planning_work

        planning_work.register()  # what waits for a person ("Mon travail")
        register_stage(Stage("planning", _("Planning"), "planning:index", permissions.PLANNING_VIEW, 20))
        register_activity(Plan, "project")
        register_activity(Lot, "project")
        register_activity(Task, "project")
        register_activity(Dependency, "project")
        register_activity(Resource, "project")
        register_activity(Assignment, "task__project")
        register_activity(TimeEntry, "project")
        register_activity(RafEstimate, "project")
        register_activity(Baseline, "project")

        from oeuvre.planning.selectors import tasks_hanging_on
        from oeuvre.requirements.traces import register_impact_provider

        register_impact_provider("planning.tasks", tasks_hanging_on)

        from oeuvre.web.panels import HomePanel, register_home_panel

        register_home_panel(
            HomePanel("planning", "planning/_home_panel.html", _home_panel, permissions.PLANNING_VIEW, 20)
        )


def _home_panel(request: Any, project: Any) -> dict[str, Any]:
    # The views (and the workbook and calendar libraries they import) load on the first page, not at start-up.
    from oeuvre.planning.views import home_panel

    return home_panel(request, project)
