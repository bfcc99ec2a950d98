"""Webhook secrets at rest: encrypted, never stored in clear.

GitHub's and Gitea's signatures are HMACs keyed by the secret, so the server must be able to recompute them:
a one-way hash would not do. The secret is encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key
derived from the instance's ``SECRET_KEY``; a database dump alone does not reveal it. Changing
``SECRET_KEY`` makes stored secrets unreadable: the repository page then asks for the secret again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

__all__ = ["decrypt_secret", "encrypt_secret"]


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"oeuvre.forge.secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The secret in clear, or ``""`` when it cannot be read (another ``SECRET_KEY``): every check then fails."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""
