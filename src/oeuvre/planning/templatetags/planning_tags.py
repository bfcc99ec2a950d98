"""Formatting for planning pages: euros, person-days, percentages, signed gaps (French style)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


MINUS = "\u2212"  # the typographic minus, the same in every figure (never a hyphen)
NBSP = "\u00a0"  # keeps "€" on the line of its number


def _grouped_euros(number: float) -> str:
    return f"{number_format(Decimal(abs(round(number))), 0, use_l10n=True, force_grouping=True)}{NBSP}€"


@register.filter
def euros(value: Any) -> str:
    number = _number(value)
    if number is None:
        return "—"
    return f"{MINUS}{_grouped_euros(number)}" if round(number) < 0 else _grouped_euros(number)


@register.filter
def signed_euros(value: Any) -> str:
    """A variance in euros with its sign always written: +1 200 €, −300 €, 0 €."""
    number = _number(value)
    if number is None:
        return "—"
    sign = "+" if round(number) > 0 else (MINUS if round(number) < 0 else "")
    return f"{sign}{_grouped_euros(number)}"


@register.filter
def opposite(value: Any) -> float | None:
    """The same figure seen from the other side (a gap of +500 € is a margin of −500 €)."""
    number = _number(value)
    return None if number is None else -number


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
    return f"+{text}" if number > 0 else (f"{MINUS}{text}" if number < 0 else text)


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


@register.filter
def levelling_method(code: Any) -> str:
    """The engine's method code (``cp-sat``, ``serial-lft+FBI``, ``sampling+FBI``…) in the user's words."""
    text = str(code or "")
    if not text:
        return "—"
    if text.startswith("cp-sat"):
        return _("exact solver (CP-SAT)")
    if text == "incumbent":
        return _("the current plan, already without over-allocation")
    return _("heuristic (priority rules, then improvement)")
