"""Demo: the main project's GitLab repository with about sixty deliveries (pushes, merge requests, pipelines)
naming its exigences, tasks, components and anomalies, and an outgoing webhook with its delivery log.

The deliveries go through the real receiving path (token checked, payload stored, processed), in GitLab's
shape; only the outgoing delivery log is written directly, since the demo's receiver is fictitious.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from oeuvre.accounts.permissions import can
from oeuvre.core.services import save_with_history
from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.forge.models import DeliveryStatus, FixPolicy, WebhookDelivery, WebhookSubscription
from oeuvre.forge.permissions import FORGE_MANAGE
from oeuvre.forge.secrets import encrypt_secret
from oeuvre.forge.services.events import event_receive
from oeuvre.forge.services.repositories import repository_create
from oeuvre.planning.models import Task
from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly, AnomalyStatus
from oeuvre.requirements.models import Component, Exigence

SECRET = "demo-gitlab-secret-0123456789"  # noqa: S105 — the demo's published secret
WEB = "https://gitlab.example.fr/moe/guichet-usagers"
AUTHORS = ["Camille Martin", "Yanis Benali", "Léa Dupuis", "Hugo Leroy"]


def _sha(*parts: object) -> str:
    return hashlib.sha1(":".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()  # a git id


def _stamp(day: date, hour: int) -> str:
    return timezone.make_aware(datetime.combine(day, time(hour, 15))).isoformat()


def _post(token: str, event: str, payload: dict[str, Any], delivery: str) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"X-Gitlab-Event": event, "X-Gitlab-Token": SECRET, "X-Gitlab-Event-UUID": delivery}
    event_receive(token=token, headers=headers, body=body, process_now=True)


@demo_step(40, "forge")
def build(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    actor = next((u for key, u in sorted(ctx.users.items()) if key == "moe" and can(u, project, FORGE_MANAGE)), None)
    if actor is None:
        actor = next((u for _k, u in sorted(ctx.users.items()) if can(u, project, FORGE_MANAGE)), None)
    if actor is None:
        return
    rng = ctx.rng(project.code, "forge")
    repo = repository_create(
        actor=actor,
        project=project,
        kind="gitlab",
        name="moe/guichet-usagers",
        secret=SECRET,
        web_url=WEB,
        fix_policy=FixPolicy.KEYWORD,
        fix_release="R1.1",
    )
    exigences = list(Exigence.objects.filter(project=project).order_by("pk").values_list("reference", flat=True)[:14])
    tasks = list(Task.objects.filter(project=project, kind="task").order_by("pk").values_list("code", flat=True)[:14])
    components = list(Component.objects.filter(project=project).order_by("pk").values_list("reference", flat=True)[:8])
    in_fix = list(
        Anomaly.objects.filter(project=project, status=AnomalyStatus.EN_CORRECTION)
        .order_by("pk")
        .values_list("reference", flat=True)[:4]
    )
    if not (exigences and tasks and components):
        return
    start = ctx.today - timedelta(days=40)
    mark = Anomaly.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0
    count = 0
    for n in range(20):  # 20 features: a push of 2-3 commits, a merge request, a pipeline
        day = start + timedelta(days=2 * n)
        exigence, task, component = (
            exigences[n % len(exigences)],
            tasks[n % len(tasks)],
            components[n % len(components)],
        )
        branch = f"feature/{task.lower()}-{component.lower()}"
        author = AUTHORS[n % len(AUTHORS)]
        commits = [
            {
                "id": _sha(n, i),
                "message": message,
                "title": message,
                "timestamp": _stamp(day, 9 + i),
                "url": f"{WEB}/-/commit/{_sha(n, i)}",
                "author": {"name": author, "email": "dev@example.fr"},
            }
            for i, message in enumerate(
                [f"{exigence} : première version", f"{task} tests unitaires", f"Revue : {component}"][: 2 + n % 2]
            )
        ]
        push = {"object_kind": "push", "ref": f"refs/heads/{branch}", "commits": commits, "project": {"web_url": WEB}}
        _post(repo.hook_token, "Push Hook", push, str(uuid.UUID(_sha("push", n)[:32])))
        fixes = in_fix[n // 5] if n % 5 == 4 and n // 5 < len(in_fix) else ""
        merged = n < 15
        mr = {
            "object_kind": "merge_request",
            "user": {"name": author},
            "object_attributes": {
                "iid": 100 + n,
                "title": f"{exigence} — {task}",
                "description": f"Fixes {fixes}" if fixes else f"Réalise {component}.",
                "state": "merged" if merged else "opened",
                "source_branch": branch,
                "target_branch": "main",
                "merge_commit_sha": _sha("merge", n) if merged else None,
                "last_commit": {"id": commits[-1]["id"]},
                "updated_at": _stamp(day + timedelta(days=1), 16),
                "url": f"{WEB}/-/merge_requests/{100 + n}",
            },
        }
        _post(repo.hook_token, "Merge Request Hook", mr, str(uuid.UUID(_sha("mr", n)[:32])))
        status = "failed" if rng.random() < 0.25 else "success"
        pipeline = {
            "object_kind": "pipeline",
            "object_attributes": {
                "id": 5000 + n,
                "ref": branch,
                "sha": commits[-1]["id"],
                "status": status,
                "finished_at": _stamp(day + timedelta(days=1), 17),
                "url": f"{WEB}/-/pipelines/{5000 + n}",
            },
            "commit": {"id": commits[-1]["id"], "message": commits[-1]["message"]},
            "project": {"web_url": WEB},
        }
        _post(repo.hook_token, "Pipeline Hook", pipeline, str(uuid.UUID(_sha("pipeline", n)[:32])))
        count += 3
    # A merged "Fixes ANO-x" delivers the anomaly now, in real time; the demo lives on ctx.today, so the history
    # those deliveries wrote is dated on the demo's day (the anomaly charts end on the demo's today).
    stamp = timezone.make_aware(datetime.combine(ctx.today, time(10)))
    written = list(Anomaly.history.filter(history_id__gt=mark, history_date__gt=stamp))
    for record in written:
        record.history_date = stamp
    Anomaly.history.bulk_update(written, ["history_date"])
    _webhook(ctx, project, actor)


def _webhook(ctx: DemoContext, project: Project, actor: Any) -> None:
    # The receiver is fictitious (no network in a demo): the subscription is saved without the address check,
    # and its delivery log is written as a reachable receiver would have produced it.
    subscription = WebhookSubscription(
        project=project,
        url="https://si-client.example.fr/oeuvre/webhooks",
        events=["forge.merge_request_merged", "forge.pipeline_failed"],
        description="Portail de suivi du client",
        secret_encrypted=encrypt_secret("demo-webhook-secret-0123456789"),
    )
    save_with_history(subscription, actor=actor)
    rng = ctx.rng(project.code, "webhooks")
    for n in range(12):
        failed_first = n % 5 == 3
        WebhookDelivery.objects.create(
            subscription=subscription,
            project=project,
            uuid=uuid.UUID(_sha("delivery", n)[:32]),
            event_name="forge.pipeline_failed" if n % 4 == 0 else "forge.merge_request_merged",
            body=json.dumps({"schema_version": "1", "event": "demo", "project": {"code": project.code}}),
            status=DeliveryStatus.SUCCEEDED,
            attempts=2 if failed_first else 1,
            response_code=200,
            duration_ms=rng.randint(40, 400),
            error="",
            last_attempt_at=timezone.now() - timedelta(days=12 - n),
        )
    WebhookDelivery.objects.create(
        subscription=subscription,
        project=project,
        uuid=uuid.UUID(_sha("delivery", "late")[:32]),
        event_name="forge.merge_request_merged",
        body=json.dumps({"schema_version": "1", "event": "demo", "project": {"code": project.code}}),
        status=DeliveryStatus.FAILED,  # given up: shows the redelivery button, and no worker tries the network
        attempts=6,
        response_code=503,
        duration_ms=rng.randint(40, 400),
        error="HTTP 503",
        last_attempt_at=timezone.now(),
    )
