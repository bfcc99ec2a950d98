"""The flash report: one PDF page for the weekly COPROJ, from live data, in French or English.

What the page holds: the météo of each axis with its main reasons and the trend, the contractual milestones
with their slippage, the QCD key figures, the top risks, the change requests waiting, the actions due or
overdue, and the decisions to take (change requests analysed and waiting for the MOA, the next committee).
Rendered by WeasyPrint from an HTML template, like the PV de recette; every list is capped so the page stays one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from oeuvre.projects.models import Project

__all__ = ["flash_context", "flash_document", "flash_filename", "flash_pdf"]

MAX_RISKS = 5
MAX_CHANGES = 5
MAX_ACTIONS = 6
MAX_MILESTONES = 6
MAX_REASONS = 2


def flash_context(project: Project, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the page shows, read through the selectors (the same ones as the deck and the pages)."""
    from oeuvre.pilotage.models import ChangeStatus, Committee, CommitteeStatus, RiskKind
    from oeuvre.pilotage.selectors.changes import age_days, changes_for
    from oeuvre.pilotage.selectors.committees import actions_of, overdue
    from oeuvre.pilotage.selectors.meteo import meteo_of, trend_of
    from oeuvre.pilotage.selectors.risks import RiskFilters, risks_for
    from oeuvre.planning.selectors import contractual_milestones, plan_of

    today = today or timezone.localdate()
    meteo = meteo_of(project, today)
    trend = trend_of(project, meteo["overall"])
    axes = [
        {
            "label": a["label"],
            "weather": a["weather"],
            "computed_weather": a["computed_weather"],
            "overridden": a["verdict"] != a["computed"],
            "override_reason": a["override"].reason if a["override"] else "",
            "reasons": [r["text"] for r in a["reasons"] if r.get("weather") not in (None, "sun")][:MAX_REASONS]
            or [r["text"] for r in a["reasons"]][:1],
        }
        for a in meteo["axes"].values()
    ]
    plan = plan_of(project)
    milestones = contractual_milestones(project, plan) if plan.pk else []
    figures = meteo["figures"]
    landing, sold = figures.get("landing"), figures.get("sold")
    landing_gap = round(100.0 * (landing - sold) / sold, 1) if landing is not None and sold else None
    # The open threats (not the opportunities), the most critical first.
    risks = [r for r in risks_for(project, RiskFilters(open_only=True)) if r.kind == RiskKind.RISQUE]
    risks.sort(key=lambda r: (-r.criticality, r.number))
    changes = list(changes_for(project))
    waiting = [c for c in changes if c.is_waiting]
    to_decide = [c for c in waiting if c.status == ChangeStatus.ANALYSEE]
    deferred = [c for c in changes if c.status == ChangeStatus.AJOURNEE]
    horizon = today + dt.timedelta(days=14)
    actions = [
        {"action": a, "overdue": overdue(a.due_on, a.status, today)}
        for a in actions_of(project, open_only=True)
        if a.due_on is not None and a.due_on <= horizon
    ]
    next_committee = (
        Committee.objects.filter(project=project, status=CommitteeStatus.PREPARATION, held_on__gte=today)
        .order_by("held_on", "pk")
        .first()
    )
    return {
        "project": project,
        "today": today,
        "overall": meteo["overall_weather"],
        "computed_overall": meteo["computed_overall_weather"],
        "overall_override": meteo["overall_override"],
        "axes": axes,
        "trend": trend,
        "milestones": milestones[:MAX_MILESTONES],
        "figures": figures,
        "landing_gap": landing_gap,
        "bloquantes": len(figures.get("bloquante_ages") or ()),
        "risks": risks[:MAX_RISKS],
        "risk_count": len(risks),
        "waiting": [{"change": c, "age": age_days(c, today)} for c in waiting[:MAX_CHANGES]],
        "waiting_count": len(waiting),
        "deferred_count": len(deferred),
        "to_decide": to_decide[:MAX_CHANGES],
        "actions": actions[:MAX_ACTIONS],
        "actions_count": len(actions),
        "overdue_count": sum(1 for a in actions if a["overdue"]),
        "next_committee": next_committee,
        "generated_at": timezone.now(),
    }


def flash_document(project: Project, language: str = "fr", today: dt.date | None = None) -> Any:
    """The laid-out report (a WeasyPrint document: its pages can be counted and read before writing)."""
    from weasyprint import HTML

    with override(language):
        html = render_to_string("pilotage/flash.html", {**flash_context(project, today), "LANGUAGE_CODE": language})
    return HTML(string=html).render()


def flash_pdf(project: Project, language: str = "fr", today: dt.date | None = None) -> bytes:
    """The PDF bytes of the flash report in ``language`` (``fr`` or ``en``)."""
    pdf = flash_document(project, language, today).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def flash_filename(project: Project, today: dt.date | None = None) -> str:
    return f"flash-{project.code}-{(today or timezone.localdate()).isoformat()}.pdf"
