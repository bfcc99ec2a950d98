"""Values typed in plain POST forms (pages without a Django form), read with an error naming the field."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from oeuvre.core.errors import ValidationFailed

__all__ = ["posted_date", "posted_int"]


def posted_date(raw: str, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: [_("« %(value)s » is not a date.") % {"value": raw}]}) from None


def posted_int(raw: str, field: str) -> int:
    if not raw.strip().isdigit():
        raise ValidationFailed({field: [_("« %(value)s » is not a whole number.") % {"value": raw}]})
    return int(raw)
