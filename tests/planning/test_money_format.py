"""Money on the cost pages: one minus sign, "€" never alone on a line, a favourable margin in green with "+"."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from oeuvre.planning import services
from oeuvre.planning.models import Plan
from oeuvre.planning.templatetags import planning_tags as tags

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "euros", "signed"),
    [
        (1234.4, "1\u00a0234\u00a0€", "+1\u00a0234\u00a0€"),
        (-500, f"{MINUS}500\u00a0€", f"{MINUS}500\u00a0€"),
        (0, "0\u00a0€", "0\u00a0€"),
        (None, "—", "—"),
    ],
)
def test_it_writes_euros_with_one_minus_sign_and_no_break_before_the_symbol(
    value: Any, euros: str, signed: str
) -> None:
    with translation.override("fr"):
        assert tags.euros(value) == euros
        assert tags.signed_euros(value) == signed
    assert "-" not in tags.signed(-2.5)  # the days use the same minus as the euros
    assert tags.signed(-2.5).startswith(MINUS)


@pytest.mark.django_db
def test_it_shows_a_favourable_margin_with_a_plus_in_green(personas: Any) -> None:
    project = personas.project
    project.start_date = dt.date(2026, 1, 5)
    project.holiday_zone = "none"
    project.pricing = "forfait"
    project.save()
    moe = personas.moe
    Plan.objects.create(project=project, status_date=dt.date(2026, 1, 2))
    lot = services.lot_create(
        actor=moe, project=project, name="Lot", budget_effort=Decimal(20), budget_amount=Decimal(10000)
    )
    task = services.task_create(actor=moe, project=project, lot=lot, name="Conception", duration=5)
    alice = services.resource_create(actor=moe, project=project, name="Alice", tjm=Decimal(600))
    services.assignment_add(actor=moe, task=task, resource=alice)
    page = personas.client(personas.moe).get(f"/p/{project.code}/planning/costs/").content.decode()
    card = page.split('data-testid="gap-cost"')[0].rsplit("<p", 1)[1] + page.split('data-testid="gap-cost"')[1][:80]
    assert "good" in card
    assert "+" in card
    assert MINUS not in card
    assert re.search(r">\+[\d\u00a0]+\u00a0€<", card)  # sold above the landing: a margin, written "+… €"
