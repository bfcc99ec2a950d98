"""The requirements stage's rows of the permission matrix.

The CDC is written by the AMOA and validated by the MOA (DOMAIN.md): only the MOA validates or rejects an
exigence. Specifications are written by the AMOA (SFG) and the MOE/AMOE (SFD, STD); the DAT by the AMOE.
Deliverables follow their per-project rule (:class:`~oeuvre.requirements.models.DeliverableRule`): the
matrix says who may act on deliverables at all, the rule says which role authors or validates each kind.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES, Role

_STAGE = _("Requirements")

REQUIREMENTS_VIEW = define(
    "requirements.view", _("See requirements, specifications, architecture and the RTM"), _STAGE, ALL_ROLES
)
REQUIREMENTS_EDIT = define(
    "requirements.edit", _("Write and change requirements"), _STAGE, {Role.MOA, Role.AMOA, ADMIN}
)
REQUIREMENTS_SUBMIT = define(
    "requirements.submit", _("Submit requirements for validation"), _STAGE, {Role.MOA, Role.AMOA, ADMIN}
)
REQUIREMENTS_VALIDATE = define("requirements.validate", _("Validate or reject requirements"), _STAGE, {Role.MOA})
REQUIREMENTS_IMPORT = define(
    "requirements.import", _("Import requirements (Excel, CSV, ReqIF)"), _STAGE, {Role.MOA, Role.AMOA, ADMIN}
)
REQUIREMENTS_BASELINE = define(
    "requirements.baseline", _("Freeze a baseline of the CDC"), _STAGE, {Role.MOA, Role.AMOA, ADMIN}
)
REQUIREMENTS_CONFIGURE = define(
    "requirements.configure", _("Configure reference prefixes and deliverable rules"), _STAGE, {Role.MOA, ADMIN}
)
SPECIFICATIONS_EDIT = define(
    "requirements.edit_specifications",
    _("Write specifications (SFG, SFD, STG, STD)"),
    _STAGE,
    {Role.AMOA, Role.MOE, Role.AMOE, ADMIN},
)
ARCHITECTURE_EDIT = define(
    "requirements.edit_architecture",
    _("Describe the architecture components (DAT)"),
    _STAGE,
    {Role.MOE, Role.AMOE, ADMIN},
)
TRACE_EDIT = define(
    "requirements.trace",
    _("Link requirements, specifications and components"),
    _STAGE,
    {Role.AMOA, Role.MOE, Role.AMOE, ADMIN},
)
DELIVERABLES_EDIT = define(
    "requirements.edit_deliverables",
    _("Create deliverables and set their RACI"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, ADMIN},
)
# Who submits or decides one deliverable is the project's rule for its kind; the matrix row only says
# which roles can ever be named there.
DELIVERABLES_SUBMIT = define(
    "requirements.submit_deliverable",
    _("Submit a deliverable (if the project's rule names your role as author)"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION},
)
DELIVERABLES_DECIDE = define(
    "requirements.decide_deliverable",
    _("Validate or refuse a deliverable (if the project's rule names your role as validator)"),
    _STAGE,
    {Role.MOA, Role.AMOA, Role.MOE, Role.AMOE, Role.EXPLOITATION},
)
