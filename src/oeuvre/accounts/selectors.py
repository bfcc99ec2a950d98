from __future__ import annotations

from django.db.models import QuerySet

from oeuvre.accounts.models import ApiToken, Organisation, User

__all__ = ["organisations", "tokens_of"]


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")
