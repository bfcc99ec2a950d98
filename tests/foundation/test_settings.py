"""Settings come from the environment through typed readers that fail loudly, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oeuvre import conf
from oeuvre.conf import SettingError


def _oeuvre(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("OEUVRE_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "oeuvre", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OEUVRE_DEBUG": "maybe"}, "OEUVRE_DEBUG must be a boolean"),
        ({"OEUVRE_ENV": "production"}, "OEUVRE_SECRET_KEY must be set when OEUVRE_ENV=production"),
        ({"OEUVRE_ENV": "staging"}, "OEUVRE_ENV must be development, production or test"),
        ({"OEUVRE_SECRET_KEY": "short"}, "OEUVRE_SECRET_KEY must be at least 32 characters"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must point to PostgreSQL"),
        ({"REDIS_URL": "http://cache"}, "REDIS_URL must start with redis://"),
        ({"OEUVRE_WEB_WORKERS": "two"}, "OEUVRE_WEB_WORKERS must be an integer"),
        (
            {"OEUVRE_ENV": "production", "OEUVRE_SECRET_KEY": "x" * 40},
            "OEUVRE_ALLOWED_HOSTS must be set when OEUVRE_ENV=production",
        ),
    ],
)
def test_it_stops_start_up_with_one_clear_line(env: dict[str, str], message: str, tmp_path: Path) -> None:
    result = _oeuvre(["check"], {"OEUVRE_DATA_DIR": str(tmp_path), **env}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"oeuvre: configuration error: {message}"] or (
        message in result.stderr and "Traceback" not in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_it_keeps_a_generated_secret_key_in_the_data_directory(tmp_path: Path) -> None:
    first = conf.secret_key(tmp_path, production=False)
    again = conf.secret_key(tmp_path, production=False)
    assert first == again
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_it_requires_the_secret_key_in_production(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="OEUVRE_SECRET_KEY must be set"):
        conf.secret_key(tmp_path, production=True)


def test_it_reads_typed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    monkeypatch.setenv("X_INT", "0")
    assert conf.env_bool("X_BOOL", False) is True
    assert conf.env_list("X_LIST", []) == ["a.example", "b.example"]
    with pytest.raises(SettingError, match="X_INT must be at least 1"):
        conf.env_int("X_INT", 5, minimum=1)


def test_it_defaults_to_sqlite_in_wal_mode_with_immediate_transactions(tmp_path: Path) -> None:
    script = (
        "from django.db import connection; connection.ensure_connection();"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.settings_dict['OPTIONS']['transaction_mode']); print(connection.settings_dict['NAME'])"
    )
    result = _oeuvre(["shell", "-c", script], {"OEUVRE_DATA_DIR": str(tmp_path / "data")}, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-3:]
    assert lines == ["wal", "IMMEDIATE", str(tmp_path / "data" / "oeuvre.sqlite3")]


def test_it_uses_argon2_security_headers_and_no_debug_by_default() -> None:
    import oeuvre.settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert module.DEBUG is False
    assert module.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert module.X_FRAME_OPTIONS == "DENY"
    assert "'self'" in module.SECURE_CSP["script-src"]


def test_it_turns_secure_cookies_and_hsts_on_in_production(tmp_path: Path) -> None:
    script = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    env = {
        "OEUVRE_ENV": "production",
        "OEUVRE_SECRET_KEY": "k" * 50,
        "OEUVRE_ALLOWED_HOSTS": "oeuvre.example",
        "OEUVRE_DATA_DIR": str(tmp_path),
    }
    result = _oeuvre(["shell", "-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True True 31536000"


def test_it_configures_oidc_sso_from_the_environment(tmp_path: Path) -> None:
    script = (
        "from django.conf import settings as s; a = s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0];"
        "print(a['client_id'], a['settings']['server_url'])"
    )
    env = {
        "OEUVRE_DATA_DIR": str(tmp_path),
        "OEUVRE_OIDC_SERVER_URL": "https://sso.example/realms/x",
        "OEUVRE_OIDC_CLIENT_ID": "oeuvre",
        "OEUVRE_OIDC_SECRET": "s3cret",
    }
    result = _oeuvre(["shell", "-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "oeuvre https://sso.example/realms/x"


def test_it_answers_healthz_over_plain_http_in_production(tmp_path: Path) -> None:
    """A load balancer checks each server over HTTP: /healthz is never redirected, every other page is."""
    script = (
        "from django.test import Client; c = Client();"
        "print(c.get('/healthz', HTTP_HOST='oeuvre.example').status_code,"
        " c.get('/p/', HTTP_HOST='oeuvre.example').status_code)"
    )
    env = {
        "OEUVRE_ENV": "production",
        "OEUVRE_SECRET_KEY": "k" * 50,
        "OEUVRE_ALLOWED_HOSTS": "oeuvre.example",
        "OEUVRE_DATA_DIR": str(tmp_path),
    }
    result = _oeuvre(["shell", "-c", script], env, tmp_path)
    assert result.returncode == 0, result.stderr
    healthz, page = result.stdout.strip().splitlines()[-1].split()
    assert (healthz, page) == ("200", "301")


def test_it_lets_no_peer_set_the_scheme_through_gunicorn() -> None:
    """gunicorn trusted X-Forwarded-Proto from 127.0.0.1 by default: a local request claiming HTTPS was taken
    for one even with OEUVRE_BEHIND_PROXY off. Parsed here by gunicorn's own request reader."""
    from gunicorn.config import Config
    from gunicorn.http.message import Request
    from gunicorn.http.unreader import IterUnreader

    from oeuvre.core.server import gunicorn_options

    config = Config()
    for key, value in gunicorn_options("127.0.0.1", 8000, workers=1, threads=1).items():
        config.set(key, value)
    raw = b"GET /healthz HTTP/1.1\r\nHost: oeuvre.example\r\nX-Forwarded-Proto: https\r\n\r\n"
    for peer in ("127.0.0.1", "::1", "10.0.0.5"):
        assert Request(config, IterUnreader([raw]), (peer, 50000)).scheme == "http"
