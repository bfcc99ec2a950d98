from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForgeConfig(AppConfig):
    name = "oeuvre.forge"
    label = "forge"
    verbose_name = _("Development and integration")

    def ready(self) -> None:
        from datetime import time, timedelta

        from oeuvre.core.activity import register_activity
        from oeuvre.core.events import listen
        from oeuvre.core.periodic import register_periodic
        from oeuvre.forge import chain, models, panels, permissions
        from oeuvre.forge.services import events, webhooks
        from oeuvre.web.stages import Stage, register_stage

        register_stage(Stage("forge", _("Integration"), "forge:index", permissions.FORGE_VIEW, 35))
        register_activity(models.Repository, "project")
        chain.register_defaults()
        panels.register()
        register_periodic(events.PURGE_JOB, every=timedelta(days=1), at=time(3, 30))
        register_activity(models.WebhookSubscription, "project")
        listen(webhooks.on_event)
        register_periodic(webhooks.RETRY_JOB, every=timedelta(minutes=1))
