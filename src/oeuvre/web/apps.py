from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "oeuvre.web"
    label = "web"
    verbose_name = _("Web shell")

    def ready(self) -> None:
        from oeuvre.web.searchable import connect_bulk_changes

        connect_bulk_changes()
