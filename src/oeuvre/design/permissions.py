"""The design stage's rows of the permission matrix: the DAT is written by the AMOE (the architect) with the MOE."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_STAGE = _("Design")

DESIGN_VIEW = define(
    "design.view", _("See the architecture: interfaces, flows, criteria and their results"), _STAGE, ALL_ROLES
)
DESIGN_EDIT = define(
    "design.edit", _("Describe interfaces and measurable criteria (DAT)"), _STAGE, {Role.MOE, Role.AMOE, ADMIN}
)
