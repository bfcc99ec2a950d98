"""Coverage per exigence (covered, executed, passed) and the providers fed to the requirements stage.

* covered: at least one test case (not obsolete) covers the exigence;
* executed: the number of those cases whose latest result in the scope exists (OK, KO or bloqué);
* passed: the number of those cases whose latest result in the scope is OK; the exigence *passes* when
  every covering case passed.

The scope is the whole project or one campaign. Both answers take a constant number of queries: the
latest result per case is chosen in the database with a window function.

A run counts for an exigence only if it was made after the test case was linked to that exigence: the date
of the link is read from the test case's history (each record keeps the set of exigences it covered). A link
without history (imported before history existed) counts every run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from oeuvre.projects.models import Project
from oeuvre.recette.models import Execution, ExecutionStatus, TestCase, TestCaseStatus
from oeuvre.requirements.models import Exigence
from oeuvre.requirements.traces import HangingItem, ImpactQuery, TestCoverage

__all__ = [
    "ExigenceCoverage",
    "coverage_per_exigence",
    "exigence_test_coverage",
    "latest_executions",
    "latest_results",
    "latest_runs",
    "linked_since",
    "tests_hanging_on",
]

DONE = [ExecutionStatus.OK, ExecutionStatus.KO, ExecutionStatus.BLOQUE]


def latest_executions(executions: QuerySet[Execution]) -> QuerySet[Execution]:
    """The latest run of each test case among ``executions`` (latest iteration, then date, then id).

    The ranking is a window function and the filter on it runs after the window (Django wraps the
    query), so reading ``values_list`` from the result costs one pass over the runs, whatever their number.
    The result cannot be grouped by the database (a window cannot feed an aggregate); callers count the
    winners, which are one row per case.
    """
    return (
        executions.order_by()  # the model's default ordering would join iteration, campaign and project
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("test_case_id")],
                order_by=[
                    F("iteration__number").desc(),
                    F("executed_at").desc(nulls_last=True),
                    F("pk").desc(),
                ],
            )
        )
        .filter(rank=1)
    )


def latest_results(
    project: Project, test_case_ids: Iterable[int] | None, campaign_id: int | None = None
) -> dict[int, str]:
    """``{test case id: status of its latest run}`` in the project or in one campaign (runs done only)."""
    executions = Execution.objects.filter(project=project, status__in=DONE)
    if campaign_id is not None:
        executions = executions.filter(iteration__campaign_id=campaign_id)
    if test_case_ids is not None:
        executions = executions.filter(test_case_id__in=list(test_case_ids))
    return dict(latest_executions(executions).values_list("test_case_id", "status"))


def latest_runs(
    project: Project, test_case_ids: Iterable[int] | None, campaign_id: int | None = None
) -> dict[int, tuple[str, datetime | None]]:
    """``{test case id: (status, executed_at) of its latest run}``, like :func:`latest_results` with the date."""
    executions = Execution.objects.filter(project=project, status__in=DONE)
    if campaign_id is not None:
        executions = executions.filter(iteration__campaign_id=campaign_id)
    if test_case_ids is not None:
        executions = executions.filter(test_case_id__in=list(test_case_ids))
    return {
        case: (status, when)
        for case, status, when in latest_executions(executions).values_list("test_case_id", "status", "executed_at")
    }


def linked_since(project: Project, test_case_ids: Iterable[int] | None = None) -> dict[tuple[int, int], datetime]:
    """``{(test case id, exigence id): when the current link appeared}``, from the test cases' history (two
    queries): the first record of the latest unbroken run of records that list the exigence."""
    history = TestCase.history.model
    records = history.objects.filter(project_id=project.pk)
    if test_case_ids is not None:
        records = records.filter(id__in=list(test_case_ids))
    # simple-history keeps one row per (historical record, exigence covered then).
    snapshot = apps.get_model("recette", "HistoricalTestCase_exigences")
    covered: dict[int, set[int]] = defaultdict(set)
    for history_id, exigence_id in snapshot.objects.filter(history__in=records.values("history_id")).values_list(
        "history_id", "exigence_id"
    ):
        covered[history_id].add(exigence_id)
    since: dict[tuple[int, int], datetime] = {}
    previous: dict[int, set[int]] = {}
    for history_id, case_id, when, kind in records.order_by("history_date", "history_id").values_list(
        "history_id", "id", "history_date", "history_type"
    ):
        if kind == "-":
            continue
        now = covered.get(history_id, set())
        for exigence_id in now - previous.get(case_id, set()):
            since[(case_id, exigence_id)] = when
        previous[case_id] = now
    return since


def _counts(status_and_date: tuple[str, datetime | None] | None, since: datetime | None) -> tuple[bool, bool]:
    """(executed, passed) for one link: a run older than the link does not count."""
    if status_and_date is None:
        return False, False
    status, when = status_and_date
    if since is not None and when is not None and when < since:
        return False, False
    return True, status == ExecutionStatus.OK


def _coverage_links(project: Project, exigence_ids: Iterable[int] | None) -> list[tuple[int, int, str]]:
    through = TestCase.exigences.through
    links = through.objects.filter(testcase__project=project).exclude(testcase__status=TestCaseStatus.OBSOLETE)
    if exigence_ids is not None:
        links = links.filter(exigence_id__in=list(exigence_ids))
    return list(
        links.order_by("testcase__number", "testcase__reference").values_list(
            "exigence_id", "testcase_id", "testcase__reference"
        )
    )


def exigence_test_coverage(project: Project, exigence_ids: Iterable[int] | None) -> Mapping[int, TestCoverage]:
    """The coverage provider of the RTM (two queries): only exigences with at least one test appear."""
    links = _coverage_links(project, exigence_ids)
    cases = {case for _e, case, _r in links}
    runs = latest_runs(project, cases)
    since = linked_since(project, cases)
    tests: dict[int, list[str]] = defaultdict(list)
    executed: dict[int, int] = defaultdict(int)
    passed: dict[int, int] = defaultdict(int)
    for exigence_id, case_id, reference in links:
        tests[exigence_id].append(reference)
        ran, ok = _counts(runs.get(case_id), since.get((case_id, exigence_id)))
        executed[exigence_id] += ran
        passed[exigence_id] += ok
    return {
        exigence_id: TestCoverage(tests=tuple(refs), executed=executed[exigence_id], passed=passed[exigence_id])
        for exigence_id, refs in tests.items()
    }


def tests_hanging_on(query: ImpactQuery) -> list[HangingItem]:
    """The impact provider: test cases covering a changed exigence, with their latest result."""
    if not query.exigence_ids:
        return []
    links = _coverage_links(query.project, query.exigence_ids)
    if not links:
        return []
    case_ids = {case for _e, case, _r in links}
    refs = dict(Exigence.objects.filter(pk__in={e for e, _c, _r in links}).values_list("pk", "reference"))
    results = latest_results(query.project, case_ids)
    labels = dict(ExecutionStatus.choices)
    via: dict[int, list[str]] = defaultdict(list)
    for exigence_id, case_id, _ref in links:
        via[case_id].append(refs[exigence_id])
    items = []
    for case in TestCase.objects.filter(pk__in=case_ids).only("pk", "reference", "title"):
        status = results.get(case.pk)
        items.append(
            HangingItem(
                group="tests",
                reference=case.reference,
                title=case.title,
                via=tuple(sorted(via[case.pk])),
                url=_case_url(query.project, case.pk),
                status=str(labels[status]) if status else "",
            )
        )
    return items


def _case_url(project: Project, pk: int) -> str:
    try:
        return reverse("recette:testcase_detail", args=[project.code, pk])
    except Exception:  # the testbook slice's page may not be there (yet)
        return ""


@dataclass(frozen=True)
class ExigenceCoverage:
    id: int
    reference: str
    title: str
    tests: tuple[str, ...]
    executed: int
    passed: int

    @property
    def covered(self) -> bool:
        return bool(self.tests)

    @property
    def state(self) -> str:
        """``none`` (no test), ``not_run``, ``partial`` (some run), ``failing`` (all run, not all OK), ``passed``."""
        if not self.tests:
            return "none"
        if self.executed == 0:
            return "not_run"
        if self.passed == len(self.tests):
            return "passed"
        if self.executed < len(self.tests):
            return "partial"
        return "failing"


def coverage_per_exigence(project: Project, campaign_id: int | None = None) -> list[ExigenceCoverage]:
    """Every exigence of the project with its coverage in the scope (project or campaign): five queries."""
    exigences = list(
        Exigence.objects.filter(project=project).order_by("number", "reference").values_list("pk", "reference", "title")
    )
    links = _coverage_links(project, None)
    runs = latest_runs(project, None, campaign_id)
    since = linked_since(project)
    tests: dict[int, list[str]] = defaultdict(list)
    executed: dict[int, int] = defaultdict(int)
    passed: dict[int, int] = defaultdict(int)
    for exigence_id, case_id, reference in links:
        tests[exigence_id].append(reference)
        ran, ok = _counts(runs.get(case_id), since.get((case_id, exigence_id)))
        executed[exigence_id] += ran
        passed[exigence_id] += ok
    return [
        ExigenceCoverage(pk, ref, title, tuple(tests[pk]), executed[pk], passed[pk]) for pk, ref, title in exigences
    ]


def coverage_totals(rows: Iterable[ExigenceCoverage]) -> dict[str, int]:
    totals = {"exigences": 0, "covered": 0, "executed": 0, "passed": 0}
    for row in rows:
        totals["exigences"] += 1
        totals["covered"] += row.covered
        totals["executed"] += row.covered and row.executed == len(row.tests)
        totals["passed"] += row.state == "passed"
    return totals
