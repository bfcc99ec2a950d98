"""Every read of the requirements stage, in a number of queries that does not grow with the rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from oeuvre.projects.models import Project
from oeuvre.requirements import traces
from oeuvre.requirements.diffing import Chunk, word_diff
from oeuvre.requirements.models import (
    BaselineEntry,
    CdcVersion,
    Component,
    Deliverable,
    Exigence,
    ExigenceStatus,
    ExigenceType,
    Priority,
    RaciAssignment,
    RequirementsSettings,
    Specification,
    TraceKind,
    TraceLink,
)

__all__ = [
    "GAP_NO_SPEC",
    "GAP_NO_TEST",
    "GAP_SPEC_WITHOUT_COMPONENT",
    "baseline_compare",
    "components_for",
    "coverage_summary",
    "deliverables_for",
    "exigence_detail",
    "exigences_for",
    "impact_of",
    "requirements_settings",
    "rtm_page",
    "rtm_rows",
    "specifications_for",
]

GAP_NO_SPEC = "no_spec"
GAP_SPEC_WITHOUT_COMPONENT = "spec_without_component"
GAP_NO_TEST = "no_test"


def requirements_settings(project: Project) -> RequirementsSettings:
    found = RequirementsSettings.objects.filter(project=project).first()
    return found if found is not None else RequirementsSettings(project=project)


def _satisfied() -> Exists:
    return Exists(TraceLink.objects.filter(kind=TraceKind.SATISFIES, dst_exigence=OuterRef("pk")))


def _spec_without_component() -> Exists:
    realised = TraceLink.objects.filter(kind=TraceKind.REALISES, dst_specification=OuterRef("src_specification"))
    return Exists(
        TraceLink.objects.filter(kind=TraceKind.SATISFIES, dst_exigence=OuterRef("pk")).filter(~Exists(realised))
    )


def exigences_for(project: Project) -> QuerySet[Exigence]:
    """The list page's rows: owner and CDC version joined, number of satisfying specifications counted."""
    return (
        Exigence.objects.filter(project=project)
        .select_related("owner", "cdc_version")
        .annotate(spec_count=Count("links_in", filter=Q(links_in__kind=TraceKind.SATISFIES), distinct=True))
    )


def specifications_for(project: Project) -> QuerySet[Specification]:
    return (
        Specification.objects.filter(project=project)
        .select_related("owner")
        .annotate(
            exigence_count=Count("links_out", filter=Q(links_out__kind=TraceKind.SATISFIES), distinct=True),
            component_count=Count("links_in", filter=Q(links_in__kind=TraceKind.REALISES), distinct=True),
        )
    )


def components_for(project: Project) -> QuerySet[Component]:
    return (
        Component.objects.filter(project=project)
        .select_related("owner")
        .annotate(specification_count=Count("links_out", filter=Q(links_out__kind=TraceKind.REALISES), distinct=True))
    )


def deliverables_for(project: Project) -> QuerySet[Deliverable]:
    return (
        Deliverable.objects.filter(project=project)
        .select_related("author", "validator", "decided_by")
        .prefetch_related(Prefetch("raci", queryset=RaciAssignment.objects.select_related("user")))
    )


# --- Detail ---------------------------------------------------------------------------------------------


@dataclass
class ExigenceDetail:
    exigence: Exigence
    specifications: list[Specification]  # satisfying it, each with ``components`` prefetched
    refines: list[TraceLink]  # this exigence refines these
    refined_by: list[TraceLink]
    allocated: list[TraceLink]  # components this exigence is allocated to
    incoming: list[TraceLink]  # satisfies links, for removal buttons
    history: list[Any]
    hanging: list[tuple[str, str, list[traces.HangingItem]]]
    coverage: traces.TestCoverage | None
    tests_available: bool


def exigence_detail(project: Project, exigence_id: int) -> ExigenceDetail:
    exigence = Exigence.objects.select_related("owner", "cdc_version", "decided_by", "project").get(
        project=project, pk=exigence_id
    )
    links = list(
        TraceLink.objects.filter(Q(src_exigence=exigence) | Q(dst_exigence=exigence)).select_related(
            "src_exigence", "src_specification", "dst_exigence", "dst_component"
        )
    )
    incoming = [link for link in links if link.kind == TraceKind.SATISFIES]
    spec_ids = [link.src_specification_id for link in incoming if link.src_specification_id is not None]
    specifications = list(
        Specification.objects.filter(pk__in=spec_ids).prefetch_related("components").order_by("number", "reference")
    )
    history = list(exigence.history.select_related("history_user").order_by("-history_date")[:50])
    impact = impact_of(project, [exigence.pk])
    coverage = traces.coverage_for(project, [exigence.pk]).get(exigence.pk) if traces.coverage_available() else None
    return ExigenceDetail(
        exigence=exigence,
        specifications=specifications,
        refines=[link for link in links if link.kind == TraceKind.REFINES and link.src_exigence_id == exigence.pk],
        refined_by=[link for link in links if link.kind == TraceKind.REFINES and link.dst_exigence_id == exigence.pk],
        allocated=[link for link in links if link.kind == TraceKind.ALLOCATED],
        incoming=incoming,
        history=history,
        hanging=impact.hanging_groups,
        coverage=coverage,
        tests_available=traces.coverage_available(),
    )


# --- Impact analysis ----------------------------------------------------------------------------------


@dataclass
class Impact:
    exigences: list[Exigence]
    specifications: list[Specification]
    components: list[Component]
    hanging: dict[str, list[traces.HangingItem]] = field(default_factory=dict)

    @property
    def hanging_groups(self) -> list[tuple[str, str, list[traces.HangingItem]]]:
        """(group, heading, items) for each stage's group, in a stable order."""
        return [(group, traces.group_label(group), items) for group, items in sorted(self.hanging.items())]


def impact_of(project: Project, exigence_ids: Iterable[int]) -> Impact:
    """What hangs on these exigences: their refinements, the specifications that satisfy them, the components
    that realise those (or to which the exigences are allocated), then tasks and tests from other stages."""
    roots = set(exigence_ids)
    # Exigences that refine a changed one are affected too (one level per pass, until stable).
    ids = set(roots)
    frontier = set(roots)
    while frontier:
        children = set(
            TraceLink.objects.filter(project=project, kind=TraceKind.REFINES, dst_exigence_id__in=frontier).values_list(
                "src_exigence_id", flat=True
            )
        )
        frontier = {c for c in children if c is not None} - ids
        ids |= frontier
    spec_ids = set(
        TraceLink.objects.filter(project=project, kind=TraceKind.SATISFIES, dst_exigence_id__in=ids).values_list(
            "src_specification_id", flat=True
        )
    )
    component_ids = set(
        TraceLink.objects.filter(
            Q(kind=TraceKind.REALISES, dst_specification_id__in=spec_ids)
            | Q(kind=TraceKind.ALLOCATED, src_exigence_id__in=ids),
            project=project,
        ).values_list("src_component_id", "dst_component_id")
    )
    flat_components = {c for pair in component_ids for c in pair if c is not None}
    query = traces.ImpactQuery(
        project=project,
        exigence_ids=frozenset(ids),
        specification_ids=frozenset(s for s in spec_ids if s is not None),
        component_ids=frozenset(flat_components),
    )
    hanging: dict[str, list[traces.HangingItem]] = defaultdict(list)
    for item in traces.hanging_items(query):
        hanging[item.group].append(item)
    return Impact(
        exigences=list(Exigence.objects.filter(pk__in=ids).order_by("number", "reference")),
        specifications=list(
            Specification.objects.filter(pk__in=query.specification_ids).order_by("number", "reference")
        ),
        components=list(Component.objects.filter(pk__in=query.component_ids).order_by("number", "reference")),
        hanging=dict(hanging),
    )


# --- Traceability matrix ------------------------------------------------------------------------------


@dataclass
class RtmSpec:
    reference: str
    title: str
    has_component: bool


@dataclass
class RtmRow:
    id: int
    reference: str
    title: str
    type: str
    priority: str
    status: str
    specifications: list[RtmSpec]
    components: list[str]
    tests: tuple[str, ...] | None  # None: no recette stage to ask
    executed: int | None
    passed: int | None
    gaps: list[str]

    @property
    def type_label(self) -> str:
        return str(ExigenceType(self.type).label)

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label)

    @property
    def status_label(self) -> str:
        return str(ExigenceStatus(self.status).label)


RTM_SORTS = {
    "reference": ("number", "reference"),
    "title": ("title",),
    "type": ("type", "number"),
    "priority": ("priority", "number"),
    "status": ("status", "number"),
}


@dataclass
class RtmFilters:
    q: str = ""
    type: str = ""
    priority: str = ""
    status: str = ""
    gap: str = ""  # one of the GAP_* codes, or "any"
    sort: str = "reference"


def _out_of_scope() -> Q:
    return Q(status=ExigenceStatus.REJETEE) | Q(priority=Priority.WONT)


def _rtm_queryset(project: Project, filters: RtmFilters, covered: set[int] | None) -> QuerySet[Exigence]:
    qs = Exigence.objects.filter(project=project)
    if filters.q:
        qs = qs.filter(Q(reference__icontains=filters.q) | Q(title__icontains=filters.q))
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.gap in {GAP_NO_SPEC, GAP_SPEC_WITHOUT_COMPONENT, GAP_NO_TEST, "any"}:
        qs = qs.exclude(_out_of_scope())  # a rejected or "Won't" exigence needs no spec, component or test
    if filters.gap == GAP_NO_SPEC:
        qs = qs.filter(~_satisfied())
    elif filters.gap == GAP_SPEC_WITHOUT_COMPONENT:
        qs = qs.filter(_spec_without_component())
    elif filters.gap == GAP_NO_TEST and covered is not None:
        qs = qs.exclude(pk__in=covered)
    elif filters.gap == "any":
        condition = ~_satisfied() | _spec_without_component()
        if covered is not None:
            condition |= ~Q(pk__in=covered)
        qs = qs.filter(condition)
    sort = filters.sort if filters.sort.lstrip("-") in RTM_SORTS else "reference"
    keys = RTM_SORTS[sort.lstrip("-")]
    order = [f"-{k}" for k in keys] if sort.startswith("-") else list(keys)
    return qs.order_by(*order, "pk")


def _covered_ids(project: Project, coverage: dict[int, traces.TestCoverage] | None) -> set[int] | None:
    if coverage is None:
        return None
    return {exigence_id for exigence_id, c in coverage.items() if c.covered}


def rtm_rows(
    project: Project, exigences: Sequence[dict[str, Any]], coverage: dict[int, traces.TestCoverage] | None
) -> list[RtmRow]:
    """Rows for ``exigences`` (dicts of values) in three queries, whatever their number."""
    ids = [e["id"] for e in exigences]
    specs_of: dict[int, list[int]] = defaultdict(list)
    spec_info: dict[int, tuple[str, str, int]] = {}
    for exigence_id, spec_id, reference, title, number in TraceLink.objects.filter(
        kind=TraceKind.SATISFIES, dst_exigence_id__in=ids
    ).values_list(
        "dst_exigence_id",
        "src_specification_id",
        "src_specification__reference",
        "src_specification__title",
        "src_specification__number",
    ):
        specs_of[exigence_id].append(spec_id)
        spec_info[spec_id] = (reference, title, number)
    components_of_spec: dict[int, set[str]] = defaultdict(set)
    for spec_id, reference in TraceLink.objects.filter(
        kind=TraceKind.REALISES, dst_specification_id__in=list(spec_info)
    ).values_list("dst_specification_id", "src_component__reference"):
        components_of_spec[spec_id].add(reference)
    allocated: dict[int, set[str]] = defaultdict(set)
    for exigence_id, reference in TraceLink.objects.filter(
        kind=TraceKind.ALLOCATED, src_exigence_id__in=ids
    ).values_list("src_exigence_id", "dst_component__reference"):
        allocated[exigence_id].add(reference)
    # Interfaces (design stage) pointing at the exigence or its specifications appear beside the components.
    for exigence_id, references in traces.architecture_for(project, ids, specs_of).items():
        allocated[exigence_id] |= references
    rows: list[RtmRow] = []
    for e in exigences:
        spec_ids = sorted(specs_of.get(e["id"], []), key=lambda s: (spec_info[s][2], spec_info[s][0]))
        specs = [RtmSpec(spec_info[s][0], spec_info[s][1], bool(components_of_spec.get(s))) for s in spec_ids]
        components = set(allocated.get(e["id"], set()))
        for s in spec_ids:
            components |= components_of_spec.get(s, set())
        gaps = []
        in_scope = e["status"] != ExigenceStatus.REJETEE and e["priority"] != Priority.WONT
        if not in_scope:
            pass  # rejected or "Won't": nothing is missing
        elif not specs:
            gaps.append(GAP_NO_SPEC)
        if in_scope and any(not s.has_component for s in specs):
            gaps.append(GAP_SPEC_WITHOUT_COMPONENT)
        tests: tuple[str, ...] | None = None
        executed = passed = None
        if coverage is not None:
            cov = coverage.get(e["id"], traces.TestCoverage())
            tests, executed, passed = cov.tests, cov.executed, cov.passed
            if in_scope and not cov.covered:
                gaps.append(GAP_NO_TEST)
        rows.append(
            RtmRow(
                id=e["id"],
                reference=e["reference"],
                title=e["title"],
                type=e["type"],
                priority=e["priority"],
                status=e["status"],
                specifications=specs,
                components=sorted(components, key=_natural),
                tests=tests,
                executed=executed,
                passed=passed,
                gaps=gaps,
            )
        )
    return rows


def _natural(reference: str) -> tuple[str, int]:
    head = reference.rstrip("0123456789")
    tail = reference[len(head) :]
    return head, int(tail) if tail else 0


_RTM_VALUES = ("id", "reference", "title", "type", "priority", "status")


@dataclass
class RtmPage:
    rows: list[RtmRow]
    total: int
    page: int
    per_page: int
    tests_available: bool

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def rtm_page(project: Project, filters: RtmFilters, page: int = 1, per_page: int = 100) -> RtmPage:
    """One page of the matrix: count, one page of exigences, their links, their tests."""
    tests_available = traces.coverage_available()
    needs_all_coverage = tests_available and filters.gap in {GAP_NO_TEST, "any"}
    all_coverage = traces.coverage_for(project, None) if needs_all_coverage else None
    qs = _rtm_queryset(project, filters, _covered_ids(project, all_coverage))
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    exigences = list(qs.values(*_RTM_VALUES)[(page - 1) * per_page : page * per_page])
    coverage: dict[int, traces.TestCoverage] | None = None
    if tests_available:
        coverage = (
            all_coverage if all_coverage is not None else traces.coverage_for(project, [e["id"] for e in exigences])
        )
    return RtmPage(
        rows=rtm_rows(project, exigences, coverage),
        total=total,
        page=page,
        per_page=per_page,
        tests_available=tests_available,
    )


def rtm_all(project: Project, filters: RtmFilters | None = None) -> tuple[list[RtmRow], bool]:
    """Every row of the matrix (for exports), in a constant number of queries."""
    filters = filters or RtmFilters()
    tests_available = traces.coverage_available()
    coverage = traces.coverage_for(project, None) if tests_available else None
    qs = _rtm_queryset(project, filters, _covered_ids(project, coverage))
    exigences = list(qs.values(*_RTM_VALUES))
    return rtm_rows(project, exigences, coverage), tests_available


# --- Coverage summary (project home) --------------------------------------------------------------------


@dataclass
class CoverageSummary:
    exigences: int
    validated: int
    with_spec: int
    specs: int
    specs_with_component: int
    with_test: int | None  # None without the recette stage
    by_status: dict[str, int]

    def percent(self, part: int | None, whole: int) -> int | None:
        if part is None:
            return None
        return round(100 * part / whole) if whole else 0

    @property
    def spec_percent(self) -> int | None:
        return self.percent(self.with_spec, self.exigences)

    @property
    def component_percent(self) -> int | None:
        return self.percent(self.specs_with_component, self.specs)

    @property
    def test_percent(self) -> int | None:
        return self.percent(self.with_test, self.exigences)

    @property
    def validated_percent(self) -> int | None:
        return self.percent(self.validated, self.exigences)


def coverage_summary(project: Project) -> CoverageSummary:
    """Counts for the home page: three aggregate queries (plus the recette stage's, when installed)."""
    exigences = Exigence.objects.filter(project=project)
    counts = exigences.aggregate(total=Count("pk"), with_spec=Count("pk", filter=Q(_satisfied())))
    by_status = dict(exigences.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    realised = Exists(TraceLink.objects.filter(kind=TraceKind.REALISES, dst_specification=OuterRef("pk")))
    spec_counts = Specification.objects.filter(project=project).aggregate(
        total=Count("pk"), with_component=Count("pk", filter=Q(realised))
    )
    with_test = None
    if traces.coverage_available():
        with_test = sum(1 for c in traces.coverage_for(project, None).values() if c.covered)
    return CoverageSummary(
        exigences=counts["total"],
        validated=by_status.get(ExigenceStatus.VALIDEE, 0),
        with_spec=counts["with_spec"],
        specs=spec_counts["total"],
        specs_with_component=spec_counts["with_component"],
        with_test=with_test,
        by_status=by_status,
    )


# --- Baselines ----------------------------------------------------------------------------------------

COMPARED_FIELDS = ("title", "text", "type", "priority", "source", "status")


@dataclass
class Snapshot:
    reference: str
    number: int
    title: str
    text: str
    type: str
    priority: str
    source: str
    status: str
    exigence_id: int | None


@dataclass
class Change:
    before: Snapshot
    after: Snapshot
    fields: list[str]
    title_diff: list[Chunk]
    text_diff: list[Chunk]

    @property
    def field_labels(self) -> list[str]:
        names = {f.name: str(f.verbose_name) for f in BaselineEntry._meta.get_fields() if hasattr(f, "verbose_name")}
        return [names.get(f, f) for f in self.fields]

    @property
    def other_fields(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for the changed fields other than title and text."""
        names = {"type": _("type"), "priority": _("priority"), "source": _("source"), "status": _("status")}
        return [(str(names[f]), *field_change(self, f)) for f in self.fields if f in names]


@dataclass
class Comparison:
    before_label: str
    after_label: str
    added: list[Snapshot]
    removed: list[Snapshot]
    changed: list[Change]
    unchanged: int


def _snapshots_of_version(version: CdcVersion) -> dict[str, Snapshot]:
    return {
        e["reference"]: Snapshot(
            reference=e["reference"],
            number=e["number"],
            title=e["title"],
            text=e["text"],
            type=e["type"],
            priority=e["priority"],
            source=e["source"],
            status=e["status"],
            exigence_id=e["exigence_id"],
        )
        for e in BaselineEntry.objects.filter(cdc_version=version).values(
            "reference", "number", "title", "text", "type", "priority", "source", "status", "exigence_id"
        )
    }


def _snapshots_today(project: Project) -> dict[str, Snapshot]:
    rows = Exigence.objects.filter(project=project).values(
        "reference", "number", "title", "text", "type", "priority", "source", "status", "id"
    )
    return {
        r["reference"]: Snapshot(
            reference=r["reference"],
            number=r["number"],
            title=r["title"],
            text=r["text"],
            type=r["type"],
            priority=r["priority"],
            source=r["source"],
            status=r["status"],
            exigence_id=r["id"],
        )
        for r in rows
    }


def baseline_compare(project: Project, before: CdcVersion, after: CdcVersion | None) -> Comparison:
    """Added, removed and changed exigences from ``before`` to ``after`` (``None``: today's exigences)."""
    old = _snapshots_of_version(before)
    new = _snapshots_of_version(after) if after is not None else _snapshots_today(project)
    if after is None:
        # Today's rows carry the exigence id; give it to the baseline side too, for impact links.
        for reference, snap in new.items():
            if reference in old and old[reference].exigence_id is None:
                old[reference].exigence_id = snap.exigence_id

    def order(s: Snapshot) -> tuple[int, str]:
        return (s.number, s.reference)

    added = sorted((s for r, s in new.items() if r not in old), key=order)
    removed = sorted((s for r, s in old.items() if r not in new), key=order)
    changed: list[Change] = []
    unchanged = 0
    for reference in sorted(set(old) & set(new), key=lambda r: order(new[r])):
        a, b = old[reference], new[reference]
        fields = [f for f in COMPARED_FIELDS if getattr(a, f) != getattr(b, f)]
        if not fields:
            unchanged += 1
            continue
        changed.append(
            Change(
                before=a,
                after=b,
                fields=fields,
                title_diff=word_diff(a.title, b.title) if "title" in fields else [],
                text_diff=word_diff(a.text, b.text) if "text" in fields else [],
            )
        )
    return Comparison(
        before_label=before.label,
        after_label=after.label if after is not None else "",
        added=added,
        removed=removed,
        changed=changed,
        unchanged=unchanged,
    )


def deliverable_rules(project: Project) -> list[tuple[str, str, list[str], list[str]]]:
    """(kind, label, author roles, validator roles) for every kind, the project's rule or the default."""
    from oeuvre.requirements.models import DEFAULT_DELIVERABLE_RULES, DeliverableRule

    rules = {r.kind: r for r in DeliverableRule.objects.filter(project=project)}
    result = []
    for kind, label in Deliverable.Kind.choices:
        rule = rules.get(kind)
        if rule is not None:
            result.append((kind, str(label), list(rule.author_roles), list(rule.validator_roles)))
        else:
            authors, validators = DEFAULT_DELIVERABLE_RULES.get(kind, ((), ()))
            result.append((kind, str(label), [str(r) for r in authors], [str(r) for r in validators]))
    return result


FIELD_LABELS = {
    "type": dict(ExigenceType.choices),
    "priority": dict(Priority.choices),
    "status": dict(ExigenceStatus.choices),
}


def field_change(change: Change, field_name: str) -> tuple[str, str]:
    """(before, after) of one compared field, with choice labels."""
    labels = FIELD_LABELS.get(field_name, {})
    before, after = getattr(change.before, field_name), getattr(change.after, field_name)
    return str(labels.get(before, before)), str(labels.get(after, after))
