"""Every write of the requirements stage: one transaction each, permission-checked, recorded in history."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import membership_of, require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.projects.models import Project
from oeuvre.requirements.models import (
    DEFAULT_DELIVERABLE_RULES,
    TRACE_TYPES,
    BaselineEntry,
    CdcVersion,
    Component,
    Deliverable,
    DeliverableRule,
    Exigence,
    ExigenceStatus,
    RaciAssignment,
    RequirementsSettings,
    Specification,
    TraceLink,
)
from oeuvre.requirements.permissions import (
    ARCHITECTURE_EDIT,
    DELIVERABLES_DECIDE,
    DELIVERABLES_EDIT,
    DELIVERABLES_SUBMIT,
    REQUIREMENTS_BASELINE,
    REQUIREMENTS_CONFIGURE,
    REQUIREMENTS_EDIT,
    REQUIREMENTS_SUBMIT,
    REQUIREMENTS_VALIDATE,
    SPECIFICATIONS_EDIT,
    TRACE_EDIT,
)

__all__ = [
    "EXIGENCE_WORKFLOW",
    "ExigenceTransition",
    "cdc_version_freeze",
    "component_create",
    "component_delete",
    "component_update",
    "deliverable_create",
    "deliverable_decide",
    "deliverable_rule_set",
    "deliverable_set_raci",
    "deliverable_submit",
    "deliverable_update",
    "exigence_create",
    "exigence_delete",
    "exigence_reject",
    "exigence_submit",
    "exigence_transition",
    "exigence_update",
    "exigence_validate",
    "exigence_withdraw_by_change",
    "settings_update",
    "specification_create",
    "specification_delete",
    "specification_update",
    "trace_link_add",
    "trace_link_remove",
    "trace_links_set",
]

EXIGENCE_FIELDS = frozenset({"title", "text", "type", "priority", "source", "owner", "cdc_version", "reference"})
# Changing one of these on a validated exigence reopens it ("modifiée") until the MOA validates it again.
EXIGENCE_CONTENT_FIELDS = frozenset({"title", "text", "type", "priority", "source"})
SPECIFICATION_FIELDS = frozenset({"title", "text", "kind", "owner", "reference"})
COMPONENT_FIELDS = frozenset(
    {"name", "kind", "description", "owner", "performance_constraints", "security_constraints", "reference"}
)
DELIVERABLE_FIELDS = frozenset(
    {"kind", "title", "reference", "document_version", "due_date", "link", "author", "validator"}
)


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
    """Save with the author recorded in history, also outside a web request (API token, CLI, jobs, demo)."""
    if actor is not None:
        instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.save()


def _check_member(project: Project, user: User | None, field: str) -> None:
    if user is not None and membership_of(user, project) is None and not project.memberships.filter(user=user).exists():
        raise ValidationFailed({field: [_("This person is not a member of the project.")]})


def _check_same_project(project: Project, obj: Any, field: str) -> None:
    if obj is not None and obj.project_id != project.pk:
        raise ValidationFailed({field: [_("This item belongs to another project.")]})


# --- Settings and references -------------------------------------------------------------------------


def settings_locked(project: Project) -> RequirementsSettings:
    """The project's settings under a row lock (created with the defaults on first use)."""
    RequirementsSettings.objects.get_or_create(project=project)
    return RequirementsSettings.objects.select_for_update().get(project=project)


@transaction.atomic
def settings_update(
    *, actor: User, project: Project, expected_version: int | None, **changes: Any
) -> RequirementsSettings:
    require(actor, project, REQUIREMENTS_CONFIGURE)
    _check_unknown(
        changes, frozenset({"exigence_prefix", "specification_prefix", "component_prefix", "reference_digits"})
    )
    current = settings_locked(project)
    fresh = lock_for_update(current, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    if not 1 <= fresh.reference_digits <= 8:
        raise ValidationFailed({"reference_digits": [_("Give a number of digits between 1 and 8.")]})
    _full_clean(fresh)
    _save(fresh, actor)
    return fresh


_NUMBER = re.compile(r"(\d+)\s*$")


def reference_number(reference: str) -> int:
    """The trailing number of a reference (``EX-042`` → 42), used to sort references naturally."""
    match = _NUMBER.search(reference or "")
    return int(match.group(1)) if match else 0


_COUNTERS = {
    Exigence: ("exigence_prefix", "next_exigence_number"),
    Specification: ("specification_prefix", "next_specification_number"),
    Component: ("component_prefix", "next_component_number"),
}


def allocate_references(project: Project, model: type[Any], count: int = 1) -> list[tuple[str, int]]:
    """Reserve ``count`` new references (``EX-043``…) under the settings' row lock, skipping taken ones."""
    conf = settings_locked(project)
    prefix_field, counter_field = _COUNTERS[model]
    prefix = getattr(conf, prefix_field)
    number = getattr(conf, counter_field)
    taken = set(
        model.objects.filter(project=project, reference__startswith=f"{prefix}-").values_list("reference", flat=True)
    )
    allocated: list[tuple[str, int]] = []
    while len(allocated) < count:
        reference = f"{prefix}-{number:0{conf.reference_digits}d}"
        if reference not in taken:
            allocated.append((reference, number))
        number += 1
    setattr(conf, counter_field, number)
    conf.save(update_fields=[counter_field])
    return allocated


def _note_reference(project: Project, model: type[Any], reference: str) -> None:
    """An explicit reference with our prefix moves the counter past it, so the next one stays free."""
    conf = settings_locked(project)
    prefix_field, counter_field = _COUNTERS[model]
    prefix = getattr(conf, prefix_field)
    if reference.startswith(f"{prefix}-"):
        number = reference_number(reference)
        if number >= getattr(conf, counter_field):
            setattr(conf, counter_field, number + 1)
            conf.save(update_fields=[counter_field])


def _check_reference(project: Project, model: type[Any], reference: str, exclude_pk: int | None = None) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed({"reference": [_("Give a reference.")]})
    if len(reference) > 40:
        raise ValidationFailed({"reference": [_("A reference has at most 40 characters.")]})
    clash = model.objects.filter(project=project, reference=reference)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed({"reference": [_("This reference is already used in the project.")]})
    return reference


# --- Exigences -------------------------------------------------------------------------------------


@transaction.atomic
def exigence_create(*, actor: User, project: Project, **fields: Any) -> Exigence:
    require(actor, project, REQUIREMENTS_EDIT)
    _check_unknown(fields, EXIGENCE_FIELDS | {"external_id", "extra_attributes"})
    return _exigence_create(project=project, actor=actor, **fields)


def _exigence_create(*, project: Project, actor: User | None, **fields: Any) -> Exigence:
    _check_member(project, fields.get("owner"), "owner")
    _check_same_project(project, fields.get("cdc_version"), "cdc_version")
    reference = fields.pop("reference", None)
    if reference:
        reference = _check_reference(project, Exigence, reference)
        number = reference_number(reference)
        _note_reference(project, Exigence, reference)
    else:
        ((reference, number),) = allocate_references(project, Exigence)
    exigence = Exigence(project=project, reference=reference, number=number, **fields)
    _full_clean(exigence, exclude=["project"])
    _save(exigence, actor)
    return exigence


@transaction.atomic
def exigence_update(*, actor: User, exigence: Exigence, expected_version: int | None, **changes: Any) -> Exigence:
    require(actor, exigence.project, REQUIREMENTS_EDIT)
    _check_unknown(changes, EXIGENCE_FIELDS | {"extra_attributes"})
    return _exigence_update(exigence=exigence, expected_version=expected_version, actor=actor, **changes)


def _exigence_update(
    *, exigence: Exigence, expected_version: int | None, actor: User | None = None, **changes: Any
) -> Exigence:
    project = exigence.project
    _check_member(project, changes.get("owner"), "owner")
    _check_same_project(project, changes.get("cdc_version"), "cdc_version")
    fresh = lock_for_update(exigence, expected_version)
    if "reference" in changes and changes["reference"] != fresh.reference:
        changes["reference"] = _check_reference(project, Exigence, changes["reference"], exclude_pk=fresh.pk)
        fresh.number = reference_number(changes["reference"])
    content_changed = any(
        name in EXIGENCE_CONTENT_FIELDS and getattr(fresh, name) != value for name, value in changes.items()
    )
    for name, value in changes.items():
        setattr(fresh, name, value)
    if content_changed and fresh.status == ExigenceStatus.VALIDEE:
        # A validated exigence that changes is no longer what the MOA validated.
        fresh.status = ExigenceStatus.MODIFIEE
    _full_clean(fresh, exclude=["project"])
    _save(fresh, actor)
    return fresh


@transaction.atomic
def exigence_delete(*, actor: User, exigence: Exigence) -> None:
    require(actor, exigence.project, REQUIREMENTS_EDIT)
    if exigence.status not in {ExigenceStatus.BROUILLON, ExigenceStatus.REJETEE}:
        raise DomainError(_("Only a draft or rejected requirement can be deleted; the others are part of the CDC."))
    exigence.delete()


def _transition(
    exigence: Exigence, expected_version: int | None, allowed_from: set[str], to: str, actor: User, comment: str
) -> Exigence:
    fresh = lock_for_update(exigence, expected_version)
    if fresh.status not in allowed_from:
        raise DomainError(
            _("A requirement with the status “%(status)s” cannot go to “%(target)s”.")
            % {"status": fresh.get_status_display(), "target": ExigenceStatus(to).label}
        )
    fresh.status = to
    fresh.status_comment = comment
    fresh.decided_by = actor if to in {ExigenceStatus.VALIDEE, ExigenceStatus.REJETEE} else fresh.decided_by
    if to in {ExigenceStatus.VALIDEE, ExigenceStatus.REJETEE}:
        fresh.decided_at = timezone.now()
    _save(fresh, actor, reason=to)
    return fresh


@dataclass(frozen=True)
class ExigenceTransition:
    """One move of the requirements workflow: who may make it, from which statuses, to which one."""

    action: str
    permission: str
    sources: frozenset[str]
    target: str
    done: Any  # the message shown once it is made
    needs_comment: bool = False


EXIGENCE_STATUS_CHANGED = declare_event("exigence.status_changed", gettext_lazy("Requirement status changed"))
DELIVERABLE_SUBMITTED = declare_event("deliverable.submitted", gettext_lazy("Deliverable submitted for validation"))

_S = ExigenceStatus
EXIGENCE_WORKFLOW: dict[str, ExigenceTransition] = {
    t.action: t
    for t in (
        ExigenceTransition(
            "submit", REQUIREMENTS_SUBMIT, frozenset({_S.BROUILLON, _S.REJETEE, _S.MODIFIEE}), _S.SOUMISE,
            gettext_lazy("Requirement submitted."),
        ),
        # Only the MOA validates or rejects (the matrix grants ``requirements.validate`` to the MOA alone).
        ExigenceTransition(
            "validate", REQUIREMENTS_VALIDATE, frozenset({_S.SOUMISE, _S.MODIFIEE}), _S.VALIDEE,
            gettext_lazy("Requirement validated."),
        ),
        ExigenceTransition(
            "reject", REQUIREMENTS_VALIDATE, frozenset({_S.SOUMISE, _S.MODIFIEE}), _S.REJETEE,
            gettext_lazy("Requirement rejected."), needs_comment=True,
        ),
    )
}  # fmt: skip


@transaction.atomic
def exigence_transition(
    *, actor: User, exigence: Exigence, action: str, expected_version: int | None, comment: str = ""
) -> Exigence:
    """Move a requirement along :data:`EXIGENCE_WORKFLOW` (the page, the API and the CLI share this table)."""
    transition = EXIGENCE_WORKFLOW.get(action)
    if transition is None:
        raise ValidationFailed({"action": [_("Unknown action.")]})
    require(actor, exigence.project, transition.permission)
    if transition.needs_comment and not (comment or "").strip():
        raise ValidationFailed({"comment": [_("Say why the requirement is rejected.")]})
    fresh = _transition(exigence, expected_version, set(transition.sources), transition.target, actor, comment)
    emit(
        EXIGENCE_STATUS_CHANGED, project=fresh.project, obj=fresh, actor=actor,
        data={"status": fresh.status, "title": fresh.title[:200], "owner_id": fresh.owner_id},
    )  # fmt: skip
    return fresh


def exigence_submit(*, actor: User, exigence: Exigence, expected_version: int | None, comment: str = "") -> Exigence:
    return exigence_transition(
        actor=actor, exigence=exigence, action="submit", expected_version=expected_version, comment=comment
    )


def exigence_validate(*, actor: User, exigence: Exigence, expected_version: int | None, comment: str = "") -> Exigence:
    return exigence_transition(
        actor=actor, exigence=exigence, action="validate", expected_version=expected_version, comment=comment
    )


def exigence_reject(*, actor: User, exigence: Exigence, expected_version: int | None, comment: str) -> Exigence:
    return exigence_transition(
        actor=actor, exigence=exigence, action="reject", expected_version=expected_version, comment=comment
    )


@transaction.atomic
def exigence_withdraw_by_change(*, actor: User, exigence: Exigence, comment: str) -> Exigence:
    """An accepted change request removes the exigence from the CDC: it is rejected (never deleted, so its history
    and the earlier baselines keep it), whatever its status, by the MOA who accepted the change.

    Outside the page's workflow on purpose: a validated exigence is only removed through a decided change.
    """
    require(actor, exigence.project, REQUIREMENTS_VALIDATE)
    if not (comment or "").strip():
        raise ValidationFailed({"comment": [_("Say why the requirement is rejected.")]})
    sources: set[str] = {_S.BROUILLON, _S.SOUMISE, _S.VALIDEE, _S.MODIFIEE}
    fresh = _transition(exigence, None, sources, _S.REJETEE, actor, comment)
    emit(
        EXIGENCE_STATUS_CHANGED, project=fresh.project, obj=fresh, actor=actor,
        data={"status": fresh.status, "title": fresh.title[:200], "owner_id": fresh.owner_id},
    )  # fmt: skip
    return fresh


# --- Specifications and components -------------------------------------------------------------------


def _item_create(model: type[Any], project: Project, fields: dict[str, Any], actor: User | None = None) -> Any:
    _check_member(project, fields.get("owner"), "owner")
    reference = fields.pop("reference", None)
    if reference:
        reference = _check_reference(project, model, reference)
        number = reference_number(reference)
        _note_reference(project, model, reference)
    else:
        ((reference, number),) = allocate_references(project, model)
    item = model(project=project, reference=reference, number=number, **fields)
    _full_clean(item, exclude=["project"])
    _save(item, actor)
    return item


def _item_update(item: Any, expected_version: int | None, changes: dict[str, Any], actor: User | None = None) -> Any:
    _check_member(item.project, changes.get("owner"), "owner")
    fresh = lock_for_update(item, expected_version)
    if "reference" in changes and changes["reference"] != fresh.reference:
        changes["reference"] = _check_reference(item.project, type(item), changes["reference"], exclude_pk=fresh.pk)
        fresh.number = reference_number(changes["reference"])
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh, exclude=["project"])
    _save(fresh, actor)
    return fresh


@transaction.atomic
def specification_create(*, actor: User, project: Project, **fields: Any) -> Specification:
    require(actor, project, SPECIFICATIONS_EDIT)
    _check_unknown(fields, SPECIFICATION_FIELDS)
    return _item_create(Specification, project, fields, actor)  # type: ignore[no-any-return]


@transaction.atomic
def specification_update(
    *, actor: User, specification: Specification, expected_version: int | None, **changes: Any
) -> Specification:
    require(actor, specification.project, SPECIFICATIONS_EDIT)
    _check_unknown(changes, SPECIFICATION_FIELDS)
    return _item_update(specification, expected_version, changes, actor)  # type: ignore[no-any-return]


@transaction.atomic
def specification_delete(*, actor: User, specification: Specification) -> None:
    require(actor, specification.project, SPECIFICATIONS_EDIT)
    specification.delete()


@transaction.atomic
def component_create(*, actor: User, project: Project, **fields: Any) -> Component:
    require(actor, project, ARCHITECTURE_EDIT)
    _check_unknown(fields, COMPONENT_FIELDS)
    return _item_create(Component, project, fields, actor)  # type: ignore[no-any-return]


@transaction.atomic
def component_update(*, actor: User, component: Component, expected_version: int | None, **changes: Any) -> Component:
    require(actor, component.project, ARCHITECTURE_EDIT)
    _check_unknown(changes, COMPONENT_FIELDS)
    return _item_update(component, expected_version, changes, actor)  # type: ignore[no-any-return]


@transaction.atomic
def component_delete(*, actor: User, component: Component) -> None:
    require(actor, component.project, ARCHITECTURE_EDIT)
    component.delete()


# --- Trace links -------------------------------------------------------------------------------------

Item = Exigence | Specification | Component
ITEM_LABELS = {
    "exigence": gettext_lazy("requirement"),
    "specification": gettext_lazy("specification"),
    "component": gettext_lazy("component"),
}


def item_type(item: Any) -> str:
    if isinstance(item, Exigence):
        return "exigence"
    if isinstance(item, Specification):
        return "specification"
    if isinstance(item, Component):
        return "component"
    raise TypeError(f"not a traceable item: {item!r}")


def _link_fields(kind: str, source: Item, target: Item) -> dict[str, Any]:
    if kind not in TRACE_TYPES:
        raise ValidationFailed({"kind": [_("Unknown link kind.")]})
    expected = TRACE_TYPES[kind]
    if (item_type(source), item_type(target)) != expected:
        raise ValidationFailed(
            {
                "target": [
                    _("This kind of link goes from a %(source)s to a %(target)s.")
                    % {"source": ITEM_LABELS[expected[0]], "target": ITEM_LABELS[expected[1]]}
                ]
            }
        )
    if source.pk == target.pk and type(source) is type(target):
        raise ValidationFailed({"target": [_("An item cannot be linked to itself.")]})
    return {f"src_{expected[0]}": source, f"dst_{expected[1]}": target}


@transaction.atomic
def trace_link_add(
    *, actor: User | None, project: Project, kind: str, source: Item, target: Item, comment: str = ""
) -> TraceLink:
    if actor is not None:
        require(actor, project, TRACE_EDIT)
    _check_same_project(project, source, "source")
    _check_same_project(project, target, "target")
    fields = _link_fields(kind, source, target)
    try:
        with transaction.atomic():
            link = TraceLink(project=project, kind=kind, comment=comment, created_by=actor, **fields)
            _save(link, actor)
            return link
    except IntegrityError:
        raise ValidationFailed({"target": [_("These two items are already linked this way.")]}) from None


@transaction.atomic
def trace_link_remove(*, actor: User, link: TraceLink) -> None:
    require(actor, link.project, TRACE_EDIT)
    link.delete()


@transaction.atomic
def trace_links_set(
    *, actor: User, project: Project, kind: str, source: Item, targets: Iterable[Item]
) -> list[TraceLink]:
    """Make ``source``'s links of ``kind`` exactly ``targets`` (adds the missing, removes the others)."""
    require(actor, project, TRACE_EDIT)
    _check_same_project(project, source, "source")
    wanted = list(targets)
    source_type, target_type = TRACE_TYPES.get(kind, ("", ""))
    if item_type(source) != source_type:
        raise ValidationFailed({"kind": [_("This kind of link does not start from this item.")]})
    existing = TraceLink.objects.filter(kind=kind, **{f"src_{source_type}": source})
    keep = {t.pk for t in wanted}
    existing.exclude(**{f"dst_{target_type}__in": keep}).delete()
    have = set(existing.values_list(f"dst_{target_type}", flat=True))
    links = []
    for target in wanted:
        if target.pk not in have:
            links.append(trace_link_add(actor=actor, project=project, kind=kind, source=source, target=target))
    return links


# --- CDC versions and baselines ---------------------------------------------------------------------


@transaction.atomic
def cdc_version_freeze(
    *,
    actor: User,
    project: Project,
    label: str,
    title: str = "",
    description: str = "",
    issued_on: date | None = None,
) -> CdcVersion:
    """Record every exigence of the project as it stands, under a new CDC version."""
    require(actor, project, REQUIREMENTS_BASELINE)
    label = (label or "").strip()
    if not label:
        raise ValidationFailed({"label": [_("Name the version, for example V1.0.")]})
    if CdcVersion.objects.filter(project=project, label=label).exists():
        raise ValidationFailed({"label": [_("This version already exists.")]})
    version = CdcVersion(
        project=project,
        label=label,
        title=title,
        description=description,
        issued_on=issued_on,
        frozen_at=timezone.now(),
        frozen_by=actor,
    )
    _full_clean(version, exclude=["project"])
    _save(version, actor)
    fields = ("pk", "reference", "number", "title", "text", "type", "priority", "source", "status", "version")
    entries = [
        BaselineEntry(
            cdc_version=version,
            exigence_id=row["pk"],
            reference=row["reference"],
            number=row["number"],
            title=row["title"],
            text=row["text"],
            type=row["type"],
            priority=row["priority"],
            source=row["source"],
            status=row["status"],
            exigence_version=row["version"],
        )
        for row in Exigence.objects.filter(project=project).values(*fields).iterator(chunk_size=2000)
    ]
    BaselineEntry.objects.bulk_create(entries, batch_size=1000)
    return version


# --- Deliverables and RACI ----------------------------------------------------------------------------


def deliverable_rule(project: Project, kind: str) -> tuple[list[str], list[str]]:
    """(author roles, validator roles) for ``kind`` on ``project``: the project's rule, else DOMAIN.md's."""
    rule = DeliverableRule.objects.filter(project=project, kind=kind).first()
    if rule is not None:
        return list(rule.author_roles), list(rule.validator_roles)
    authors, validators = DEFAULT_DELIVERABLE_RULES.get(kind, ((), ()))
    return [str(r) for r in authors], [str(r) for r in validators]


@transaction.atomic
def deliverable_rule_set(
    *, actor: User, project: Project, kind: str, author_roles: Sequence[str], validator_roles: Sequence[str]
) -> DeliverableRule:
    require(actor, project, REQUIREMENTS_CONFIGURE)
    from oeuvre.accounts.roles import Role

    if kind not in Deliverable.Kind.values:
        raise ValidationFailed({"kind": [_("Unknown deliverable kind.")]})
    for field, roles in (("author_roles", author_roles), ("validator_roles", validator_roles)):
        if any(r not in Role.values for r in roles):
            raise ValidationFailed({field: [_("Unknown role.")]})
    if not author_roles:
        raise ValidationFailed({"author_roles": [_("Name at least one author role.")]})
    rule, _created = DeliverableRule.objects.select_for_update().get_or_create(project=project, kind=kind)
    rule.author_roles = sorted(set(author_roles))
    rule.validator_roles = sorted(set(validator_roles))
    rule.version += 0 if _created else 1
    _save(rule, actor)
    return rule


@transaction.atomic
def deliverable_create(*, actor: User, project: Project, **fields: Any) -> Deliverable:
    require(actor, project, DELIVERABLES_EDIT)
    _check_unknown(fields, DELIVERABLE_FIELDS)
    _check_member(project, fields.get("author"), "author")
    _check_member(project, fields.get("validator"), "validator")
    deliverable = Deliverable(project=project, **fields)
    _full_clean(deliverable, exclude=["project"])
    _save(deliverable, actor)
    return deliverable


@transaction.atomic
def deliverable_update(
    *, actor: User, deliverable: Deliverable, expected_version: int | None, **changes: Any
) -> Deliverable:
    require(actor, deliverable.project, DELIVERABLES_EDIT)
    _check_unknown(changes, DELIVERABLE_FIELDS)
    _check_member(deliverable.project, changes.get("author"), "author")
    _check_member(deliverable.project, changes.get("validator"), "validator")
    fresh = lock_for_update(deliverable, expected_version)
    for name, value in changes.items():
        setattr(fresh, name, value)
    _full_clean(fresh, exclude=["project"])
    _save(fresh, actor)
    return fresh


@transaction.atomic
def deliverable_set_raci(
    *, actor: User, deliverable: Deliverable, assignments: Sequence[tuple[User, str]], expected_version: int | None
) -> Deliverable:
    """Replace the deliverable's RACI; it must have exactly one A (approbateur)."""
    require(actor, deliverable.project, DELIVERABLES_EDIT)
    letters = [letter for _user, letter in assignments]
    if any(letter not in RaciAssignment.Letter.values for letter in letters):
        raise ValidationFailed({"raci": [_("Use the letters R, A, C and I.")]})
    if letters.count("A") != 1:
        raise ValidationFailed(
            {"raci": [_("A RACI has exactly one A (approbateur); this one has %(n)d.") % {"n": letters.count("A")}]}
        )
    for user, _letter in assignments:
        _check_member(deliverable.project, user, "raci")
    fresh = lock_for_update(deliverable, expected_version)
    _save(fresh, actor)
    RaciAssignment.objects.filter(deliverable=fresh).delete()
    seen: set[tuple[int, str]] = set()
    for user, letter in assignments:
        if (user.pk, letter) not in seen:
            seen.add((user.pk, letter))
            _save(RaciAssignment(deliverable=fresh, user=user, letter=letter), actor)
    return fresh


def _role_on(actor: User, project: Project) -> str:
    membership = membership_of(actor, project)
    return membership.role if membership else ""


@transaction.atomic
def deliverable_submit(*, actor: User, deliverable: Deliverable, expected_version: int | None) -> Deliverable:
    require(actor, deliverable.project, DELIVERABLES_SUBMIT)
    authors, _validators = deliverable_rule(deliverable.project, deliverable.kind)
    if _role_on(actor, deliverable.project) not in authors:
        raise PermissionDenied(_("On this project, this deliverable is submitted by its author's role."))
    fresh = lock_for_update(deliverable, expected_version)
    if fresh.status not in {Deliverable.Status.BROUILLON, Deliverable.Status.REFUSE}:
        raise DomainError(_("Only a draft or refused deliverable can be submitted."))
    if fresh.raci.filter(letter="A").count() != 1:
        raise DomainError(_("Give the deliverable a RACI with exactly one A before submitting it."))
    fresh.status = Deliverable.Status.SOUMIS
    _save(fresh, actor)
    emit(
        DELIVERABLE_SUBMITTED, project=fresh.project, obj=fresh, actor=actor,
        data={"title": fresh.title[:200], "kind": fresh.kind, "validator_id": fresh.validator_id},
    )  # fmt: skip
    return fresh


@transaction.atomic
def deliverable_decide(
    *, actor: User, deliverable: Deliverable, accept: bool, comment: str = "", expected_version: int | None
) -> Deliverable:
    """Validate (``accept``) or refuse a submitted deliverable, as the role the project's rule names."""
    require(actor, deliverable.project, DELIVERABLES_DECIDE)
    _authors, validators = deliverable_rule(deliverable.project, deliverable.kind)
    if _role_on(actor, deliverable.project) not in validators:
        raise PermissionDenied(_("On this project, this deliverable is validated by another role."))
    if not accept and not comment.strip():
        raise ValidationFailed({"comment": [_("Say why the deliverable is refused.")]})
    fresh = lock_for_update(deliverable, expected_version)
    if fresh.status != Deliverable.Status.SOUMIS:
        raise DomainError(_("Only a submitted deliverable can be validated or refused."))
    fresh.status = Deliverable.Status.VALIDE if accept else Deliverable.Status.REFUSE
    fresh.status_comment = comment
    fresh.decided_by = actor
    fresh.decided_at = timezone.now()
    _save(fresh, actor)
    return fresh
