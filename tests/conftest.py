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
