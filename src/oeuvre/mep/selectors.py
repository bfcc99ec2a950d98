"""Reads of the deployment stage: environments and what runs where, releases and their content, the go/no-go.

Other stages are read through their selectors (recette: anomalies, campaigns, the latest PV; requirements:
components).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.design.selectors import criterion_rows
from oeuvre.engine import acceptance
from oeuvre.engine import gonogo as engine
from oeuvre.engine.errors import InputError
from oeuvre.mep.models import (
    ConfigItem,
    Deployment,
    Environment,
    EnvironmentKind,
    GoNoGoDecision,
    GoNoGoSettings,
    ReadinessCheck,
    ReadinessItem,
    Release,
    ReleaseStatus,
)
from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly, Campaign
from oeuvre.recette.selectors.anomalies import anomalies_for, open_defects_by_severity
from oeuvre.recette.selectors.pv import latest_pv_status, recette_settings
from oeuvre.recette.selectors.testbook import campaigns_for
from oeuvre.recette.selectors.timers import timeline_of, timer_facts, timer_settings
from oeuvre.requirements.selectors import components_for

__all__ = [
    "CriterionView",
    "Garantie",
    "GoNoGoView",
    "ReleaseContent",
    "decision_snapshot",
    "environments_for",
    "garantie_for",
    "gonogo_for",
    "gonogo_settings",
    "release_content",
    "release_detail",
    "release_named",
    "releases_for",
    "where_runs_what",
]

# The PV decisions that accept the system (values of recette's PvDecision).
_ACCEPTING = ("sans_reserve", "avec_reserves")


def environments_for(project: Project) -> QuerySet[Environment]:
    return Environment.objects.filter(project=project).prefetch_related(
        Prefetch("deployments", queryset=Deployment.objects.select_related("component")),
        Prefetch("config_items", queryset=ConfigItem.objects.select_related("owner").order_by("name")),
    )


def where_runs_what(project: Project) -> dict[str, Any]:
    """One row per component, one column per environment: the version deployed there.

    A row is flagged ``differs`` when staging and production run different versions (or only one runs it),
    the difference a go-live must explain.
    """
    environments = list(environments_for(project))
    rows: dict[int, dict[str, Any]] = {}
    for component in components_for(project):
        rows[component.pk] = {"component": component, "versions": {}, "differs": False}
    for env in environments:
        for dep in env.deployments.all():
            row = rows.get(dep.component_id)
            if row is not None:
                row["versions"][env.pk] = dep.version_label
    staging = [e.pk for e in environments if e.kind == EnvironmentKind.PREPRODUCTION]
    production = [e.pk for e in environments if e.kind == EnvironmentKind.PRODUCTION]
    for row in rows.values():
        row["cells"] = [row["versions"].get(e.pk, "") for e in environments]
        if staging and production:
            pre = {row["versions"].get(pk, "") for pk in staging}
            prod = {row["versions"].get(pk, "") for pk in production}
            row["differs"] = pre != prod
    deployed = [r for r in rows.values() if r["versions"]]
    return {"environments": environments, "rows": deployed, "differences": sum(r["differs"] for r in deployed)}


def releases_for(project: Project) -> QuerySet[Release]:
    return Release.objects.filter(project=project).order_by("planned_date", "pk")


def release_named(project: Project, number: str) -> Release | None:
    return Release.objects.filter(project=project, number=number).first()


def release_detail(project: Project, pk: int) -> Release:
    return get_object_or_404(Release, project=project, pk=pk)


@dataclass(frozen=True)
class ReleaseContent:
    fixed_anomalies: list[Anomaly]
    campaigns: list[Campaign]


def release_content(release: Release) -> ReleaseContent:
    """What the release carries, read from the recette stage: the anomalies fixed in it and the campaigns run on it.

    Anomalies and campaigns still name their release in free text; the match is on the release number.
    """
    anomalies = list(anomalies_for(release.project).filter(release_fixed=release.number).order_by("reference"))
    campaigns = list(campaigns_for(release.project).filter(release=release.number).order_by("pk"))
    return ReleaseContent(anomalies, campaigns)


def gonogo_settings(project: Project) -> GoNoGoSettings:
    """The project's settings, or unsaved defaults (reads never write)."""
    found = GoNoGoSettings.objects.filter(project=project).first()
    return found if found is not None else GoNoGoSettings(project=project)


def _pv_status(project: Project) -> tuple[engine.PvStatus, int, Any]:
    latest = latest_pv_status(project)
    pv = latest["pv"]
    if pv is None:
        return "none", 0, None
    if pv.status == "signe":
        return ("signed" if pv.decision in _ACCEPTING else "refused"), latest["open_reserves"], pv
    if pv.status == "brouillon":
        return "draft", latest["open_reserves"], pv
    return "decided", latest["open_reserves"], pv


@dataclass(frozen=True)
class CriterionView:
    """A criterion as pages, API and CLI show it: its code, label, whether it is met, and the evidence."""

    code: str
    label: str
    met: bool
    applies: bool
    evidence: str
    link: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "met": self.met,
            "applies": self.applies,
            "evidence": self.evidence,
            "link": self.link,
        }


@dataclass(frozen=True)
class GoNoGoView:
    proposal: str
    criteria: list[CriterionView]
    checks: dict[str, ReadinessCheck]
    decisions: list[GoNoGoDecision]

    def as_dict(self) -> dict[str, Any]:
        return {"proposal": self.proposal, "criteria": [c.as_dict() for c in self.criteria]}


def _labels() -> dict[str, str]:
    return {
        "pv_signed": _("PV de recette signed with acceptance"),
        "no_bloquante": _("No open blocking anomaly"),
        "majeures_under_threshold": _("Open major anomalies under the threshold"),
        "perfsec_criteria_met": _("Performance and security criteria met"),
        **{item.value: str(item.label) for item in ReadinessItem},
    }


def _pv_evidence(params: Any, pv: Any) -> str:
    status = params["status"]
    if pv is None:
        return _("No PV de recette yet.")
    if status == "signed":
        text = _("%(ref)s signed (%(decision)s).") % {"ref": pv.reference, "decision": pv.get_decision_display()}
        if params["open_reserves"]:
            n = int(params["open_reserves"])
            text += " " + ngettext("%(n)s réserve still to lift.", "%(n)s réserves still to lift.", n) % {"n": n}
        return text
    if status == "refused":
        return _("%(ref)s signed but does not accept the system (%(decision)s).") % {
            "ref": pv.reference,
            "decision": pv.get_decision_display(),
        }
    return _("%(ref)s is not signed yet (%(status)s).") % {"ref": pv.reference, "status": pv.get_status_display()}


def _check_evidence(check: ReadinessCheck | None) -> str:
    if check is None or not check.done:
        return _("Not attested yet.")
    who = str(check.attested_by) if check.attested_by else "?"
    when = date_format(timezone.localdate(check.attested_at), "SHORT_DATE_FORMAT") if check.attested_at else ""
    return _("Attested by %(who)s on %(when)s: %(evidence)s") % {"who": who, "when": when, "evidence": check.evidence}


def _with_training(plan: Any, evidence: str) -> str:
    """The attested evidence followed by the users trained, and the waves going live with users left to train."""
    if not plan.sessions:
        return evidence
    parts = [evidence, _("%(trained)s / %(users)s users trained.") % {"trained": plan.trained, "users": plan.users}]
    for row in plan.left_going_live:
        parts.append(
            ngettext(
                "%(wave)s goes live with %(left)s of %(users)s user left to train.",
                "%(wave)s goes live with %(left)s of %(users)s users left to train.",
                row.to_train,
            )
            % {"wave": row.wave.name, "left": row.to_train, "users": row.users}
        )
    return " ".join(parts)


def _with_dry_run(release: Release, evidence: str) -> str:
    """The attested evidence followed by what the runbook recorded of the dry run, when the release has one."""
    from oeuvre.mep.runbook import dry_run_evidence

    recorded = dry_run_evidence(release)
    return f"{evidence} {recorded}" if recorded else evidence


def gonogo_for(release: Release) -> GoNoGoView:
    """The proposal for ``release``: facts gathered from the recette stage and the attested readiness."""
    from django.urls import reverse

    project = release.project
    cfg = gonogo_settings(project)
    pv_status, open_reserves, pv = _pv_status(project)
    defects = open_defects_by_severity(project)
    checks = {c.item: c for c in ReadinessCheck.objects.filter(release=release).select_related("attested_by")}
    perfsec = [row.state for row in criterion_rows(project)]
    from oeuvre.mep.training import training_plan

    plan = training_plan(release)
    facts = engine.GoNoGoFacts(
        pv_status=pv_status,
        open_reserves=open_reserves,
        open_bloquantes=defects.get("bloquante", 0),
        open_majeures=defects.get("majeure", 0),
        attested={code: c.done for code, c in checks.items()},
        perfsec_total=len(perfsec),
        perfsec_not_met=perfsec.count("not_met"),
        perfsec_not_measured=perfsec.count("not_measured"),
        training_left=plan.training_left,
    )
    thresholds = engine.GoNoGoThresholds(
        max_open_bloquantes=cfg.max_open_bloquantes,
        max_open_majeures=cfg.max_open_majeures,
        ignored=frozenset(cfg.ignored_criteria or ()),
    )
    result = engine.propose(facts, thresholds)
    labels = _labels()
    anomalies_url = reverse("recette:anomaly_list", args=[project.code])
    release_url = reverse("mep:release_detail", args=[project.code, release.pk])
    views: list[CriterionView] = []
    for c in result.criteria:
        if c.code == "pv_signed":
            evidence = _pv_evidence(c.params, pv)
            link = reverse("recette:pv_detail", args=[project.code, pv.pk]) if pv is not None else ""
        elif c.code in ("no_bloquante", "majeures_under_threshold"):
            evidence = _("%(count)s open, %(threshold)s allowed.") % dict(c.params)
            link = anomalies_url
        elif c.code == "perfsec_criteria_met":
            evidence = _("%(total)s criteria: %(not_met)s not met, %(not_measured)s not measured.") % dict(c.params)
            link = reverse("design:criteria", args=[project.code])
        else:
            evidence = _check_evidence(checks.get(c.code))
            link = f"{release_url}#check-{c.code}"
            if c.code == ReadinessItem.TRAINING:
                evidence = _with_training(plan, evidence)
            elif c.code == ReadinessItem.DRY_RUN:
                evidence = _with_dry_run(release, evidence)
        views.append(CriterionView(c.code, labels[c.code], c.met, c.applies, evidence, link))
    decisions = list(
        GoNoGoDecision.objects.filter(release=release).select_related("ledger_entry").order_by("decided_at")
    )
    return GoNoGoView(result.proposal, views, checks, decisions)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def decision_snapshot(decision: GoNoGoDecision) -> dict[str, Any]:
    """What the chain asserts about a decision: compared with the row by ``oeuvre verify``."""
    return {
        "release": decision.release.number,
        "proposal": decision.proposal,
        "decision": decision.decision,
        "reason": decision.reason,
        "criteria": decision.criteria,
        "decided_by": decision.decided_by_id,
        "decided_by_name": decision.decided_by_name,
        "decided_at": _stamp(decision.decided_at),
        "reauthenticated_at": _stamp(decision.reauthenticated_at),
    }


@dataclass(frozen=True)
class Garantie:
    """The warranty (garantie, CCAG-TIC art. 36) as a release in production sees it.

    ``source`` is ``admission`` when the recette stage knows the admission (the garantie starts there, extended by
    the days the buyer was deprived of use), or ``go_live`` when the admission is not recorded yet and the end is
    estimated from the release's go-live with the contract's duration.
    """

    start: date
    end: date
    days_left: int
    source: str
    deprivation_days: int

    @property
    def running(self) -> bool:
        return self.days_left > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "days_left": self.days_left,
            "source": self.source,
            "deprivation_days": self.deprivation_days,
        }


def garantie_for(project: Project, releases: list[Release], today: date | None = None) -> dict[int, Garantie]:
    """Per release in production (by id): the garantie's end and the days left, read from the recette timers."""
    today = today or timezone.localdate()
    live = [r for r in releases if r.status == ReleaseStatus.EN_PRODUCTION and r.actual_date is not None]
    if not live:
        return {}
    cfg = recette_settings(project)
    timeline = timeline_of(project)
    contract = timer_settings(cfg, project)
    try:
        result = acceptance.compute_timers(contract, timer_facts(timeline, project), today)
    except InputError:
        result = None
    deprivation = int(timeline.deprivation_days or 0)
    found: dict[int, Garantie] = {}
    for release in live:
        assert release.actual_date is not None
        if result is not None and result.admission_date is not None and result.garantie_end is not None:
            start, end, source = result.admission_date, result.garantie_end, "admission"
        else:
            start = release.actual_date
            end = acceptance.add_period(start, contract.garantie) + timedelta(days=deprivation)
            source = "go_live"
        found[release.pk] = Garantie(start, end, max((end - today).days, 0), source, deprivation)
    return found


def deployed_components(project: Project) -> dict[str, dict[int, str]]:
    """Environment name → {component id: deployed version}, for the design stage's architecture view (one query)."""
    out: dict[str, dict[int, str]] = {name: {} for name in environments_for(project).values_list("name", flat=True)}
    for name, component_id, version in Deployment.objects.filter(environment__project=project).values_list(
        "environment__name", "component_id", "version_label"
    ):
        out.setdefault(name, {})[component_id] = version
    return out
