"""Demo anomalies of « Guichet usagers », in French, moved through the workflow by the right personas.

About 40 anomalies on the main project: most raised from the KO executions of the VABF campaign (quick
creation from the failed step, by the tester who ran it), a few reported by hand (exploitation, MOA), a
few rejected and a few reclassified as demandes d'évolution; the others spread over the workflow
(qualified by the AMOA, fixed and delivered by the MOE, verified and closed by the MOA or AMOA, some
reopened). Every move goes through the services, so the history is real; its dates are then spread over
the campaign (history is written at the clock's time) so that the "anomalies over time" chart tells the
campaign's story. Severity labels stay at their defaults.

The VABF campaign and its executions come from the test book's demo step; when it is absent (this slice
alone), a small VABF campaign is built here first so that the anomalies have KO runs to come from.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from oeuvre.accounts.permissions import can
from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Anomaly,
    Campaign,
    CampaignKind,
    CampaignStatus,
    Execution,
    ExecutionStatus,
    Iteration,
    PlannedTest,
    StepResult,
    TestCase,
    TestCaseRevision,
    TestStep,
)
from oeuvre.recette.permissions import ANOMALY_REPORT
from oeuvre.recette.services import anomalies as services

__all__ = ["build"]

TARGET = 40
# (status reached, how many) among anomalies raised from KO runs; the rest are rejected / évolutions / manual.
PLAN = [
    ("nouvelle", 6),
    ("qualifiee", 6),
    ("en_correction", 6),
    ("livree", 4),
    ("verifiee", 3),
    ("close", 7),
]
PATHS = {
    "nouvelle": [],
    "qualifiee": ["qualify"],
    "en_correction": ["qualify", "start_fix"],
    "livree": ["qualify", "start_fix", "deliver"],
    "verifiee": ["qualify", "start_fix", "deliver", "verify"],
    "close": ["qualify", "start_fix", "deliver", "verify", "close"],
}
MANUAL = [
    ("exploitation", "Temps de réponse dégradé du guichet entre 12 h et 14 h", "majeure", "p2"),
    ("moa", "Libellé « Usager » au lieu de « Demandeur » sur l'accusé de réception", "mineure", "p4"),
    ("exploitation", "Journal applicatif sans horodatage UTC", "mineure", "p3"),
    ("moa", "Export CSV des demandes illisible sous Excel (accents)", "majeure", "p2"),
]
REJECTED = [
    (
        "Le bouton « Annuler » ne supprime pas le brouillon",
        "Comportement conforme à la SFD § 4.2 : le brouillon est conservé 30 jours.",
    ),
    ("Message d'erreur en anglais sur la page de connexion", "Doublon de l'anomalie signalée sur la même étape."),
    (
        "Capture d'écran floue dans l'aide en ligne",
        "Hors périmètre du marché : l'aide en ligne est fournie par l'éditeur.",
    ),
]
EVOLUTIONS = [
    (
        "Ajouter un filtre par commune dans la liste des demandes",
        "Non prévu au CCTP : demande d'évolution pour le lot 2.",
    ),
    (
        "Permettre le dépôt de pièces jointes de plus de 10 Mo",
        "Limite fixée par le CCTP (10 Mo) : évolution à chiffrer.",
    ),
    ("Notifier l'usager par SMS en plus du courriel", "Canal non prévu au marché : demande d'évolution."),
]


@demo_step(32, "recette-anomalies")
def build(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    users = ctx.users
    rng = ctx.rng(project.code, "anomalies")
    campaign = Campaign.objects.filter(project=project, kind=CampaignKind.VABF).order_by("starts_on", "pk").first()
    if (
        campaign is None
        or not Execution.objects.filter(iteration__campaign=campaign, status=ExecutionStatus.KO).exists()
    ):
        campaign = _fallback_campaign(ctx, project)
    failures = list(
        Execution.objects.filter(iteration__campaign=campaign, status=ExecutionStatus.KO)
        .select_related("iteration__campaign", "test_case", "tester")
        .order_by("executed_at", "pk")
    )
    rng.shuffle(failures)
    from_ko = sum(n for _s, n in PLAN)
    failures = sorted(failures[:from_ko], key=lambda e: (e.executed_at or timezone.now(), e.pk))
    statuses = [status for status, n in PLAN for _ in range(n)]
    rng.shuffle(statuses)
    severities = ["bloquante"] * 4 + ["majeure"] * 12 + ["mineure"] * 16 + ["majeure"] * 8
    rng.shuffle(severities)
    created: list[tuple[Anomaly, date]] = []
    reopened = 0
    for index, (execution, status) in enumerate(zip(failures, statuses, strict=False)):
        reporter = (
            execution.tester if execution.tester and can(execution.tester, project, ANOMALY_REPORT) else users["amoa"]
        )
        severity = severities[index % len(severities)]
        anomaly = services.anomaly_create_from_execution(
            actor=reporter,
            execution=execution,
            severity=severity,
            priority={"bloquante": "p1", "majeure": "p2"}.get(severity, rng.choice(["p3", "p4"])),
            blocks_step_start=severity == "bloquante" and index % 2 == 0,
        )
        for action in PATHS[status]:
            anomaly = _move(anomaly, action, users, release=f"{campaign.release or 'V1.0'}.{index % 3 + 2}")
            # Two fixes fail their first verification: delivered, reopened, delivered again.
            if action == "deliver" and status in {"verifiee", "close"} and reopened < 2:
                reopened += 1
                anomaly = services.anomaly_reopen(
                    actor=users["moa"],
                    anomaly=anomaly,
                    expected_version=anomaly.version,
                    reason="Correctif livré mais le cas reste KO sur la recette (jeu de données protégé).",
                )
                anomaly = _move(anomaly, "deliver", users, release=f"{campaign.release or 'V1.0'}.4")
        created.append((anomaly, _day(execution.executed_at, ctx.today)))
    start = created[0][1] if created else ctx.today - timedelta(days=20)
    for offset, (who, title, severity, priority) in enumerate(MANUAL):
        anomaly = services.anomaly_create(
            actor=users[who],
            project=project,
            title=title,
            description="Constaté en dehors des cas de test, pendant la recette.",
            severity=severity,
            priority=priority,
            campaign=campaign,
            release_found=campaign.release,
        )
        if offset % 2:
            anomaly = services.anomaly_qualify(actor=users["amoa"], anomaly=anomaly, expected_version=anomaly.version)
        created.append((anomaly, start + timedelta(days=3 + 2 * offset)))
    for offset, (title, reason) in enumerate(REJECTED):
        anomaly = services.anomaly_create(
            actor=users["amoe"], project=project, title=title, severity="mineure", campaign=campaign
        )
        anomaly = services.anomaly_reject(
            actor=users["moa"], anomaly=anomaly, expected_version=anomaly.version, reason=reason
        )
        created.append((anomaly, start + timedelta(days=1 + 3 * offset)))
    for offset, (title, reason) in enumerate(EVOLUTIONS):
        anomaly = services.anomaly_create(
            actor=users["amoa"], project=project, title=title, severity="majeure", priority="p3", campaign=campaign
        )
        anomaly = services.anomaly_reclassify(
            actor=users["moa"], anomaly=anomaly, expected_version=anomaly.version, reason=reason
        )
        created.append((anomaly, start + timedelta(days=2 + 4 * offset)))
    _spread_history(created, ctx.today)
    ctx.extra.setdefault("recette_anomalies", {})[project.code] = [a.pk for a, _d in created]


def _move(anomaly: Anomaly, action: str, users: dict[str, Any], release: str) -> Anomaly:
    actor = {"qualify": "amoa", "start_fix": "moe", "deliver": "moe", "verify": "moa", "close": "amoa"}[action]
    fields: dict[str, Any] = {}
    if action == "start_fix":
        fields["assignee"] = users["amoe"] if anomaly.number % 2 else users["moe"]
    if action == "deliver":
        fields["release_fixed"] = release
    return services.anomaly_transition(
        actor=users[actor], anomaly=anomaly, action=action, expected_version=anomaly.version, **fields
    )


def _day(moment: datetime | None, today: date) -> date:
    return timezone.localtime(moment).date() if moment else today - timedelta(days=15)


def _spread_history(created: list[tuple[Anomaly, date]], today: date) -> None:
    """Date each anomaly's history from its report day, one to three days per move, never after today."""
    history = Anomaly.history.model
    for anomaly, first_day in created:
        records = list(history.objects.filter(id=anomaly.pk).order_by("history_date", "history_id"))
        day = min(first_day, today)
        stamps = []
        for index, record in enumerate(records):
            if index:
                day = min(day + timedelta(days=1 + (anomaly.number + index) % 3), today)
            stamp = timezone.make_aware(datetime.combine(day, time(9 + index % 8, 15)))
            record.history_date = stamp
            stamps.append(stamp)
        history.objects.bulk_update(records, ["history_date"])
        last = stamps[-1]
        Anomaly.objects.filter(pk=anomaly.pk).update(
            created_at=stamps[0],
            status_changed_at=last,
            closed_at=last if anomaly.status in {"close", "rejetee"} else None,
        )


def _fallback_campaign(ctx: DemoContext, project: Project) -> Campaign:
    """A small VABF with KO runs, for when the test book's demo step is not installed."""
    exigences = list(ctx.extra.get("requirements", {}).get(project.code, {}).get("exigences", []))
    tester = ctx.users["amoa"]
    campaign, _created = Campaign.objects.get_or_create(
        project=project,
        name="VABF — démonstration des anomalies",
        defaults={
            "kind": CampaignKind.VABF,
            "status": CampaignStatus.EN_COURS,
            "release": "V1.0",
            "environment": "Recette",
            "starts_on": ctx.today - timedelta(days=24),
        },
    )
    iterations = [
        Iteration.objects.get_or_create(
            campaign=campaign,
            number=n,
            defaults={"release": f"V1.0.{n}", "starts_on": ctx.today - timedelta(days=24 - 12 * (n - 1))},
        )[0]
        for n in (1, 2)
    ]
    rng = ctx.rng(project.code, "anomalies-fallback")
    start = TestCase.objects.filter(project=project).count() + 1
    for n in range(start, start + 48):
        reference = f"CT-{n:03d}"
        case = TestCase.objects.create(
            project=project, reference=reference, number=n, title=f"Parcours usager {n}", status="pret", author=tester
        )
        steps = [
            (1, "Se connecter au guichet avec un compte usager", "Le tableau de bord s'affiche"),
            (2, "Déposer une demande avec une pièce jointe", "La demande est enregistrée avec un numéro"),
            (3, "Consulter l'accusé de réception", "L'accusé mentionne le numéro et la date"),
        ]
        for position, action, expected in steps:
            TestStep.objects.create(test_case=case, position=position, action=action, expected=expected)
        revision = TestCaseRevision.objects.create(
            test_case=case,
            revision=1,
            content={"steps": [{"position": p, "action": a, "expected": e} for p, a, e in steps]},
        )
        if exigences:
            case.exigences.add(exigences[n % len(exigences)])
        PlannedTest.objects.create(campaign=campaign, test_case=case, position=n)
        for iteration in iterations:
            status = rng.choices(["ok", "ko", "bloque"], weights=[5, 4, 1])[0]
            executed = timezone.make_aware(
                datetime.combine((iteration.starts_on or ctx.today) + timedelta(days=rng.randint(0, 9)), time(10))
            )
            execution = Execution.objects.create(
                project=project,
                iteration=iteration,
                test_case=case,
                test_case_revision=revision,
                status=status,
                tester=tester,
                executed_at=executed,
            )
            if status != "ok":
                failed = rng.randint(1, 3)
                for position in range(1, failed + 1):
                    StepResult.objects.create(
                        execution=execution,
                        position=position,
                        status="ok" if position < failed else status,
                        actual="" if position < failed else "Erreur 500 affichée à l'usager",
                    )
    return campaign
