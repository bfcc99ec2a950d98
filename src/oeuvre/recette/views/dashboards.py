"""Chart pages of the recette stage (thin): campaign burn-up and pass rate, anomalies over time, coverage
per exigence. The numbers come from :mod:`oeuvre.recette.selectors.dashboards` and ``coverage``; the
templates embed them with ``json_script`` and ``recette/anomalies/charts.js`` draws them with ECharts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy

from oeuvre.projects.models import Project
from oeuvre.recette.models import Campaign, CampaignStatus
from oeuvre.recette.permissions import RECETTE_VIEW
from oeuvre.recette.selectors.coverage import coverage_per_exigence, coverage_totals, latest_results
from oeuvre.recette.selectors.dashboards import anomalies_over_time, campaign_dashboard
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page
from oeuvre.web.listing import Column, export_csv


def _campaign(project: Project, raw: str | None) -> Campaign | None:
    campaigns = Campaign.objects.filter(project=project)
    if raw and raw.isdigit():
        found = campaigns.filter(pk=int(raw)).first()
        if found is not None:
            return found
    # By default the campaign under way, else the latest one.
    return (
        campaigns.filter(status=CampaignStatus.EN_COURS).order_by("-starts_on", "-pk").first()
        or campaigns.order_by("-starts_on", "-pk").first()
    )


@project_page(RECETTE_VIEW)
def dashboards(request: HttpRequest, project: Project) -> HttpResponse:
    campaign = _campaign(project, request.GET.get("campaign"))
    charts: dict[str, Any] = {}
    if campaign is not None:
        # The latest result of each case in the campaign feeds both the breakdown and the coverage.
        latest = latest_results(project, None, campaign.pk)
        charts["campaign"] = campaign_dashboard(campaign, latest)
        charts["anomalies"] = anomalies_over_time(project, campaign_id=campaign.pk)
        charts["coverage"] = coverage_totals(coverage_per_exigence(project, campaign.pk))
    else:
        charts["anomalies"] = anomalies_over_time(project)
        charts["coverage"] = coverage_totals(coverage_per_exigence(project))
    return render(
        request,
        "recette/anomalies/dashboards.html",
        project_context(
            request,
            project,
            "recette",
            section="dashboards",
            campaign=campaign,
            campaigns=Campaign.objects.filter(project=project).order_by("starts_on", "pk"),
            charts=charts,
        ),
    )


COVERAGE_STATES: dict[str, Any] = {
    "none": gettext_lazy("No test"),
    "not_run": gettext_lazy("Not run"),
    "partial": gettext_lazy("Partly run"),
    "failing": gettext_lazy("Failing"),
    "passed": gettext_lazy("Passed"),
}

COVERAGE_COLUMNS = [
    Column("reference", gettext_lazy("Requirement"), lambda r: r.reference),
    Column("title", gettext_lazy("Title"), lambda r: r.title),
    Column("tests", gettext_lazy("Tests"), lambda r: ", ".join(r.tests)),
    Column("executed", gettext_lazy("Executed"), lambda r: r.executed),
    Column("passed", gettext_lazy("Passed"), lambda r: r.passed),
    Column("state", gettext_lazy("State"), lambda r: str(COVERAGE_STATES[r.state])),
]


@project_page(RECETTE_VIEW)
def coverage(request: HttpRequest, project: Project) -> HttpResponse:
    """Coverage per exigence in the project or in one campaign, filterable by state, exportable to CSV."""
    raw = request.GET.get("campaign", "")
    campaign = Campaign.objects.filter(project=project, pk=int(raw)).first() if raw.isdigit() else None
    rows = coverage_per_exigence(project, campaign.pk if campaign else None)
    totals = coverage_totals(rows)
    state = request.GET.get("state", "")
    if state in COVERAGE_STATES:
        rows = [r for r in rows if r.state == state]
    if request.GET.get("format") == "csv":
        return export_csv(f"couverture-{project.code}.csv", COVERAGE_COLUMNS, rows)
    return render(
        request,
        "recette/anomalies/coverage.html",
        project_context(
            request,
            project,
            "recette",
            section="coverage",
            rows=[(r, COVERAGE_STATES[r.state]) for r in rows],
            totals=totals,
            campaign=campaign,
            campaigns=Campaign.objects.filter(project=project).order_by("starts_on", "pk"),
            states=list(COVERAGE_STATES.items()),
            state=state,
        ),
    )


urlpatterns: list[URLPattern] = [
    path("dashboards/", dashboards, name="dashboards"),
    path("coverage/", coverage, name="coverage"),
]
