"""The recette stage's data tables (test book, executions, anomalies) and their bulk actions, each calling the
service the one-by-one page calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    AnomalyKind,
    AnomalyPriority,
    AnomalyStatus,
    Campaign,
    ExecutionSource,
    ExecutionStatus,
    TestCaseStatus,
    TestFolder,
    TestPriority,
    TestType,
)
from oeuvre.recette.permissions import (
    ANOMALY_FIX,
    ANOMALY_QUALIFY,
    ANOMALY_VERIFY,
    CAMPAIGNS_MANAGE,
    RECETTE_VIEW,
    TESTBOOK_EDIT,
)
from oeuvre.recette.selectors import anomalies as anomaly_selectors
from oeuvre.recette.selectors import testbook as testbook_selectors
from oeuvre.recette.services import anomalies as anomaly_services
from oeuvre.recette.services import testbook as testbook_services
from oeuvre.web.tables import BulkAction, Col, Filter, Param, Table, badge, choices_of

__all__ = ["ANOMALIES", "EXECUTIONS", "TEST_CASES"]


def _members(project: Project) -> list[tuple[str, str]]:
    users = User.objects.filter(memberships__project=project).order_by("last_name", "first_name", "username")
    return [(str(u.pk), str(u)) for u in users.distinct()]


def _campaigns(project: Project) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Campaign.objects.filter(project=project).values_list("pk", "name")]


def _folders(project: Project) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in TestFolder.objects.filter(project=project).values_list("pk", "name")]


# --- test book -----------------------------------------------------------------------------------------------


def _plan(actor: Any, test_case: Any, version: int | None, values: dict[str, Any]) -> None:
    testbook_services.planned_tests_add(actor=actor, campaign=values["campaign"], test_cases=[test_case])


TEST_CASES = Table(
    key="recette.test_cases",
    permission=RECETTE_VIEW,
    queryset=testbook_selectors.test_cases_for,
    export_name="cahier-de-recette",
    row_url=lambda p, c: reverse("recette:test_case", args=[p.code, c.pk]),
    columns=[
        Col("reference", gettext_lazy("Reference"), lambda c: c.reference, "number", link=True),
        Col("title", gettext_lazy("Title"), lambda c: c.title, "title", link=True),
        Col("folder", gettext_lazy("Folder"), lambda c: c.folder, "folder__name"),
        Col("type", gettext_lazy("Type"), lambda c: c.get_type_display(), "type"),
        Col("priority", gettext_lazy("Priority"), lambda c: c.get_priority_display(), "priority"),
        Col(
            "status",
            gettext_lazy("Status"),
            lambda c: c.get_status_display(),
            "status",
            html=lambda c: badge(c.get_status_display(), f"badge status-{c.status}"),
        ),
        Col("steps", gettext_lazy("Steps"), lambda c: c.step_count, "step_count", num=True),
        Col("exigences", gettext_lazy("Requirements"), lambda c: c.exigence_count, "exigence_count", num=True),
        Col("revision", gettext_lazy("Revision"), lambda c: c.revision, "revision", num=True),
        Col("automated", gettext_lazy("Automated"), lambda c: c.automated, "automated", visible=False),
        Col("updated", gettext_lazy("Updated"), lambda c: c.updated_at, "updated_at", visible=False),
    ],
    default_sort="reference",
    search=["reference", "title", "objective"],
    search_hint=gettext_lazy("Reference, title, objective"),
    filters=[
        Filter("folder", gettext_lazy("Folder"), "folder_id", _folders),
        Filter("type", gettext_lazy("Type"), "type", choices_of(TestType)),
        Filter("priority", gettext_lazy("Priority"), "priority", choices_of(TestPriority)),
        Filter("status", gettext_lazy("Status"), "status", choices_of(TestCaseStatus)),
    ],
    actions=[
        BulkAction(
            "plan",
            gettext_lazy("Add to a campaign"),
            frozenset({CAMPAIGNS_MANAGE}),
            _plan,
            params=[Param("campaign", gettext_lazy("Campaign"), _campaigns)],
            prepare=lambda p, raw: {"campaign": Campaign.objects.get(project=p, pk=int(raw["campaign"]))},
        ),
        BulkAction(
            "status",
            gettext_lazy("Change the status"),
            frozenset({TESTBOOK_EDIT}),
            lambda actor, c, v, values: testbook_services.test_case_update(
                actor=actor, test_case=c, expected_version=v, status=values["status"]
            ),
            params=[Param("status", gettext_lazy("Status"), choices_of(TestCaseStatus))],
        ),
        BulkAction(
            "delete",
            gettext_lazy("Delete"),
            frozenset({TESTBOOK_EDIT}),
            lambda actor, c, v, values: testbook_services.test_case_delete(actor=actor, test_case=c),
            danger=True,
        ),
    ],
)

# --- executions ----------------------------------------------------------------------------------------------

EXECUTIONS = Table(
    key="recette.executions",
    permission=RECETTE_VIEW,
    queryset=testbook_selectors.executions_for,
    export_name="executions",
    row_url=lambda p, e: reverse("recette:execution", args=[p.code, e.pk]),
    columns=[
        Col("test_case", gettext_lazy("Test case"), lambda e: e.test_case.reference, "test_case__number", link=True),
        Col("title", gettext_lazy("Title"), lambda e: e.test_case.title, "test_case__title"),
        Col("campaign", gettext_lazy("Campaign"), lambda e: e.iteration.campaign.name, "iteration__campaign__name"),
        Col(
            "iteration",
            gettext_lazy("Iteration"),
            lambda e: e.iteration.name or e.iteration.number,
            "iteration__number",
        ),
        Col(
            "status",
            gettext_lazy("Result"),
            lambda e: e.get_status_display(),
            "status",
            html=lambda e: badge(e.get_status_display(), f"badge status-{e.status}"),
        ),
        Col("tester", gettext_lazy("Tester"), lambda e: e.tester, "tester__last_name"),
        Col("executed", gettext_lazy("Run on"), lambda e: e.executed_at, "executed_at"),
        Col("source", gettext_lazy("Source"), lambda e: e.get_source_display(), "source"),
        Col(
            "revision", gettext_lazy("Revision"), lambda e: e.test_case_revision.revision, None, num=True, visible=False
        ),
    ],
    default_sort="-executed",
    search=["test_case__reference", "test_case__title", "comment", "junit_name"],
    search_hint=gettext_lazy("Test case, comment"),
    filters=[
        Filter("campaign", gettext_lazy("Campaign"), "iteration__campaign_id", _campaigns),
        Filter("status", gettext_lazy("Result"), "status", choices_of(ExecutionStatus)),
        Filter("tester", gettext_lazy("Tester"), "tester_id", _members),
        Filter("source", gettext_lazy("Source"), "source", choices_of(ExecutionSource)),
    ],
)

# --- anomalies -----------------------------------------------------------------------------------------------


def _severities(project: Project) -> list[tuple[str, str]]:
    return list(anomaly_selectors.severity_labels(project).items())


def _assignees(project: Project) -> list[tuple[str, str]]:
    from django.utils.translation import gettext

    users = User.objects.filter(memberships__project=project).order_by("last_name", "first_name", "username")
    return [("-", gettext("Unassigned")), *((u.username, str(u)) for u in users.distinct())]


def _by_assignee(queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
    return queryset.filter(assignee__isnull=True) if value == "-" else queryset.filter(assignee__username=value)


def _open(queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
    return queryset.filter(status__in=anomaly_selectors.OPEN_STATUSES)


def _decorate(project: Project, rows: Sequence[Any]) -> None:
    labels = anomaly_selectors.severity_labels(project)
    for a in rows:
        a.severity_text = labels.get(a.severity, a.severity)


def _transition(actor: Any, anomaly: Any, version: int | None, values: dict[str, Any]) -> None:
    anomaly_services.anomaly_transition(
        actor=actor, anomaly=anomaly, action=values["move"], expected_version=version, reason=values.get("reason", "")
    )


ANOMALIES = Table(
    key="recette.anomalies",
    permission=RECETTE_VIEW,
    queryset=lambda p: anomaly_selectors.anomalies_for(p),
    export_name="anomalies",
    row_url=lambda p, a: reverse("recette:anomaly_detail", args=[p.code, a.pk]),
    decorate=_decorate,
    columns=[
        Col("reference", gettext_lazy("Reference"), lambda a: a.reference, "number", link=True),
        Col("title", gettext_lazy("Title"), lambda a: a.title, "title", link=True),
        Col("kind", gettext_lazy("Kind"), lambda a: a.get_kind_display(), "kind"),
        Col(
            "severity",
            gettext_lazy("Severity"),
            lambda a: a.severity_text,
            "severity",
            html=lambda a: badge(a.severity_text, f"sev sev-{a.severity}"),
        ),
        Col("priority", gettext_lazy("Priority"), lambda a: a.get_priority_display(), "priority"),
        Col(
            "status",
            gettext_lazy("Status"),
            lambda a: a.get_status_display(),
            "status",
            html=lambda a: badge(a.get_status_display(), f"badge status-{a.status}"),
        ),
        Col("campaign", gettext_lazy("Campaign"), lambda a: a.campaign.name if a.campaign else None, "campaign__name"),
        Col(
            "test_case",
            gettext_lazy("Test case"),
            lambda a: a.test_case.reference if a.test_case else None,
            "test_case__number",
        ),
        Col("assignee", gettext_lazy("Assignee"), lambda a: a.assignee, "assignee__last_name"),
        Col("changed", gettext_lazy("Status since"), lambda a: a.status_changed_at, "status_changed_at"),
        Col("due", gettext_lazy("Correction due on"), lambda a: a.due_on, "due_on", visible=False),
        Col(
            "reported_by", gettext_lazy("Reported by"), lambda a: a.reported_by, "reported_by__last_name", visible=False
        ),
    ],
    default_sort="reference",
    search=["reference", "title", "description"],
    search_hint=gettext_lazy("Reference, title, description"),
    filters=[
        Filter("severity", gettext_lazy("Severity"), "severity", _severities),
        Filter("priority", gettext_lazy("Priority"), "priority", choices_of(AnomalyPriority)),
        Filter("status", gettext_lazy("Status"), "status", choices_of(AnomalyStatus)),
        Filter(
            "open", gettext_lazy("Open or closed"), "status", lambda _p: [("1", str(gettext_lazy("Open only")))], _open
        ),
        Filter("kind", gettext_lazy("Kind"), "kind", choices_of(AnomalyKind)),
        Filter("campaign", gettext_lazy("Campaign"), "campaign_id", _campaigns),
        Filter("assignee", gettext_lazy("Assignee"), "assignee__username", _assignees, _by_assignee),
    ],
    actions=[
        BulkAction(
            "move",
            gettext_lazy("Change the status"),
            frozenset({ANOMALY_QUALIFY, ANOMALY_FIX, ANOMALY_VERIFY}),
            _transition,
            params=[
                Param(
                    "move",
                    gettext_lazy("Move"),
                    lambda _p: [(t.action, str(t.label)) for t in anomaly_services.TRANSITIONS.values()],
                ),
                Param("reason", gettext_lazy("Reason (needed to reject or reopen)"), required=False),
            ],
        ),
        BulkAction(
            "assign",
            gettext_lazy("Assign"),
            frozenset({ANOMALY_QUALIFY}),
            lambda actor, a, v, values: anomaly_services.anomaly_update(
                actor=actor, anomaly=a, expected_version=v, assignee=values["assignee"]
            ),
            params=[Param("assignee", gettext_lazy("Assignee"), _members)],
            prepare=lambda p, raw: {"assignee": User.objects.get(pk=int(raw["assignee"]))},
        ),
    ],
)
