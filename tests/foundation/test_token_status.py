"""The token list says the state of every token: active, expired or revoked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from oeuvre.accounts.models import ApiToken
from oeuvre.accounts.services import token_create, token_revoke

pytestmark = pytest.mark.django_db


def _status_cells(page: str) -> list[str]:
    return [cell.split("</span>")[0].rsplit(">", 1)[1] for cell in page.split('class="token-status">')[1:]]


def test_it_shows_the_status_of_each_token(personas: Any) -> None:
    user = personas.moe
    token_create(user=user, name="CI")
    old, _secret = token_create(user=user, name="Ancien", expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))  # time has passed
    revoked, _secret = token_create(user=user, name="Révoqué")
    token_revoke(actor=user, token=revoked)
    page = personas.client(user).get("/account/tokens/").content.decode()
    assert sorted(_status_cells(page)) == ["actif", "expiré", "révoqué"]
