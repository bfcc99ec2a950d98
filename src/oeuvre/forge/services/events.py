"""Incoming forge deliveries: accept (fast, at the endpoint), process (in the job worker), replay, purge.

The endpoint only checks the proof of origin, refuses replays and stores the raw body; everything else —
reading the payload, recording commits, merge requests and pipelines, linking them to the chain, delivering
the fixes of anomalies — runs in the ``forge.process_event`` job, so the forge gets its answer in a few
milliseconds whatever the size of the push.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import can, require
from oeuvre.core.errors import DomainError
from oeuvre.core.events import declare_event, emit
from oeuvre.core.jobs import Progress, job_enqueue, job_handler
from oeuvre.core.models import Job
from oeuvre.forge import chain
from oeuvre.forge.models import (
    ChainLink,
    ChangeKind,
    ChangeState,
    CodeChange,
    EventStatus,
    FixPolicy,
    ForgeEvent,
    Repository,
)
from oeuvre.forge.permissions import FORGE_MANAGE
from oeuvre.forge.secrets import decrypt_secret
from oeuvre.interop import forge_hooks
from oeuvre.interop.errors import FileFormatError

__all__ = [
    "Received",
    "event_process",
    "event_receive",
    "event_replay",
    "event_replay_now",
    "events_purge",
    "max_payload",
]

logger = logging.getLogger(__name__)

PROCESS_JOB = "forge.process_event"
PURGE_JOB = "forge.purge_payloads"


def max_payload() -> int:
    return int(getattr(settings, "OEUVRE_FORGE_MAX_PAYLOAD", 2_000_000))


@dataclass(frozen=True)
class Received:
    """The endpoint's answer: an HTTP status, a sentence for the forge's delivery log, the event if stored."""

    status: int
    detail: str
    event_id: int | None = None


def _refuse(repository: Repository, reason: str) -> Received:
    # A counter, not a row per refusal: an attacker must not be able to fill the database.
    Repository.objects.filter(pk=repository.pk).update(
        rejected_count=F("rejected_count") + 1, last_rejected_at=timezone.now()
    )
    logger.warning("forge delivery refused for repository %s (%s): %s", repository.pk, repository.name, reason)
    return Received(401, reason)


def event_receive(*, token: str, headers: dict[str, str], body: bytes, process_now: bool = False) -> Received:
    """Check and store one delivery posted to a repository's webhook address; queue its processing.

    ``process_now`` processes it in this process instead of queuing a job (the demo generator).
    """
    repository = Repository.objects.filter(hook_token=token).select_related("project").first()
    if repository is None:
        return Received(404, "unknown webhook address")
    if len(body) > max_payload():
        return Received(413, f"payload larger than {max_payload()} bytes")
    if not forge_hooks.verify(repository.kind, decrypt_secret(repository.secret_encrypted), headers, body):
        return _refuse(repository, "missing or wrong secret/signature")
    name = forge_hooks.event_name(repository.kind, headers)
    if name.lower() == "ping":
        return Received(200, "pong")
    delivery = forge_hooks.delivery_id(repository.kind, headers)
    digest = hashlib.sha256(body).hexdigest()
    seen = ForgeEvent.objects.filter(repository=repository).filter(
        Q(body_sha256=digest) | (Q(delivery_id=delivery) if delivery else Q(pk__in=[]))
    )
    found = seen.values_list("pk", flat=True).first()
    if found is not None:
        return Received(409, "already received (replay refused)", found)
    try:
        with transaction.atomic():
            event = ForgeEvent.objects.create(
                repository=repository,
                project=repository.project,
                delivery_id=delivery,
                body_sha256=digest,
                event_name=name[:100],
                body=body,
                received_at=timezone.now(),
            )
            if not process_now:
                job_enqueue(kind=PROCESS_JOB, params={"event": event.pk}, project=repository.project)
    except IntegrityError:  # the same delivery posted twice at the same moment: the other one won
        return Received(409, "already received (replay refused)")
    if process_now:
        event_process(event.pk)
    return Received(202, "accepted", event.pk)


def _when(text: str, default: datetime) -> datetime:
    parsed = parse_datetime(text.replace(" UTC", "+00:00").replace(" ", "T", 1)) if text else None
    if parsed is None:
        return default
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.get_current_timezone())


def _record_changes(event: ForgeEvent, delivery: forge_hooks.ForgeDelivery) -> list[tuple[CodeChange, Any, bool]]:
    """Create or update one ``CodeChange`` per change, in a constant number of queries; the flag says whether
    the change's state is new (a merge request just merged, a pipeline just failed)."""
    repository = event.repository
    keys = {(c.kind, c.key) for c in delivery.changes}
    existing = {
        (c.kind, c.key): c
        for c in CodeChange.objects.filter(repository=repository, key__in={k for _kind, k in keys})
        if (c.kind, c.key) in keys
    }
    previous = {key: row.state for key, row in existing.items()}
    fresh: dict[tuple[str, str], CodeChange] = {}
    updated: list[CodeChange] = []
    pairs: list[tuple[tuple[str, str], Any]] = []
    for data in delivery.changes:
        key = (data.kind, data.key)
        pairs.append((key, data))
        when = _when(data.occurred_at, event.received_at)
        values = {
            "title": data.title[:300],
            "url": data.url[:500],
            "state": data.state if data.state in ChangeState.values else "",
            "branch": data.branch[:255],
            "sha": data.sha[:64],
            "author": data.author[:200],
            "occurred_at": when,
            "event": event,
        }
        row = existing.get(key) or fresh.get(key)
        if row is None:
            fresh[key] = CodeChange(
                repository=repository, project=event.project, kind=data.kind, key=data.key, **values
            )
        elif row.pk is None or when >= row.occurred_at:  # an older delivery arriving late does not undo a newer one
            for name, value in values.items():
                setattr(row, name, value)
            if row.pk is not None:
                updated.append(row)
    CodeChange.objects.bulk_create(fresh.values())
    if updated:
        CodeChange.objects.bulk_update(
            updated, ["title", "url", "state", "branch", "sha", "author", "occurred_at", "event"]
        )
    rows = {**existing, **fresh}
    return [(rows[key], data, previous.get(key) != rows[key].state) for key, data in pairs]


def _link(
    event: ForgeEvent, changes: list[tuple[CodeChange, Any, bool]]
) -> tuple[int, list[tuple[CodeChange, chain.Target, bool]]]:
    references = {ref.text for _row, data, _new in changes for ref in data.references}
    targets = chain.resolve(event.project, references)
    links: list[ChainLink] = []
    found: list[tuple[CodeChange, chain.Target, bool]] = []
    for row, data, _new in changes:
        for ref in data.references:
            target = targets.get(ref.text)
            if target is None:
                continue
            found.append((row, target, ref.fixes))
            links.append(
                ChainLink(
                    project=event.project,
                    change=row,
                    reference=target.reference,
                    target_type=target.target_type,
                    target_id=target.target_id,
                    fixes=ref.fixes,
                )
            )
    ChainLink.objects.bulk_create(links, ignore_conflicts=True)
    return len(links), found


def _deliver_fixes(event: ForgeEvent, found: list[tuple[CodeChange, chain.Target, bool]]) -> list[str]:
    """Move to “livrée” the anomalies that a merged request fixes, as the repository's policy says."""
    repository = event.repository
    if repository.fix_policy == FixPolicy.NEVER:
        return []
    wanted: dict[int, CodeChange] = {}
    for row, target, fixes in found:
        if row.kind != ChangeKind.MERGE_REQUEST or row.state != ChangeState.MERGED:
            continue
        if target.target_type != "recette.anomaly":
            continue
        if repository.fix_policy == FixPolicy.KEYWORD and not fixes:
            continue
        wanted.setdefault(target.target_id, row)
    if not wanted:
        return []
    from oeuvre.recette.models import AnomalyStatus
    from oeuvre.recette.permissions import ANOMALY_FIX
    from oeuvre.recette.selectors.anomalies import anomalies_for
    from oeuvre.recette.services.anomalies import anomaly_transition

    actor = repository.acting_user
    notes: list[str] = []
    if actor is None or not actor.is_active or not can(actor, event.project, ANOMALY_FIX):
        return [_("fixes not delivered: the repository acts for nobody allowed to deliver fixes")]
    for anomaly in anomalies_for(event.project).filter(pk__in=list(wanted)):
        row = wanted[anomaly.pk]
        reason = _("Merged: %(title)s (!%(iid)s)") % {"title": row.title, "iid": row.key}
        extra = {"release_fixed": repository.fix_release} if repository.fix_release else {}
        try:
            if anomaly.status == AnomalyStatus.QUALIFIEE:
                anomaly = anomaly_transition(
                    actor=actor, anomaly=anomaly, action="start_fix", expected_version=None, reason=reason
                )
            if anomaly.status == AnomalyStatus.EN_CORRECTION:
                anomaly_transition(
                    actor=actor, anomaly=anomaly, action="deliver", expected_version=None, reason=reason, **extra
                )
                notes.append(_("%(ref)s delivered") % {"ref": anomaly.reference})
        except DomainError as exc:
            notes.append(f"{anomaly.reference}: {exc}")
    return notes


MR_MERGED = declare_event("forge.merge_request_merged", gettext_lazy("Merge request merged"))
PIPELINE_FAILED = declare_event("forge.pipeline_failed", gettext_lazy("Pipeline failed"))


def _announce(
    event: ForgeEvent, rows: list[tuple[CodeChange, Any, bool]], found: list[tuple[CodeChange, chain.Target, bool]]
) -> None:
    """Emit the kernel's events for what just happened (outgoing webhooks, notifications listen to them)."""
    references: dict[int, list[str]] = {}
    for row, target, _fixes in found:
        references.setdefault(row.pk, []).append(target.reference)
    for row, _data, new_state in rows:
        name = {ChangeState.MERGED: MR_MERGED, ChangeState.FAILED: PIPELINE_FAILED}.get(ChangeState(row.state or ""))
        if not new_state or name is None:
            continue
        emit(
            name,
            project=event.project,
            obj=row,
            reference=f"!{row.key}" if row.kind == ChangeKind.MERGE_REQUEST else f"#{row.key}",
            data={
                "repository": event.repository.name,
                "kind": row.kind,
                "key": row.key,
                "title": row.title,
                "url": row.url,
                "branch": row.branch,
                "sha": row.sha,
                "state": row.state,
                "references": sorted(set(references.get(row.pk, []))),
            },
        )


def event_process(event_id: int) -> ForgeEvent:
    """Read a stored delivery and apply it; the event's status and summary say what happened."""
    with transaction.atomic():
        event = ForgeEvent.objects.select_related("repository__project", "repository__acting_user").get(pk=event_id)
        if event.purged:
            raise DomainError(_("The payload of this delivery has been removed after its retention period."))
        try:
            delivery = forge_hooks.parse(event.repository.kind, event.event_name, bytes(event.body))
        except FileFormatError as exc:
            event.status, event.error, event.summary = EventStatus.FAILED, str(exc), ""
        else:
            event.event_type = delivery.event
            if not delivery.changes:
                event.status = EventStatus.IGNORED
                event.summary = _("nothing Œuvre reads in this event")
            else:
                with transaction.atomic():  # a savepoint: a failure leaves the event marked failed, not half-applied
                    rows = _record_changes(event, delivery)
                    count, found = _link(event, rows)
                    notes = _deliver_fixes(event, found)
                    _announce(event, rows, found)
                event.status = EventStatus.PROCESSED
                event.error = ""
                parts = [
                    ngettext("%(count)d change", "%(count)d changes", len(rows)) % {"count": len(rows)},
                    ngettext("%(count)d link", "%(count)d links", count) % {"count": count},
                    *notes,
                ]
                event.summary = "; ".join(parts)[:300]
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "error", "summary", "event_type", "processed_at"])
    return event


@job_handler(PROCESS_JOB)
def _process_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress.start(1, _("Reading the delivery"))
    event = event_process(int(job.params["event"]))
    progress.advance(1, event.summary)
    return {"event": event.pk, "status": event.status, "summary": event.summary}


def event_replay(*, actor: User, event: ForgeEvent) -> Job:
    """Process a stored delivery again (after a fix, or once the items it names exist); returns the job."""
    require(actor, event.project, FORGE_MANAGE)
    if event.purged:
        raise DomainError(_("The payload of this delivery has been removed after its retention period."))
    with transaction.atomic():
        ForgeEvent.objects.filter(pk=event.pk).update(status=EventStatus.QUEUED)
        return job_enqueue(kind=PROCESS_JOB, params={"event": event.pk}, actor=actor, project=event.project)


def event_replay_now(*, actor: User, event: ForgeEvent) -> ForgeEvent:
    """Process a stored delivery again in this process (the command line), not through the worker."""
    require(actor, event.project, FORGE_MANAGE)
    return event_process(event.pk)


def events_purge(now: datetime | None = None) -> int:
    """Empty the raw payloads older than their repository's retention; returns how many were removed."""
    moment = now or timezone.now()
    removed = 0
    for repository in Repository.objects.filter(retention_days__gt=0).only("pk", "retention_days"):
        limit = moment - timedelta(days=repository.retention_days)
        removed += ForgeEvent.objects.filter(repository=repository, purged=False, received_at__lt=limit).update(
            body=b"", purged=True
        )
    return removed


@job_handler(PURGE_JOB)
def _purge_job(job: Job, progress: Progress) -> dict[str, Any]:
    progress.start(1, _("Removing old payloads"))
    removed = events_purge()
    progress.advance(1)
    return {"removed": removed}
