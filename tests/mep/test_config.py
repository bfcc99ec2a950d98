"""Configuration items per environment: a value or a secret's reference, never a secret; staging ≠ production shown."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import StaleVersion, ValidationFailed
from oeuvre.engine.config_values import secret_reason, shannon_entropy
from oeuvre.mep import configuration, services
from oeuvre.mep.models import ConfigItem, ReleaseStatus
from tests.mep.builders import release


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("DB_PASSWORD", "hunter2-hunter2", "secret_name"),
        ("smtp_mot_de_passe", "azerty", "secret_name"),
        ("DATABASE_URL", "postgres://crm:S3cr3t!@db.interne:5432/crm", "url_password"),
        ("TLS_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIB…", "private_key"),
        ("S3", "AKIAIOSFODNN7EXAMPLE", "aws_key"),
        ("CI", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "forge_token"),
        ("SESSION", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.SflKxwRJSMeKKF2QT4fwpMeJf36P", "jwt"),
        ("DSN", "user=crm password=Zx9!qq host=db", "password_assignment"),
        ("SIGNING", "q8Xv2LmP9rTz4KwB7nYc3HdF6sJa1GeU", "random_token"),
    ],
)
def test_values_that_look_like_secrets_are_named(name: str, value: str, code: str) -> None:
    assert secret_reason(name, value) == code


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_HOST", "db-prod.interne.example.fr"),
        ("DATABASE_URL", "postgres://db-prod.interne:5432/crm"),
        ("PASSWORD_MIN_LENGTH", "12"),
        ("TOKEN_TTL", "3600"),
        ("FEATURE_NEW_PORTAL", "true"),
        ("LOG_LEVEL", "WARNING"),
        ("RELEASE", "2.3.1-rc2"),
        ("DB_PASSWORD", ""),
        ("BUILD", "a3f9c2e4b5d6a7f8a9b0c1d2e3f4a5b6c7d8e9f0"),  # a commit (hexadecimal, no capitals)
    ],
)
def test_plain_values_pass(name: str, value: str) -> None:
    assert secret_reason(name, value) is None


def test_entropy_is_measured_in_bits_per_character() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def _envs(p: Any) -> tuple[Any, Any]:
    pre = services.environment_create(actor=p.moe, project=p.project, kind="preproduction", name="PPR")
    prod = services.environment_create(actor=p.moe, project=p.project, kind="production", name="PRD")
    return pre, prod


def test_a_secret_value_is_refused_and_nothing_is_stored_not_even_in_history(personas: Any) -> None:
    pre, _prod = _envs(personas)
    with pytest.raises(ValidationFailed) as caught:
        configuration.config_item_set(
            actor=personas.exploitation, environment=pre, name="DB_PASSWORD", value="Tr0ub4dor&3"
        )
    assert "secret" in caught.value.errors["value"][0]
    assert not ConfigItem.objects.exists()
    assert not ConfigItem.history.exists()
    item = configuration.config_item_set(
        actor=personas.exploitation, environment=pre, name="DB_PASSWORD", secret_ref="vault:kv/crm/ppr#db"
    )
    assert item.is_secret
    assert item.value == ""
    with pytest.raises(ValidationFailed) as caught:
        configuration.config_item_set(
            actor=personas.exploitation, environment=pre, name="X", value="1", secret_ref="vault:kv/x"
        )
    assert "value" in caught.value.errors


def test_only_the_deployment_team_sets_items_and_owners_are_members(personas: Any) -> None:
    pre, _prod = _envs(personas)
    with pytest.raises(PermissionDenied):
        configuration.config_item_set(actor=personas.reader, environment=pre, name="LOG_LEVEL", value="INFO")
    with pytest.raises(ValidationFailed) as caught:
        configuration.config_item_set(
            actor=personas.moe, environment=pre, name="LOG_LEVEL", value="INFO", owner=personas.outsider
        )
    assert "owner" in caught.value.errors


def test_a_change_is_versioned_and_a_stale_edit_refused(personas: Any) -> None:
    pre, _prod = _envs(personas)
    first = configuration.config_item_set(actor=personas.moe, environment=pre, name="LOG_LEVEL", value="INFO")
    second = configuration.config_item_set(
        actor=personas.moe, environment=pre, name="LOG_LEVEL", value="DEBUG", expected_version=first.version
    )
    assert second.pk == first.pk
    assert second.version == first.version + 1
    with pytest.raises(StaleVersion):
        configuration.config_item_set(
            actor=personas.moe, environment=pre, name="LOG_LEVEL", value="WARNING", expected_version=first.version
        )
    assert [h.value for h in ConfigItem.history.order_by("history_date")] == ["INFO", "DEBUG"]


def test_the_page_highlights_settings_differing_between_staging_and_production(personas: Any) -> None:
    pre, prod = _envs(personas)
    rec = services.environment_create(actor=personas.moe, project=personas.project, kind="recette", name="REC")
    m = personas.moe
    for env, value in ((rec, "DEBUG"), (pre, "INFO"), (prod, "INFO")):
        configuration.config_item_set(actor=m, environment=env, name="LOG_LEVEL", value=value)
    configuration.config_item_set(actor=m, environment=pre, name="SMTP_HOST", value="smtp-ppr")
    configuration.config_item_set(actor=m, environment=prod, name="SMTP_HOST", value="smtp-prd")
    # Secret references differ by design: only one missing on a side counts.
    configuration.config_item_set(actor=m, environment=pre, name="DB_PASSWORD", secret_ref="vault:ppr#db")
    configuration.config_item_set(actor=m, environment=prod, name="DB_PASSWORD", secret_ref="vault:prd#db")
    configuration.config_item_set(actor=m, environment=pre, name="API_KEY", secret_ref="vault:ppr#api")
    matrix = configuration.config_matrix(personas.project, [rec, pre, prod])
    assert {r.name: r.differs for r in matrix["rows"]} == {
        "API_KEY": True,
        "DB_PASSWORD": False,
        "LOG_LEVEL": False,
        "SMTP_HOST": True,
    }
    html = personas.client(personas.reader).get("/p/alpha/mep/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "2 paramètres diffèrent entre la préproduction et la production." in html
    assert "vault:prd#db" in html
    assert 'action="/p/alpha/mep/config/"' not in html  # a reader sees, does not set


def test_the_page_refuses_a_secret_with_the_reason(personas: Any) -> None:
    pre, _prod = _envs(personas)
    response = personas.client(personas.exploitation).post(
        "/p/alpha/mep/config/",
        {"environment": pre.pk, "name": "DATABASE_URL", "value": "postgres://crm:pw@db/crm"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "l’adresse porte un mot de passe" in response.content.decode()
    assert not ConfigItem.objects.exists()


def test_api_and_cli_show_items_and_the_api_sets_them(personas: Any) -> None:
    _pre, prod = _envs(personas)
    _token, raw = token_create(user=personas.exploitation, name="ansible")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/mep/environments/{prod.pk}/config"
    refused = client.put(url, {"name": "DB_PASSWORD", "value": "Tr0ub4dor&3"}, content_type="application/json")
    assert refused.status_code == 422
    created = client.put(
        url,
        {"name": "DB_PASSWORD", "secret_ref": "vault:prd#db", "owner": "exploitation"},
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    assert created.json()["owner"] == "exploitation"
    stale = client.put(url, {"name": "DB_PASSWORD", "secret_ref": "vault:prd#db2"}, content_type="application/json")
    assert stale.status_code == 428  # changing an existing item needs the version read
    envs = client.get("/api/projects/alpha/mep/environments").json()
    assert [i["name"] for e in envs for i in e["config_items"]] == ["DB_PASSWORD"]
    out = io.StringIO()
    call_command("mep", "config", "--project", "alpha", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["differences"] == 1
    assert data["items"][0]["values"] == {"PPR": None, "PRD": {"value": "", "secret_ref": "vault:prd#db"}}


def test_the_api_release_output_carries_the_garantie(personas: Any) -> None:
    live = release(personas, "1.0")
    services.release_update(
        actor=personas.moe,
        release=live,
        expected_version=None,
        status=ReleaseStatus.EN_PRODUCTION,
        actual_date=timezone.localdate() - dt.timedelta(days=10),
    )
    release(personas, "2.0")
    _token, raw = token_create(user=personas.reader, name="tableau")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    rows = {r["number"]: r for r in client.get("/api/projects/alpha/mep/releases").json()}
    assert rows["2.0"]["garantie"] is None
    assert rows["1.0"]["garantie"]["source"] == "go_live"
    assert rows["1.0"]["garantie"]["days_left"] > 300
    one = client.get(f"/api/projects/alpha/mep/releases/{live.pk}").json()
    assert one["garantie"] == rows["1.0"]["garantie"]
