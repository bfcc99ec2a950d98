"""The COPIL deck: live data gathered through the selectors, worded in the active language, written by the
Django-free builder (:mod:`oeuvre.interop.reports.copil_deck`); and the job that writes it with progress."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from oeuvre.core.files import private_path, register_private_area, store_private
from oeuvre.core.jobs import Progress, job_handler
from oeuvre.core.models import Job
from oeuvre.projects.models import Project

if TYPE_CHECKING:
    from oeuvre.interop.reports.copil_deck import DeckData

__all__ = ["AREA", "deck_bytes", "deck_data", "deck_job", "register"]

AREA = "pilotage-decks"
_INDEX = {"sun": 0, "cloud": 1, "rain": 2, "storm": 3}
_TONES = {"danger": "E57373", "warning": "FFD54F", "success": "A5D6A7"}


def _d(day: Any) -> str:
    if not day:
        return "—"
    value = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return str(date_format(value, "SHORT_DATE_FORMAT"))


def deck_data(project: Project, today: dt.date | None = None, progress: Progress | None = None) -> DeckData:
    """Everything the deck shows, read from live data (a handful of queries per slide)."""
    # Local imports: python-pptx (behind the deck builder) loads when a deck is built, not at start-up.
    from oeuvre.interop.reports.copil_deck import DeckData, DeckLabels, Series, TableData
    from oeuvre.pilotage.models import ChangeStatus, Decision
    from oeuvre.pilotage.selectors.changes import age_days, changes_for
    from oeuvre.pilotage.selectors.committees import actions_of, overdue
    from oeuvre.pilotage.selectors.meteo import meteo_of, snapshots_of
    from oeuvre.pilotage.selectors.risks import RiskFilters, heat_map, risks_for
    from oeuvre.pilotage.words import axis_label, weather_label
    from oeuvre.planning.costing import earned_value_report
    from oeuvre.planning.selectors import contractual_milestones, plan_of
    from oeuvre.recette.selectors.anomalies import open_defects_by_severity, severity_labels

    def step(message: str) -> None:
        if progress is not None:
            progress.advance(1, message)

    today = today or timezone.localdate()
    meteo = meteo_of(project, today)
    rows = [[axis_label("overall"), weather_label(meteo["overall"]), ""]]
    tones = [meteo["overall"]]
    for axis in meteo["axes"].values():
        rows.append(
            [axis["label"], weather_label(axis["verdict"]), axis["reasons"][0]["text"] if axis["reasons"] else ""]
        )
        tones.append(axis["verdict"])
    step("météo")
    snapshots = list(snapshots_of(project)[:12])[::-1]
    trend_series = [
        Series(axis_label("overall"), [_INDEX[s.overall] for s in snapshots]),
        *[
            Series(axis_label(a), [_INDEX.get(s.axes.get(a, {}).get("verdict", "sun"), 0) for s in snapshots])
            for a in ("schedule", "cost", "quality")
        ],
    ]
    plan = plan_of(project)
    milestones = contractual_milestones(project, plan) if plan.pk else []
    step("milestones")
    evm = earned_value_report(project, plan) if plan.pk else {}
    money = evm.get("money") or {}
    weeks = list(evm.get("weeks") or [])[: len(money.get("pv") or [])]

    def padded(values: list[float]) -> list[float | None]:
        return [*values, *([None] * (len(weeks) - len(values)))][: len(weeks)]

    step("earned value")
    labels = severity_labels(project)
    open_counts = open_defects_by_severity(project)
    figures = meteo["figures"]
    notes = []
    if figures.get("coverage_percent") is not None:
        notes.append(_("Test coverage: %(v)s %%") % {"v": number_format(figures["coverage_percent"], 1)})
    if figures.get("pass_rate_percent") is not None:
        notes.append(_("Pass rate: %(v)s %%") % {"v": number_format(figures["pass_rate_percent"], 1)})
    step("recette")
    heat = heat_map(project)
    critical = list(risks_for(project, RiskFilters(open_only=True, critical_only=True))[:10])
    actions = list(actions_of(project, open_only=True)[:15])
    # The requests waiting for the MOA, and the accepted ones still without their avenant.
    changes = [
        c
        for c in changes_for(project)
        if c.is_waiting or (c.status == ChangeStatus.ACCEPTEE and c.needs_avenant and c.avenant_number is None)
    ][:12]
    # The relevé de décisions: the latest decisions of the project's committees, newest first.
    decisions = list(
        Decision.objects.filter(project=project).select_related("committee", "risk", "change").order_by("-number")[:12]
    )
    step("risks and actions")
    return DeckData(
        title=_("Steering committee — %(project)s") % {"project": project.name},
        subtitle=str(date_format(today, "DATE_FORMAT")),
        labels=DeckLabels(
            meteo=_("Project météo"),
            trend=_("Météo trend"),
            milestones=_("Contractual milestones"),
            evm=_("Earned value (S-curves, €)"),
            recette=_("Acceptance: open anomalies"),
            risks=_("Risks"),
            changes=_("Change requests"),
            decisions=_("Decision log"),
            actions=_("Action plan"),
            no_data=_("No data yet."),
        ),
        meteo=TableData([_("Axis"), _("Verdict"), _("Main reason")], rows),
        meteo_tones=tones,
        trend_categories=[_d(s.taken_on) for s in snapshots],
        trend_series=trend_series if snapshots else [],
        trend_axis=_("0 = sunny, 1 = cloudy, 2 = rainy, 3 = stormy"),
        milestones=TableData(
            [_("Milestone"), _("Baseline"), _("Forecast"), _("Deadline"), _("Slippage (days)")],
            [
                [
                    f"{m['code']} {m['name']}",
                    _d(m["baseline"]),
                    _d(m["forecast"]),
                    _d(m["deadline"]),
                    "" if m["slip_days"] is None else f"{m['slip_days']:+d}",
                ]
                for m in milestones
            ],
        ),
        evm_categories=[_d(w) for w in weeks],
        evm_series=[
            Series(_("Planned value (PV)"), padded(money.get("pv") or [])),
            Series(_("Earned value (EV)"), padded(money.get("ev") or [])),
            Series(_("Actual cost (AC)"), padded(money.get("ac") or [])),
        ]
        if weeks
        else [],
        recette_categories=[labels[s] for s in labels],
        recette_series=[Series(_("Open anomalies"), [float(open_counts.get(s, 0)) for s in labels])],
        recette_notes=notes,
        heat=TableData(
            [_("P \\ I"), *[str(i) for i in heat["impacts"]]],
            [[str(row["probability"]), *[str(c["count"] or "") for c in row["cells"]]] for row in heat["rows"]],
        ),
        heat_tones=[["", *[_TONES[c["tone"]] for c in row["cells"]]] for row in heat["rows"]],
        risks=TableData(
            [_("Risk"), _("P × I"), _("Owner"), _("Status")],
            [
                [
                    f"{r.reference} {r.title}",
                    str(r.criticality),
                    r.owner.get_full_name() if r.owner else "—",
                    r.get_status_display(),
                ]
                for r in critical
            ],
        ),
        changes=TableData(
            [
                pgettext("pilotage", "Change request"),
                _("Status"),
                _("Waiting (days)"),
                _("Extra cost (€)"),
                _("Delay (working days)"),
            ],
            [
                [
                    f"{c.reference} {c.title}",
                    c.get_status_display(),
                    str(age_days(c, today)) if c.is_waiting else "",
                    "" if c.extra_cost is None else str(number_format(c.extra_cost, 0, force_grouping=True)),
                    "" if c.delay_days is None else str(c.delay_days),
                ]
                for c in changes
            ],
        ),
        decisions=TableData(
            [_("No."), _("Decision"), _("Decides"), _("Committee")],
            [
                [
                    f"D{d.number}",
                    d.text,
                    " ".join(
                        part
                        for part in (
                            d.risk.reference if d.risk else "",
                            f"{d.change.reference} {d.change.get_status_display()}" if d.change else d.subject,
                        )
                        if part
                    ),
                    f"{d.committee.title} ({_d(d.committee.held_on)})",
                ]
                for d in decisions
            ],
        ),
        actions=TableData(
            [_("No."), _("Action"), _("Owner"), _("Due on"), _("Status")],
            [
                [
                    f"A{a.number}",
                    a.title,
                    a.owner.get_full_name() if a.owner else "—",
                    _d(a.due_on),
                    a.get_status_display(),
                ]
                for a in actions
            ],
            tones=["FFCDD2" if overdue(a.due_on, a.status, today) else None for a in actions],
        ),
    )


def deck_bytes(project: Project, language: str = "fr", progress: Progress | None = None) -> bytes:
    with override(language):
        data = deck_data(project, progress=progress)
    from oeuvre.interop.reports.copil_deck import build_deck

    return build_deck(data)


@job_handler("pilotage.deck")
def deck_job(job: Job, progress: Progress) -> dict[str, Any]:
    project = Project.objects.get(pk=job.params["project"])
    progress.start(6, project.code)
    data = deck_bytes(project, job.params.get("language", "fr"), progress)
    stored = store_private(AREA, data, suffix=".pptx")
    progress.advance(1, "pptx")
    filename = f"copil-{project.code}-{timezone.localdate().isoformat()}.pptx"
    return {"stored": stored, "filename": filename, "size": len(data)}


def deck_path(job: Job) -> Any:
    return private_path(AREA, job.result["stored"])


def _referenced() -> list[str]:
    return [
        r["stored"]
        for r in Job.objects.filter(kind="pilotage.deck", status=Job.Status.DONE).values_list("result", flat=True)
        if isinstance(r, dict) and r.get("stored")
    ]


def register() -> None:
    register_private_area(AREA, _referenced)
