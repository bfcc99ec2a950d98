"""The steering portfolio (``/pilotage/portfolio/``): every project the user may see with its météo, trend, next
milestone, budget consumed and open bloquantes; search, filters, sort, CSV and Excel exports."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, pgettext_lazy

from oeuvre.pilotage.models import Weather
from oeuvre.pilotage.selectors.portfolio import budget_consumed, portfolio_of, trend_arrow
from oeuvre.pilotage.words import WEATHER_ICONS, WEATHER_TONES, weather_label
from oeuvre.projects.models import Phase
from oeuvre.web.decorators import user_page
from oeuvre.web.listing import Column, build_listing, export_csv, safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ARROWS = {
    "up": pgettext_lazy("portfolio trend", "improving"),
    "down": pgettext_lazy("portfolio trend", "worsening"),
    "flat": pgettext_lazy("portfolio trend", "stable"),
}


def _day(value: Any) -> str:
    return str(date_format(value, "SHORT_DATE_FORMAT")) if value else ""


def _milestone(p: Any) -> str:
    if not p.next_milestone_code:
        return ""
    return f"{p.next_milestone_code} {p.next_milestone_name} ({_day(p.next_milestone_on)})"


COLUMNS = [
    Column("code", gettext_lazy("Code"), lambda p: p.code, "code"),
    Column("name", gettext_lazy("Project"), lambda p: p.name, "name"),
    Column("phase", pgettext_lazy("portfolio", "Phase"), lambda p: p.get_phase_display(), "phase"),
    Column(
        "meteo", pgettext_lazy("portfolio", "Météo"), lambda p: weather_label(p.meteo) if p.meteo else "", "meteo_rank"
    ),
    Column(
        "trend", pgettext_lazy("portfolio", "Trend"), lambda p: str(_ARROWS[trend_arrow(p)]) if p.meteo else "", None
    ),
    Column("meteo_on", pgettext_lazy("portfolio", "Météo of"), lambda p: _day(p.meteo_on), "meteo_on"),
    Column("milestone", pgettext_lazy("portfolio", "Next milestone"), _milestone, "next_milestone_on"),
    Column("budget", pgettext_lazy("portfolio", "Budget consumed (%)"), budget_consumed, None),
    Column("bloquantes", pgettext_lazy("portfolio", "Open bloquantes"), lambda p: p.bloquantes, "bloquantes"),
]


def _export_xlsx(rows: Any) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="portefeuille")
    sheet.append([str(c.label) for c in COLUMNS])
    for row in rows:
        values = []
        for c in COLUMNS:
            value = c.value(row)
            values.append(safe_cell(value if isinstance(value, int | float) or value is None else str(value)))
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="portefeuille-pilotage.xlsx"'
    return response


@user_page
def portfolio(request: HttpRequest) -> HttpResponse:
    listing = build_listing(
        request,
        portfolio_of(request.user),
        COLUMNS,
        search=["name", "code", "moa_organisation__name", "moe_organisation__name"],
        filters={"phase": "phase", "meteo": "meteo"},
        default_sort="-meteo",
        per_page=50,
    )
    if listing.wants_csv:
        return export_csv("portefeuille-pilotage.csv", COLUMNS, listing.page.paginator.object_list)
    if listing.params.get("format") == "xlsx":
        return _export_xlsx(listing.page.paginator.object_list)
    rows = [
        {
            "project": p,
            "weather": {
                "value": p.meteo,
                "label": weather_label(p.meteo),
                "icon": WEATHER_ICONS[p.meteo],
                "tone": WEATHER_TONES[p.meteo],
            }
            if p.meteo
            else None,
            "trend": trend_arrow(p),
            "budget": budget_consumed(p),
        }
        for p in listing.page.object_list
    ]
    return render(
        request,
        "pilotage/portfolio/list.html",
        {
            "listing": listing,
            "rows": rows,
            "nav": "steering_portfolio",
            "phases": Phase.choices,
            "weathers": Weather.choices,
            "xlsx_url": listing.url_with(format="xlsx", page=None),
        },
    )
