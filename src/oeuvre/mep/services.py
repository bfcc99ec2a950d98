"""Every write of the deployment stage: environments, deployed versions, releases, readiness, the go/no-go.

Keyword-only functions, one transaction each, permission first, history recorded. The go/no-go decision is
signed after re-authentication (the same check as the PV signature) and appended to the project's hash chain.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.errors import DomainError, ValidationFailed
from oeuvre.core.events import declare_event, emit
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.engine.gonogo import CRITERIA
from oeuvre.mep import selectors
from oeuvre.mep.models import (
    Deployment,
    Environment,
    GoNoGoDecision,
    GoNoGoSettings,
    GoNoGoVerdict,
    ReadinessCheck,
    ReadinessItem,
    Release,
    ReleaseStatus,
    RollbackPlan,
)
from oeuvre.mep.permissions import GONOGO_DECIDE, MEP_ATTEST, MEP_CONFIGURE, MEP_MANAGE
from oeuvre.projects.models import Project
from oeuvre.recette.services import ledger
from oeuvre.recette.services.pv import reauthenticate
from oeuvre.requirements.models import Component

__all__ = [
    "RELEASE_FIELDS",
    "deployment_set",
    "environment_create",
    "gonogo_decide",
    "gonogo_settings_update",
    "readiness_attest",
    "release_create",
    "release_update",
]

RELEASE_FIELDS = ("number", "title", "status", "planned_date", "actual_date", "description")


@transaction.atomic
def environment_create(
    *, actor: User, project: Project, kind: str, name: str, url: str = "", description: str = ""
) -> Environment:
    require(actor, project, MEP_MANAGE)
    env = Environment(project=project, kind=kind, name=name.strip(), url=url.strip(), description=description)
    full_clean(env, exclude=["project"])
    if Environment.objects.filter(project=project, name=env.name).exists():
        raise ValidationFailed({"name": [_("An environment of this project already has this name.")]})
    save_with_history(env, actor=actor)
    return env


@transaction.atomic
def deployment_set(
    *, actor: User, environment: Environment, component: Component, version_label: str, deployed_on: date | None = None
) -> Deployment:
    """Record that ``component`` runs at ``version_label`` in ``environment`` (replaces the previous version)."""
    project = environment.project
    require(actor, project, MEP_MANAGE)
    if component.project_id != project.pk:
        raise ValidationFailed({"component": [_("This component belongs to another project.")]})
    found = Deployment.objects.select_for_update().filter(environment=environment, component=component).first()
    if found is None:
        dep = Deployment(
            environment=environment, component=component, version_label=version_label.strip(), deployed_on=deployed_on
        )
        full_clean(dep)
        save_with_history(dep, actor=actor)
        return dep
    dep, _changed = model_update(
        instance=found,
        fields=("version_label", "deployed_on"),
        data={"version_label": version_label.strip(), "deployed_on": deployed_on},
        actor=actor,
    )
    return dep


@transaction.atomic
def release_create(*, actor: User, project: Project, **data: Any) -> Release:
    require(actor, project, MEP_MANAGE)
    unknown = set(data) - set(RELEASE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    release = Release(project=project, **data)
    release.number = release.number.strip()
    full_clean(release, exclude=["project"])
    _check_release(release)
    save_with_history(release, actor=actor)
    return release


def _check_release(release: Release) -> None:
    if Release.objects.filter(project=release.project, number=release.number).exclude(pk=release.pk).exists():
        raise ValidationFailed({"number": [_("This project already has a release with this number.")]})
    if release.status == ReleaseStatus.EN_PRODUCTION and release.actual_date is None:
        raise ValidationFailed({"actual_date": [_("A release in production needs its actual go-live date.")]})


@transaction.atomic
def release_update(*, actor: User, release: Release, expected_version: int | None, **data: Any) -> Release:
    require(actor, release.project, MEP_MANAGE)
    if "number" in data:
        data["number"] = str(data["number"]).strip()
    updated, _changed = model_update(
        instance=release, fields=RELEASE_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    try:
        _check_release(updated)
    except ValidationFailed:
        transaction.set_rollback(True)
        raise
    return updated


@transaction.atomic
def readiness_attest(*, actor: User, release: Release, item: str, done: bool, evidence: str) -> ReadinessCheck:
    """Attest (or withdraw) one readiness criterion of ``release``; attesting needs the evidence it rests on."""
    require(actor, release.project, MEP_ATTEST)
    if item not in ReadinessItem.values:
        raise ValidationFailed({"item": [_("Unknown readiness criterion.")]})
    evidence = evidence.strip()
    if done and not evidence:
        raise ValidationFailed({"evidence": [_("Say what shows it is done (a document, a test, a meeting).")]})
    if done and item == ReadinessItem.ROLLBACK_PLAN:
        plan = RollbackPlan.objects.filter(release=release).first()
        if plan is None:
            raise ValidationFailed(
                {"item": [_("Write the rollback plan of this release first: the criterion rests on it.")]}
            )
        if plan.approved_at is None or plan.tested_on is None:
            raise ValidationFailed(
                {"item": [_("The rollback plan must be tested and approved by the buyer (MOA) first.")]}
            )
    check, _created = ReadinessCheck.objects.select_for_update().get_or_create(release=release, item=item)
    check.done = done
    check.evidence = evidence
    check.attested_by = actor
    check.attested_at = timezone.now()
    if not _created:
        check.version += 1
    save_with_history(check, actor=actor)
    attested = set(ReadinessCheck.objects.filter(release=release, done=True).values_list("item", flat=True))
    if done and attested >= set(ReadinessItem.values):
        # The last criterion attested: the buyer's go/no-go (a signed decision) is what waits now.
        emit(RELEASE_READY, project=release.project, obj=release, actor=actor, reference=release.number,
             data={"number": release.number})  # fmt: skip
    return check


RELEASE_READY = declare_event("release.ready_for_gonogo", gettext_lazy("Release ready for its go/no-go"))


@transaction.atomic
def gonogo_settings_update(
    *, actor: User, project: Project, expected_version: int | None, **data: Any
) -> GoNoGoSettings:
    require(actor, project, MEP_CONFIGURE)
    ignored = data.get("ignored_criteria")
    if ignored is not None:
        unknown = sorted(set(ignored) - set(CRITERIA))
        if unknown:
            raise ValidationFailed(
                {"ignored_criteria": [_("Unknown criteria: %(codes)s") % {"codes": ", ".join(unknown)}]}
            )
        data["ignored_criteria"] = sorted(set(ignored))
    cfg, _created = GoNoGoSettings.objects.get_or_create(project=project)
    updated, _changed = model_update(
        instance=cfg,
        fields=("max_open_bloquantes", "max_open_majeures", "ignored_criteria"),
        data=data,
        actor=actor,
        expected_version=None if _created else expected_version,
    )
    return updated


@transaction.atomic
def gonogo_decide(
    *, actor: User, release: Release, decision: str, reason: str, password: str, otp: str = ""
) -> GoNoGoDecision:
    """The MOA decides go or no-go on the computed proposal, signs it and chains it.

    Departing from the proposal needs a written reason. The criteria are stored as they were computed at this
    moment, so the decision keeps the evidence it was taken on.
    """
    project = release.project
    require(actor, project, GONOGO_DECIDE)
    if decision not in GoNoGoVerdict.values:
        raise ValidationFailed({"decision": [_("Choose go or no go.")]})
    reason = reason.strip()
    view = selectors.gonogo_for(release)
    if decision != view.proposal and not reason:
        raise ValidationFailed(
            {"reason": [_("The decision departs from the proposal: write the reason (it is kept with the decision).")]}
        )
    if release.status in (ReleaseStatus.EN_PRODUCTION, ReleaseStatus.ABANDONNEE):
        raise DomainError(_("Release %(number)s is no longer awaiting a go/no-go.") % {"number": release.number})
    reauthenticated_at = reauthenticate(actor, password, otp)
    now = timezone.now()
    row = GoNoGoDecision(
        release=release,
        project=project,
        proposal=view.proposal,
        decision=decision,
        reason=reason,
        criteria=[{"code": c.code, "met": c.met, "applies": c.applies, "evidence": c.evidence} for c in view.criteria],
        decided_by=actor,
        decided_by_name=str(actor),
        decided_at=now,
        reauthenticated_at=reauthenticated_at,
    )
    entry = ledger.ledger_append(
        project=project,
        kind="mep.gonogo",
        subject_type="mep.release",
        subject_id=release.pk,
        payload=selectors.decision_snapshot(row),
        actor=actor,
    )
    row.ledger_entry = entry
    try:
        save_with_history(row, actor=actor)
    except IntegrityError:  # pragma: no cover — a concurrent append took the same chain entry
        raise DomainError(_("Another signature was recorded at the same moment: try again.")) from None
    if decision == GoNoGoVerdict.GO and release.status in (ReleaseStatus.PLANIFIEE, ReleaseStatus.EN_RECETTE):
        model_update(
            instance=release,
            fields=("status",),
            data={"status": ReleaseStatus.PRETE},
            actor=actor,
            reason=_("Go decided"),
        )
    return row
