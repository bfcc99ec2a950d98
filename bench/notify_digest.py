"""Benchmark of the notifications: the daily digest of 1,000 people in one worker, and the bell's count.

``digest_send`` reads the people with something to send in one grouped query, then their notifications a batch
of 500 people at a time, renders one text + HTML message each in their language, hands the batch to one mail
backend and marks the batch sent in one UPDATE. Compared with the naive loop that asks, for each person, for
their preference, their notifications, sends their message alone and marks each notification on its own.
Mail goes to the in-memory backend, so what is measured is Œuvre's side, not an SMTP server's.

The bell's count is timed for one person among 1,000 who have 100 notifications each (100,000 rows).

The data is built inside a transaction that is rolled back, so any migrated database will do::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oeuvre_notify .venv/bin/python bench/notify_digest.py

Options: ``--people 1000 --unread 5 --read 95 --repeat 3``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


class Rollback(Exception):
    pass


def _timed(fn: Callable[[], Any], repeat: int, reset: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        reset()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--unread", type=int, default=5, help="unread notifications per person (sent by the digest)")
    ap.add_argument("--read", type=int, default=95, help="older, read notifications per person")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oeuvre.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection, transaction
    from django.test.utils import override_settings
    from django.utils import timezone
    from django.utils.translation import override

    from oeuvre.accounts.models import Organisation, User
    from oeuvre.projects.models import Membership, Project
    from oeuvre.web import notifications
    from oeuvre.web.models import EmailMode, Notification, NotificationPreference

    def naive_digest() -> int:
        """One person at a time: preference, notifications, one message, one UPDATE per notification."""
        sent = 0
        for user in User.objects.filter(username__startswith="bench-notify-"):
            pref = NotificationPreference.objects.filter(user=user).first()
            if pref is not None and pref.email_mode != EmailMode.DIGEST:
                continue
            items = list(Notification.objects.filter(recipient=user, emailed_at=None, read_at=None))
            if not items:
                continue
            message = notifications.notification_email(user, items, digest=True)
            mail.mailers.default.send_messages([message])
            for item in items:
                item.emailed_at = timezone.now()
                item.save(update_fields=["emailed_at"])
            sent += 1
        return sent

    print(f"database: {connection.vendor}; people: {args.people}, {args.unread} unread + {args.read} read each")
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
        try:
            with transaction.atomic():
                t0 = time.perf_counter()
                moa_org = Organisation.objects.create(name="Bench notify MOA", kind="public")
                moe_org = Organisation.objects.create(name="Bench notify MOE", kind="esn")
                project = Project.objects.create(
                    code="bench-notify", name="Bench notify", moa_organisation=moa_org, moe_organisation=moe_org
                )
                users = User.objects.bulk_create(
                    User(
                        username=f"bench-notify-{i:05d}", email=f"p{i}@bench.example",
                        language="en" if i % 3 == 0 else "",
                    )
                    for i in range(args.people)
                )  # fmt: skip
                Membership.objects.bulk_create(Membership(project=project, user=u, role="moe") for u in users)
                now = timezone.now()
                rows = []
                for u in users:
                    for k in range(args.unread + args.read):
                        rows.append(
                            Notification(
                                recipient=u, kind="validation", key=f"bench:{u.pk}:{k}", project=project,
                                reference=f"EX-{k:03d}", title=f"Attend votre validation : exigence {k}",
                                url=f"/p/bench-notify/requirements/{k}/", read_at=now if k >= args.unread else None,
                            )
                        )  # fmt: skip
                Notification.objects.bulk_create(rows, batch_size=5000)
                print(f"built {len(rows)} notifications in {time.perf_counter() - t0:.1f} s")

                def reset() -> None:
                    Notification.objects.filter(project=project, read_at=None).update(emailed_at=None)
                    mail.outbox = []

                with override(settings.LANGUAGE_CODE):
                    ours = _timed(notifications.digest_send, args.repeat, reset)
                    messages = len(mail.outbox)
                    naive = _timed(naive_digest, args.repeat, reset)
                print(f"digest, batched (digest_send): {ours:8.2f} s for {messages} e-mails")
                print(f"digest, naive per-person loop: {naive:8.2f} s")
                print(f"ratio naive / batched: {naive / ours:.1f}x; goal < 60 s for 1,000 people: "
                      f"{'met' if ours < 60 else 'MISSED'}")  # fmt: skip

                someone = users[len(users) // 2]
                counts = []
                for _ in range(200):
                    t1 = time.perf_counter()
                    notifications.unread_count(someone)
                    counts.append(time.perf_counter() - t1)
                counts.sort()
                print(
                    f"bell count over {len(rows)} rows: median {statistics.median(counts) * 1000:.2f} ms, "
                    f"p95 {counts[int(len(counts) * 0.95)] * 1000:.2f} ms (goal < 20 ms)"
                )
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
