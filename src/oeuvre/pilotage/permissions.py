"""The pilotage stage's rows of the permission matrix.

DOMAIN.md and issue 11: the MOE and AMOE prepare the steering (météo, its override, snapshots, risks,
committees); the MOA decides change requests and signs committee decisions; every member reads.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_STAGE = _("Steering")

PILOTAGE_VIEW = define("pilotage.view", _("See the météo, its trend and the steering records"), _STAGE, ALL_ROLES)
METEO_PREPARE = define(
    "pilotage.prepare_meteo",
    _("Take météo snapshots and override a computed verdict with a written reason"),
    _STAGE,
    {Role.MOE, Role.AMOE, ADMIN},
)
METEO_CONFIGURE = define(
    "pilotage.configure_meteo", _("Set the météo thresholds of the project"), _STAGE, {Role.MOE, ADMIN}
)
RISKS_MANAGE = define(
    "pilotage.manage_risks",
    _("Keep the risk register: risks, scores, owners and mitigation actions"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN},
)
COMMITTEES_PREPARE = define(
    "pilotage.prepare_committees",
    _("Prepare committees: agenda, attendees, decisions to record and actions"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN},
)
COMMITTEES_SIGN = define(
    "pilotage.sign_decisions",
    _("Close a committee and sign its decisions (buyer)"),
    _STAGE,
    {Role.MOA},
)
ACTIONS_FOLLOW = define(
    "pilotage.follow_actions",
    _("Update the status of actions"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION, Role.CONTRIBUTOR, ADMIN},
)
CHANGES_REQUEST = define(
    "pilotage.request_changes",
    _("Write change requests (what changes and why), submit or withdraw them"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN},
)
CHANGES_ANALYSE = define(
    "pilotage.analyse_changes",
    _("Analyse the impact of a change request (effort, cost, what-if on the plan)"),
    _STAGE,
    {Role.MOE, Role.AMOE, ADMIN},
)
CHANGES_DECIDE = define(
    "pilotage.decide_changes",
    _("Accept or refuse a change request and record its avenant (buyer)"),
    _STAGE,
    {Role.MOA},
)
