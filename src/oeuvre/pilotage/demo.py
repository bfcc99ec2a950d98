"""The pilotage stage's demo step: twelve weeks of météo on the main project, telling a story.

A slippage is caught (the SPI falls, a contractual milestone slips, a bloquante stays open), the MOE acts,
and the project recovers; the last snapshot is today's live météo. Past weeks are judged by the same
engine rules on the figures of that week, so their reasons read like real ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal

from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.engine.health import HealthFacts, assess
from oeuvre.pilotage.models import MeteoSnapshot, SnapshotKind
from oeuvre.pilotage.services.meteo import snapshot_record
from oeuvre.projects.models import Project

# Weeks before today: (SPI, CPI, atterrissage over sold in %, milestone slip in working days, bloquante age).
_STORY: list[tuple[float, float, float, int, int | None]] = [
    (1.00, 0.99, 0.0, 0, None),
    (0.98, 0.98, 1.0, 0, None),
    (0.96, 0.97, 2.0, 2, None),
    (0.92, 0.95, 3.5, 4, None),
    (0.87, 0.93, 6.0, 9, 2),
    (0.83, 0.91, 8.0, 12, 6),
    (0.85, 0.92, 7.5, 10, None),
    (0.89, 0.93, 6.0, 7, None),
    (0.92, 0.94, 4.5, 4, None),
    (0.94, 0.95, 3.0, 2, None),
    (0.96, 0.96, 2.0, 0, None),
]


@demo_step(90, "pilotage: météo history")
def demo_meteo(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        if ctx.size == "large":
            _large_meteo(ctx, project)
        return
    rng = ctx.rng(project.code, "meteo")
    sold = 100_000.0
    author = ctx.users.get("moe") or next(iter(ctx.users.values()), None)
    weeks = len(_STORY)
    for k, (spi, cpi, over, slip, bloquante) in enumerate(_STORY):
        day = ctx.today - dt.timedelta(days=7 * (weeks - k))
        facts = HealthFacts(
            spi=spi,
            cpi=cpi,
            landing=sold * (1 + over / 100),
            sold=sold,
            milestone_slip_days=slip,
            coverage_percent=round(80 + 1.5 * k + rng.random(), 1),
            pass_rate_percent=round(86 + 0.8 * k + rng.random(), 1),
            bloquante_ages=[bloquante] if bloquante is not None else [],
        )
        result = assess(facts).to_dict()
        snapshot = MeteoSnapshot(
            project=project,
            taken_on=day,
            kind=SnapshotKind.WEEKLY,
            overall=result["overall"],
            computed_overall=result["overall"],
            axes={
                axis: {"verdict": a["verdict"], "computed": a["verdict"], "override_reason": "", "rules": a["reasons"]}
                for axis, a in result["axes"].items()
            },
            figures={k: list(v) if isinstance(v, tuple | list) else v for k, v in asdict(facts).items()},
        )
        snapshot.save()
    snapshot_record(project=project, actor=author, today=ctx.today, kind=SnapshotKind.WEEKLY)


_VERDICTS = ["sun", "cloud", "rain", "storm"]


def _large_meteo(ctx: DemoContext, project: Project) -> None:
    """A generated project of the large demo: today's live météo (one computation) and three earlier weeks
    derived from it, a verdict up or down now and then, so the portfolio has a trend to show."""
    rng = ctx.rng(project.code, "meteo")
    today = snapshot_record(project=project, actor=None, today=ctx.today, kind=SnapshotKind.WEEKLY)
    level = _VERDICTS.index(today.overall)
    past = []
    for weeks in range(1, 4):
        level = min(3, max(0, level + rng.choice([-1, 0, 0, 1])))
        past.append(
            MeteoSnapshot(
                project=project,
                taken_on=ctx.today - dt.timedelta(days=7 * weeks),
                kind=SnapshotKind.WEEKLY,
                overall=_VERDICTS[level],
                computed_overall=_VERDICTS[level],
                axes=today.axes,
                figures=today.figures,
            )
        )
    MeteoSnapshot.objects.bulk_create(past)


# Title, cause, event, consequence, P, I, status, extra days (min, likely, max) or None, cost impact (€) or None.
_RISKS: list[tuple[str, str, str, str, int, int, str, tuple[float, float, float] | None, int | None]] = [
    (
        "Reprise des données usagers",
        "Qualité inégale du fichier historique",
        "Échec de la reprise à blanc",
        "Bascule décalée",
        3,
        4,
        "en_traitement",
        (5, 10, 20),
        18000,
    ),
    (
        "Indisponibilité de l'expert SSO",
        "Expert partagé avec un autre projet",
        "Absence pendant l'intégration",
        "Retard du lot Authentification",
        2,
        3,
        "identifie",
        (3, 5, 10),
        None,
    ),
    (
        "Montée de version du socle",
        "Fin de support annoncée",
        "Migration imposée en cours de recette",
        "Campagne de non-régression supplémentaire",
        2,
        4,
        "identifie",
        (2, 6, 12),
        9000,
    ),
    (
        "Adhésion des agents d'accueil",
        "Changement des habitudes de travail",
        "Faible usage après la MEP",
        "Bénéfices attendus non atteints",
        3,
        3,
        "en_traitement",
        None,
        None,
    ),
    (
        "Performance du moteur de recherche",
        "Volumétrie sous-estimée",
        "Temps de réponse > 2 s en charge",
        "Réserve au PV",
        2,
        3,
        "en_traitement",
        None,
        6000,
    ),
    (
        "Disponibilité de l'environnement de préproduction",
        "Infrastructure mutualisée",
        "Environnement indisponible",
        "Tests de performance décalés",
        3,
        2,
        "identifie",
        (1, 3, 6),
        None,
    ),
    (
        "Évolution réglementaire RGPD",
        "Nouvelle doctrine de la CNIL",
        "Exigence de purge ajoutée",
        "Demande de modification",
        1,
        3,
        "identifie",
        None,
        12000,
    ),
    (
        "Turn-over dans l'équipe de développement",
        "Marché tendu",
        "Départ d'un développeur clé",
        "Perte de productivité",
        2,
        2,
        "clos",
        None,
        None,
    ),
    (
        "Interface avec le référentiel des adresses",
        "API externe en version bêta",
        "Changement de contrat d'interface",
        "Reprise des développements",
        2,
        3,
        "survenu",
        None,
        4000,
    ),
    (
        "Validation tardive des maquettes",
        "MOA peu disponible",
        "Retour des validations au-delà de 10 jours",
        "Glissement de la conception",
        3,
        2,
        "clos",
        None,
        None,
    ),
    (
        "Sécurité : audit de pénétration",
        "Audit imposé par le RSSI",
        "Vulnérabilité critique trouvée",
        "Correctifs avant la MEP",
        2,
        4,
        "identifie",
        (3, 8, 15),
        None,
    ),
    (
        "Formation des formateurs",
        "Calendrier serré",
        "Formateurs non prêts avant la vague 1",
        "Report de la vague 1",
        2,
        2,
        "identifie",
        None,
        None,
    ),
    (
        "Mutualisation de composants",
        "Composant commun déjà éprouvé",
        "Réutilisation du module de notification",
        "Charge de développement réduite",
        3,
        2,
        "identifie",
        None,
        -8000,
    ),
    (
        "Licences du moteur de recherche",
        "Négociation en cours",
        "Hausse du prix des licences",
        "Surcoût d'exploitation",
        2,
        2,
        "en_traitement",
        None,
        7000,
    ),
    (
        "Hypercare insuffisant",
        "Équipe de support réduite",
        "Pic d'appels après la MEP",
        "Insatisfaction des usagers",
        2,
        3,
        "identifie",
        None,
        None,
    ),
]


# The plan's tasks the risks with a schedule impact would delay (by name; codes are numbered by the plan),
# and the chance typed for some of them (the others take the middle of their probability's band).
_RISK_TASKS: dict[int, tuple[str, int | None]] = {
    1: ("Run à blanc de la bascule", None),
    2: ("Tests d'intégration du back-office et des interfaces", 40),
    3: ("Automatisation des tests de non-régression", None),
    6: ("Préparation des environnements de préproduction et production", 30),
    11: ("Tests d'intrusion et audit de sécurité", None),
}


@demo_step(88, "pilotage: risks")  # before the météo, whose live snapshot counts critical risks
def demo_risks(ctx: DemoContext, project: Project) -> None:
    from decimal import Decimal

    from oeuvre.pilotage.models import Risk, RiskAction, RiskActionStatus, RiskKind

    if project.code != MAIN_PROJECT:
        return
    owners = [u for key in ("moe", "amoe", "moa", "amoa") if (u := ctx.users.get(key)) is not None]
    from oeuvre.planning.models import Task

    rng = ctx.rng(project.code, "risks")
    task_codes = dict(
        Task.objects.filter(project=project, name__in=[name for name, _chance in _RISK_TASKS.values()]).values_list(
            "name", "code"
        )
    )
    for n, (title, cause, event, consequence, p, i, status, days, cost) in enumerate(_RISKS, start=1):
        owner = owners[n % len(owners)] if owners else None
        risk = Risk.objects.create(
            project=project,
            reference=f"RSK-{n:03d}",
            number=n,
            kind=RiskKind.OPPORTUNITE if cost is not None and cost < 0 else RiskKind.RISQUE,
            title=title,
            cause=cause,
            event=event,
            consequence=consequence,
            probability=p,
            impact=i,
            residual_probability=max(1, p - 1) if status == "en_traitement" else None,
            residual_impact=i if status == "en_traitement" else None,
            owner=owner,
            status=status,
            review_on=ctx.today + dt.timedelta(days=rng.randint(-5, 30)),
            schedule_days_min=days[0] if days else None,
            schedule_days_likely=days[1] if days else None,
            schedule_days_max=days[2] if days else None,
            schedule_scope=task_codes.get(_RISK_TASKS[n][0], "") if days and n in _RISK_TASKS else "",
            schedule_probability=_RISK_TASKS[n][1] if days and n in _RISK_TASKS else None,
            cost_impact=Decimal(abs(cost)) if cost is not None else None,
        )
        if status in ("en_traitement", "clos"):
            RiskAction.objects.create(
                risk=risk,
                title=f"Plan de traitement : {title.lower()}",
                owner=owner,
                due_on=ctx.today + dt.timedelta(days=rng.randint(-10, 20)),
                status=RiskActionStatus.FAIT if status == "clos" else RiskActionStatus.EN_COURS,
                done_on=ctx.today - dt.timedelta(days=3) if status == "clos" else None,
            )
    from oeuvre.core.references import note_reference

    note_reference(project=project, key="pilotage.risk", prefix="RSK", reference=f"RSK-{len(_RISKS):03d}")


# Change requests: (title, justification, origin, what changes, task impacts (days, effort), fate, days ago submitted).
_CHANGES: list[tuple[str, str, str, list[tuple[str, int | None, str]], list[tuple[int, Decimal]], str, int | None]] = [
    (
        "Export comptable mensuel vers le progiciel financier",
        "Le contrôle de gestion doit rapprocher les factures chaque mois sans ressaisie.",
        "moa",
        [("ajout", None, "Le système exporte chaque mois les écritures validées au format du progiciel.")],
        [(4, Decimal(6)), (2, Decimal(3))],
        "accepted",
        60,
    ),
    (
        "Signature électronique des bons de commande",
        "Souhait du service achats, hors périmètre du marché initial.",
        "moa",
        [("ajout", None, "Les bons de commande sont signés électroniquement par le valideur.")],
        [(10, Decimal(18))],
        "refused",
        45,
    ),
    (
        "Conservation des pièces jointes portée à dix ans",
        "Nouvelle politique d'archivage de la direction juridique.",
        "recette",
        [("modification", 0, "Les pièces jointes sont conservées dix ans après la clôture du dossier.")],
        [(3, Decimal(5)), (1, Decimal(2))],
        "waiting",
        12,
    ),
    (
        "Portail de dépôt des factures fournisseurs",
        "Les fournisseurs souhaitent déposer leurs factures en ligne plutôt que par courrier.",
        "moa",
        [("ajout", None, "Les fournisseurs déposent leurs factures sur un portail et en suivent le traitement.")],
        [(8, Decimal(15))],
        "deferred",
        40,
    ),
    (
        "Suppression de l'édition papier des relevés",
        "Proposition de la MOE : l'édition n'est plus utilisée depuis la dématérialisation.",
        "moe",
        [("suppression", 1, "")],
        [],
        "draft",
        None,
    ),
]


@demo_step(89, "pilotage: change requests")  # before the météo, whose live snapshot reads the waiting requests
def demo_changes(ctx: DemoContext, project: Project) -> None:
    """Five requests through the real services (so the what-if runs on the demo plan): one accepted with its
    avenant and new baseline, one refused, one waiting with its impact computed, one deferred (its reason and
    review date), one draft."""
    from django.utils import timezone

    from oeuvre.core.services import save_with_history
    from oeuvre.pilotage.models import ChangeRequest
    from oeuvre.pilotage.services import changes as services
    from oeuvre.planning.models import Task, TaskKind
    from oeuvre.requirements.models import Exigence

    if project.code != MAIN_PROJECT:
        return
    moa, moe = ctx.users.get("moa"), ctx.users.get("moe")
    if moa is None or moe is None:
        return
    tasks = list(
        Task.objects.filter(project=project, actual_start__isnull=True)
        .exclude(kind=TaskKind.MILESTONE)
        .order_by("-duration", "code")
        .values_list("pk", flat=True)[:6]
    )
    exigences = list(Exigence.objects.filter(project=project).order_by("number")[:2])
    avenant_day = min(ctx.today, timezone.localdate()) - dt.timedelta(days=20)
    for k, (title, why, origin, items, impacts, fate, days_ago) in enumerate(_CHANGES):
        author = moa if origin != "moe" else moe
        change = services.change_create(
            actor=author, project=project, data={"title": title, "justification": why, "origin": origin}
        )
        for kind, exigence_index, text in items:
            exigence = exigences[exigence_index] if exigence_index is not None and exigences else None
            if kind != "ajout" and exigence is None:
                kind, text = "ajout", text or title
            services.change_item_add(actor=author, change=change, kind=kind, exigence=exigence, text=text)
        if fate == "draft":
            continue
        change = services.change_submit(actor=author, change=change, expected_version=None)
        if fate != "refused":
            lines = (
                [
                    services.TaskImpactIn(tasks[(2 * k + n) % len(tasks)], days, effort)
                    for n, (days, effort) in enumerate(impacts)
                ]
                if tasks
                else []
            )
            change = services.change_analyse(
                actor=moe,
                change=change,
                impacts=lines,
                note="Chiffrage MOE sur la base du TJM du marché.",
                expected_version=None,
            )
        if fate == "accepted":
            change = services.change_decide(
                actor=moa,
                change=change,
                accept=True,
                reason="Validé en COPIL : besoin réglementaire du contrôle de gestion.",
                avenant_signed_on=avenant_day,
                expected_version=None,
            )
        elif fate == "deferred":
            change = services.change_defer(
                actor=moa,
                change=change,
                reason="Reporté après la mise en service : la priorité reste la recette du lot 1.",
                review_on=max(ctx.today, timezone.localdate()) + dt.timedelta(days=45),
                expected_version=None,
            )
        elif fate == "refused":
            change = services.change_decide(
                actor=moa,
                change=change,
                accept=False,
                reason="Hors budget cette année ; à reprendre dans la prochaine version.",
                expected_version=None,
            )
        # Dated on the demo's calendar, not the day the demo was generated.
        fresh = ChangeRequest.objects.get(pk=change.pk)
        submitted = timezone.make_aware(dt.datetime.combine(ctx.today - dt.timedelta(days=days_ago or 0), dt.time(9)))
        fresh.submitted_at = submitted
        if fresh.analysed_at is not None:
            fresh.analysed_at = submitted + dt.timedelta(days=5)
        if fresh.decided_at is not None:
            fresh.decided_at = submitted + dt.timedelta(days=14)
        save_with_history(fresh, actor=moe, reason="demo: dated on the demo's calendar")


# Weeks before today, kind, title, decisions, actions (title, owner key, days from the committee to the due date, done).
_COMMITTEES: list[tuple[int, str, str, list[str], list[tuple[str, str, int, bool]]]] = [
    (
        10,
        "copil",
        "COPIL de lancement",
        ["Le PAQ est validé.", "Les jalons contractuels sont confirmés."],
        [("Diffuser le PAQ validé", "moe", 7, True)],
    ),
    (
        8,
        "coproj",
        "COPROJ n°4",
        ["La conception du lot 2 est validée."],
        [("Planifier la reprise à blanc", "amoe", 14, True)],
    ),
    (
        6,
        "copil",
        "COPIL n°2",
        [
            "Le glissement du lot 2 est accepté sous réserve d'un plan de rattrapage.",
            "Le risque RSK-001 est traité en priorité.",
        ],
        [("Présenter le plan de rattrapage", "moe", 7, True), ("Renforcer l'équipe d'intégration", "moe", 14, True)],
    ),
    (
        4,
        "coproj",
        "COPROJ n°6",
        ["La campagne VABF démarre à la date prévue."],
        [("Préparer les jeux de données de recette", "amoa", 10, False)],
    ),
    (
        2,
        "coproj",
        "COPROJ n°7",
        ["Les anomalies bloquantes sont corrigées avant la fin de l'itération."],
        [
            ("Livrer les correctifs des bloquantes", "amoe", 5, False),
            ("Mettre à jour le plan de MEP", "moe", 20, False),
        ],
    ),
]


@demo_step(92, "pilotage: committees")
def demo_committees(ctx: DemoContext, project: Project) -> None:
    from oeuvre.pilotage.models import Action, ActionStatus, Committee, CommitteeStatus, Decision
    from oeuvre.pilotage.services.committees import committee_close

    if project.code != MAIN_PROJECT:
        return
    moa = ctx.users.get("moa")
    decision_number = action_number = 0
    for weeks, kind, title, decisions, actions in _COMMITTEES:
        held_on = ctx.today - dt.timedelta(days=7 * weeks)
        committee = Committee.objects.create(
            project=project,
            kind=kind,
            title=title,
            held_on=held_on,
            location="Salle du conseil",
            attendees="Claire Martin — MOA\nJulien Bernard — AMOA\nSophie Durand — MOE\nKarim Haddad — AMOE",
            agenda="1. Météo du projet\n2. Risques critiques\n3. Actions à revoir\n4. Décisions à prendre",
        )
        for text in decisions:
            decision_number += 1
            Decision.objects.create(project=project, committee=committee, number=decision_number, text=text)
        for action_title, owner, days, done in actions:
            action_number += 1
            Action.objects.create(
                project=project,
                number=action_number,
                title=action_title,
                owner=ctx.users.get(owner),
                due_on=held_on + dt.timedelta(days=days),
                status=ActionStatus.FAIT if done else ActionStatus.EN_COURS,
                done_on=held_on + dt.timedelta(days=days - 1) if done else None,
                committee=committee,
            )
        if moa is not None and weeks > 2:
            committee_close(actor=moa, committee=committee, expected_version=None)
    # The next COPIL, in preparation: its agenda is drawn from live data when the MOE prepares it in the app.
    Committee.objects.create(
        project=project,
        kind="copil",
        title="COPIL n°3",
        held_on=ctx.today + dt.timedelta(days=3),
        status=CommitteeStatus.PREPARATION,
        agenda="1. Météo du projet\n2. Risques critiques\n3. Actions à revoir\n4. Décisions à prendre",
    )
