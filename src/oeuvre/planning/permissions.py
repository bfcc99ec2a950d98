"""The planning stage's rows of the permission matrix."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_PLANNING = _("Planning")
_MANAGEMENT = {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN}
_DELIVERY = {Role.MOE, Role.AMOE, ADMIN}

PLANNING_VIEW = define("planning.view", _("See the plan, the Gantt and the schedule"), _PLANNING, ALL_ROLES)
PLANNING_VIEW_COSTS = define("planning.view_costs", _("See day rates, costs and earned value"), _PLANNING, _MANAGEMENT)
PLANNING_EDIT = define(
    "planning.edit",
    _("Edit the plan: lots, tasks, milestones, dependencies, import, levelling"),
    _PLANNING,
    _DELIVERY,
)
PLANNING_MANAGE_RESOURCES = define(
    "planning.manage_resources", _("Manage resources, day rates and assignments"), _PLANNING, _DELIVERY
)
PLANNING_BASELINE = define("planning.baseline", _("Take and choose plan baselines"), _PLANNING, _DELIVERY)
PLANNING_ANALYSE = define("planning.analyse", _("Run levelling and Monte Carlo analyses"), _PLANNING, _DELIVERY)
PLANNING_LOG_TIME = define(
    "planning.log_time",
    _("Record one's own time and re-estimate one's remaining effort"),
    _PLANNING,
    {Role.MOE, Role.AMOE, Role.CONTRIBUTOR, ADMIN},
)
PLANNING_MANAGE_TIME = define(
    "planning.manage_time",
    _("Record and import everyone's time, close timesheet periods"),
    _PLANNING,
    _DELIVERY,
)
