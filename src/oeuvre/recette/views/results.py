"""Pages of performance and security results: upload a report to a campaign, read what it proved, confirm the
proposed anomalies; and the criteria a test case verifies (thin: the services read, record and create)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from oeuvre.accounts.permissions import can, current_user
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.jobs import job_or_404, job_state
from oeuvre.design.models import Criterion
from oeuvre.projects.models import Project
from oeuvre.recette.models import Campaign, CampaignKind, Iteration, Severity, TestCase
from oeuvre.recette.permissions import ANOMALY_REPORT, RESULTS_IMPORT, TESTBOOK_EDIT
from oeuvre.recette.services import results as services
from oeuvre.web.context import project_context
from oeuvre.web.decorators import project_page

__all__ = ["urlpatterns"]

_KINDS = {CampaignKind.PERFORMANCE, CampaignKind.SECURITE}
_FINDING_SEVERITY = {
    "critical": pgettext_lazy("finding severity", "critical"),
    "high": pgettext_lazy("finding severity", "high"),
    "medium": pgettext_lazy("finding severity", "medium"),
    "low": pgettext_lazy("finding severity", "low"),
    "info": pgettext_lazy("finding severity", "information"),
}


def _ctx(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    return project_context(request, project, "recette", section="campaigns", **extra)


def _campaign(project: Project, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("project"), project=project, pk=pk)


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(m for msgs in exc.errors.values() for m in msgs)
    return str(exc.message)


@project_page(RESULTS_IMPORT)
def results_upload(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """The form: a report file (or the files of one run: Locust's stats and history) and the iteration it measures;
    the worker reads it (a JTL may hold millions of rows)."""
    campaign = _campaign(project, pk)
    iterations = list(Iteration.objects.filter(campaign=campaign).order_by("number"))
    error = ""
    if request.method == "POST":
        uploads = request.FILES.getlist("file")
        raw = request.POST.get("iteration", "")
        chosen = next((i for i in iterations if str(i.number) == raw), None)
        if not uploads:
            error = _("Choose the report file.")
        elif raw and chosen is None:
            error = _("This campaign has no iteration %(n)s.") % {"n": raw}
        else:
            try:
                job = services.results_import_enqueue(
                    actor=current_user(request), campaign=campaign, iteration=chosen,
                    files=[(u.chunks(), u.name or "report") for u in uploads],
                    language=translation.get_language() or "",
                )  # fmt: skip
            except DomainError as exc:
                error = _error_text(exc)
            else:
                return redirect("recette:results_job", project.code, campaign.pk, job.pk)
    return render(request, "recette/results/upload.html", _ctx(
        request, project, campaign=campaign, iterations=iterations, error=error,
        wrong_kind=campaign.kind not in _KINDS,
    ), status=400 if error else 200)  # fmt: skip


def _shown(result: dict[str, Any], project: Project) -> dict[str, Any]:
    """The job's result with the measured values written for the reader (« 2 450 », « 99,5 ») and, for each
    proposal, the anomaly already raised from it."""
    criteria = [
        c | {"measured_text": services.format_measure(c["measured"], c["measured_unit"]),
             "unit_text": "" if c["measured_unit"] in {"version", "count"} else c["measured_unit"]}
        for c in result.get("criteria", [])
    ]  # fmt: skip
    proposals = list(result.get("proposals", []))
    raised = services.proposals_raised(project, proposals)
    labels = dict(Severity.choices)
    choices = list(Severity.choices)
    rows = [
        {"index": i, "raised": raised.get(i), "severity_label": labels.get(p.get("severity"), p.get("severity"))} | p
        for i, p in enumerate(proposals)
    ]
    findings = result.get("findings", {})
    order = list(_FINDING_SEVERITY)
    met = sum(1 for c in criteria if c["met"])
    return {
        "criteria": criteria, "met": met, "not_met": len(criteria) - met, "proposals": rows,
        "open_proposals": sum(1 for r in rows if r["raised"] is None), "severity_choices": choices,
        "finding_counts": [((s, _FINDING_SEVERITY.get(s, s)), n) for s, n in sorted(
            findings.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9)],
        "finding_rows": [f | {"severity_label": _FINDING_SEVERITY.get(f["severity"], f["severity"])}
                         for f in result.get("finding_rows", [])],
        "finding_total": sum(findings.values()),
        "unmeasured": sorted(set(result.get("unmeasured", []))), "iteration": result.get("iteration"),
        "tool": result.get("tool", ""), "filename": result.get("filename", ""),
    }  # fmt: skip


@project_page(RESULTS_IMPORT)
def results_job(request: HttpRequest, project: Project, pk: int, job_id: uuid.UUID) -> HttpResponse:
    """The import's progress (polled), then what the report proved: criteria met or not, findings, proposals."""
    campaign = _campaign(project, pk)
    job = job_or_404(job_id, project=project, kind=services.RESULTS_JOB, params__campaign=campaign.pk)
    state = job_state(job)
    shown = _shown(job.result, project) if job.finished and state["status"] == "done" else None
    context = _ctx(request, project, campaign=campaign, job=job, state=state, shown=shown,
                   can_report=can(current_user(request), project, ANOMALY_REPORT))  # fmt: skip
    template = "recette/results/_status.html" if request.htmx else "recette/results/job.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
@project_page(ANOMALY_REPORT)
def results_anomalies(request: HttpRequest, project: Project, pk: int, job_id: uuid.UUID) -> HttpResponse:
    """Create the anomaly of one proposal (``proposal=<n>``) or of all of them (``proposal=all``)."""
    campaign = _campaign(project, pk)
    job = job_or_404(job_id, project=project, kind=services.RESULTS_JOB, params__campaign=campaign.pk)
    proposals = list((job.result or {}).get("proposals", []))
    raw = request.POST.get("proposal", "")
    indexes = range(len(proposals)) if raw == "all" else [int(raw)] if raw.isdigit() else []
    # One proposal may come with the title and severity the test manager edited in its row.
    edit = {k: request.POST[k].strip() for k in ("title", "severity") if k in request.POST}
    edits = {int(raw): edit} if raw.isdigit() and edit else {}
    try:
        created = services.results_proposal_create(
            actor=current_user(request), project=project, proposals=proposals, indexes=indexes, edits=edits
        )
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        if created:
            messages.success(request, ngettext(
                "Anomaly %(refs)s created.", "Anomalies %(refs)s created.", len(created)
            ) % {"refs": ", ".join(a.reference for a in created)})  # fmt: skip
        else:
            messages.info(request, _("These anomalies already exist: nothing was created."))
    return redirect("recette:results_job", project.code, campaign.pk, job.pk)


@require_POST
@project_page(TESTBOOK_EDIT)
def test_case_criteria(request: HttpRequest, project: Project, pk: int) -> HttpResponse:
    """Say which criteria of the DAT the test case verifies (the ticked boxes of the test case page)."""
    case = get_object_or_404(TestCase, project=project, pk=pk)
    wanted = [int(v) for v in request.POST.getlist("criteria") if v.isdigit()]
    chosen = list(Criterion.objects.filter(project=project, pk__in=wanted).prefetch_related("exigences"))
    if len(chosen) != len(set(wanted)):
        messages.error(request, _("A criterion belongs to another project."))
    else:
        try:
            services.test_case_set_criteria(actor=current_user(request), test_case=case, criteria=chosen)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Criteria saved: the test's results will be compared with them."))
    return redirect("recette:test_case", project.code, case.pk)


urlpatterns: list[URLPattern] = [
    path("campaigns/<int:pk>/results/", results_upload, name="results_upload"),
    path("campaigns/<int:pk>/results/<uuid:job_id>/", results_job, name="results_job"),
    path("campaigns/<int:pk>/results/<uuid:job_id>/anomalies/", results_anomalies, name="results_anomalies"),
    path("book/<int:pk>/criteria/", test_case_criteria, name="test_case_criteria"),
]
