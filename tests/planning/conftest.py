"""Planning fixtures: a small plan on the personas' project, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from oeuvre.planning import services
from oeuvre.planning.models import Plan

# A Monday, with the 14 July (Tuesday) public holiday in the plan's second week.
START = dt.date(2026, 7, 6)


@dataclass
class SmallPlan:
    project: Any
    lot_a: Any
    lot_b: Any
    tasks: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)

    def refresh(self) -> None:
        for task in self.tasks.values():
            task.refresh_from_db()


@pytest.fixture
def small_plan(personas: Any, settings: Any) -> SmallPlan:
    """Conception (A, 5 d) → Build (B, 10 d) → Tests (C, 5 d) → milestone M; D (3 d) in parallel after A."""
    project = personas.project
    project.start_date = START
    project.delivery_date = dt.date(2026, 9, 30)
    project.save()
    # Progress is measured on the eve of the start, so "today" never moves these dates.
    Plan.objects.update_or_create(project=project, defaults={"status_date": START - dt.timedelta(days=3)})
    moe = personas.moe
    lot_a = services.lot_create(actor=moe, project=project, code="L1", name="Conception", budget_effort=Decimal(20))
    lot_b = services.lot_create(actor=moe, project=project, code="L2", name="Réalisation", budget_effort=Decimal(40))
    plan = SmallPlan(project=project, lot_a=lot_a, lot_b=lot_b)
    mk = services.task_create
    plan.tasks["A"] = mk(
        actor=moe, project=project, lot=lot_a, code="A", name="Spécifications", duration=5, effort=Decimal(10)
    )
    plan.tasks["B"] = mk(
        actor=moe, project=project, lot=lot_b, code="B", name="Développement", duration=10, effort=Decimal(20)
    )
    plan.tasks["C"] = mk(actor=moe, project=project, lot=lot_b, code="C", name="Tests", duration=5, effort=Decimal(10))
    plan.tasks["D"] = mk(
        actor=moe, project=project, lot=lot_b, code="D", name="Documentation", duration=3, effort=Decimal(3)
    )
    plan.tasks["M"] = mk(
        actor=moe,
        project=project,
        lot=lot_b,
        code="M",
        name="Livraison",
        kind="milestone",
        milestone_type="contractual",
    )
    link = services.dependency_add
    t = plan.tasks
    link(actor=moe, project=project, predecessor=t["A"], successor=t["B"])
    link(actor=moe, project=project, predecessor=t["B"], successor=t["C"])
    link(actor=moe, project=project, predecessor=t["C"], successor=t["M"])
    link(actor=moe, project=project, predecessor=t["A"], successor=t["D"])
    link(actor=moe, project=project, predecessor=t["D"], successor=t["M"])
    plan.resources["dev"] = services.resource_create(
        actor=moe, project=project, name="Alice Dev", tjm=Decimal(600), user=personas.contributor
    )
    plan.resources["pm"] = services.resource_create(actor=moe, project=project, name="Paul Chef", tjm=Decimal(900))
    services.assignment_add(actor=moe, task=t["A"], resource=plan.resources["pm"], units=Decimal(1))
    services.assignment_add(actor=moe, task=t["B"], resource=plan.resources["dev"], units=Decimal(1))
    services.assignment_add(actor=moe, task=t["C"], resource=plan.resources["dev"], units=Decimal(1))
    services.assignment_add(actor=moe, task=t["D"], resource=plan.resources["dev"], units=Decimal("0.5"))
    plan.refresh()
    return plan
