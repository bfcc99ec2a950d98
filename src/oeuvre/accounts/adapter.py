from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Accounts are created by an administrator unless OEUVRE_OPEN_SIGNUP is set."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.OEUVRE_OPEN_SIGNUP)
