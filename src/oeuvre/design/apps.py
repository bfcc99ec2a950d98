from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesignConfig(AppConfig):
    name = "oeuvre.design"
    label = "design"
    verbose_name = _("Technical design")

    def ready(self) -> None:
        from oeuvre.core.activity import register_activity
        from oeuvre.design import models, permissions
        from oeuvre.web.stages import Stage, register_stage

        register_stage(Stage("design", _("Design"), "design:index", permissions.DESIGN_VIEW, 15))
        register_activity(models.Interface, "project")
        register_activity(models.Criterion, "project")

        from oeuvre.design import selectors
        from oeuvre.requirements import traces

        # What an exigence change reaches in the architecture, and the interfaces beside the components in the RTM.
        traces.register_impact_provider("design.interfaces", selectors.interfaces_hanging_on)
        traces.register_impact_provider("design.criteria", selectors.criteria_hanging_on)
        traces.register_group_label("interfaces", _("Interfaces"))
        traces.register_group_label("criteria", _("Performance and security criteria"))
        traces.register_architecture_provider(selectors.interfaces_of_exigences)
