"""The production server: gunicorn, configured in code so ``oeuvre serve`` needs no config file."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # The settings are loaded already (``oeuvre serve`` runs inside Django), so the kernel needs no
        # import of the project's root ``wsgi`` module.
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def gunicorn_options(host: str, port: int, *, workers: int, threads: int) -> dict[str, Any]:
    """Gunicorn's settings. No peer is trusted to set the scheme (``X-Forwarded-Proto``): gunicorn trusts
    127.0.0.1 by default, which made any local process (or a proxy that forwards the header as sent) look like
    HTTPS even with ``OEUVRE_BEHIND_PROXY`` off. Behind a proxy, Django reads the header itself
    (``SECURE_PROXY_SSL_HEADER``), and only when the operator says so."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        "graceful_timeout": 20,
        "accesslog": "-",
        "errorlog": "-",
        "forwarded_allow_ips": "",
    }


def run_server(host: str, port: int, *, workers: int, threads: int) -> None:
    _Gunicorn(gunicorn_options(host, port, workers=workers, threads=threads)).run()
