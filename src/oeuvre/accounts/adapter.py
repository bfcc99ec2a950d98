from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Accounts are created by an administrator unless OEUVRE_OPEN_SIGNUP is set."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.OEUVRE_OPEN_SIGNUP)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys failed logins by account only, so anyone could lock a named account out by failing on
        # purpose. Keyed by account and client, the throttle slows the one who fails, not the account's owner.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"
