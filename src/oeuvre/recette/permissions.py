"""The recette stage's rows of the permission matrix.

DOMAIN.md: the AMOA writes the cahier de recette and helps the MOA accept; the MOE/AMOE run the recette usine
and fix anomalies; the MOA runs the acceptance, decides and signs the PV, and the MOE countersigns it. Only
the MOA decides the PV, signs it for the buyer and lifts réserves with its assistant; a reader only reads.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_STAGE = _("Acceptance")
_BOTH_SIDES = {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN}

RECETTE_VIEW = define("recette.view", _("See the test book, campaigns, anomalies, PV and timers"), _STAGE, ALL_ROLES)
TESTBOOK_EDIT = define("recette.edit_testbook", _("Write the test book (test cases and steps)"), _STAGE, _BOTH_SIDES)
CAMPAIGNS_MANAGE = define(
    "recette.manage_campaigns", _("Plan campaigns, iterations, tests and testers"), _STAGE, _BOTH_SIDES
)
EXECUTE = define(
    "recette.execute",
    _("Run tests and record executions with evidence"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION, Role.CONTRIBUTOR, ADMIN},
)
RESULTS_IMPORT = define(
    "recette.import_results", _("Push test results from CI (JUnit)"), _STAGE, {Role.AMOA, Role.MOE, Role.AMOE, ADMIN}
)
ANOMALY_REPORT = define(
    "recette.report_anomaly",
    _("Report an anomaly"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION, Role.CONTRIBUTOR, ADMIN},
)
ANOMALY_QUALIFY = define(
    "recette.qualify_anomaly",
    _("Qualify, reject or reclassify anomalies as change requests"),
    _STAGE,
    _BOTH_SIDES,
)
ANOMALY_FIX = define(
    "recette.fix_anomaly", _("Take anomalies into correction and deliver fixes"), _STAGE, {Role.MOE, Role.AMOE, ADMIN}
)
ANOMALY_VERIFY = define(
    "recette.verify_anomaly",
    _("Verify delivered fixes and close anomalies"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.AMOE, ADMIN},
)
PV_PREPARE = define("recette.prepare_pv", _("Prepare a PV de recette and its réserves"), _STAGE, _BOTH_SIDES)
PV_DECIDE = define("recette.decide_pv", _("Decide the PV de recette (buyer)"), _STAGE, {Role.MOA})
PV_SIGN = define("recette.sign_pv", _("Sign the PV de recette for the buyer"), _STAGE, {Role.MOA})
PV_COUNTERSIGN = define(
    "recette.countersign_pv", _("Countersign the PV de recette for the contractor"), _STAGE, {Role.MOE}
)
RESERVE_LIFT = define("recette.lift_reserve", _("Lift réserves"), _STAGE, {Role.MOA, Role.AMOA})
TIMERS_RECORD = define(
    "recette.record_milestones",
    _("Record the acceptance milestones (MOM, VA, VSR, decisions, outages)"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION, ADMIN},
)
RECETTE_CONFIGURE = define(
    "recette.configure",
    _("Configure severity labels, decision thresholds and contract timers"),
    _STAGE,
    {Role.MOA, ADMIN},
)
