from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "oeuvre.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from datetime import time, timedelta

        from oeuvre.core.activity import register_activity
        from oeuvre.core.events import listen
        from oeuvre.core.periodic import register_periodic
        from oeuvre.web import comments, models, notifications, permissions  # noqa: F401 -- registers rows
        from oeuvre.web.searchable import connect_bulk_changes

        connect_bulk_changes()

        register_activity(models.Comment, "project")
        listen(notifications.on_event)
        register_periodic(notifications.DEADLINES_JOB, every=timedelta(days=1), at=time(6, 30))
        register_periodic(notifications.DIGEST_JOB, every=timedelta(days=1), at=time(7, 0))
