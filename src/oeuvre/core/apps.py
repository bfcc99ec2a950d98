from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "oeuvre.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from oeuvre.core import housekeeping

        housekeeping.register_housekeeping()
