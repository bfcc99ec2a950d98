"""The web shell's rows of the permission matrix: comments (notifications belong to their recipient alone)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oeuvre.accounts.permissions import define
from oeuvre.accounts.roles import ADMIN, ALL_ROLES

_STAGE = _("Comments")

# Whoever sees the project may discuss its objects; deleting someone else's comment is moderation.
COMMENT_VIEW = define("comment.view", _("Read the comments"), _STAGE, ALL_ROLES)
COMMENT_POST = define("comment.post", _("Comment, reply, mention and attach files"), _STAGE, ALL_ROLES)
COMMENT_MODERATE = define("comment.moderate", _("Delete anyone's comment"), _STAGE, {ADMIN})
