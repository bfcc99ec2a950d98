from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForgeConfig(AppConfig):
    name = "oeuvre.forge"
    label = "forge"
    verbose_name = _("Development and integration")
