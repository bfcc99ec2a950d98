"""The forge stage's rows of the permission matrix.

DOMAIN.md: the AMOE supervises development and integration for the MOE. Everyone on the project sees what the
code realises; the delivery side (MOE, AMOE) and project administrators register forge repositories and replay
deliveries; outgoing webhooks, which send the project's events outside, are for project administrators and the
MOE that owns the delivery.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_STAGE = _("Development and integration")

FORGE_VIEW = define(
    "forge.view", _("See forge repositories, commits, merge requests, pipelines and integration"), _STAGE, ALL_ROLES
)
FORGE_MANAGE = define(
    "forge.manage", _("Register forge repositories and replay their deliveries"), _STAGE, {Role.MOE, Role.AMOE, ADMIN}
)
WEBHOOKS_MANAGE = define(
    "forge.manage_webhooks", _("Register outgoing webhooks and redeliver them"), _STAGE, {Role.MOE, ADMIN}
)
