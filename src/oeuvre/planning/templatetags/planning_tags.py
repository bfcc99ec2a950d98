"""Formatting for planning pages: euros, person-days, percentages, signed gaps (French style)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


@register.filter
def euros(value: Any) -> str:
    number = _number(value)
    return (
        "—" if number is None else f"{number_format(Decimal(round(number)), 0, use_l10n=True, force_grouping=True)} €"
    )


@register.filter
def days(value: Any, decimals: int = 1) -> str:
    number = _number(value)
    return (
        "—"
        if number is None
        else number_format(Decimal(str(round(number, decimals))), decimals, use_l10n=True, force_grouping=True)
    )


@register.filter
def signed(value: Any, decimals: int = 1) -> str:
    number = _number(value)
    if number is None:
        return "—"
    text = number_format(Decimal(str(round(abs(number), decimals))), decimals, use_l10n=True, force_grouping=True)
    return f"+{text}" if number > 0 else (f"−{text}" if number < 0 else text)


@register.filter
def percent(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number_format(Decimal(str(round(100 * number, 1))), 1, use_l10n=True)} %"


@register.filter
def ratio(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else number_format(Decimal(str(round(number, 2))), 2, use_l10n=True)


@register.filter
def isodate(value: Any) -> Any:
    """A date from an ISO string (job results are JSON)."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
