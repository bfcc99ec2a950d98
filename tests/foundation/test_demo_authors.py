"""Every activity of the demo carries who did it (the activity feed shows no "—" author)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oeuvre.core.models import ActivityEvent
from oeuvre.demo.generator import MAIN_PROJECT

# Dates, not strings: a closure's activity line formats them.
CHRISTMAS = dt.date(2026, 12, 24)
NEW_YEAR_EVE = dt.date(2026, 12, 31)


def test_it_signs_every_demo_activity(demo_db: Any) -> None:
    events = ActivityEvent.objects.filter(project__code=MAIN_PROJECT)
    assert events.count() > 100
    unsigned = sorted(set(events.filter(user__isnull=True).values_list("model", flat=True)))
    assert unsigned == [], f"activities without an author: {unsigned}"
    authors = set(events.values_list("user__username", flat=True))
    assert {"amoa", "moe"} <= authors  # the AMOA writes the requirements, the MOE plans


@pytest.mark.django_db
def test_it_signs_history_written_without_an_actor_during_a_step(personas: Any) -> None:
    from oeuvre.demo.generator import _authored_by
    from oeuvre.projects.models import Closure

    with _authored_by(personas.moe):
        Closure.objects.create(project=personas.project, start=CHRISTMAS, end=NEW_YEAR_EVE, label="Fermeture")
    closure = Closure.objects.get(project=personas.project)
    assert closure.history.first().history_user == personas.moe
    Closure.objects.filter(pk=closure.pk).delete()
    Closure.objects.create(project=personas.project, start=CHRISTMAS, end=NEW_YEAR_EVE, label="Hors démo")
    assert Closure.objects.get(project=personas.project).history.first().history_user is None  # reset after
