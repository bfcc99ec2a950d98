"""Notifications: who is told what, created by the job worker from the domain events, and e-mailed.

A stage says who cares about one of its events with :func:`register_recipients` (from its ``AppConfig.ready()``):
a resolver returns the people (and why: assigned, validation, signature…), a title function says it in the
current language and a URL function where it lives. The request that emitted the event only queues a job
(:func:`on_event`); the worker resolves the recipients, writes one notification per recipient in the
recipient's language (a unique key per event and recipient makes a job run twice harmless) and e-mails the
people who chose immediate e-mails. Deadlines (the CCAG-TIC timers) come from :func:`register_deadlines`
sources, read by a daily periodic job; the daily digest is another periodic job and ``oeuvre notify digest``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oeuvre.accounts.models import User
from oeuvre.core.events import Event
from oeuvre.core.jobs import Progress, job_enqueue, job_handler
from oeuvre.core.models import Job
from oeuvre.projects.models import Membership
from oeuvre.web.models import EmailMode, Notification, NotificationKind, NotificationPreference

__all__ = [
    "DEADLINES_JOB",
    "DIGEST_JOB",
    "NOTIFY_JOB",
    "Deadline",
    "Recipient",
    "deadlines_notify",
    "digest_send",
    "members_with",
    "notification_email",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify_event",
    "on_event",
    "paused",
    "preference_of",
    "preference_update",
    "register_deadlines",
    "register_recipients",
    "unread_count",
]

logger = logging.getLogger(__name__)

NOTIFY_JOB = "web.notify_event"
DEADLINES_JOB = "web.notify_deadlines"
DIGEST_JOB = "web.notify_digest"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    kind: str  # a NotificationKind value


@dataclass(frozen=True)
class _Spec:
    resolver: Callable[[Event], Iterable[Recipient]]
    title: Callable[[Event], str]
    url: Callable[[Event], str]


_SPECS: dict[str, list[_Spec]] = {}


def register_recipients(
    event_name: str,
    resolver: Callable[[Event], Iterable[Recipient]],
    *,
    title: Callable[[Event], str],
    url: Callable[[Event], str],
) -> None:
    """Tell ``resolver(event)``'s people about ``event_name``; ``title`` is called in each recipient's language."""
    _SPECS.setdefault(event_name, []).append(_Spec(resolver, title, url))


@dataclass(frozen=True)
class Deadline:
    """A date someone must not miss, found by a deadline source; ``key`` names the deadline (not the day seen)."""

    user_id: int
    key: str
    project_id: int
    title: Callable[[], str]  # called in the recipient's language
    url: str
    reference: str = ""
    object_type: str = ""
    object_id: str = ""


_DEADLINE_SOURCES: list[Callable[[date], Iterable[Deadline]]] = []


def register_deadlines(source: Callable[[date], Iterable[Deadline]]) -> None:
    """``source(today)`` returns the deadlines to announce today (each is notified once per key and person)."""
    if source not in _DEADLINE_SOURCES:
        _DEADLINE_SOURCES.append(source)


def members_with(project_id: int, permission: str) -> list[int]:
    """The members of a project whose role grants ``permission`` (to tell who validates, who signs…)."""
    from django.db.models import Q

    from oeuvre.accounts.permissions import MATRIX
    from oeuvre.accounts.roles import ADMIN

    granted = MATRIX[permission]
    condition = Q(role__in=granted.roles)
    if ADMIN in granted.roles:
        condition |= Q(is_admin=True)
    return list(
        Membership.objects.filter(condition, project_id=project_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


# --- From the event to the job ---------------------------------------------------------------------------------


def _event_params(event: Event) -> dict[str, Any]:
    params = asdict(event)
    params["when"] = event.when.isoformat()
    return params


def _event_from(params: dict[str, Any]) -> Event:
    values = dict(params)
    values["when"] = datetime.fromisoformat(values["when"])
    return Event(**values)


_STATE = threading.local()


@contextmanager
def paused() -> Iterator[None]:
    """Events delivered meanwhile are not turned into notifications (the demo's generated history: thousands of
    past events would only flood the worker)."""
    previous = getattr(_STATE, "paused", False)
    _STATE.paused = True
    try:
        yield
    finally:
        _STATE.paused = previous


def on_event(event: Event) -> None:
    """The listener: queue the work for the worker (nothing is resolved nor sent in the request)."""
    if event.name in _SPECS and not getattr(_STATE, "paused", False):
        job_enqueue(kind=NOTIFY_JOB, params=_event_params(event))


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _members(user_ids: Iterable[int], project_id: int) -> QuerySet[User]:
    # Someone who left the project (or was deactivated) is not told about it any more.
    return User.objects.filter(
        pk__in=Membership.objects.filter(project_id=project_id, user_id__in=set(user_ids)).values("user_id"),
        is_active=True,
    )


def notify_event(event: Event) -> list[Notification]:
    """Write the notifications of ``event`` (once per recipient however often it runs) and send immediate e-mails."""
    key = f"{event.name}:{event.object_type}:{event.object_id}:{event.when.isoformat()}"[:200]
    rows: list[Notification] = []
    for spec in _SPECS.get(event.name, []):
        kinds: dict[int, str] = {}
        for recipient in spec.resolver(event):
            if recipient.user_id and recipient.user_id != event.actor_id:
                kinds.setdefault(recipient.user_id, recipient.kind)
        if not kinds:
            continue
        titles: dict[str, str] = {}
        url = spec.url(event)
        for user in _members(kinds, event.project_id):
            language = _language(user)
            if language not in titles:
                with translation.override(language):
                    titles[language] = str(spec.title(event))[:300]
            rows.append(
                Notification(
                    recipient=user, kind=kinds[user.pk], event=event.name, key=key, project_id=event.project_id,
                    object_type=event.object_type, object_id=event.object_id, reference=event.reference[:60],
                    title=titles[language], url=url[:500],
                )
            )  # fmt: skip
    return _create(rows)


def _create(rows: Sequence[Notification]) -> list[Notification]:
    """Insert, skipping what exists already (same recipient and key), and e-mail the fresh ones right away when
    their recipient asked for it."""
    if not rows:
        return []
    existing = set(
        Notification.objects.filter(key__in={r.key for r in rows}, recipient__in={r.recipient_id for r in rows})
        .values_list("recipient_id", "key")
    )  # fmt: skip
    fresh = [r for r in rows if (r.recipient_id, r.key) not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = list(
        Notification.objects.filter(
            key__in={r.key for r in fresh}, recipient__in={r.recipient_id for r in fresh}, emailed_at=None
        ).select_related("recipient", "project")
    )
    _send_immediate(created)
    return created


def _send_immediate(notifications: Sequence[Notification]) -> int:
    by_user: dict[int, list[Notification]] = {}
    for notification in notifications:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=by_user)}
    sent: list[int] = []
    messages = []
    for user_id, items in by_user.items():
        pref = prefs.get(user_id)
        if pref is None or pref.email_mode != EmailMode.IMMEDIATE:
            continue
        wanted = [n for n in items if n.kind not in pref.muted_kinds]
        if not wanted or not items[0].recipient.email:
            continue
        messages.append(notification_email(items[0].recipient, wanted, digest=False))
        sent.extend(n.pk for n in wanted)
    if messages:
        mailers.default.send_messages(messages)
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    return len(messages)


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.OEUVRE_BASE_URL}{url}"


def notification_email(user: User, notifications: Sequence[Notification], *, digest: bool) -> EmailMultiAlternatives:
    """One e-mail, text and HTML, in ``user``'s language."""
    with translation.override(_language(user)):
        if digest:
            subject = ngettext(
                "Œuvre: %(n)s thing waits for you", "Œuvre: %(n)s things wait for you", len(notifications)
            ) % {"n": len(notifications)}
        else:
            subject = _("Œuvre: %(title)s") % {"title": notifications[0].title}
        context = {
            "user": user,
            "digest": digest,
            "items": [{"n": n, "link": _absolute(n.url)} for n in notifications],
            "preferences": _absolute("/notifications/preferences/"),
        }
        text = render_to_string("web/email/notifications.txt", context)
        html = render_to_string("web/email/notifications.html", context)
    message = EmailMultiAlternatives(subject.replace("\n", " ")[:200], text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    return message


# --- Deadlines and digest (periodic jobs) ------------------------------------------------------------------------


def deadlines_notify(today: date | None = None) -> list[Notification]:
    """Ask every deadline source what is near and tell each person once per deadline."""
    day = today or timezone.localdate()
    found = [d for source in _DEADLINE_SOURCES for d in source(day)]
    if not found:
        return []
    users = {u.pk: u for u in User.objects.filter(pk__in={d.user_id for d in found}, is_active=True)}
    rows = []
    for deadline in found:
        user = users.get(deadline.user_id)
        if user is None:
            continue
        with translation.override(_language(user)):
            title = str(deadline.title())[:300]
        rows.append(
            Notification(
                recipient=user, kind=NotificationKind.DEADLINE, event="deadline", key=f"deadline:{deadline.key}"[:200],
                project_id=deadline.project_id, object_type=deadline.object_type, object_id=deadline.object_id,
                reference=deadline.reference[:60], title=title, url=deadline.url[:500],
            )
        )  # fmt: skip
    return _create(rows)


def digest_send(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """E-mail each person who chose the daily digest (or never chose) what they have not been e-mailed yet.

    Three queries per batch of people, whatever their number of notifications: the people with something to
    send, their notifications, then one update; the messages go through one SMTP connection.
    """
    moment = now or timezone.now()
    muted = {
        p["user_id"]: set(p["muted_kinds"] or [])
        for p in NotificationPreference.objects.values("user_id", "muted_kinds", "email_mode")
        if p["muted_kinds"] or p["email_mode"] != EmailMode.DIGEST
    }
    not_digest = set(
        NotificationPreference.objects.exclude(email_mode=EmailMode.DIGEST).values_list("user_id", flat=True)
    )
    pending = (
        Notification.objects.filter(emailed_at=None, read_at=None, created_at__lte=moment)
        .exclude(recipient__email="")
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .order_by("recipient_id")
    )
    user_ids = [row["recipient_id"] for row in pending if row["recipient_id"] not in not_digest]
    totals = {"people": 0, "notifications": 0}
    connection = mailers.default  # one backend for every batch
    for start in range(0, len(user_ids), batch):
        chunk = user_ids[start : start + batch]
        users = {u.pk: u for u in User.objects.filter(pk__in=chunk, is_active=True)}
        per_user: dict[int, list[Notification]] = {}
        for notification in Notification.objects.filter(
            recipient_id__in=chunk, emailed_at=None, read_at=None, created_at__lte=moment
        ).order_by("recipient_id", "created_at", "pk"):
            if notification.kind not in muted.get(notification.recipient_id, ()):
                per_user.setdefault(notification.recipient_id, []).append(notification)
        messages: list[EmailMultiAlternatives] = []
        done: list[int] = []
        for user_id, items in per_user.items():
            user = users.get(user_id)
            if user is None:
                continue
            messages.append(notification_email(user, items, digest=True))
            done.extend(n.pk for n in items)
        if messages:
            connection.send_messages(messages)
            Notification.objects.filter(pk__in=done).update(emailed_at=moment)
            totals["people"] += len(messages)
            totals["notifications"] += len(done)
    return totals


@job_handler(NOTIFY_JOB)
def _notify_job(job: Job, progress: Progress) -> dict[str, Any]:
    created = notify_event(_event_from(job.params))
    progress.start(1)
    progress.advance(1)
    return {"created": len(created)}


@job_handler(DEADLINES_JOB)
def _deadlines_job(job: Job, progress: Progress) -> dict[str, Any]:
    created = deadlines_notify()
    return {"created": len(created)}


@job_handler(DIGEST_JOB)
def _digest_job(job: Job, progress: Progress) -> dict[str, Any]:
    return digest_send()


# --- Reading and marking (the bell, the page, the API) -------------------------------------------------------------


def unread_count(user: User) -> int:
    """The bell's figure: one indexed count."""
    return Notification.objects.filter(recipient=user, read_at=None).count()


def notifications_of(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("project")
    return qs.filter(read_at=None) if unread_only else qs


def notification_mark_read(*, actor: User, pk: int) -> Notification:
    """Mark one of the actor's notifications read (someone else's is not found)."""
    notification = Notification.objects.get(pk=pk, recipient=actor)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at=None).update(read_at=timezone.now())


def preference_of(user: User) -> NotificationPreference:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


def preference_update(*, actor: User, email_mode: str, muted_kinds: Iterable[str] = ()) -> NotificationPreference:
    from oeuvre.core.errors import ValidationFailed

    if email_mode not in EmailMode.values:
        raise ValidationFailed({"email_mode": [_("Choose how you want to be told by e-mail.")]})
    muted = sorted(set(muted_kinds))
    unknown = set(muted) - set(NotificationKind.values)
    if unknown:
        raise ValidationFailed({"muted_kinds": [_("Unknown kind « %(value)s ».") % {"value": sorted(unknown)[0]}]})
    pref, _created = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email_mode": email_mode, "muted_kinds": muted}
    )
    return pref
