"""The recette key figures on the project home page (a home panel): campaigns, open anomalies, coverage."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.recette.selectors.anomalies import open_defects_by_severity, severity_labels
from oeuvre.recette.selectors.coverage import coverage_per_exigence, coverage_totals
from oeuvre.recette.selectors.dashboards import campaign_summaries
from oeuvre.web.panels import HomePanel, register_home_panel


def overview_context(project: Any) -> dict[str, Any]:
    """Shared by the home panel and the stage's overview page."""
    labels = severity_labels(project)
    open_counts = open_defects_by_severity(project)
    coverage = coverage_per_exigence(project)
    return {
        "campaigns": campaign_summaries(project),
        "open_anomalies": [{"severity": s, "label": labels[s], "count": open_counts[s]} for s in labels],
        "open_total": sum(open_counts.values()),
        "coverage": coverage_totals(coverage),
    }


def _context(request: HttpRequest, project: Any) -> dict[str, Any]:
    return {"recette": overview_context(project)}


def register() -> None:
    register_home_panel(HomePanel("recette", "recette/anomalies/_home_panel.html", _context, RECETTE_VIEW, 30))
