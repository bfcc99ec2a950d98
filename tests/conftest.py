"""Shared fixtures: one persona per role on a project, plus an outsider and a project administrator."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.factories import MembershipFactory, ProjectFactory, UserFactory

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Path) -> None:
    # Each test gets its own uploaded-files folder and cache; fast hashing keeps user factories cheap
    # (argon2 is checked on its own in test_settings).
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Personas:
    """A project with one member per role; ``outsider`` belongs to another project only."""

    project: Any
    other_project: Any
    moa: Any
    amoa: Any
    moe: Any
    amoe: Any
    exploitation: Any
    contributor: Any
    reader: Any
    admin: Any  # a contributor with the project administrator flag
    outsider: Any

    def by_role(self) -> dict[str, Any]:
        return {
            "moa": self.moa,
            "amoa": self.amoa,
            "moe": self.moe,
            "amoe": self.amoe,
            "exploitation": self.exploitation,
            "contributor": self.contributor,
            "reader": self.reader,
            "admin": self.admin,
            "outsider": self.outsider,
        }

    def client(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def personas(db: Any) -> Personas:
    project = ProjectFactory(code="alpha")
    other = ProjectFactory(code="beta")
    people: dict[str, Any] = {}
    for role in ["moa", "amoa", "moe", "amoe", "exploitation", "contributor", "reader"]:
        people[role] = UserFactory(username=role)
        MembershipFactory(project=project, user=people[role], role=role)
    admin = UserFactory(username="chef")
    MembershipFactory(project=project, user=admin, role="contributor", is_admin=True)
    outsider = UserFactory(username="outsider")
    MembershipFactory(project=other, user=outsider, role="moa", is_admin=True)
    return Personas(project=project, other_project=other, admin=admin, outsider=outsider, **people)


# --- Browser tests -----------------------------------------------------------------------------------
CHROMIUM = os.environ.get("OEUVRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Any:
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: CI installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make between
    # page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def login(page: Any, username: str, password: str = "correct-horse-battery") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/p/**")
