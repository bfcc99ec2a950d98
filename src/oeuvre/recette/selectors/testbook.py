"""Every read of the test book, campaigns and executions, with the prefetching that keeps query counts flat.

:func:`anomaly_draft_from_execution` is the contract with the anomalies slice: a KO suggests an anomaly
pre-filled from the failed step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import MATRIX
from oeuvre.accounts.roles import ADMIN, ALL_ROLES
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Campaign,
    Evidence,
    Execution,
    ExecutionStatus,
    Iteration,
    JUnitMapping,
    PlannedTest,
    Severity,
    StepResult,
    TestCase,
    TestCaseRevision,
    TestFolder,
    TestStep,
)
from oeuvre.recette.permissions import EXECUTE

__all__ = [
    "Progress",
    "anomaly_draft_from_execution",
    "anomaly_drafts_for",
    "campaign_detail",
    "campaign_progress",
    "campaigns_for",
    "execution_for",
    "folder_tree",
    "planned_tests_for",
    "test_case_detail",
    "test_cases_for",
    "testers",
]


@dataclass
class Progress:
    """Where a campaign or iteration stands: the latest result of each test case counts."""

    planned: int = 0
    ok: int = 0
    ko: int = 0
    bloque: int = 0

    @property
    def executed(self) -> int:
        return self.ok + self.ko + self.bloque

    @property
    def not_run(self) -> int:
        return max(self.planned - self.executed, 0)

    @property
    def execution_rate(self) -> float:
        return round(100 * self.executed / self.planned, 1) if self.planned else 0.0

    @property
    def pass_rate(self) -> float:
        return round(100 * self.ok / self.executed, 1) if self.executed else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "planned": self.planned, "ok": self.ok, "ko": self.ko, "bloque": self.bloque, "not_run": self.not_run,
            "executed": self.executed, "execution_rate": self.execution_rate, "pass_rate": self.pass_rate,
        }  # fmt: skip


# --- test book -------------------------------------------------------------------------------------------


def test_cases_for(project: Project) -> QuerySet[TestCase]:
    return (
        TestCase.objects.filter(project=project)
        .select_related("folder")
        .annotate(step_count=Count("steps", distinct=True), exigence_count=Count("exigences", distinct=True))
    )


@dataclass
class FolderNode:
    folder: TestFolder
    depth: int
    count: int  # test cases directly in it
    total: int = 0  # with its subfolders
    children: list[FolderNode] = field(default_factory=list)


def folder_tree(project: Project) -> list[FolderNode]:
    """The folders depth first, each with its number of test cases (two queries)."""
    folders = list(TestFolder.objects.filter(project=project).order_by("position", "name", "pk"))
    counts = dict(
        TestCase.objects.filter(project=project, folder__isnull=False)
        .values_list("folder_id")
        .annotate(n=Count("pk"))
        .values_list("folder_id", "n")
    )
    nodes = {f.pk: FolderNode(f, 0, counts.get(f.pk, 0)) for f in folders}
    roots: list[FolderNode] = []
    for f in folders:
        parent = nodes.get(f.parent_id) if f.parent_id else None
        (parent.children if parent else roots).append(nodes[f.pk])
    flat: list[FolderNode] = []

    def walk(node: FolderNode, depth: int) -> int:
        node.depth = depth
        flat.append(node)
        node.total = node.count + sum(walk(child, depth + 1) for child in node.children)
        return node.total

    for root in roots:
        walk(root, 0)
    return flat


def test_case_detail(project: Project, pk: int) -> TestCase:
    return get_object_or_404(
        TestCase.objects.filter(project=project)
        .select_related("folder", "author", "project")
        .prefetch_related(
            Prefetch("steps", queryset=TestStep.objects.order_by("position")),
            "exigences",
            Prefetch("revisions", queryset=TestCaseRevision.objects.select_related("created_by").order_by("-revision")),
        ),
        pk=pk,
    )


# --- campaigns ------------------------------------------------------------------------------------------------


def _latest_ids(executions: QuerySet[Execution], *group: str) -> Any:
    return executions.values(*group, "test_case_id").annotate(last=Max("pk")).values("last")


def _fill(progress: dict[Any, Progress], rows: Iterable[tuple[Any, str, int]]) -> None:
    for key, status, n in rows:
        target = progress.setdefault(key, Progress())
        if status in (ExecutionStatus.OK, ExecutionStatus.KO, ExecutionStatus.BLOQUE):
            setattr(target, str(status), getattr(target, str(status)) + n)


def campaign_progress(campaigns: Sequence[Campaign]) -> dict[int, Progress]:
    """Progress of each campaign: planned tests, and the latest result of each case in any iteration (2 queries)."""
    ids = [c.pk for c in campaigns]
    progress: dict[int, Progress] = {pk: Progress() for pk in ids}
    for campaign_id, n in (
        PlannedTest.objects.filter(campaign_id__in=ids).values_list("campaign_id").annotate(n=Count("pk"))
    ):
        progress[campaign_id].planned = n
    executions = Execution.objects.filter(iteration__campaign_id__in=ids)
    rows = (
        Execution.objects.filter(pk__in=Subquery(_latest_ids(executions, "iteration__campaign_id")))
        .values_list("iteration__campaign_id", "status")
        .annotate(n=Count("pk"))
    )
    _fill(progress, rows)
    return progress


def iteration_progress(campaign: Campaign, planned: int) -> dict[int, Progress]:
    """Progress of each iteration of a campaign (one query)."""
    executions = Execution.objects.filter(iteration__campaign=campaign)
    progress: dict[int, Progress] = {}
    rows = (
        Execution.objects.filter(pk__in=Subquery(_latest_ids(executions, "iteration_id")))
        .values_list("iteration_id", "status")
        .annotate(n=Count("pk"))
    )
    _fill(progress, rows)
    for item in progress.values():
        item.planned = planned
    return progress


def campaigns_for(project: Project) -> QuerySet[Campaign]:
    return Campaign.objects.filter(project=project).annotate(iteration_count=Count("iterations", distinct=True))


@dataclass
class CampaignDetail:
    campaign: Campaign
    iterations: list[Iteration]
    current: Iteration | None
    progress: Progress
    iteration_progress: dict[int, Progress]
    planned: list[PlannedTest]


def planned_tests_for(campaign: Campaign, iteration: Iteration | None) -> list[PlannedTest]:
    """Planned tests with their tester and, as ``latest``, their latest execution in ``iteration`` (3 queries)."""
    planned = list(
        PlannedTest.objects.filter(campaign=campaign).select_related("test_case", "tester").order_by("position", "pk")
    )
    latest: dict[int, Execution] = {}
    if iteration is not None:
        executions = Execution.objects.filter(iteration=iteration)
        for execution in Execution.objects.filter(pk__in=Subquery(_latest_ids(executions))).select_related("tester"):
            latest[execution.test_case_id] = execution
    for item in planned:
        item.latest = latest.get(item.test_case_id)  # type: ignore[attr-defined]
    return planned


def campaign_detail(project: Project, pk: int, iteration_number: int | None = None) -> CampaignDetail:
    campaign = get_object_or_404(Campaign.objects.filter(project=project).select_related("project"), pk=pk)
    iterations = list(Iteration.objects.filter(campaign=campaign).order_by("number"))
    current = iterations[-1] if iterations else None
    if iteration_number is not None:
        current = next((i for i in iterations if i.number == iteration_number), current)
    progress = campaign_progress([campaign])[campaign.pk]
    return CampaignDetail(
        campaign=campaign,
        iterations=iterations,
        current=current,
        progress=progress,
        iteration_progress=iteration_progress(campaign, progress.planned),
        planned=planned_tests_for(campaign, current),
    )


# --- executions -------------------------------------------------------------------------------------------------


def execution_for(project: Project, pk: int) -> Execution:
    """An execution with what the execution screen shows: the frozen revision, step results, evidence."""
    return get_object_or_404(
        Execution.objects.filter(project=project)
        .select_related("test_case", "test_case_revision", "iteration__campaign", "tester", "project")
        .prefetch_related(
            Prefetch("step_results", queryset=StepResult.objects.order_by("position")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")),
        ),
        pk=pk,
    )


def executions_for(project: Project) -> QuerySet[Execution]:
    return Execution.objects.filter(project=project).select_related(
        "test_case", "iteration__campaign", "tester", "test_case_revision"
    )


def evidence_for(project: Project, pk: int) -> Evidence:
    return get_object_or_404(Evidence.objects.filter(execution__project=project), pk=pk)


def junit_mappings_for(project: Project) -> QuerySet[JUnitMapping]:
    return JUnitMapping.objects.filter(project=project).select_related("test_case").order_by("junit_name")


def step_view(execution: Execution) -> list[dict[str, Any]]:
    """The frozen steps of the revision run, each with its result (no query beyond the prefetched ones)."""
    results = {r.position: r for r in execution.step_results.all()}
    steps = []
    for step in execution.test_case_revision.content.get("steps", []):
        result = results.get(step["position"])
        steps.append({**step, "result": result, "status": result.status if result else ExecutionStatus.NON_EXECUTE})
    return steps


# --- anomaly drafts (the anomalies slice creates the anomaly from them) -----------------------------------------


@dataclass(frozen=True)
class _CaseRef:
    pk: int
    reference: str
    title: str


def _draft(
    execution: Execution,
    test_case: TestCase | _CaseRef,
    campaign: Campaign | None,
    release: str,
    exigence_id: int | None,
    step: dict[str, Any] | None,
    actual: str,
) -> dict[str, Any]:
    lines = [f"{test_case.reference} — {test_case.title}"]
    if campaign is not None:
        lines.append(f"Campagne : {campaign.name}" + (f" (version {release})" if release else ""))
    if step is not None:
        lines += [
            "",
            f"Étape {step['position']} : {step['action']}",
            f"Résultat attendu : {step['expected']}",
        ]
        if step.get("data"):
            lines.append(f"Données : {step['data']}")
        lines.append(f"Résultat obtenu : {actual or '—'}")
    elif execution.message:
        lines += ["", f"Test automatisé : {execution.junit_name}", "", execution.message[:4000]]
    title_tail = step["action"] if step is not None else (execution.junit_name or test_case.title)
    return {
        "title": f"{test_case.reference} — {title_tail}"[:300],
        "description": "\n".join(lines),
        "execution": execution.pk,
        "step_position": step["position"] if step is not None else None,
        "test_case": test_case.pk,
        "test_case_reference": test_case.reference,
        "exigence": exigence_id,
        "campaign": campaign.pk if campaign is not None else None,
        "release_found": release,
        "severity": str(
            Severity.MAJEURE if step is not None or execution.status == ExecutionStatus.KO else Severity.MINEURE
        ),
    }


def anomaly_draft_from_execution(execution: Execution, step_position: int | None = None) -> dict[str, Any]:
    """The anomaly a KO suggests, pre-filled from the failed step.

    Keys: ``title``, ``description`` (action, expected, data and actual result of the step), ``execution``,
    ``step_position``, ``test_case`` (id), ``test_case_reference``, ``exigence`` (id of the first covered one,
    or ``None``), ``campaign`` (id), ``release_found`` (the iteration's build, else the campaign's release),
    ``severity`` (``majeure`` by default: the qualifier adjusts it). Without ``step_position`` the first KO step
    is used, if any.
    """
    test_case = execution.test_case
    iteration = execution.iteration
    campaign = iteration.campaign
    steps = {s["position"]: s for s in execution.test_case_revision.content.get("steps", [])}
    results = {r.position: r for r in execution.step_results.all()}
    if step_position is None:
        step_position = next((p for p, r in sorted(results.items()) if r.status == ExecutionStatus.KO), None)
    step = steps.get(step_position) if step_position is not None else None
    actual = results[step_position].actual if step_position in results else ""
    first = test_case.exigences.order_by("number", "pk").values_list("pk", flat=True).first()
    return _draft(execution, test_case, campaign, iteration.release or campaign.release, first, step, actual)


def anomaly_drafts_for(
    executions: Sequence[Execution], *, campaign: Campaign, iteration: Iteration
) -> list[dict[str, Any]]:
    """Drafts for many failed executions from CI (two queries, whatever their number)."""
    ids = sorted({e.test_case_id for e in executions})
    # A short id list when there are few failures; the whole project rather than thousands of ids otherwise.
    scope: dict[str, Any] = {"pk__in": ids} if len(ids) <= 500 else {"project": campaign.project}
    through_scope: dict[str, Any] = (
        {"testcase_id__in": ids} if len(ids) <= 500 else {"testcase__project": campaign.project}
    )
    # Plain values: model instances would cost a constructor per case of the book.
    cases = {
        pk: _CaseRef(pk, reference, title)
        for pk, reference, title in TestCase.objects.filter(**scope).values_list("pk", "reference", "title")
    }
    first: dict[int, int] = {}
    through = TestCase.exigences.through
    for tc_id, ex_id in (
        through.objects.filter(**through_scope)
        .order_by("testcase_id", "exigence__number", "exigence_id")
        .values_list("testcase_id", "exigence_id")
    ):
        first.setdefault(tc_id, ex_id)
    release = iteration.release or campaign.release
    return [
        _draft(e, cases[e.test_case_id], campaign, release, first.get(e.test_case_id), None, "") for e in executions
    ]


def testers(project: Project) -> QuerySet[User]:
    """Members whose role (or administrator flag) holds the permission to run tests, by name."""
    permission = MATRIX[EXECUTE]
    roles = [str(role) for role in ALL_ROLES if permission.granted_to(str(role), False)]
    allowed = Q(memberships__role__in=roles)
    if ADMIN in permission.roles:
        allowed |= Q(memberships__is_admin=True)
    return (
        User.objects.filter(Q(memberships__project=project) & allowed, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
