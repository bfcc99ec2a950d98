from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "oeuvre.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from oeuvre.accounts import permissions  # noqa: F401  (registers the foundation's permissions)
