"""Outgoing webhooks, without Django: the signed request, the address filter, one HTTP attempt.

A receiver checks a delivery as it would a Stripe or Standard Webhooks one: ``X-Oeuvre-Signature`` is
``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the shared secret>``. Signing the timestamp with
the body lets the receiver refuse an old delivery replayed later (compare ``t`` with its clock).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["AddressRefused", "Attempt", "check_address", "send", "sign", "signature_header", "verify_signature"]

SCHEMA_VERSION = "1"


class AddressRefused(ValueError):
    """The address points to a private, loopback, link-local or otherwise internal host."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<timestamp>,v1=<signature>``.

    >>> signature_header("s", 1700000000, b"{}")[:13]
    't=1700000000,'
    """
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify_signature(secret: str, header: str, body: bytes, *, now: int | None = None, tolerance: int = 300) -> bool:
    """What a receiver does: check the signature and that the timestamp is within ``tolerance`` seconds."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((int(time.time()) if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), sign(secret, timestamp, body))


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_address(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Refuse a URL that is not http(s) or whose host is (or resolves to) an internal address.

    >>> check_address("http://127.0.0.1:8000/hook", allow_private=False, resolve=False)
    Traceback (most recent call last):
    ...
    oeuvre.interop.webhook_out.AddressRefused: 127.0.0.1 is a private, loopback or link-local address
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused("only http:// and https:// addresses with a host can receive webhooks")
    if allow_private:
        return
    host = parts.hostname
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if not resolve:
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
        except OSError as exc:
            raise AddressRefused(f"{host} cannot be resolved: {exc}") from None
        addresses = sorted({str(info[4][0]).split("%")[0] for info in infos})
    for address in addresses:
        if _internal(address):
            raise AddressRefused(f"{address} is a private, loopback or link-local address")


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status: int | None
    duration_ms: int
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an internal address the filter never saw: it counts as a failed attempt.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def send(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10.0) -> Attempt:
    """POST once; 2xx is success, anything else (or no answer within ``timeout``) a failure."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 — http(s) checked
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
            response.read(65536)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        return Attempt(False, None, int(1000 * (time.monotonic() - started)), str(reason)[:500])
    duration = int(1000 * (time.monotonic() - started))
    ok = 200 <= status < 300
    return Attempt(ok, status, duration, "" if ok else f"HTTP {status}")
