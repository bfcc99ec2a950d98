"""Demo of the PV slice, on the main project: a signed PV avec réserves for the VABF campaign (decided by the
MOA, signed and countersigned through the services so the hash chain is real, some réserves lifted) and a VSR
under way with its CCAG-TIC timeline and a few outages. Uses the test book and anomalies of the other demo
steps when they exist, and builds a minimal VABF campaign otherwise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oeuvre.demo.generator import DEMO_PASSWORD, MAIN_PROJECT, DemoContext, demo_step
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Anomaly,
    AnomalyStatus,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Execution,
    Iteration,
    PlannedTest,
    PvDecision,
    TestCase,
    TestCaseRevision,
)
from oeuvre.recette.services import pv as pv_services
from oeuvre.recette.services import timers as timer_services

_TITLES = [
    "Création d'un compte usager via FranceConnect",
    "Demande d'acte de naissance en ligne",
    "Inscription scolaire avec pièces justificatives",
    "Paiement de la cantine par carte",
    "Signalement d'un dépôt sauvage avec photo",
    "Demande de carte de stationnement résident",
    "Suivi de l'état d'une démarche",
    "Traitement d'une demande par un agent",
    "Export comptable vers le SI financier",
    "Accessibilité RGAA du parcours de dépôt",
    "Reprise des comptes usagers existants",
    "Purge des données selon la durée de conservation",
]
_ANOMALIES = [
    ("majeure", "Le justificatif PDF de plus de 5 Mo est refusé sans message"),
    ("mineure", "Libellé tronqué dans le récapitulatif de la demande"),
    ("mineure", "Contraste insuffisant du bouton « Annuler » (RGAA 3.2)"),
    ("mineure", "Le courriel de confirmation n'indique pas le numéro de dossier"),
]


def _vabf_campaign(ctx: DemoContext, project: Project) -> Campaign:
    """The other slices' VABF campaign if they made one; else a small one with results and anomalies."""
    shared = ctx.extra.get("recette", {}).get(project.code, {})
    found = shared.get("vabf") if isinstance(shared, dict) else None
    if isinstance(found, Campaign):
        return found
    existing = Campaign.objects.filter(project=project, kind=CampaignKind.VABF).order_by("starts_on", "pk").first()
    if existing is not None:
        return existing
    today = ctx.today
    campaign = Campaign.objects.create(
        project=project,
        name="VABF — lot 1",
        kind=CampaignKind.VABF,
        status=CampaignStatus.TERMINEE,
        environment="Recette",
        release="1.0.2",
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=16),
    )
    iteration = Iteration.objects.create(campaign=campaign, number=1, name="Itération 1", release="1.0.2")
    tester = ctx.users.get("amoa")
    executed_at = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=18), dt.time(10)))
    start = TestCase.objects.filter(project=project).count()
    for i, title in enumerate(_TITLES, start=1):
        number = start + i
        case = TestCase.objects.create(
            project=project, reference=f"CT-{number:03d}", number=number, title=title, status="pret"
        )
        revision = TestCaseRevision.objects.create(test_case=case, revision=1, content={"title": title, "steps": []})
        PlannedTest.objects.create(campaign=campaign, test_case=case, tester=tester, position=i)
        Execution.objects.create(
            project=project,
            iteration=iteration,
            test_case=case,
            test_case_revision=revision,
            status="ko" if i in (2, 10) else "ok",
            tester=tester,
            executed_at=executed_at,
        )
    first = Anomaly.objects.filter(project=project).count()
    for k, (severity, title) in enumerate(_ANOMALIES, start=1):
        number = first + k
        Anomaly.objects.create(
            project=project,
            reference=f"ANO-{number:03d}",
            number=number,
            title=title,
            severity=severity,
            status=AnomalyStatus.QUALIFIEE,
            campaign=campaign,
            reported_by=tester,
        )
    return campaign


def _signed_pv(ctx: DemoContext, project: Project, campaign: Campaign) -> None:
    moa, amoa, moe = ctx.users["moa"], ctx.users["amoa"], ctx.users["moe"]
    pv = pv_services.pv_create(
        actor=amoa, project=project, campaigns=[campaign], title="PV de recette de la VABF — lot 1"
    )
    if not pv.reserves.exists():
        pv_services.reserve_add(
            actor=amoa, pv=pv, description="Dossier d'exploitation à compléter (procédures de reprise)"
        )
    for k, reserve in enumerate(pv.reserves.order_by("number")):
        pv_services.reserve_update(
            actor=amoa, reserve=reserve, expected_version=None, due_on=ctx.today + dt.timedelta(days=15 + 5 * k)
        )
    pv.refresh_from_db()
    reason = ""
    if pv.proposed_decision != PvDecision.AVEC_RESERVES:
        reason = (
            "Les écarts relevés ne compromettent pas la mise en service : le MOA prononce la réception avec "
            "réserves, levées avant la mise en production."
        )
    pv = pv_services.pv_decide(
        actor=moa, pv=pv, decision=PvDecision.AVEC_RESERVES, reason=reason, expected_version=None
    )
    pv_services.pv_sign(actor=moa, pv=pv, password=DEMO_PASSWORD)
    pv_services.pv_countersign(actor=moe, pv=pv, password=DEMO_PASSWORD)
    reserves = list(pv.reserves.order_by("number"))
    for reserve in reserves[: max(1, len(reserves) // 2)]:
        pv_services.reserve_lift(
            actor=moa, reserve=reserve, comment="Correctif livré en 1.0.3 et vérifié en recette par l'AMOA."
        )


def _vsr(ctx: DemoContext, project: Project) -> None:
    today = ctx.today
    Campaign.objects.get_or_create(
        project=project,
        name="VSR — production",
        defaults={
            "kind": CampaignKind.VSR,
            "status": CampaignStatus.EN_COURS,
            "environment": "Production",
            "release": "1.0.3",
            "starts_on": today - dt.timedelta(days=10),
        },
    )
    amoe = ctx.users["amoe"]
    timer_services.timeline_update(
        actor=amoe,
        project=project,
        expected_version=None,
        mom_on=today - dt.timedelta(days=42),
        va_decided_on=today - dt.timedelta(days=14),
        va_outcome="positive",
        vsr_started_on=today - dt.timedelta(days=10),
        notes="PV de MOM signé le jour de l'installation en production ; VA prononcée sans ajournement.",
    )
    outages: list[tuple[str, int, int, int, str]] = [
        ("Serveur applicatif", 8, 10, 95, "Redémarrage après saturation mémoire"),
        ("Serveur applicatif", 3, 14, 40, "Déploiement d'un correctif hors fenêtre"),
        ("Base de données", 6, 9, 30, "Bascule sur le nœud secondaire"),
    ]
    for equipment, days_ago, hour, minutes, description in outages:
        day = today - dt.timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        timer_services.outage_add(
            actor=amoe,
            project=project,
            equipment=equipment,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=minutes),
            description=description,
        )


@demo_step(38, "recette: PV and timers")
def demo_pv(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    campaign = _vabf_campaign(ctx, project)
    _signed_pv(ctx, project, campaign)
    _vsr(ctx, project)
    shared: dict[str, Any] = ctx.extra.setdefault("recette", {}).setdefault(project.code, {})
    shared["pv"] = project.proces_verbaux.order_by("number").last()


@demo_step(93, "recette: a PV waiting for the buyer's signature")
def demo_pv_to_sign(ctx: DemoContext, project: Project) -> None:
    """The performance campaign's PV, decided by the MOA and not signed yet: it waits on the MOA's bell and in
    Mon travail. Made after the steering's météo history (step 90), which reads the latest PV."""
    if project.code != MAIN_PROJECT:
        return
    perf = Campaign.objects.filter(project=project, kind=CampaignKind.PERFORMANCE, name__startswith="Performance")
    campaign = perf.order_by("pk").first()
    if campaign is None:
        return
    pv = pv_services.pv_create(
        actor=ctx.users["amoa"], project=project, campaigns=[campaign], title="PV de la campagne de performance"
    )
    # An accepting decision whatever the runs proposed, so the PV waits for a signature (not for a new campaign).
    accepted = pv.proposed_decision == PvDecision.SANS_RESERVE and not pv.reserves.exists()
    decision = PvDecision.SANS_RESERVE if accepted else PvDecision.AVEC_RESERVES
    if decision == PvDecision.AVEC_RESERVES and not pv.reserves.exists():
        pv_services.reserve_add(
            actor=ctx.users["amoa"], pv=pv, description="Temps de réponse du suivi des démarches à confirmer en VSR"
        )
    pv.refresh_from_db()
    reason = "" if decision == pv.proposed_decision else "Les écarts de performance relevés restent sous les seuils."
    pv_services.pv_decide(actor=ctx.users["moa"], pv=pv, decision=decision, reason=reason, expected_version=None)
