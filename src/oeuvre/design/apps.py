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
