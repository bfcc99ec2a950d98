from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "oeuvre.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from oeuvre.demo import jobs  # noqa: F401  (registers the demo job)
