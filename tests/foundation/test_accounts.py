"""Sign-in through django-allauth: passwords, TOTP second factor, rate limits, password reset."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _login(client: Client, username: str, password: str = PASSWORD, address: str = "127.0.0.1") -> Any:
    return client.post("/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=address)


def test_it_logs_in_with_a_username_or_an_e_mail(client: Client) -> None:
    user = UserFactory(username="claire", email="claire@example.org")
    assert _login(client, "claire").status_code == 302
    client.logout()
    assert _login(client, "claire@example.org").status_code == 302
    assert client.get("/p/").status_code == 200
    assert user.is_authenticated


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(client: Client) -> None:
    UserFactory(username="claire")
    response = _login(client, "claire", "wrong-password")
    assert response.status_code == 200
    assert client.get("/p/").status_code == 302


def test_it_throttles_repeated_failed_logins_from_one_client_without_locking_the_account_out(
    client: Client,
) -> None:
    UserFactory(username="claire")
    for attempt in range(3):
        assert "Trop de tentatives" not in _login(client, "claire", f"wrong-{attempt}", "203.0.113.7").text
    # Three failures from one client within a minute: that client waits, even with the right password…
    response = _login(client, "claire", address="203.0.113.7")
    assert response.status_code == 200
    assert "Trop de tentatives" in response.text
    assert client.get("/p/").status_code == 302
    # …but whoever failed on purpose elsewhere has not locked the account's owner out.
    assert _login(client, "claire", address="198.51.100.20").status_code == 302
    assert client.get("/p/").status_code == 200


def test_it_asks_for_the_totp_code_when_two_factor_is_on(client: Client) -> None:
    user = UserFactory(username="claire")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = _login(client, "claire")
    assert response.status_code == 302
    assert "/accounts/2fa/authenticate/" in response.headers["Location"]
    assert client.get("/p/").status_code == 302  # not logged in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert client.get("/p/").status_code == 200


def test_it_sends_a_password_reset_link_by_e_mail(client: Client) -> None:
    UserFactory(username="claire", email="claire@example.org")
    response = client.post("/accounts/password/reset/", {"email": "claire@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_it_keeps_sign_up_closed_unless_opened(client: Client, settings: Any) -> None:
    response = client.get("/accounts/signup/")
    assert "fermées" in response.text or response.status_code == 403 or "closed" in response.text.lower()
    settings.OEUVRE_OPEN_SIGNUP = True
    assert 'name="username"' in client.get("/accounts/signup/").text


def test_it_hashes_passwords_with_argon2(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    hashed = make_password("un mot de passe")
    assert hashed.startswith("argon2$argon2id$")
    assert check_password("un mot de passe", hashed)
