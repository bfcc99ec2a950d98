"""Configuration items of an environment: refuse a value that looks like a secret (Django-free).

A configuration item holds either a plain value (a host, a port, a feature flag) or a *reference* to a secret kept
in a vault (``vault:kv/crm/prod#db_password``); the secret itself is never stored. :func:`secret_reason` says why a
value looks like a secret, or returns ``None``: a secret-sounding name with a value, a private key, a URL with a
password, a well-known token shape, or a long random-looking string.
"""

from __future__ import annotations

import math
import re
from collections import Counter

__all__ = ["SECRET_NAME", "secret_reason", "shannon_entropy"]

SECRET_NAME = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth[_-]?key|"
    r"client[_-]?secret|access[_-]?key|mot[_-]?de[_-]?passe|mdp)",
    re.IGNORECASE,
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private_key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("url_password", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)),
    ("aws_key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("forge_token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,}|xox[abpr]-[A-Za-z0-9-]{10,})")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("password_assignment", re.compile(r"(password|passwd|pwd|secret)\s*[=:]\s*\S+", re.IGNORECASE)),
)

# A long token mixing cases and digits with this much entropy per character is taken for a generated secret.
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{24,}")
_ENTROPY_BITS = 4.0
# A number or a flag is no secret even under a secret-sounding name (``PASSWORD_MIN_LENGTH = 12``).
_PLAIN = re.compile(r"-?\d+([.,]\d+)?|true|false|yes|no|on|off|oui|non", re.IGNORECASE)


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text`` (0 for an empty string)."""
    if not text:
        return 0.0
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def _random_looking(token: str) -> bool:
    kinds = sum((any(c.islower() for c in token), any(c.isupper() for c in token), any(c.isdigit() for c in token)))
    return kinds == 3 and shannon_entropy(token) >= _ENTROPY_BITS


def secret_reason(name: str, value: str) -> str | None:
    """Why ``value`` (of the item ``name``) looks like a secret: a short code, or ``None`` when it does not.

    Codes: ``secret_name`` (the name says password, token, key… and a value is given), ``private_key``,
    ``url_password``, ``aws_key``, ``forge_token``, ``jwt``, ``password_assignment``, ``random_token``.
    """
    value = value.strip()
    if not value:
        return None
    if SECRET_NAME.search(name) and not _PLAIN.fullmatch(value):
        return "secret_name"
    for code, pattern in _PATTERNS:
        if pattern.search(value):
            return code
    for token in _TOKEN.findall(value):
        if _random_looking(token):
            return "random_token"
    return None
