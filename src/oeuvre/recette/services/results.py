"""Performance and security results (JMeter, k6, Gatling, Locust, SARIF, ZAP) compared with the DAT's criteria.

A tool's report, read by :func:`oeuvre.interop.perfsec.read_report`, is recorded in a performance or security
campaign: each test case of the book that verifies a criterion (``TestCase.criteria``) gets one execution in the
iteration, passed when every criterion it verifies and the file measured is met, failed otherwise. Each measured
criterion keeps a :class:`CriterionResult` (its history across iterations). Like a failed JUnit test, a criterion
not met and a high or critical security finding *propose* an anomaly with the figures: the test manager confirms
the proposal (a load test failing on a shared environment is not always a defect of the product).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.activity import record_bulk_change
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.files import private_path, register_private_area
from oeuvre.core.jobs import Progress, job_enqueue, job_handler
from oeuvre.core.models import Job
from oeuvre.core.services import model_update, save_with_history
from oeuvre.design.models import Criterion
from oeuvre.design.services import criterion_engine
from oeuvre.engine.criteria import evaluate
from oeuvre.engine.errors import InputError
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.perfsec import METRICS, Metric, Report, Severity, read_report, read_report_file, read_reports
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Anomaly,
    Campaign,
    CampaignKind,
    CampaignStatus,
    CriterionResult,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    Iteration,
    PlannedTest,
    SecurityFinding,
    TestCase,
)
from oeuvre.recette.models import Severity as AnomalySeverity
from oeuvre.recette.permissions import ANOMALY_REPORT, RESULTS_IMPORT, TESTBOOK_EDIT
from oeuvre.recette.services.anomalies import anomaly_create
from oeuvre.recette.services.testbook import current_revision, file_error_message

__all__ = [
    "MAX_REPORT_BYTES",
    "RESULTS_JOB",
    "ResultsRecord",
    "results_import",
    "results_import_enqueue",
    "results_proposal_create",
    "results_record",
    "test_case_set_criteria",
]

MAX_REPORT_BYTES = 200 * 1024 * 1024
#: Files of one run sent together (Locust writes two that are read: its stats and their history).
MAX_PARTS = 4
_KINDS = {CampaignKind.PERFORMANCE, CampaignKind.SECURITE}
_COUNTS = {
    Metric.VULNERABILITIES_CRITICAL: Severity.CRITICAL,
    Metric.VULNERABILITIES_HIGH: Severity.HIGH,
    Metric.VULNERABILITIES_MEDIUM: Severity.MEDIUM,
    Metric.VULNERABILITIES_LOW: Severity.LOW,
}
_SECURITY_TOOLS = {"sarif", "zap", "testssl"}
_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3, Severity.INFO: 4}
FINDINGS_SHOWN = 200
_ANOMALY_SEVERITY = {Severity.CRITICAL: AnomalySeverity.BLOQUANTE, Severity.HIGH: AnomalySeverity.MAJEURE}


@dataclass
class ResultsRecord:
    """What a recorded report did: criteria met / not met / not in the file, executions, proposed anomalies."""

    iteration_id: int
    iteration: int
    tool: str
    criteria: list[dict[str, Any]] = field(default_factory=list)
    executions: list[dict[str, Any]] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    # The findings themselves (the most severe first, at most FINDINGS_SHOWN), for the page that shows the import.
    finding_rows: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration, "tool": self.tool, "criteria": self.criteria,
            "executions": self.executions, "unmeasured": self.unmeasured, "findings": self.findings,
            "proposals": self.proposals,
        }  # fmt: skip


def _measure(report: Report, criterion: Criterion) -> float | str | None:
    metric = Metric(criterion.metric)
    value = report.value(metric, criterion.label)
    if value is not None:
        return value
    if metric in _COUNTS and criterion.label == "*" and (report.findings or report.tool in _SECURITY_TOOLS):
        # A scan reports findings, not always their counts: count them by severity.
        return float(sum(1 for f in report.findings if f.severity == _COUNTS[metric]))
    return None


def format_measure(value: float | str | None, unit: str) -> str:
    """A measured value as the user reads it: « 2 640 », « 277,43 », « 1.2 » for a version, « — » when absent."""
    if value is None:
        return "—"
    if isinstance(value, str) or unit == "version":
        return str(value)
    if value == int(value):
        return number_format(int(value), force_grouping=True)
    return number_format(round(value, 2), decimal_pos=2, force_grouping=True)


def _format(value: float | str, unit: str) -> str:
    """The value as stored with a result (plain, not localised: a figure, not text for a reader)."""
    if isinstance(value, str):
        return value
    return f"{value:.6g}" if unit != "count" else f"{value:g}"


def _iteration(campaign: Campaign, number: int | None) -> Iteration:
    if number is None:
        found = Iteration.objects.filter(campaign=campaign).order_by("-number").first()
        return found or Iteration.objects.create(campaign=campaign, number=1, release=campaign.release)
    found = Iteration.objects.filter(campaign=campaign, number=number).first()
    if found is None:
        raise ValidationFailed({"iteration": [_("This campaign has no iteration %(n)s.") % {"n": number}]})
    return found


@transaction.atomic
def results_record(
    *, project: Project, campaign: Campaign, iteration: int | Iteration | None, report: Report, user: User,
    filename: str = "", sha256: str = "",
) -> ResultsRecord:  # fmt: skip
    """Attach a tool's report to the campaign's executions of the test cases verifying the project's criteria."""
    require(user, project, RESULTS_IMPORT)
    if campaign.project_id != project.pk:
        raise ValidationFailed({"campaign": [_("This campaign belongs to another project.")]})
    if campaign.kind not in _KINDS:
        raise ValidationFailed(
            {"campaign": [_("Load-test and scan results go to a performance or security campaign.")]}
        )
    if campaign.status == CampaignStatus.TERMINEE:
        raise DomainError(_("The campaign is finished: reopen it to import results."))
    if isinstance(iteration, Iteration):
        if iteration.campaign_id != campaign.pk:
            raise ValidationFailed({"iteration": [_("This iteration belongs to another campaign.")]})
        chosen = iteration
    else:
        chosen = _iteration(campaign, iteration)
    result = ResultsRecord(iteration_id=chosen.pk, iteration=chosen.number, tool=report.tool)
    cases = list(
        TestCase.objects.filter(project=project, criteria__isnull=False)
        .distinct()
        .prefetch_related("criteria", "exigences")
        .order_by("number", "pk")
    )
    planned = set(PlannedTest.objects.filter(campaign=campaign).values_list("test_case_id", flat=True))
    now = timezone.now()
    position = PlannedTest.objects.filter(campaign=campaign).count()
    security_case: tuple[TestCase, Execution] | None = None
    measured_any = False
    for case in cases:
        outcomes: list[tuple[Criterion, float | str, str, bool]] = []
        for criterion in case.criteria.all():
            value = _measure(report, criterion)
            if value is None:
                result.unmeasured.append(criterion.reference)
                continue
            unit = METRICS[Metric(criterion.metric)]
            try:
                met = evaluate(criterion_engine(criterion), value, unit)
            except InputError as exc:
                raise ValidationFailed({"file": [f"{criterion.reference}: {exc.message}"]}) from None
            outcomes.append((criterion, value, unit, bool(met)))
        if not outcomes:
            continue
        measured_any = True
        if case.pk not in planned:
            position += 1
            PlannedTest.objects.create(campaign=campaign, test_case=case, position=position)
            planned.add(case.pk)
        failed = [o for o in outcomes if not o[3]]
        lines = [
            f"{c.reference} {c.describe()} : {_format(v, u)} {'' if u == 'version' else u}".rstrip()
            + f" — {_('met') if ok else _('not met')}"
            for c, v, u, ok in outcomes
        ]
        execution = Execution(
            project=project, iteration=chosen, test_case=case, test_case_revision=current_revision(case),
            status=ExecutionStatus.KO if failed else ExecutionStatus.OK, source=ExecutionSource.REPORT, tester=user,
            started_at=now, executed_at=now, junit_name=f"{report.tool} {filename}".strip()[:500],
            message="\n".join(lines)[:20_000],
        )  # fmt: skip
        save_with_history(execution, actor=user, reason=_("results of %(tool)s") % {"tool": report.tool})
        result.executions.append({"test_case": case.reference, "status": execution.status, "execution": execution.pk})
        if any(c.metric in {m.value for m in _COUNTS} for c, *_rest in outcomes):
            security_case = (case, execution)
        CriterionResult.objects.bulk_create([
            CriterionResult(project=project, criterion=c, execution=execution, value=_format(v, u), unit=u, met=ok,
                            tool=report.tool, tool_version=report.tool_version[:60], filename=filename[:255],
                            sha256=sha256, recorded_by=user)
            for c, v, u, ok in outcomes
        ])  # fmt: skip
        for c, v, u, ok in outcomes:
            result.criteria.append({
                "criterion": c.reference, "metric": c.metric, "threshold": c.threshold, "unit": c.unit,
                "measured": v, "measured_unit": u, "met": ok, "test_case": case.reference,
            })  # fmt: skip
        if failed:
            exigence = next(iter(case.exigences.all()), None)
            for c, v, u, _ok in failed:
                result.proposals.append({
                    "title": (
                        _("%(case)s — %(criterion)s not met: %(what)s")
                        % {"case": case.reference, "criterion": c.reference, "what": c.describe()}
                    )[:300],
                    "description": "\n".join([
                        f"{case.reference} — {case.title}",
                        _("Campaign: %(c)s, iteration %(n)s") % {"c": campaign.name, "n": chosen.number},
                        _("Criterion: %(c)s") % {"c": f"{c.reference} {c.describe()}"},
                        _("Measured: %(v)s") % {"v": f"{_format(v, u)} {'' if u == 'version' else u}".strip()},
                        _("Source: %(tool)s %(file)s") % {"tool": report.tool, "file": filename},
                    ]),
                    "execution": execution.pk, "test_case": case.pk, "test_case_reference": case.reference,
                    "exigence": exigence.pk if exigence else None, "campaign": campaign.pk,
                    "release_found": chosen.release or campaign.release, "severity": str(AnomalySeverity.MAJEURE),
                    "criterion": c.reference,
                })  # fmt: skip
    if report.findings:
        for f in report.findings:
            result.findings[str(f.severity)] = result.findings.get(str(f.severity), 0) + 1
        ranked = sorted(report.findings, key=lambda f: _SEVERITY_RANK.get(f.severity, 9))
        result.finding_rows = [
            {"severity": str(f.severity), "rule_id": f.rule_id[:200], "title": f.title[:300],
             "location": f.location[:300], "tool": f.tool or report.tool}
            for f in ranked[:FINDINGS_SHOWN]
        ]  # fmt: skip
        if security_case is not None:
            case, execution = security_case
            SecurityFinding.objects.bulk_create(
                [SecurityFinding(project=project, execution=execution, rule_id=f.rule_id[:200], title=f.title[:500],
                                 severity=str(f.severity), message=f.message[:5000], location=f.location[:500],
                                 tool=(f.tool or report.tool)[:60]) for f in report.findings],
                batch_size=1000,
            )  # fmt: skip
        for f in report.findings:
            if f.severity not in _ANOMALY_SEVERITY:
                continue
            case_ref = security_case[0].reference if security_case else ""
            result.proposals.append({
                "title": f"{case_ref + ' — ' if case_ref else ''}{f.title}"[:300],
                "description": "\n".join(filter(None, [
                    f"{f.rule_id} ({f.severity}) — {f.title}", f.location, f.message,
                    _("Source: %(tool)s %(file)s") % {"tool": f.tool or report.tool, "file": filename},
                ])),
                "execution": security_case[1].pk if security_case else None,
                "test_case": security_case[0].pk if security_case else None, "test_case_reference": case_ref,
                "exigence": None, "campaign": campaign.pk, "release_found": chosen.release or campaign.release,
                "severity": str(_ANOMALY_SEVERITY[f.severity]), "finding": f.rule_id,
            })  # fmt: skip
    if not measured_any and not report.findings:
        message = _(
            "No criterion of the DAT is measured by this file: link the test cases to the criteria they verify, "
            "and check the transaction names."
        )
        raise ValidationFailed({"file": [message]})
    if result.executions:
        record_bulk_change(
            project=project, actor=user, model=Execution,
            label=ngettext("%(tool)s results: %(count)s execution in %(iteration)s",
                           "%(tool)s results: %(count)s executions in %(iteration)s", len(result.executions))
            % {"tool": report.tool, "count": len(result.executions), "iteration": chosen},
        )  # fmt: skip
    if campaign.status == CampaignStatus.PREPARATION:
        model_update(instance=campaign, fields={"status"}, data={"status": CampaignStatus.EN_COURS}, actor=user,
                     reason="first execution")  # fmt: skip
    return result


# Each code of the readers (``interop.perfsec.ERROR_CODES``, with its parameters) worded for the user.
_REPORT_MESSAGES: dict[str, Any] = {
    "too_large": gettext_lazy("The file is too large (%(size_mib)s MiB; at most %(limit_mib)s MiB)."),
    "empty": gettext_lazy("The file is empty."),
    "wrong_magic": gettext_lazy("This is a binary file (%(format)s), not a report."),
    "xml_entities": gettext_lazy("Documents that declare a DTD or entities (<!DOCTYPE …>) are refused."),
    "json_depth": gettext_lazy("The JSON is nested deeper than %(limit)s levels."),
    "unsupported_report": gettext_lazy(
        "This file is not a report of JMeter, k6, Gatling, Locust, SARIF, ZAP or testssl.sh."
    ),
    "encoding": gettext_lazy("The text is not UTF-8 (byte %(offset)s)."),
    "json_syntax": gettext_lazy("The JSON is not valid (%(detail)s, column %(column)s)."),
    "csv_syntax": gettext_lazy("The CSV is not valid (%(detail)s)."),
    "xml_syntax": gettext_lazy("The XML is not well formed (%(detail)s)."),
    "not_number": gettext_lazy("« %(value)s » is not a number."),
    "missing_field": gettext_lazy("The field « %(field)s » is missing."),
    "no_samples": gettext_lazy("The report holds no sample: nothing was measured."),
    "too_many_labels": gettext_lazy("More than %(limit)s different labels: is this really one test run?"),
    "too_many_samples": gettext_lazy("More than %(limit)s samples."),
    "too_many_findings": gettext_lazy("More than %(limit)s findings."),
    "jtl_header": gettext_lazy("The JMeter header has no « %(column)s » column."),
    "jtl_columns": gettext_lazy("%(found)s columns where the header announces %(expected)s."),
    "not_jtl": gettext_lazy("The root element is <%(root)s>, not the <testResults> of a JMeter JTL file."),
    "locust_header": gettext_lazy("The Locust statistics have no « %(column)s » column."),
    "locust_columns": gettext_lazy("%(found)s columns where the header announces %(expected)s."),
    "locust_no_aggregate": gettext_lazy("The Locust statistics have no « Aggregated » row."),
    "locust_history_header": gettext_lazy("The Locust stats history has no « %(column)s » column."),
    "not_k6": gettext_lazy("This JSON file is not a k6 end-of-test summary."),
    "k6_shape": gettext_lazy("The k6 summary does not have the expected shape (metrics and their values)."),
    "not_gatling": gettext_lazy("This file is not Gatling's stats.json, global_stats.json or stats.js."),
    "gatling_shape": gettext_lazy("The Gatling statistics do not have the expected shape."),
    "gatling_js": gettext_lazy(
        "This Gatling stats.js has no complete « var stats = {…} » object (a brace or a string is never closed)."
    ),
    "not_sarif": gettext_lazy("This JSON file is not a SARIF report."),
    "sarif_version": gettext_lazy("SARIF version %(version)s is not read: version 2.1.0 is."),
    "sarif_shape": gettext_lazy("The SARIF report does not have the expected shape (runs, tool, results)."),
    "not_zap": gettext_lazy("This JSON file is not an OWASP ZAP report."),
    "zap_shape": gettext_lazy("The ZAP report does not have the expected shape (sites and their alerts)."),
    "not_testssl": gettext_lazy("This JSON file is not a testssl.sh report."),
    "testssl_shape": gettext_lazy("The testssl.sh report does not have the expected shape (id, severity, finding)."),
    "zip_bomb": gettext_lazy(
        "The archive is refused: it holds too many files or expands beyond the limits (a zip bomb?)."
    ),
    "zip_damaged": gettext_lazy("The archive is damaged or is not a zip file."),
    "zip_name": gettext_lazy("The archive names a file outside itself (« %(member)s »): it is refused."),
    "zip_nested": gettext_lazy("« %(member)s » is itself an archive: send the report, not an archive of archives."),
    "too_many_files": gettext_lazy("The folder holds more than %(limit)s files: is this really one report?"),
    "bundle_no_report": gettext_lazy(
        "No report found: expected Gatling's js/stats.json or js/stats.js, Locust's _stats.csv, or a single report."
    ),
    "bundle_ambiguous": gettext_lazy("Several runs are here (%(names)s): send one."),
    "bundle_mixed": gettext_lazy(
        "These files are not one run (%(formats)s): only Locust's stats and stats history go together."
    ),
}


def report_error_message(error: FileFormatError) -> str:
    """« run.jtl, line 12: … » in the user's language, from the reader's code and parameters."""
    return file_error_message(error, _REPORT_MESSAGES)


def results_import(
    *, project: Project, campaign: Campaign, iteration: int | Iteration | None, user: User,
    data: bytes | None = None, filename: str = "", path: Path | None = None,
    parts: Sequence[tuple[bytes, str]] | None = None, paths: Sequence[tuple[Path, str]] | None = None,
) -> ResultsRecord:  # fmt: skip
    """Read a report (the readers guard against hostile files) and record it.

    An upload comes as ``data`` (at most :data:`MAX_REPORT_BYTES`; a zip of Gatling's report or of Locust's stats
    and history included); the terminal gives a ``path``, read by :func:`~oeuvre.interop.perfsec.read_report_file`,
    which streams a JMeter JTL of millions of samples instead of holding the file, and reads a report folder. Files of
    one run sent together (Locust's ``_stats.csv`` and ``_stats_history.csv``) come as ``parts`` (``(bytes, name)``)
    or, kept by an upload, as ``paths`` (``(path, name)``).
    """
    require(user, project, RESULTS_IMPORT)
    given = [x for x in (data, path, parts, paths) if x is not None]
    if len(given) != 1:
        raise ValueError("give the report's bytes, its path, its parts or their paths: one of them")
    if data is not None and len(data) > MAX_REPORT_BYTES:
        raise ValidationFailed({"file": [_("The file is too large.")]})
    if paths is not None:
        if any(p.stat().st_size > MAX_REPORT_BYTES for p, _name in paths):
            raise ValidationFailed({"file": [_("The file is too large.")]})
        parts = [(p.read_bytes(), name) for p, name in paths]
    try:
        if path is not None:
            filename = filename or path.name
            report = read_report_file(path, filename)  # errors name the file the user knows, not the kept name
            sha256 = _file_digest(path) if path.is_file() else ""
        elif data is not None:
            report = read_report(data, filename)
            sha256 = hashlib.sha256(data).hexdigest()
        elif parts is not None:
            if len(parts) > MAX_PARTS:
                raise ValidationFailed({"file": [_("Send at most %(n)s files of one run.") % {"n": MAX_PARTS}]})
            report = read_reports(list(parts))
            filename = filename or " + ".join(name for _data, name in parts)
            sha256 = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for d, _name in parts)).hexdigest()
        else:  # pragma: no cover - refused above
            raise ValueError("nothing to read")
    except FileFormatError as exc:  # HostileFileError included
        if filename and not exc.source:
            exc.source = filename
        raise ValidationFailed({"file": [report_error_message(exc)]}) from None
    return results_record(project=project, campaign=campaign, iteration=iteration, report=report, user=user,
                          filename=filename, sha256=sha256)  # fmt: skip


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def test_case_set_criteria(*, actor: User, test_case: TestCase, criteria: Iterable[Criterion]) -> TestCase:
    """Say which criteria of the DAT a test measures; their exigences become covered by the test (the RTM)."""
    require(actor, test_case.project, TESTBOOK_EDIT)
    chosen = list(criteria)
    if any(c.project_id != test_case.project_id for c in chosen):
        raise ValidationFailed({"criteria": [_("A criterion belongs to another project.")]})
    test_case.criteria.set(chosen)
    exigences = {e.pk for c in chosen for e in c.exigences.all()}
    if exigences:
        test_case.exigences.add(*exigences)
    return test_case


# --- Upload from the page: the report is kept under a generated name and read by the worker -------------------

RESULTS_JOB = "recette.results"
_AREA = "results-imports"


def _stored(params: Any) -> list[tuple[str, str]]:
    """The files a job's parameters name, ``(stored name, file name)``: ``files`` (one or several), or the single
    ``stored`` of the jobs queued before several files were taken."""
    if not isinstance(params, dict):
        return []
    if isinstance(params.get("files"), list):
        return [(str(f.get("stored", "")), str(f.get("filename", ""))) for f in params["files"] if isinstance(f, dict)]
    if params.get("stored"):
        return [(str(params["stored"]), str(params.get("filename", "")))]
    return []


def _pending_reports() -> list[str]:
    """The stored names of the reports whose job has not run yet (the sweep must leave them)."""
    names = Job.objects.filter(kind=RESULTS_JOB, finished_at__isnull=True).values_list("params", flat=True)
    return [stored for p in names for stored, _name in _stored(p)]


register_private_area(_AREA, _pending_reports)


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if suffix in {".jtl", ".csv", ".xml", ".json", ".sarif", ".js", ".zip"} else ".txt"


def _keep(chunks: Iterable[bytes], filename: str) -> str:
    """Write one uploaded file under a generated name, chunk by chunk; its stored name."""
    token = uuid.uuid4().hex
    stored = f"{token[:2]}/{token}{_suffix(filename)}"
    target = private_path(_AREA, stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > MAX_REPORT_BYTES:
                    raise ValidationFailed({"file": [_("The file is too large.")]})
                out.write(chunk)
        if size == 0:
            raise ValidationFailed({"file": [_("The file is empty.")]})
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return stored


@transaction.atomic
def results_import_enqueue(
    *, actor: User, campaign: Campaign, chunks: Iterable[bytes] | None = None, filename: str = "",
    iteration: Iteration | None = None, files: Sequence[tuple[Iterable[bytes], str]] | None = None,
    language: str = "",
) -> Job:  # fmt: skip
    """Keep an uploaded report (written chunk by chunk: a JTL of a million samples is not held in memory) and read it
    in the worker with the same rules as :func:`results_import`; the job's result is the :class:`ResultsRecord`.

    ``chunks`` and ``filename`` are one file; ``files`` (``(chunks, name)``) are the files of one run sent together
    (Locust's stats and their history). The worker writes its messages in ``language`` (the page's), else in its
    author's. Nothing is recorded before the worker has read every file: a refused file leaves the campaign as it was.
    """
    project = campaign.project
    require(actor, project, RESULTS_IMPORT)
    if campaign.kind not in _KINDS:
        raise ValidationFailed(
            {"campaign": [_("Load-test and scan results go to a performance or security campaign.")]}
        )
    if campaign.status == CampaignStatus.TERMINEE:
        raise DomainError(_("The campaign is finished: reopen it to import results."))
    if iteration is not None and iteration.campaign_id != campaign.pk:
        raise ValidationFailed({"iteration": [_("This iteration belongs to another campaign.")]})
    uploads = list(files or []) + ([(chunks, filename)] if chunks is not None else [])
    if not uploads:
        raise ValidationFailed({"file": [_("Choose the report file.")]})
    if len(uploads) > MAX_PARTS:
        raise ValidationFailed({"file": [_("Send at most %(n)s files of one run.") % {"n": MAX_PARTS}]})
    kept: list[dict[str, str]] = []
    try:
        for upload, name in uploads:
            shown = Path(name.replace("\\", "/")).name[:200] or "report"
            kept.append({"stored": _keep(upload, name), "filename": shown})
    except BaseException:
        for f in kept:
            private_path(_AREA, f["stored"]).unlink(missing_ok=True)
        raise
    params = {"campaign": campaign.pk, "iteration": iteration.pk if iteration else None, "files": kept,
              "filename": " + ".join(f["filename"] for f in kept), "language": language[:10]}  # fmt: skip
    return job_enqueue(kind=RESULTS_JOB, params=params, actor=actor, project=project)


@job_handler(RESULTS_JOB)
def run_results_import(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    if job.created_by_id is None or job.project_id is None:
        raise DomainError("a results import job needs its author and its project")
    actor = User.objects.get(pk=job.created_by_id)
    campaign = Campaign.objects.select_related("project").get(pk=params["campaign"], project_id=job.project_id)
    iteration = Iteration.objects.filter(pk=params["iteration"], campaign=campaign).first() if params.get(
        "iteration") else None  # fmt: skip
    # private_path refuses any name the upload could not have produced.
    kept = [(private_path(_AREA, stored), name) for stored, name in _stored(params)]
    language = str(params.get("language") or "") or getattr(actor, "language", "") or "fr"
    with translation.override(language):
        progress.start(1, translation.gettext("Reading the report"))
        try:
            if len(kept) == 1:
                record = results_import(project=campaign.project, campaign=campaign, iteration=iteration,
                                        user=actor, path=kept[0][0], filename=kept[0][1])  # fmt: skip
            else:
                record = results_import(project=campaign.project, campaign=campaign, iteration=iteration,
                                        user=actor, paths=kept)  # fmt: skip
        except ValidationFailed as exc:
            raise DomainError(" ".join(m for messages in exc.errors.values() for m in messages)) from None
        finally:
            for path, _name in kept:
                path.unlink(missing_ok=True)
        met = sum(1 for c in record.criteria if c["met"])
        progress.advance(1)
        progress.message = translation.gettext("%(met)s criteria met, %(not_met)s not met, %(findings)s findings") % {
            "met": met,
            "not_met": len(record.criteria) - met,
            "findings": sum(record.findings.values()),
        }
    return record.as_dict() | {"finding_rows": record.finding_rows, "filename": params["filename"],
                               "campaign": campaign.pk}  # fmt: skip


# --- Proposals confirmed by the test manager ----------------------------------------------------------------------


def proposals_raised(project: Project, proposals: Iterable[dict[str, Any]]) -> dict[int, Anomaly]:
    """Which proposals already have their anomaly (same execution, and the same title or, the title edited before
    creation, the same description): index → anomaly, one query."""
    chosen = list(proposals)
    executions = {int(p["execution"]) for p in chosen if p.get("execution")}
    by_title: dict[tuple[int | None, str], Anomaly] = {}
    by_description: dict[tuple[int | None, str], Anomaly] = {}
    if executions:
        for a in Anomaly.objects.filter(project=project, execution_id__in=executions):
            by_title.setdefault((a.execution_id, a.title), a)
            if a.description:
                by_description.setdefault((a.execution_id, a.description), a)
    out: dict[int, Anomaly] = {}
    for index, p in enumerate(chosen):
        found = by_title.get((p.get("execution"), str(p.get("title", ""))[:300])) or by_description.get(
            (p.get("execution"), str(p.get("description", "")))
        )
        if found is not None:
            out[index] = found
    return out


@transaction.atomic
def results_proposal_create(
    *, actor: User, project: Project, proposals: list[dict[str, Any]], indexes: Iterable[int],
    edits: dict[int, dict[str, str]] | None = None,
) -> list[Anomaly]:  # fmt: skip
    """Create the anomalies of the chosen proposals of an import (through :func:`anomaly_create`), all or none.

    ``edits`` give a proposal, by its index, the title and severity the test manager chose before creating it. A
    proposal whose anomaly already exists (created from this page before, edited or not) is not raised twice.
    """
    require(actor, project, ANOMALY_REPORT)
    wanted = sorted(set(indexes))
    if not wanted or any(i < 0 or i >= len(proposals) for i in wanted):
        raise ValidationFailed({"proposal": [_("Choose a proposed anomaly of this import.")]})
    edits = edits or {}
    for edit in edits.values():
        if "severity" in edit and edit["severity"] not in AnomalySeverity.values:
            raise ValidationFailed({"severity": [_("Choose a severity of the list.")]})
        if "title" in edit and not edit["title"].strip():
            raise ValidationFailed({"title": [_("Give a title.")]})
        if len(edit.get("title", "")) > 300:
            raise ValidationFailed({"title": [_("The title is longer than 300 characters.")]})
    proposals = [p | edits.get(i, {}) for i, p in enumerate(proposals)]
    raised = proposals_raised(project, proposals)
    created: list[Anomaly] = []
    for index in wanted:
        if index in raised:
            continue
        p = proposals[index]
        execution = Execution.objects.filter(project=project, pk=int(p["execution"])).first() if p.get(
            "execution") else None  # fmt: skip
        test_case = TestCase.objects.filter(project=project, pk=int(p["test_case"])).first() if p.get(
            "test_case") else None  # fmt: skip
        campaign = Campaign.objects.filter(project=project, pk=int(p.get("campaign") or 0)).first()
        exigence = None
        if p.get("exigence") and test_case is not None:
            exigence = test_case.exigences.filter(pk=p["exigence"]).first()
        created.append(anomaly_create(
            actor=actor, project=project, title=str(p.get("title", "")), description=str(p.get("description", "")),
            severity=str(p.get("severity") or AnomalySeverity.MAJEURE), execution=execution, test_case=test_case,
            exigence=exigence, campaign=campaign, release_found=str(p.get("release_found") or "")[:100],
        ))  # fmt: skip
    return created
