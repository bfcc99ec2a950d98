from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MepConfig(AppConfig):
    name = "oeuvre.mep"
    label = "mep"
    verbose_name = _("Deployment and support")
