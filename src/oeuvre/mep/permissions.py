"""The deployment stage's rows of the permission matrix.

DOMAIN.md: the exploitation team runs the MEP with the MOE and handles incidents; the MOA decides the go-live
(usually in a committee). Everybody on the project sees where each release stands.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_STAGE = _("Deployment")

MEP_VIEW = define("mep.view", _("See environments, releases and the go/no-go"), _STAGE, ALL_ROLES)
MEP_MANAGE = define(
    "mep.manage",
    _("Manage environments, deployed versions and releases"),
    _STAGE,
    {Role.MOE, Role.AMOE, Role.EXPLOITATION, ADMIN},
)
MEP_ATTEST = define(
    "mep.attest",
    _("Attest the readiness of a release (data migration, procedures, training, rollback, dry run)"),
    _STAGE,
    {Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION, ADMIN},
)
MEP_CONFIGURE = define("mep.configure", _("Configure the go/no-go criteria and thresholds"), _STAGE, {Role.MOA, ADMIN})
GONOGO_DECIDE = define("mep.decide_gonogo", _("Decide and sign the go/no-go (buyer)"), _STAGE, {Role.MOA})
INCIDENT_REPORT = define(
    "mep.report_incident",
    _("Report an incident after go-live"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION, Role.CONTRIBUTOR, ADMIN},
)
INCIDENT_HANDLE = define(
    "mep.handle_incident",
    _("Take incidents in charge, resolve and close them"),
    _STAGE,
    {Role.MOE, Role.AMOE, Role.EXPLOITATION, ADMIN},
)
RUNBOOK_RUN = define(
    "mep.run_runbook",
    _("Run the cut-over runbook on the day (start, finish, fail, skip, retry steps)"),
    _STAGE,
    {Role.MOE, Role.AMOE, Role.EXPLOITATION, ADMIN},
)
ROLLBACK_APPROVE = define(
    "mep.approve_rollback",
    _("Approve the rollback plan of a release (buyer)"),
    _STAGE,
    {Role.MOA},
)
TRAINING_PLAN = define(
    "mep.plan_training",
    _("Plan the training: courses, sessions and who attends them"),
    _STAGE,
    {Role.MOE, Role.AMOE, ADMIN},
)
# The trainer fills in the sign-in sheet: the contractor's trainers (MOE, AMOE) or the owner's relay trainers
# (AMOA's key users, trained first: « formation des formateurs »).
TRAINING_RECORD = define(
    "mep.record_attendance",
    _("Record the attendance and satisfaction of a training session"),
    _STAGE,
    {Role.MOE, Role.AMOE, Role.AMOA, ADMIN},
)
