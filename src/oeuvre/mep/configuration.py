"""Configuration items of the environments: reads (what is set where, staging ≠ production) and writes.

An item is a plain value or a reference to a secret kept elsewhere (a vault); a value that looks like a secret is
refused with the reason (:mod:`oeuvre.engine.config_values`), so no password ever lands in the database or its
history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import delete_with_history, full_clean, model_update, save_with_history
from oeuvre.engine.config_values import secret_reason
from oeuvre.mep.models import ConfigItem, Environment, EnvironmentKind
from oeuvre.mep.permissions import MEP_MANAGE
from oeuvre.projects.models import Project

__all__ = [
    "ConfigRow",
    "config_item_delete",
    "config_item_detail",
    "config_item_set",
    "config_matrix",
    "secret_message",
]


def secret_message(code: str) -> str:
    """Why a value was refused, in the user's language."""
    reasons = {
        "secret_name": _("its name says it is a secret (password, token, key…)"),
        "private_key": _("it contains a private key"),
        "url_password": _("the address carries a password"),
        "aws_key": _("it has the shape of a cloud access key"),
        "forge_token": _("it has the shape of a forge access token"),
        "jwt": _("it has the shape of a signed token (JWT)"),
        "password_assignment": _("it assigns a password"),
        "random_token": _("it looks like a generated secret (a long random string)"),
    }
    return _("This value looks like a secret (%(reason)s): store it in the vault and give its reference instead.") % {
        "reason": reasons.get(code, code)
    }


def _check(name: str, value: str, secret_ref: str) -> None:
    if not name:
        raise ValidationFailed({"name": [_("Give the item a name.")]})
    if value and secret_ref:
        raise ValidationFailed({"value": [_("Give either a value or a secret reference, not both.")]})
    code = secret_reason(name, value)
    if code is not None:
        raise ValidationFailed({"value": [secret_message(code)]})


@transaction.atomic
def config_item_set(
    *,
    actor: User,
    environment: Environment,
    name: str,
    value: str = "",
    secret_ref: str = "",
    owner: User | None = None,
    description: str = "",
    expected_version: int | None = None,
) -> ConfigItem:
    """Create the item ``name`` of ``environment`` or change it (then ``expected_version`` is checked)."""
    require(actor, environment.project, MEP_MANAGE)
    name, value, secret_ref = name.strip(), value.strip(), secret_ref.strip()
    _check(name, value, secret_ref)
    if owner is not None and not owner.memberships.filter(project=environment.project).exists():
        raise ValidationFailed({"owner": [_("The owner must be a member of the project.")]})
    found = ConfigItem.objects.select_for_update().filter(environment=environment, name=name).first()
    data: dict[str, Any] = {"value": value, "secret_ref": secret_ref, "owner": owner, "description": description}
    if found is None:
        item = ConfigItem(environment=environment, name=name, **data)
        full_clean(item)
        save_with_history(item, actor=actor)
        return item
    item, _changed = model_update(
        instance=found, fields=tuple(data), data=data, actor=actor, expected_version=expected_version
    )
    return item


@transaction.atomic
def config_item_delete(*, actor: User, item: ConfigItem) -> None:
    require(actor, item.environment.project, MEP_MANAGE)
    delete_with_history(item, actor=actor)


def config_item_detail(project: Project, pk: int) -> ConfigItem:
    return get_object_or_404(
        ConfigItem.objects.select_related("environment", "owner"), environment__project=project, pk=pk
    )


@dataclass(frozen=True)
class ConfigRow:
    """One item name across the environments: per environment the item (or ``None``), and whether staging and
    production differ (a value changed, a secret reference on one side only, an item missing on one side)."""

    name: str
    cells: list[ConfigItem | None]
    differs: bool


def _signature(item: ConfigItem | None) -> tuple[str, str]:
    if item is None:
        return ("missing", "")
    # Secret references differ by design (one vault path per environment): only their presence is compared.
    return ("secret", "") if item.secret_ref else ("value", item.value)


def config_matrix(project: Project, environments: list[Environment]) -> dict[str, Any]:
    """Every item name of the project, one column per environment (one query); the staging/production gaps."""
    by_env: dict[int, dict[str, ConfigItem]] = {e.pk: {} for e in environments}
    items = ConfigItem.objects.filter(environment__project=project).select_related("owner").order_by("name", "pk")
    names: list[str] = []
    for item in items:
        by_env.setdefault(item.environment_id, {})[item.name] = item
        if item.name not in names:
            names.append(item.name)
    staging = [e.pk for e in environments if e.kind == EnvironmentKind.PREPRODUCTION]
    production = [e.pk for e in environments if e.kind == EnvironmentKind.PRODUCTION]
    rows: list[ConfigRow] = []
    for name in sorted(names):
        differs = False
        if staging and production:
            pre = {_signature(by_env[pk].get(name)) for pk in staging}
            prod = {_signature(by_env[pk].get(name)) for pk in production}
            differs = pre != prod
        rows.append(ConfigRow(name, [by_env[e.pk].get(name) for e in environments], differs))
    return {"rows": rows, "differences": sum(r.differs for r in rows)}
