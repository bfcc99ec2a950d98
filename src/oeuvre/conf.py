"""Typed readers for settings that come from the environment.

Every reader fails loudly with a :class:`SettingError` whose message names the variable and
says what was expected, so that a misconfigured server stops at start-up with one clear line.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

__all__ = ["SettingError", "env_bool", "env_int", "env_list", "env_path", "env_str", "ledger_key", "secret_key"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise SettingError(f"{name} must be set")
        if default is None:
            raise SettingError(f"{name} must be set (no default)")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw else default
    return path.resolve()


def secret_key(data_dir: Path, *, production: bool) -> str:
    """Return the secret key: from the environment, or kept in the data directory.

    In production the key must come from ``OEUVRE_SECRET_KEY``: a key generated on one app
    server's disk would differ from its neighbours' and break sessions behind a load balancer.
    """
    value = os.environ.get("OEUVRE_SECRET_KEY", "")
    if value:
        if len(value) < 32:
            raise SettingError("OEUVRE_SECRET_KEY must be at least 32 characters long")
        return value
    if production:
        raise SettingError("OEUVRE_SECRET_KEY must be set when OEUVRE_ENV=production")
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # Written with O_EXCL so that two processes starting together keep one key.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingError(f"OEUVRE_DATA_DIR {data_dir} is not writable: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


LEDGER_KEY_LABEL = b"oeuvre/ledger-key/v1"


def ledger_key(secret: str) -> str:
    """The key that seals the hash chain of signed records (hex), kept outside the database.

    ``OEUVRE_LEDGER_KEY`` when set (at least 32 characters; give it its own lifetime so that rotating the
    secret key does not orphan the chain), else derived from the secret key by HMAC-SHA256 with a fixed
    label: the derived key is not the secret itself, and knowing it gives nothing to forge sessions with.
    """
    value = os.environ.get("OEUVRE_LEDGER_KEY", "")
    if value:
        if len(value) < 32:
            raise SettingError("OEUVRE_LEDGER_KEY must be at least 32 characters long")
        return hashlib.sha256(value.encode()).hexdigest()
    return hmac.new(secret.encode(), LEDGER_KEY_LABEL, hashlib.sha256).hexdigest()
