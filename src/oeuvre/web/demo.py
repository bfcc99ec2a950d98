"""The web shell's demo, on the main project: discussions with mentions under a few exigences and anomalies,
notifications waiting for the demo people (exigences to validate, a PV to sign, a go/no-go to decide, a CCAG-TIC
deadline, mentions) and a few saved searches.

The stages' events of the demo's history are not turned into notifications (the generator pauses the listener:
thousands of past events would flood the worker); this step writes what a person finds on the first login
through the same service the worker uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.urls import reverse

from oeuvre.core.events import Event
from oeuvre.demo.generator import DemoContext, demo_step
from oeuvre.projects.models import Project
from oeuvre.web import notifications
from oeuvre.web.comments import comment_post

_DETAIL = {"requirements.exigence": "requirements:detail", "recette.anomaly": "recette:anomaly_detail"}
_EXIGENCE_THREADS = [
    ("amoa", "@moa le seuil de 3 s est-il mesuré côté usager ou côté serveur ?", "moa", "Côté usager, au 95e centile."),
    (
        "moe",
        "Proposition : découper en deux exigences (dépôt, suivi). @amoa d'accord ?",
        "amoa",
        "Oui, je m'en occupe.",
    ),
    ("moa", "À revoir avec le **délégué à la protection des données**. @moe peux-tu préparer l'analyse ?", "", ""),
]
_ANOMALY_THREADS = [
    (
        "amoe",
        "Reproduit en préproduction : le jeton expire au bout de 5 min. @moe correctif dans la 1.1.0 ?",
        "moe",
        "Oui.",
    ),
    (
        "amoa",
        "Capture jointe lors de la campagne 2. @amoe peux-tu confirmer la sévérité ?",
        "amoe",
        "Majeure, confirmé.",
    ),
    ("moe", "Doublon probable de l'anomalie précédente, @amoa à confirmer avant clôture.", "", ""),
]


def _event(name: str, project: Project, obj: object, actor: object, reference: str, **data: object) -> Event:
    return Event(
        name=name, project_id=project.pk, project_code=project.code, actor_id=getattr(actor, "pk", None),
        object_type=obj._meta.label_lower, object_id=str(obj.pk), reference=reference,  # type: ignore[attr-defined]
        data=dict(data),
    )  # fmt: skip


def _threads(
    ctx: DemoContext, project: Project, objects: Sequence[Any], threads: list[tuple[str, str, str, str]]
) -> None:
    for obj, (author, text, replier, reply) in zip(objects, threads, strict=False):
        label = obj._meta.label_lower
        url = reverse(_DETAIL[label], args=[project.code, obj.pk])
        comment = comment_post(
            actor=ctx.users[author], project=project, object_type=label, object_id=str(obj.pk), body=text, url=url
        )
        mentioned = [u.pk for u in comment.mentions.all()]
        notifications.notify_event(
            _event(
                "comment.posted", project, comment, ctx.users[author], str(getattr(obj, "reference", "")),
                target=str(obj)[:200], author=ctx.users[author].get_full_name(), mentions=mentioned,
                url=url, target_type=label, target_id=str(obj.pk),
            )
        )  # fmt: skip
        if replier:
            comment_post(
                actor=ctx.users[replier], project=project, object_type=label, object_id=str(obj.pk), body=reply,
                parent=comment, url=url,
            )  # fmt: skip


@demo_step(95, "web: notifications and comments")
def notifications_and_comments(ctx: DemoContext, project: Project) -> None:
    if project.pk != ctx.main_project.pk:
        return
    exigence_model = apps.get_model("requirements", "Exigence")
    anomaly_model = apps.get_model("recette", "Anomaly")
    pv_model = apps.get_model("recette", "ProcesVerbal")
    exigences = list(exigence_model.objects.filter(project=project).order_by("reference")[:3])
    anomalies = list(anomaly_model.objects.filter(project=project).order_by("number")[:3])
    _threads(ctx, project, exigences, _EXIGENCE_THREADS)
    _threads(ctx, project, anomalies, _ANOMALY_THREADS)

    # Exigences waiting for the buyer's validation.
    waiting = exigence_model.objects.filter(project=project, status__in=["soumise", "modifiee"]).order_by("reference")
    for exigence in waiting[:4]:
        notifications.notify_event(
            _event(
                "exigence.status_changed", project, exigence, ctx.users["amoa"], exigence.reference,
                status=exigence.status, title=exigence.title[:200], owner_id=exigence.owner_id,
            )
        )  # fmt: skip
    # A PV waiting for a signature, when the recette's demo left one decided and not yet signed.
    pv = pv_model.objects.filter(project=project, status="decide").order_by("pk").first()
    if pv is not None:
        notifications.notify_event(
            _event("pv.decided", project, pv, ctx.users["amoa"], pv.reference, title=pv.title[:200],
                   decision=pv.decision or "")
        )  # fmt: skip
    # A release whose readiness is all attested: its go/no-go waits for the buyer's decision and signature.
    release_model = apps.get_model("mep", "Release")
    for release in release_model.objects.filter(project=project, status__in=["planifiee", "en_recette"]).order_by("pk"):
        criteria = {value for value, _label in release.checks.model._meta.get_field("item").flatchoices}
        if set(release.checks.filter(done=True).values_list("item", flat=True)) >= criteria:
            notifications.notify_event(
                _event("release.ready_for_gonogo", project, release, ctx.users["exploitation"], release.number,
                       number=release.number)
            )  # fmt: skip
    # The CCAG-TIC deadline of the VSR under way, announced ahead of its alert window so that it waits here.
    notifications.deadlines_notify(ctx.today + dt.timedelta(days=14))
    _saved_searches(ctx, project)


_SAVED_SEARCHES = [
    ("moa", "Authentification", "authentification", "", False),
    ("moa", "Exigences de sécurité", "sécurité", "exigence", True),
    ("moe", "Anomalies du paiement", "paiement", "anomaly", True),
    ("amoa", "Accessibilité RGAA", "accessibilité", "", False),
]


def _saved_searches(ctx: DemoContext, project: Project) -> None:
    from oeuvre.web.saved_searches import saved_search_save

    for username, name, q, kind, here in _SAVED_SEARCHES:
        saved_search_save(actor=ctx.users[username], name=name, q=q, kind=kind, project=project.code if here else "")


@demo_step(99, "web: search index")
def search_index(ctx: DemoContext, project: Any) -> None:
    """The search index, built last once every stage has written its objects (many of them in bulk, which per-row
    signals do not see)."""
    from oeuvre.web.searchable import reindex

    reindex(project_ids=[project.pk])
