"""Every write of the test book, campaigns, executions, evidence and JUnit imports.

One transaction each, permission-checked first, optimistic concurrency through ``expected_version``.
Content changes of a test case (title, objective, preconditions, data, steps) bump its ``revision`` and
freeze the new content in a :class:`TestCaseRevision`, so that an execution records exactly what it ran.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can, require
from oeuvre.core.activity import record_bulk_change
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.files import check_upload
from oeuvre.core.jobs import Progress, job_enqueue, job_handler
from oeuvre.core.models import Job
from oeuvre.core.services import delete_with_history, model_update
from oeuvre.interop.errors import FileFormatError
from oeuvre.interop.junit import JUnitCase, Outcome, read_junit
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Evidence,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    Iteration,
    JUnitMapping,
    PlannedTest,
    RecetteSettings,
    StepResult,
    TestCase,
    TestCaseRevision,
    TestCaseStatus,
    TestFolder,
    TestStep,
)
from oeuvre.recette.permissions import CAMPAIGNS_MANAGE, EXECUTE, RESULTS_IMPORT, TESTBOOK_EDIT
from oeuvre.requirements.models import Exigence

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "JUnitImportResult",
    "campaign_create",
    "campaign_update",
    "evidence_add",
    "evidence_path",
    "execution_record_step",
    "execution_set_status",
    "execution_start",
    "folder_create",
    "folder_delete",
    "folder_update",
    "iteration_create",
    "junit_import",
    "junit_mapping_delete",
    "junit_mapping_save",
    "planned_test_assign",
    "planned_test_remove",
    "planned_tests_add",
    "suggest_status",
    "test_case_create",
    "test_case_delete",
    "test_case_set_exigences",
    "test_case_set_steps",
    "test_case_update",
]

CONTENT_FIELDS = ("title", "objective", "preconditions", "data")
TEST_CASE_FIELDS = frozenset({*CONTENT_FIELDS, "type", "priority", "status", "folder", "automated"})
CAMPAIGN_FIELDS = frozenset({"name", "kind", "status", "description", "environment", "release", "starts_on", "ends_on"})
ITERATION_FIELDS = frozenset({"name", "release", "starts_on", "ends_on"})


# --- helpers ------------------------------------------------------------------------------------------


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


def _check_unknown(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})


def _save(instance: Any, actor: User | None, reason: str = "") -> None:
    """Save with the author recorded in history, also outside a web request (API token, CLI, demo)."""
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


def _check_member(project: Project, user: User | None, field_name: str) -> None:
    if user is not None and not project.memberships.filter(user=user).exists():
        raise ValidationFailed({field_name: [_("This person is not a member of the project.")]})


def _check_tester(project: Project, tester: User | None) -> None:
    """A planned test goes to someone who may run it: a reader cannot record an execution."""
    _check_member(project, tester, "tester")
    if tester is not None and not can(tester, project, EXECUTE):
        raise ValidationFailed({"tester": [_("This person's role does not allow running tests.")]})


def _check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed({"ends_on": [_("The end date is before the start date.")]})


def recette_settings(project: Project) -> RecetteSettings:
    found, _created = RecetteSettings.objects.get_or_create(project=project)
    return found


def _settings_locked(project: Project) -> RecetteSettings:
    RecetteSettings.objects.get_or_create(project=project)
    return RecetteSettings.objects.select_for_update().get(project=project)


def allocate_test_case_references(project: Project, count: int = 1) -> list[tuple[str, int]]:
    """Reserve ``count`` references (``CT-043``…) under the settings' row lock, skipping taken ones."""
    conf = _settings_locked(project)
    prefix, number = conf.test_case_prefix, conf.next_test_case_number
    taken = set(
        TestCase.objects.filter(project=project, reference__startswith=f"{prefix}-").values_list("reference", flat=True)
    )
    allocated: list[tuple[str, int]] = []
    while len(allocated) < count:
        reference = f"{prefix}-{number:0{conf.reference_digits}d}"
        if reference not in taken:
            allocated.append((reference, number))
        number += 1
    conf.next_test_case_number = number
    conf.save(update_fields=["next_test_case_number"])
    return allocated


_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


def _explicit_reference(project: Project, reference: str, exclude_pk: int | None = None) -> tuple[str, int]:
    reference = reference.strip()
    if not reference or len(reference) > 40:
        raise ValidationFailed({"reference": [_("Give a reference of 1 to 40 characters.")]})
    clash = TestCase.objects.filter(project=project, reference=reference)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed({"reference": [_("The reference %(ref)s is already used.") % {"ref": reference}]})
    match = _TRAILING_NUMBER.search(reference)
    number = int(match.group(1)) if match else 0
    conf = _settings_locked(project)
    if reference.startswith(f"{conf.test_case_prefix}-") and number >= conf.next_test_case_number:
        conf.next_test_case_number = number + 1
        conf.save(update_fields=["next_test_case_number"])
    return reference, number


# --- folders -----------------------------------------------------------------------------------------------


def _check_folder(project: Project, folder: TestFolder | None, field_name: str = "folder") -> None:
    if folder is not None and folder.project_id != project.pk:
        raise ValidationFailed({field_name: [_("This folder belongs to another project.")]})


@transaction.atomic
def folder_create(
    *, actor: User, project: Project, name: str, parent: TestFolder | None = None, position: int | None = None
) -> TestFolder:
    require(actor, project, TESTBOOK_EDIT)
    _check_folder(project, parent, "parent")
    if position is None:
        position = (
            TestFolder.objects.filter(project=project, parent=parent).aggregate(m=Max("position"))["m"] or 0
        ) + 1
    folder = TestFolder(project=project, parent=parent, name=(name or "").strip(), position=position)
    _full_clean(folder, exclude=["project", "parent"])
    _save(folder, actor)
    return folder


@transaction.atomic
def folder_update(*, actor: User, folder: TestFolder, expected_version: int | None, **changes: Any) -> TestFolder:
    require(actor, folder.project, TESTBOOK_EDIT)
    _check_unknown(changes, frozenset({"name", "parent", "position"}))
    fresh = lock_for_update(folder, expected_version)
    if "parent" in changes:
        parent = changes["parent"]
        _check_folder(folder.project, parent, "parent")
        ancestor = parent
        while ancestor is not None:  # folders are shallow: a few queries at most
            if ancestor.pk == fresh.pk:
                raise ValidationFailed({"parent": [_("A folder cannot go inside itself or one of its subfolders.")]})
            ancestor = ancestor.parent
    for name, value in changes.items():
        setattr(fresh, name, value.strip() if name == "name" else value)
    _full_clean(fresh, exclude=["project", "parent"])
    _save(fresh, actor)
    return fresh


@transaction.atomic
def folder_delete(*, actor: User, folder: TestFolder) -> None:
    """Delete a folder; its test cases and subfolders move up to its parent (nothing of the book is lost)."""
    require(actor, folder.project, TESTBOOK_EDIT)
    # Each moved case and subfolder goes through the lock path: its version moves (an open form sees the
    # conflict) and its history and the activity feed record the move. A folder holds tens of cases, not
    # thousands, so one save per row is the right price.
    for case in TestCase.objects.filter(folder=folder).order_by("pk"):
        model_update(instance=case, fields={"folder"}, data={"folder": folder.parent}, actor=actor)
    for child in TestFolder.objects.filter(parent=folder).order_by("pk"):
        model_update(instance=child, fields={"parent"}, data={"parent": folder.parent}, actor=actor)
    delete_with_history(folder, actor=actor)


# --- test cases --------------------------------------------------------------------------------------------


def _clean_steps(steps: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate steps given as dicts (action, expected, data); errors name the step (« steps.2.expected »)."""
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    for index, step in enumerate(steps, start=1):
        action = str(step.get("action") or "").strip()
        expected = str(step.get("expected") or "").strip()
        if not action:
            errors[f"steps.{index}.action"] = [_("Step %(n)s: describe the action.") % {"n": index}]
        if not expected:
            errors[f"steps.{index}.expected"] = [_("Step %(n)s: give the expected result.") % {"n": index}]
        cleaned.append(
            {"position": index, "action": action, "expected": expected, "data": str(step.get("data") or "").strip()}
        )
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _content(test_case: TestCase, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {**{name: getattr(test_case, name) for name in CONTENT_FIELDS}, "steps": steps}


def _current_steps(test_case: TestCase) -> list[dict[str, Any]]:
    return [
        {"position": s.position, "action": s.action, "expected": s.expected, "data": s.data}
        for s in TestStep.objects.filter(test_case=test_case).order_by("position")
    ]


def _write_steps(test_case: TestCase, steps: list[dict[str, Any]]) -> None:
    TestStep.objects.filter(test_case=test_case).delete()
    TestStep.objects.bulk_create(
        [
            TestStep(
                test_case=test_case, position=s["position"], action=s["action"], expected=s["expected"], data=s["data"]
            )
            for s in steps
        ]
    )


def _freeze(test_case: TestCase, steps: list[dict[str, Any]], actor: User | None) -> TestCaseRevision:
    return TestCaseRevision.objects.create(
        test_case=test_case, revision=test_case.revision, content=_content(test_case, steps), created_by=actor
    )


def _check_exigences(project: Project, exigences: Iterable[Exigence]) -> list[Exigence]:
    chosen = list(exigences)
    if any(e.project_id != project.pk for e in chosen):
        raise ValidationFailed({"exigences": [_("A requirement of another project cannot be covered here.")]})
    return chosen


@transaction.atomic
def test_case_create(
    *,
    actor: User,
    project: Project,
    title: str,
    reference: str | None = None,  # noqa: PT028
    steps: Sequence[dict[str, Any]] = (),  # noqa: PT028
    exigences: Iterable[Exigence] = (),  # noqa: PT028
    **fields: Any,
) -> TestCase:
    require(actor, project, TESTBOOK_EDIT)
    _check_unknown(fields, TEST_CASE_FIELDS - {"title"})
    _check_folder(project, fields.get("folder"))
    cleaned_steps = _clean_steps(steps)
    covered = _check_exigences(project, exigences)
    test_case = TestCase(project=project, title=(title or "").strip(), author=actor, **fields)
    _full_clean(test_case, exclude=["project", "folder", "author", "reference", "number"])
    if reference:
        test_case.reference, test_case.number = _explicit_reference(project, reference)
    else:
        [(test_case.reference, test_case.number)] = allocate_test_case_references(project)
    _save(test_case, actor)
    _write_steps(test_case, cleaned_steps)
    if covered:
        test_case.exigences.set(covered)
    _freeze(test_case, cleaned_steps, actor)
    return test_case


@transaction.atomic
def test_case_update(
    *,
    actor: User,
    test_case: TestCase,
    expected_version: int | None,
    steps: Sequence[dict[str, Any]] | None = None,  # noqa: PT028
    exigences: Iterable[Exigence] | None = None,  # noqa: PT028
    reference: str | None = None,  # noqa: PT028
    **changes: Any,
) -> TestCase:
    """Change fields, and optionally the steps and covered exigences; a content change makes a new revision."""
    project = test_case.project
    require(actor, project, TESTBOOK_EDIT)
    _check_unknown(changes, TEST_CASE_FIELDS)
    _check_folder(project, changes.get("folder"))
    fresh = lock_for_update(test_case, expected_version)
    if reference is not None and reference.strip() != fresh.reference:
        fresh.reference, fresh.number = _explicit_reference(project, reference, exclude_pk=fresh.pk)
    before_steps = _current_steps(fresh)
    new_steps = _clean_steps(steps) if steps is not None else before_steps
    content_changed = new_steps != before_steps or any(
        name in CONTENT_FIELDS and getattr(fresh, name) != (value.strip() if isinstance(value, str) else value)
        for name, value in changes.items()
    )
    for name, value in changes.items():
        setattr(fresh, name, value.strip() if name in CONTENT_FIELDS and isinstance(value, str) else value)
    _full_clean(fresh, exclude=["project", "folder", "author"])
    if content_changed:
        fresh.revision += 1
    _save(fresh, actor, reason="revision" if content_changed else "")
    if content_changed:
        if new_steps != before_steps:
            _write_steps(fresh, new_steps)
        _freeze(fresh, new_steps, actor)
    if exigences is not None:
        fresh.exigences.set(_check_exigences(project, exigences))
    return fresh


@transaction.atomic
def test_case_set_steps(
    *, actor: User, test_case: TestCase, expected_version: int | None, steps: Sequence[dict[str, Any]]
) -> TestCase:
    """Replace the steps (add, edit, reorder and delete are all a new list); a new revision if they changed."""
    return test_case_update(actor=actor, test_case=test_case, expected_version=expected_version, steps=steps)


@transaction.atomic
def test_case_set_exigences(
    *, actor: User, test_case: TestCase, expected_version: int | None, exigences: Iterable[Exigence]
) -> TestCase:
    return test_case_update(actor=actor, test_case=test_case, expected_version=expected_version, exigences=exigences)


@transaction.atomic
def test_case_delete(*, actor: User, test_case: TestCase) -> None:
    require(actor, test_case.project, TESTBOOK_EDIT)
    if Execution.objects.filter(test_case=test_case).exists():
        raise DomainError(
            _("%(ref)s has been run: its executions are part of the recette record. Mark it obsolete instead.")
            % {"ref": test_case.reference}
        )
    test_case.delete()


# --- campaigns ---------------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    project: Project,
    name: str,
    kind: str = CampaignKind.VABF,
    first_iteration: bool = True,
    **fields: Any,
) -> Campaign:
    """Create a campaign, with its iteration 1 so that tests can be run at once."""
    require(actor, project, CAMPAIGNS_MANAGE)
    _check_unknown(fields, CAMPAIGN_FIELDS - {"name", "kind"})
    name = (name or "").strip()
    if Campaign.objects.filter(project=project, name=name).exists():
        raise ValidationFailed({"name": [_("A campaign of this project already has this name.")]})
    campaign = Campaign(project=project, name=name, kind=kind, **fields)
    _check_dates(campaign.starts_on, campaign.ends_on)
    _full_clean(campaign, exclude=["project"])
    _save(campaign, actor)
    if first_iteration:
        iteration = Iteration(campaign=campaign, number=1, release=campaign.release, starts_on=campaign.starts_on)
        _save(iteration, actor)
    return campaign


@transaction.atomic
def campaign_update(*, actor: User, campaign: Campaign, expected_version: int | None, **changes: Any) -> Campaign:
    require(actor, campaign.project, CAMPAIGNS_MANAGE)
    _check_unknown(changes, CAMPAIGN_FIELDS)
    fresh = lock_for_update(campaign, expected_version)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if Campaign.objects.filter(project=fresh.project, name=changes["name"]).exclude(pk=fresh.pk).exists():
            raise ValidationFailed({"name": [_("A campaign of this project already has this name.")]})
    for name, value in changes.items():
        setattr(fresh, name, value)
    _check_dates(fresh.starts_on, fresh.ends_on)
    _full_clean(fresh, exclude=["project"])
    _save(fresh, actor)
    return fresh


@transaction.atomic
def iteration_create(*, actor: User, campaign: Campaign, **fields: Any) -> Iteration:
    """The next iteration (number + 1), usually on a new build of the release."""
    require(actor, campaign.project, CAMPAIGNS_MANAGE)
    _check_unknown(fields, ITERATION_FIELDS)
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # numbers are allocated one at a time
    number = (Iteration.objects.filter(campaign=campaign).aggregate(m=Max("number"))["m"] or 0) + 1
    iteration = Iteration(campaign=campaign, number=number, **fields)
    _check_dates(iteration.starts_on, iteration.ends_on)
    _full_clean(iteration, exclude=["campaign"])
    _save(iteration, actor)
    return iteration


def _folder_tree_ids(project: Project, folders: Iterable[TestFolder]) -> set[int]:
    """The folders and all their subfolders (one query for the project's folders)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in TestFolder.objects.filter(project=project).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found: set[int] = set()
    stack = [f.pk for f in folders]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


@transaction.atomic
def planned_tests_add(
    *,
    actor: User,
    campaign: Campaign,
    test_cases: Iterable[TestCase] = (),
    folders: Iterable[TestFolder] = (),
    tester: User | None = None,
) -> list[PlannedTest]:
    """Plan test cases, or whole folders (with their subfolders), in a campaign; already planned ones are kept.

    Obsolete test cases of a folder are left out; returns the newly planned tests.
    """
    project = campaign.project
    require(actor, project, CAMPAIGNS_MANAGE)
    _check_tester(project, tester)
    chosen = list(test_cases)
    folder_list = list(folders)
    for folder in folder_list:
        _check_folder(project, folder)
    if any(tc.project_id != project.pk for tc in chosen):
        raise ValidationFailed({"test_cases": [_("A test case of another project cannot be planned here.")]})
    ids = [tc.pk for tc in chosen]
    if folder_list:
        ids += list(
            TestCase.objects.filter(folder_id__in=_folder_tree_ids(project, folder_list))
            .exclude(status=TestCaseStatus.OBSOLETE)
            .order_by("number")
            .values_list("pk", flat=True)
        )
    if not ids:
        raise ValidationFailed({"test_cases": [_("Choose test cases or folders to plan.")]})
    existing = set(PlannedTest.objects.filter(campaign=campaign).values_list("test_case_id", flat=True))
    position = PlannedTest.objects.filter(campaign=campaign).aggregate(m=Max("position"))["m"] or 0
    new: list[PlannedTest] = []
    for pk in dict.fromkeys(ids):
        if pk not in existing:
            position += 1
            new.append(PlannedTest(campaign=campaign, test_case_id=pk, tester=tester, position=position))
    return list(bulk_create_with_history(new, PlannedTest, default_user=actor))


@transaction.atomic
@transaction.atomic
def planned_test_assign(
    *, actor: User, planned_test: PlannedTest, tester: User | None, expected_version: int | None = None
) -> PlannedTest:
    """Assign the tester, with history; ``expected_version`` (the API's If-Match) refuses a stale edit."""
    project = planned_test.campaign.project
    require(actor, project, CAMPAIGNS_MANAGE)
    _check_tester(project, tester)
    fresh, _changed = model_update(
        instance=planned_test, fields={"tester"}, data={"tester": tester}, actor=actor,
        expected_version=expected_version,
    )  # fmt: skip
    return fresh


@transaction.atomic
def planned_test_remove(*, actor: User, planned_test: PlannedTest) -> None:
    require(actor, planned_test.campaign.project, CAMPAIGNS_MANAGE)
    delete_with_history(planned_test, actor=actor)


# --- executions --------------------------------------------------------------------------------------------

_WORST = [ExecutionStatus.KO, ExecutionStatus.BLOQUE]


def suggest_status(step_statuses: Iterable[str]) -> str:
    """The overall status the steps suggest: any KO → KO, else any bloqué → bloqué, all OK → OK, else not run."""
    statuses = list(step_statuses)
    for worst in _WORST:
        if worst in statuses:
            return str(worst)
    if statuses and all(s == ExecutionStatus.OK for s in statuses):
        return str(ExecutionStatus.OK)
    return str(ExecutionStatus.NON_EXECUTE)


def current_revision(test_case: TestCase) -> TestCaseRevision:
    found = TestCaseRevision.objects.filter(test_case=test_case, revision=test_case.revision).first()
    if found is None:  # a case written before revisions were kept: freeze it now
        found = _freeze(test_case, _current_steps(test_case), None)
    return found


@transaction.atomic
def execution_start(*, actor: User, iteration: Iteration, test_case: TestCase, tester: User | None = None) -> Execution:
    """Start a run of a planned test case: the case's current revision is frozen with one result per step."""
    campaign = Campaign.objects.select_related("project").get(pk=iteration.campaign_id)
    project = campaign.project
    require(actor, project, EXECUTE)
    if test_case.project_id != project.pk:
        raise ValidationFailed({"test_case": [_("This test case belongs to another project.")]})
    if not PlannedTest.objects.filter(campaign=campaign, test_case=test_case).exists():
        raise ValidationFailed(
            {"test_case": [_("%(ref)s is not planned in this campaign.") % {"ref": test_case.reference}]}
        )
    if campaign.status == CampaignStatus.TERMINEE:
        raise DomainError(_("The campaign is finished: reopen it to run tests."))
    tester = tester or actor
    _check_member(project, tester, "tester")
    revision = current_revision(test_case)
    execution = Execution(
        project=project, iteration=iteration, test_case=test_case, test_case_revision=revision,
        tester=tester, started_at=timezone.now(), source=ExecutionSource.MANUAL,
    )  # fmt: skip
    _save(execution, actor)
    StepResult.objects.bulk_create(
        [StepResult(execution=execution, position=s["position"]) for s in revision.content.get("steps", [])]
    )
    _campaign_started(campaign, actor)
    return execution


def _campaign_started(campaign: Campaign, actor: User | None) -> None:
    """A first result moves a campaign in preparation to « en cours », with its version and history."""
    if campaign.status == CampaignStatus.PREPARATION:
        model_update(instance=campaign, fields={"status"}, data={"status": CampaignStatus.EN_COURS}, actor=actor,
                     reason="first execution")  # fmt: skip


def _execution_locked(execution: Execution, expected_version: int | None) -> Execution:
    fresh = lock_for_update(execution, expected_version)
    if fresh.source != ExecutionSource.MANUAL:
        raise DomainError(_("This result came from CI (JUnit): run the test again rather than editing it."))
    return fresh


@transaction.atomic
def execution_record_step(
    *,
    actor: User,
    execution: Execution,
    position: int,
    status: str,
    actual: str = "",
    expected_version: int | None = None,
) -> StepResult:
    """Record one step's status and what was observed; the execution's suggested status follows."""
    require(actor, execution.project, EXECUTE)
    if status not in ExecutionStatus.values:
        raise ValidationFailed({"status": [_("Unknown status « %(value)s ».") % {"value": status}]})
    fresh = _execution_locked(execution, expected_version)
    result = StepResult.objects.filter(execution=fresh, position=position).first()
    if result is None:
        raise ValidationFailed({"position": [_("This execution has no step %(n)s.") % {"n": position}]})
    if status == ExecutionStatus.KO and not actual.strip():
        raise ValidationFailed({"actual": [_("Step %(n)s failed: say what you observed.") % {"n": position}]})
    result.status = status
    result.actual = actual.strip()
    result.save(update_fields=["status", "actual"])
    fresh.status = suggest_status(StepResult.objects.filter(execution=fresh).values_list("status", flat=True))
    fresh.executed_at = timezone.now()
    if fresh.started_at:
        fresh.duration = fresh.executed_at - fresh.started_at
    _save(fresh, actor)
    execution.version = fresh.version
    execution.status = fresh.status
    return result


@transaction.atomic
def execution_set_status(
    *,
    actor: User,
    execution: Execution,
    expected_version: int | None,
    status: str | None = None,
    comment: str | None = None,
    duration: timedelta | None = None,
) -> Execution:
    """Set the overall status (``None``: the steps' suggestion), the comment and the duration."""
    require(actor, execution.project, EXECUTE)
    fresh = _execution_locked(execution, expected_version)
    if status is None:
        status = suggest_status(StepResult.objects.filter(execution=fresh).values_list("status", flat=True))
    if status not in ExecutionStatus.values:
        raise ValidationFailed({"status": [_("Unknown status « %(value)s ».") % {"value": status}]})
    if duration is not None and duration < timedelta(0):
        raise ValidationFailed({"duration": [_("A duration cannot be negative.")]})
    fresh.status = status
    if comment is not None:
        fresh.comment = comment.strip()
    if duration is not None:
        fresh.duration = duration
    elif fresh.duration is None and fresh.started_at:
        fresh.duration = timezone.now() - fresh.started_at
    fresh.executed_at = timezone.now()
    _save(fresh, actor, reason=status)
    return fresh


# --- evidence ------------------------------------------------------------------------------------------------

EVIDENCE_MAX_BYTES: int = getattr(settings, "RECETTE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"<>:|?*]")


def clean_filename(name: str) -> str:
    """The last component of a user's file name, without path separators or control characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE_NAME.sub("_", base).strip(" .")
    return base[-200:] or "evidence"


def evidence_root() -> Path:
    """Private storage in the uploaded-files folder (backed up, shared between app servers, never served
    as such): files go out only through the permission-checked download view."""
    configured = getattr(settings, "RECETTE_EVIDENCE_ROOT", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "private" / "evidence"


def evidence_path(evidence: Evidence) -> Path:
    # The stored name is generated by us (hex + extension), never taken from the user.
    if not re.fullmatch(r"[0-9a-f]{32}\.[a-z]{3}", evidence.stored_name):
        raise DomainError(_("This evidence file is not available."))
    return evidence_root() / evidence.stored_name[:2] / evidence.stored_name


@transaction.atomic
def evidence_add(
    *, actor: User, execution: Execution, filename: str, data: bytes, step_position: int | None = None
) -> Evidence:
    """Attach a file to an execution after checking its size and its actual type (by content, not name)."""
    require(actor, execution.project, EXECUTE)
    # The one upload guard (content sniffed, size, a name that agrees with the content), as comment attachments.
    checked = check_upload(filename, data, EVIDENCE_MAX_BYTES, fallback_name="evidence")
    name, extension, content_type = checked.name, checked.suffix, checked.content_type
    if (
        step_position is not None
        and not StepResult.objects.filter(execution=execution, position=step_position).exists()
    ):
        raise ValidationFailed({"step_position": [_("This execution has no step %(n)s.") % {"n": step_position}]})
    stored = f"{uuid.uuid4().hex}{extension}"
    evidence = Evidence(
        execution=execution, step_position=step_position, original_name=name, stored_name=stored,
        content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor,
    )  # fmt: skip
    path = evidence_path(evidence)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        evidence.save()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return evidence


# --- JUnit from CI ---------------------------------------------------------------------------------------------


_JUNIT_MESSAGES: dict[str, Any] = {
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is too large."),
    "wrong_magic": gettext_lazy("This is not an XML file."),
    "xml_syntax": gettext_lazy("The XML is not well formed (%(detail)s)."),
    "xml_entities": gettext_lazy("Documents that declare a DTD or entities (<!DOCTYPE …>) are refused."),
    "not_junit": gettext_lazy("The root element is <%(root)s>, not the <testsuites> or <testsuite> of a JUnit report."),
    "not_number": gettext_lazy("« %(value)s » is not a number."),
    "not_cucumber": gettext_lazy("This JSON file is not a Cucumber report (a list of features and their scenarios)."),
}


def file_error_message(error: FileFormatError, templates: Mapping[str, Any] | None = None) -> str:
    """« run.jtl, line 12, field elapsed: … » in the user's language, for any reader's error: the message from the
    reader's code and parameters (``templates``, then the shared guard's and JUnit's codes, else the reader's own
    English), prefixed with where it happened (file, row, line, field)."""
    template = (templates or {}).get(error.code) or _JUNIT_MESSAGES.get(error.code)
    try:
        message = str(template) % error.params if template is not None else error.message
    except (KeyError, TypeError, ValueError):
        message = error.message
    where = [error.source] if error.source else []
    if error.row is not None:
        where.append(_("row %(n)s") % {"n": error.row})
    if error.line is not None:
        where.append(_("line %(n)s") % {"n": error.line})
    if error.field:
        where.append(_("field %(name)s") % {"name": error.field})
    return _("%(where)s: %(message)s") % {"where": ", ".join(where), "message": message} if where else message


def junit_error_message(error: FileFormatError) -> str:
    """« report.xml, line 12: … » in the user's language."""
    return file_error_message(error)


@dataclass
class JUnitImportResult:
    """What an import did: executions created, names that matched no test case, failures with anomaly drafts."""

    iteration_id: int
    total: int = 0
    created: int = 0
    planned: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "iteration": self.iteration_id, "total": self.total, "created": self.created, "planned": self.planned,
            "by_status": self.by_status, "unmapped": self.unmapped, "failures": self.failures,
        }  # fmt: skip


_OUTCOMES = {
    Outcome.PASSED: ExecutionStatus.OK,
    Outcome.FAILED: ExecutionStatus.KO,
    Outcome.ERROR: ExecutionStatus.KO,
    Outcome.SKIPPED: ExecutionStatus.NON_EXECUTE,
}
_RANK = {ExecutionStatus.OK: 0, ExecutionStatus.NON_EXECUTE: 1, ExecutionStatus.BLOQUE: 2, ExecutionStatus.KO: 3}


def reference_pattern(prefix: str) -> re.Pattern[str]:
    """``CT-012``, ``ct_12``, ``test_CT012_login``: the prefix, an optional ``-``/``_``/space, the number."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}[-_ ]?0*(\d+)(?!\d)", re.IGNORECASE)


def map_junit_names(project: Project, names: Iterable[str], prefix: str | None = None) -> dict[str, int]:
    """JUnit names → test case ids: a saved mapping first, else a reference found in the name (two queries)."""
    prefix = prefix or recette_settings(project).test_case_prefix
    pattern = reference_pattern(prefix)
    by_number: dict[int, int] = {}
    for pk, reference in TestCase.objects.filter(project=project).values_list("pk", "reference"):
        match = pattern.fullmatch(reference) or pattern.search(reference)
        if match:
            by_number.setdefault(int(match.group(1)), pk)
    saved = dict(JUnitMapping.objects.filter(project=project).values_list("junit_name", "test_case_id"))
    mapped: dict[str, int] = {}
    for name in names:
        if name in saved:
            mapped[name] = saved[name]
            continue
        match = pattern.search(name)
        if match and int(match.group(1)) in by_number:
            mapped[name] = by_number[int(match.group(1))]
    return mapped


def _column(meta: Any, name: str) -> str:
    return str(meta.get_field(name).column)


def _insert_planned(campaign: Campaign, rows: list[tuple[int, int]]) -> None:
    """Plan many cases (test case id, position) at once: one ``INSERT … SELECT FROM unnest`` on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        PlannedTest.objects.bulk_create(
            [PlannedTest(campaign=campaign, test_case_id=pk, position=pos) for pk, pos in rows], batch_size=2000
        )
        return
    quote = connection.ops.quote_name
    meta = PlannedTest._meta
    names = ("campaign", "test_case", "position", "version", "created_at", "updated_at")
    column = {name: quote(_column(meta, name)) for name in names}
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({column['campaign']}, {column['test_case']}, {column['position']}, "  # noqa: S608 — names from model metadata
        f"{column['version']}, {column['created_at']}, {column['updated_at']}) "
        "SELECT %s, v.tc, v.pos, 1, %s, %s FROM unnest(%s::bigint[], %s::integer[]) AS v(tc, pos)"
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, now, now, [r[0] for r in rows], [r[1] for r in rows]])


@dataclass(slots=True)
class _Row:
    """One execution to create from CI: only what differs between the rows of one import."""

    test_case_id: int
    test_case_revision_id: int
    status: str
    duration: timedelta
    junit_name: str
    message: str


_ROW_FIELDS = ("test_case", "test_case_revision", "status", "duration", "junit_name", "message")
_ROW_TYPES = ("bigint", "bigint", "text", "interval", "text", "text")
_SAME_FIELDS = ("version", "created_at", "updated_at", "project", "iteration", "source", "tester", "started_at",
                "executed_at", "comment")  # fmt: skip


def _insert_executions(rows: list[_Row], template: Execution) -> list[int]:
    """Insert executions that share ``template``'s project, iteration, source, tester and dates; their ids.

    Model instances and ``bulk_create`` cost about 5 s of Python for 20,000 executions (constructors, then each
    value of each row prepared one by one; measured with ``bench/recette_junit.py``). PostgreSQL takes the six
    per-row columns as typed arrays in one ``INSERT … SELECT FROM unnest`` and returns the ids in order; other
    databases keep ``bulk_create``.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [
            Execution(
                project_id=template.project_id, iteration_id=template.iteration_id, source=template.source,
                tester_id=template.tester_id, started_at=template.started_at, executed_at=template.executed_at,
                test_case_id=r.test_case_id, test_case_revision_id=r.test_case_revision_id, status=r.status,
                duration=r.duration, junit_name=r.junit_name, message=r.message,
            )
            for r in rows
        ]  # fmt: skip
        Execution.objects.bulk_create(objects, batch_size=2000)
        return [e.pk for e in objects]
    now = timezone.now()
    quote = connection.ops.quote_name
    meta = Execution._meta
    names = ", ".join(quote(_column(meta, n)) for n in (*_SAME_FIELDS, *_ROW_FIELDS))
    arrays = ", ".join(f"%s::{t}[]" for t in _ROW_TYPES)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608 — names from model metadata
        f"SELECT {', '.join(['%s'] * len(_SAME_FIELDS))}, v.* FROM unnest({arrays}) "
        f"AS v({', '.join(_ROW_FIELDS)}) RETURNING {quote(str(meta.pk.column))}"
    )
    same: list[Any] = [1, now, now, template.project_id, template.iteration_id, template.source, template.tester_id,
            template.started_at, template.executed_at, ""]  # fmt: skip
    columns: list[Any] = [
        [r.test_case_id for r in rows], [r.test_case_revision_id for r in rows], [r.status for r in rows],
        [r.duration for r in rows], [r.junit_name for r in rows], [r.message for r in rows],
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [*same, *columns])
        # INSERT … SELECT FROM unnest keeps the order of the arrays: the ids come back in the rows' order.
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def junit_import(
    *,
    actor: User,
    campaign: Campaign,
    data: bytes,
    filename: str = "",
    iteration: Iteration | None = None,
) -> JUnitImportResult:
    """Create one execution per test case found in a JUnit report, in bulk, in one transaction.

    A case run several times in the report (parametrised tests) gets its worst outcome. Mapped cases not yet
    planned in the campaign are planned. Names that match no test case are reported, not dropped.
    """
    project = campaign.project
    require(actor, project, RESULTS_IMPORT)
    if campaign.status == CampaignStatus.TERMINEE:
        raise DomainError(_("The campaign is finished: reopen it to import results."))
    try:
        report = read_junit(data, filename)
    except FileFormatError as exc:
        raise ValidationFailed({"file": [junit_error_message(exc)]}) from None
    if iteration is None:
        iteration = Iteration.objects.filter(campaign=campaign).order_by("-number").first()
        if iteration is None:
            iteration = Iteration.objects.create(campaign=campaign, number=1, release=campaign.release)
    elif iteration.campaign_id != campaign.pk:
        raise ValidationFailed({"iteration": [_("This iteration belongs to another campaign.")]})
    cases = report.cases
    mapping = map_junit_names(project, {c.full_name for c in cases})
    grouped: dict[int, list[JUnitCase]] = {}
    unmapped: list[str] = []
    for case in cases:
        pk = mapping.get(case.full_name)
        if pk is None:
            unmapped.append(case.full_name)
        else:
            grouped.setdefault(pk, []).append(case)
    # One query: the current revision of every case of the book (no id list: 20,000 ids would not fit SQLite).
    revisions: dict[int, int] = dict(
        TestCaseRevision.objects.filter(test_case__project=project, revision=F("test_case__revision")).values_list(
            "test_case_id", "pk"
        )
    )
    missing = [pk for pk in grouped if pk not in revisions]
    if missing:  # cases written before revisions were kept
        for test_case in TestCase.objects.filter(pk__in=missing):
            revisions[test_case.pk] = current_revision(test_case).pk
    planned = set(PlannedTest.objects.filter(campaign=campaign).values_list("test_case_id", flat=True))
    position = PlannedTest.objects.filter(campaign=campaign).aggregate(m=Max("position"))["m"] or 0
    to_plan: list[tuple[int, int]] = []
    for pk in grouped:
        if pk not in planned:
            position += 1
            to_plan.append((pk, position))
    _insert_planned(campaign, to_plan)
    now = timezone.now()
    rows: list[_Row] = []
    for pk, runs in grouped.items():
        status = max((_OUTCOMES[r.outcome] for r in runs), key=lambda s: _RANK[s])
        worst = [r for r in runs if _OUTCOMES[r.outcome] == status]
        message = "\n\n".join(
            f"{r.full_name}: {r.message}\n{r.details}".strip() for r in worst if r.message or r.details
        )
        seconds = sum(r.duration or 0.0 for r in runs)
        rows.append(_Row(pk, revisions[pk], str(status), timedelta(seconds=seconds), worst[0].full_name[:500],
                         message[:20_000]))  # fmt: skip
    template = Execution(project=project, iteration=iteration, source=ExecutionSource.JUNIT, tester=actor,
                         started_at=now, executed_at=now)  # fmt: skip
    ids = _insert_executions(rows, template)
    if ids:
        # Thousands of executions in one insert, no history row each: the feed gets one summary line.
        record_bulk_change(
            project=project,
            actor=actor,
            model=Execution,
            label=ngettext(
                "JUnit import: %(count)s result in %(iteration)s",
                "JUnit import: %(count)s results in %(iteration)s",
                len(ids),
            )
            % {"count": len(ids), "iteration": iteration},
        )
    result = JUnitImportResult(iteration_id=iteration.pk, total=len(cases), created=len(rows),
                               planned=len(to_plan), unmapped=unmapped)  # fmt: skip
    for row in rows:
        result.by_status[row.status] = result.by_status.get(row.status, 0) + 1
    failed = [
        Execution(pk=pk, project=project, iteration=iteration, test_case_id=row.test_case_id, status=row.status,
                  source=ExecutionSource.JUNIT, junit_name=row.junit_name, message=row.message)
        for pk, row in zip(ids, rows, strict=True) if row.status == ExecutionStatus.KO
    ]  # fmt: skip
    if failed:
        from oeuvre.recette.selectors.testbook import anomaly_drafts_for

        result.failures = anomaly_drafts_for(failed, campaign=campaign, iteration=iteration)
    _campaign_started(campaign, actor)
    return result


@transaction.atomic
def junit_mapping_save(*, actor: User, project: Project, junit_name: str, test_case: TestCase) -> JUnitMapping:
    """Remember that a JUnit name (as the CI tool writes it) is this test case, for the next imports."""
    require(actor, project, RESULTS_IMPORT)
    junit_name = (junit_name or "").strip()
    if not junit_name or len(junit_name) > 500:
        raise ValidationFailed({"junit_name": [_("Give the JUnit name (1 to 500 characters).")]})
    if test_case.project_id != project.pk:
        raise ValidationFailed({"test_case": [_("This test case belongs to another project.")]})
    mapping, _created = JUnitMapping.objects.update_or_create(
        project=project, junit_name=junit_name, defaults={"test_case": test_case}
    )
    return mapping


@transaction.atomic
def junit_mapping_delete(*, actor: User, mapping: JUnitMapping) -> None:
    require(actor, mapping.project, RESULTS_IMPORT)
    mapping.delete()


# --- JUnit as a job (very large reports, or a CI that does not want to wait) --------------------------------------

JUNIT_JOB = "recette.junit_import"


def _junit_root() -> Path:
    return evidence_root().parent / "junit"


@transaction.atomic
def junit_import_enqueue(
    *, actor: User, campaign: Campaign, data: bytes, filename: str = "", iteration: Iteration | None = None
) -> Job:
    """Keep the report under a generated name and import it in the worker (same rules as :func:`junit_import`)."""
    require(actor, campaign.project, RESULTS_IMPORT)
    if not data:
        raise ValidationFailed({"file": [_("The file « %(name)s » is empty.") % {"name": clean_filename(filename)}]})
    if iteration is not None and iteration.campaign_id != campaign.pk:
        raise ValidationFailed({"iteration": [_("This iteration belongs to another campaign.")]})
    stored = f"{uuid.uuid4().hex}.xml"
    root = _junit_root()
    root.mkdir(parents=True, exist_ok=True)
    (root / stored).write_bytes(data)
    params = {"campaign": campaign.pk, "iteration": iteration.pk if iteration else None, "stored": stored,
              "filename": clean_filename(filename or "junit.xml")}  # fmt: skip
    return job_enqueue(kind=JUNIT_JOB, params=params, actor=actor, project=campaign.project)


@job_handler(JUNIT_JOB)
def run_junit_import(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    if job.created_by_id is None or job.project_id is None:
        raise DomainError("a JUnit import job needs its author and its project")
    if not re.fullmatch(r"[0-9a-f]{32}\.xml", str(params.get("stored", ""))):
        raise DomainError("unexpected stored name")
    actor = User.objects.get(pk=job.created_by_id)
    campaign = Campaign.objects.select_related("project").get(pk=params["campaign"], project_id=job.project_id)
    iteration = (
        Iteration.objects.filter(pk=params["iteration"], campaign=campaign).first() if params.get("iteration") else None
    )
    path = _junit_root() / params["stored"]
    with translation.override(getattr(actor, "language", "") or "fr"):
        progress.start(1, translation.gettext("Importing the JUnit results"))
        try:
            result = junit_import(
                actor=actor, campaign=campaign, data=path.read_bytes(), filename=params["filename"], iteration=iteration
            )
        except ValidationFailed as exc:
            raise DomainError(" ".join(m for messages in exc.errors.values() for m in messages)) from None
        finally:
            path.unlink(missing_ok=True)
        progress.advance(1)
        progress.message = translation.gettext(
            "%(created)s executions created, %(unmapped)s unmapped, %(failures)s failures"
        ) % {"created": result.created, "unmapped": len(result.unmapped), "failures": len(result.failures)}
    return result.as_dict()
