"""Every write of the design stage: interfaces and criteria of the DAT (one transaction each, history kept)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.references import allocate_references, reference_number
from oeuvre.core.services import check_fields, delete_with_history, full_clean, model_update, save_with_history
from oeuvre.design.models import Criterion, Interface
from oeuvre.design.permissions import DESIGN_EDIT
from oeuvre.engine import criteria as engine
from oeuvre.engine.errors import InputError
from oeuvre.interop.perfsec import Metric
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Component, Exigence, Specification

__all__ = [
    "criterion_create",
    "criterion_delete",
    "criterion_engine",
    "criterion_update",
    "interface_create",
    "interface_delete",
    "interface_update",
]

INTERFACE_FIELDS = frozenset({
    "name", "description", "source", "target", "partner", "protocol", "data_format", "direction", "volume",
    "frequency", "authentication", "encryption", "owner", "status",
})  # fmt: skip
CRITERION_FIELDS = frozenset({"title", "component", "interface", "metric", "operator", "threshold", "unit", "label"})
PREFIXES = {Interface: "IF", Criterion: "CRT"}


def _reference(project: Project, model: type[Interface] | type[Criterion]) -> tuple[str, int]:
    (reference,) = allocate_references(
        project=project, key=f"design.{model.__name__.lower()}", prefix=PREFIXES[model], digits=3,
        taken=model.objects.filter(project=project),
    )  # fmt: skip
    return reference, reference_number(reference)


def _check_interface(project: Project, interface: Interface) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("source", "target"):
        component = getattr(interface, name)
        if component is not None and component.project_id != project.pk:
            errors[name] = [_("This component belongs to another project.")]
    if interface.target_id is None and not interface.partner.strip():
        errors["target"] = [_("Choose a target component or name the partner system.")]
    if interface.target_id is not None and interface.target_id == interface.source_id:
        errors["target"] = [_("An interface links two different components.")]
    if interface.owner is not None and not project.memberships.filter(user=interface.owner).exists():
        errors["owner"] = [_("This person is not a member of the project.")]
    if errors:
        raise ValidationFailed(errors)


def _set_links(item: Interface | Criterion, exigences: Iterable[Exigence] | None,
               specifications: Iterable[Specification] | None = None) -> None:  # fmt: skip
    if exigences is not None:
        exigences = list(exigences)
        if any(e.project_id != item.project_id for e in exigences):
            raise ValidationFailed({"exigences": [_("A requirement belongs to another project.")]})
        item.exigences.set(exigences)
    if specifications is not None and isinstance(item, Interface):
        specifications = list(specifications)
        if any(s.project_id != item.project_id for s in specifications):
            raise ValidationFailed({"specifications": [_("A specification belongs to another project.")]})
        item.specifications.set(specifications)


@transaction.atomic
def interface_create(
    *, actor: User, project: Project, exigences: Iterable[Exigence] | None = None,
    specifications: Iterable[Specification] | None = None, **fields: Any,
) -> Interface:  # fmt: skip
    """A new interface ``IF-NNN`` between ``source`` and ``target`` (or the ``partner`` system)."""
    require(actor, project, DESIGN_EDIT)
    check_fields(fields, INTERFACE_FIELDS)
    reference, number = _reference(project, Interface)
    interface = Interface(project=project, reference=reference, number=number, **fields)
    full_clean(interface, exclude=["project", "source"] if fields.get("source") is None else ["project"])
    if interface.source_id is None:
        raise ValidationFailed({"source": [_("Choose the source component.")]})
    _check_interface(project, interface)
    save_with_history(interface, actor=actor)
    _set_links(interface, exigences, specifications)
    return interface


@transaction.atomic
def interface_update(
    *, actor: User, interface: Interface, expected_version: int | None,
    exigences: Iterable[Exigence] | None = None, specifications: Iterable[Specification] | None = None,
    **changes: Any,
) -> Interface:  # fmt: skip
    require(actor, interface.project, DESIGN_EDIT)
    check_fields(changes, INTERFACE_FIELDS)
    probe = Interface(**{f.attname: getattr(interface, f.attname) for f in Interface._meta.concrete_fields})
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_interface(interface.project, probe)
    fresh, _changed = model_update(
        instance=interface, fields=INTERFACE_FIELDS, data=changes, actor=actor, expected_version=expected_version
    )
    _set_links(fresh, exigences, specifications)
    return fresh


@transaction.atomic
def interface_delete(*, actor: User, interface: Interface) -> None:
    require(actor, interface.project, DESIGN_EDIT)
    delete_with_history(interface, actor=actor)


def criterion_engine(criterion: Criterion) -> engine.Criterion:
    """The engine's view of a stored criterion (raises ``InputError`` when it is not consistent)."""
    try:
        metric = Metric(criterion.metric)
    except ValueError:
        raise InputError(f"unknown metric {criterion.metric!r}", field="metric") from None
    threshold: float | str = criterion.threshold
    if criterion.unit != "version":
        threshold = criterion.threshold.replace(",", ".").replace(" ", "").replace("\u202f", "")
    return engine.Criterion(metric, criterion.operator, threshold, criterion.unit)


def _check_criterion(project: Project, criterion: Criterion) -> None:
    errors: dict[str, list[str]] = {}
    if (criterion.component_id is None) == (criterion.interface_id is None):
        errors["component"] = [_("A criterion applies to one component or one interface.")]
    subject = criterion.component if criterion.component_id else criterion.interface
    if subject is not None and subject.project_id != project.pk:
        errors["component" if criterion.component_id else "interface"] = [_("It belongs to another project.")]
    if not (criterion.label or "").strip():
        errors["label"] = [_("Name the transaction, or * for the whole run.")]
    try:
        checked = criterion_engine(criterion)
    except InputError as exc:
        field = exc.field if exc.field in {"metric", "operator", "unit"} else "threshold"
        allowed = ""
        if field == "unit" and criterion.metric in Metric:
            allowed = ", ".join(engine.units_for(Metric(criterion.metric)))
        message = {
            "metric": _("Choose a metric."),
            "operator": _("Choose an operator."),
            "unit": _("Choose a unit of this metric: %(units)s.") % {"units": allowed},
        }.get(field, _("Give a number, or a version such as 1.2 for a version metric."))
        errors[field] = [message]
    else:
        if checked.unit != "version":
            criterion.threshold = f"{float(checked.threshold):g}"
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def criterion_create(
    *, actor: User, project: Project, exigences: Iterable[Exigence] | None = None, **fields: Any
) -> Criterion:
    """A new criterion ``CRT-NNN`` on a component or an interface, linked to the exigences it comes from."""
    require(actor, project, DESIGN_EDIT)
    check_fields(fields, CRITERION_FIELDS)
    fields.setdefault("label", "*")
    reference, number = _reference(project, Criterion)
    criterion = Criterion(project=project, reference=reference, number=number, **fields)
    _check_criterion(project, criterion)
    full_clean(criterion, exclude=["project"])
    save_with_history(criterion, actor=actor)
    _set_links(criterion, exigences)
    return criterion


@transaction.atomic
def criterion_update(
    *, actor: User, criterion: Criterion, expected_version: int | None,
    exigences: Iterable[Exigence] | None = None, **changes: Any,
) -> Criterion:  # fmt: skip
    require(actor, criterion.project, DESIGN_EDIT)
    check_fields(changes, CRITERION_FIELDS)
    probe = Criterion(**{f.attname: getattr(criterion, f.attname) for f in Criterion._meta.concrete_fields})
    for name, value in changes.items():
        setattr(probe, name, value)
    _check_criterion(criterion.project, probe)
    if "threshold" in changes:
        changes["threshold"] = probe.threshold
    fresh, _changed = model_update(
        instance=criterion, fields=CRITERION_FIELDS, data=changes, actor=actor, expected_version=expected_version
    )
    _set_links(fresh, exigences)
    return fresh


@transaction.atomic
def criterion_delete(*, actor: User, criterion: Criterion) -> None:
    require(actor, criterion.project, DESIGN_EDIT)
    delete_with_history(criterion, actor=actor)


def component_of(project: Project, reference: str) -> Component | None:
    return Component.objects.filter(project=project, reference=reference).first()
