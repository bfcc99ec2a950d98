from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A person's role on one project (DOMAIN.md): it belongs to the membership, not to the person."""

    MOA = "moa", _("MOA — project owner")
    AMOA = "amoa", _("AMOA — owner's assistant")
    MOE = "moe", _("MOE — delivery organisation")
    AMOE = "amoe", _("AMOE — delivery support")
    EXPLOITATION = "exploitation", _("Operations")
    CONTRIBUTOR = "contributor", _("Contributor")
    READER = "reader", _("Reader")


ALL_ROLES = frozenset(Role)
# The project administrator flag is not a role: it adds rights to whatever role the member has.
ADMIN = "admin"
