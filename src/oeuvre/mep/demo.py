"""The deployment stage's demo, on the main project: three environments with the DAT's components deployed
(one version ahead in staging), release 1.0.3 in production after a signed "go" that departs in writing from one
unmet criterion, and release 1.1.0 in acceptance testing. Everything goes through the services, so the go/no-go
is signed and chained like the PV. Then about 30 incidents in production during hypercare, two of them past their
service level, two still open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from oeuvre.demo.generator import DEMO_PASSWORD, MAIN_PROJECT, DemoContext, demo_step
from oeuvre.mep import configuration, runbook, services, training, waves
from oeuvre.mep import incidents as incident_services
from oeuvre.mep.models import Environment, EnvironmentKind, GoNoGoVerdict, ReadinessItem, ReleaseStatus
from oeuvre.projects.models import Project
from oeuvre.requirements import services as requirements_services
from oeuvre.requirements.selectors import components_for

_EVIDENCE = {
    ReadinessItem.DATA_MIGRATION: "Comptes usagers : 3 tirs à blanc, volumes rapprochés, signés par le MOA",
    ReadinessItem.TRAINING: "Agents formés : 42 sur 45 (feuilles d'émargement des sessions de formation)",
    ReadinessItem.ROLLBACK_PLAN: "Plan de retour arrière approuvé par le MOA, testé en préproduction (1 h 40)",
    ReadinessItem.DRY_RUN: "Run à blanc de la bascule en préproduction : 5 h 10 pour 5 h prévues",
}


def _environments(ctx: DemoContext, project: Project) -> None:
    moe, exploitation = ctx.users["moe"], ctx.users["exploitation"]
    envs = [
        services.environment_create(actor=moe, project=project, kind=kind, name=name, url=url)
        for kind, name, url in (
            (EnvironmentKind.RECETTE, "Recette", "https://recette.demarches.example"),
            (EnvironmentKind.PREPRODUCTION, "Préproduction", "https://preprod.demarches.example"),
            (EnvironmentKind.PRODUCTION, "Production", "https://demarches.example"),
        )
    ]
    rng = ctx.rng(project.code, "mep-environments")
    for component in components_for(project):
        ahead = rng.random() < 0.3  # a few components already carry 1.1.0 in staging
        for env in envs:
            version = (
                "1.1.0" if env.kind == EnvironmentKind.RECETTE or (ahead and env.kind != "production") else "1.0.3"
            )
            services.deployment_set(
                actor=exploitation,
                environment=env,
                component=component,
                version_label=version,
                deployed_on=ctx.today - dt.timedelta(days=45 if version == "1.0.3" else 5),
            )
    _configuration(ctx, envs)


#: name → value per environment (recette, staging, production); a "vault:" value is a secret's reference.
_CONFIG = {
    "DB_HOST": ("db-rec.interne", "db-ppr.interne", "db-prd.interne"),
    "DB_PASSWORD": ("vault:kv/demarches/rec#db", "vault:kv/demarches/ppr#db", "vault:kv/demarches/prd#db"),
    "SMTP_RELAY": ("smtp-test.interne", "smtp.interne", "smtp.interne"),
    "PAYMENT_MODE": ("bouchon", "bouchon", "reel"),  # staging still on the stub: shown as a difference
    "LOG_LEVEL": ("DEBUG", "INFO", "INFO"),
}


def _configuration(ctx: DemoContext, envs: list[Environment]) -> None:
    exploitation = ctx.users["exploitation"]
    for name, values in _CONFIG.items():
        for env, value in zip(envs, values, strict=True):
            secret = value.startswith("vault:")
            configuration.config_item_set(
                actor=exploitation,
                environment=env,
                name=name,
                value="" if secret else value,
                secret_ref=value if secret else "",
                owner=exploitation,
            )


def _releases(ctx: DemoContext, project: Project) -> None:
    moe, moa, exploitation = ctx.users["moe"], ctx.users["moa"], ctx.users["exploitation"]
    live = services.release_create(
        actor=moe,
        project=project,
        number="1.0.3",
        title="Ouverture du portail des démarches en ligne",
        status=ReleaseStatus.EN_RECETTE,
        planned_date=ctx.today - dt.timedelta(days=42),
    )
    _rollback_plan(ctx, live)
    steps = _runbook(ctx, live)
    # The dry run in staging, twelve days before: 5 h 10 for the 5 h planned (the readiness evidence says so).
    _run(ctx, steps, run="dry", start=_at(ctx.today - dt.timedelta(days=54), 19), minutes=_DRY_RUN_MINUTES)
    for item, evidence in _EVIDENCE.items():
        services.readiness_attest(actor=exploitation, release=live, item=item, done=True, evidence=evidence)
    services.gonogo_decide(
        actor=moa,
        release=live,
        decision=GoNoGoVerdict.GO,
        reason=(
            "Procédures d'exploitation non encore validées (réserve du PV) : le COPIL maintient la mise en "
            "production, l'exploitant applique les procédures provisoires et le dossier est complété sous 15 jours."
        ),
        password=DEMO_PASSWORD,
    )
    live.refresh_from_db()
    services.release_update(
        actor=exploitation,
        release=live,
        expected_version=None,
        status=ReleaseStatus.EN_PRODUCTION,
        actual_date=ctx.today - dt.timedelta(days=42),
    )
    _cutover(ctx, steps)
    following = services.release_create(
        actor=moe,
        project=project,
        number="1.1.0",
        title="Paiement en ligne et suivi des démarches",
        status=ReleaseStatus.EN_RECETTE,
        planned_date=ctx.today + dt.timedelta(days=45),
    )
    _runbook(ctx, following)
    _ready_for_gonogo(ctx, following)
    _waves(ctx, following)


#: The next release's readiness, all attested: its go/no-go waits for the buyer (Mon travail, the bell).
_NEXT_EVIDENCE = {
    ReadinessItem.DATA_MIGRATION: "Reprise des paiements en attente : 2 tirs à blanc rapprochés, signés par le MOA",
    ReadinessItem.OPERATING_PROCEDURES: "Procédures d'exploitation du paiement validées par l'exploitant (v2)",
    ReadinessItem.TRAINING: "Agents des sites pilotes formés au suivi des paiements (feuilles d'émargement)",
    ReadinessItem.ROLLBACK_PLAN: "Plan de retour arrière de la 1.1.0 approuvé, testé en préproduction (1 h 25)",
    ReadinessItem.DRY_RUN: "Run à blanc de la bascule 1.1.0 en préproduction : 3 h 50 pour 4 h prévues",
}


def _ready_for_gonogo(ctx: DemoContext, release: Any) -> None:
    runbook.rollback_plan_save(
        actor=ctx.users["moe"],
        release=release,
        expected_version=None,
        steps="Désactiver le paiement en ligne\nRedéployer les paquets 1.0.3\nRejouer les paiements en attente",
        decision_criterion="Paiements refusés à tort au-delà de 1 % pendant la première heure",
        max_minutes=90,
        tested_on=ctx.today - dt.timedelta(days=3),
        test_result="Retour arrière en préproduction en 1 h 25, paiements rejoués sans perte.",
    )
    runbook.rollback_plan_approve(actor=ctx.users["moa"], release=release, expected_version=None)
    for item, evidence in _NEXT_EVIDENCE.items():
        services.readiness_attest(
            actor=ctx.users["exploitation"], release=release, item=item, done=True, evidence=evidence
        )


def _waves(ctx: DemoContext, release: Any) -> None:
    """The next release rolls out in two waves over four sites; the first has its go."""
    moe, moa = ctx.users["moe"], ctx.users["moa"]
    first = waves.wave_create(
        actor=moe,
        release=release,
        name="Vague 1 : sites pilotes",
        sites="Siège (Paris), Agence de Lyon",
        planned_date=release.planned_date,
        users=180,
        prerequisites="Postes mis à jour\nComptes agents créés\nFormation des agents pilotes",
        runbook_link="Runbook de la version (bascule de nuit)",
    )
    waves.wave_decide(
        actor=moa,
        wave=first,
        decision=GoNoGoVerdict.GO,
        note="Sites pilotes prêts, support renforcé sur place la première semaine.",
        expected_version=None,
    )
    second = waves.wave_create(
        actor=moe,
        release=release,
        name="Vague 2 : généralisation",
        sites="Agences de Nantes et de Lille",
        planned_date=release.planned_date + dt.timedelta(days=21),
        users=260,
        prerequisites="Retour d'expérience de la vague 1\nFormation des agents de Nantes et Lille",
        runbook_link="Check-list de généralisation (sans coupure de service)",
    )
    _training(ctx, release, first, second)


#: Named attendees: (name, role, attendance, satisfaction).
_RELAY_TRAINERS = [
    ("Aurélie Fontaine", "Formateurs relais", "present", 5),
    ("Bruno Garnier", "Formateurs relais", "present", 4),
    ("Céline Roux", "Formateurs relais", "present", 4),
    ("David Morel", "Formateurs relais", "present", 5),
    ("Emma Lefèvre", "Formateurs relais", "present", 3),
    ("Farid Benali", "Formateurs relais", "present", 4),
]
_NANTES = [
    ("Gaëlle Marchand", "Instructeurs", "present", 4),
    ("Hugo Perrin", "Instructeurs", "present", 5),
    ("Inès Carpentier", "Instructeurs", "present", 4),
    ("Jules Renard", "Instructeurs", "absent", None),
    ("Karine Blanc", "Instructeurs", "present", 3),
    ("Louis Guérin", "Agents d'accueil", "present", 4),
    ("Manon Robin", "Agents d'accueil", "excuse", None),
    ("Nicolas Faure", "Agents d'accueil", "present", None),
    ("Océane Mercier", "Agents d'accueil", "present", 5),
    ("Pierre Giraud", "Agents d'accueil", "present", 4),
    ("Quentin Andre", "Agents d'accueil", "present", 4),
    ("Rose Lambert", "Agents d'accueil", "present", 3),
]


def _materials(ctx: DemoContext, release: Any) -> list[int]:
    """The supports de formation are deliverables of the project (DOMAIN.md)."""
    moe = ctx.users["moe"]
    made = [
        requirements_services.deliverable_create(
            actor=moe,
            project=release.project,
            kind="autre",
            title=title,
            reference=reference,
            document_version="1.0",
            link=link,
        )
        for title, reference, link in (
            (
                "Guide de l'agent : instruire une démarche en ligne",
                "FOR-01",
                "https://docs.demarches.example/guide-agent",
            ),
            ("Support de formation des formateurs relais", "FOR-02", "https://docs.demarches.example/formateurs"),
        )
    ]
    # Every deliverable has its RACI with exactly one A: the MOE writes the supports, the AMOA approves them.
    for deliverable in made:
        requirements_services.deliverable_set_raci(
            actor=moe,
            deliverable=deliverable,
            assignments=[(moe, "R"), (ctx.users["amoa"], "A"), (ctx.users["moa"], "I")],
            expected_version=None,
        )
    return [d.pk for d in made]


def _training(ctx: DemoContext, release: Any, first: Any, second: Any) -> None:
    """The relay trainers first, then the agents: the first wave is trained (named relay trainers and two sessions
    counted from their sign-in sheets), the second half trained (a named session in Nantes, a counted one in Lille,
    and one still to come)."""
    moe, amoa = ctx.users["moe"], ctx.users["amoa"]
    day = release.planned_date or ctx.today
    guide, relay_deck = _materials(ctx, release)
    relay = training.course_create(
        actor=moe,
        release=release,
        title="Formation des formateurs relais",
        audience="Formateurs relais",
        duration_minutes=360,
        materials=[relay_deck, guide],
    )
    agents = training.course_create(
        actor=moe,
        release=release,
        title="Instruire une démarche en ligne",
        audience="Agents d'accueil et instructeurs",
        duration_minutes=180,
        materials=[guide],
    )

    def session(course: Any, wave: Any, offset: int, audience: str, place: str, capacity: int) -> Any:
        return training.session_create(
            actor=moe,
            release=release,
            course=course,
            wave=wave,
            audience=audience,
            trainer="Formateur de l'AMOE",
            date=day + dt.timedelta(days=offset),
            place=place,
            capacity=capacity,
        )

    def named(target: Any, people: Sequence[tuple[str, str, str, int | None]], *, record: bool) -> None:
        for name, role, _attendance, _score in people:
            training.attendee_add(actor=moe, session=target, name=name, role=role)
        if record:
            ids = {a.name: a.pk for a in target.attendees.all()}
            training.attendance_record(
                actor=amoa,
                session=target,
                expected_version=None,
                marks={ids[name]: (attendance, score) for name, _role, attendance, score in people},
            )

    named(session(relay, first, -21, "Formateurs relais", "Siège, salle Colbert", 8), _RELAY_TRAINERS, record=True)
    for offset, audience, place, capacity, attended in (
        (-14, "Agents d'accueil du siège", "Siège, salle Colbert", 100, 94),
        (-10, "Agents de l'agence de Lyon", "Classe virtuelle (lien envoyé aux inscrits)", 90, 80),
    ):
        counted = session(agents, first, offset, audience, place, capacity)
        training.attendance_record(actor=moe, session=counted, attended=attended, expected_version=None)
    named(session(agents, second, -3, "Agents de l'agence de Nantes", "Agence de Nantes", 15), _NANTES, record=True)
    counted = session(agents, second, 2, "Agents de l'agence de Lille", "Agence de Lille", 130)
    training.attendance_record(actor=moe, session=counted, attended=120, expected_version=None)
    later = session(agents, second, 12, "Agents de Nantes et Lille (rattrapage)", "Classe virtuelle", 20)
    named(
        later,
        [("Jules Renard", "Instructeurs", "inscrit", None), ("Manon Robin", "Agents d'accueil", "inscrit", None)],
        record=False,
    )


#: The cut-over of the portal: (title, owner, minutes, point of no return, checkpoint, rollback of the step).
_STEPS = [
    (
        "Annonce de l'interruption de service et arrêt des traitements planifiés",
        "exploitation",
        15,
        False,
        False,
        "Relancer les traitements planifiés et retirer le bandeau",
    ),
    ("Sauvegarde complète de la base de production", "exploitation", 30, False, False, ""),
    (
        "Déploiement des composants 1.0.3 sur la production",
        "moe",
        60,
        False,
        False,
        "Redéployer les paquets de la version précédente",
    ),
    (
        "Reprise des comptes usagers et des démarches en cours",
        "moe",
        90,
        True,
        False,
        "Restaurer la sauvegarde de la base (étape 2)",
    ),
    ("Tests de bon fonctionnement (parcours usager et agent)", "amoe", 45, False, False, ""),
    ("Go/no-go de la nuit : ouverture au public", "moa", 15, False, True, ""),
    ("Ouverture du service et surveillance renforcée", "exploitation", 45, False, False, ""),
]

#: Minutes each step took in the dry run, back to back: 310 for the 300 planned, the data migration (+20) and
#: the functional tests (+15) late beyond the 10 minutes' tolerance.
_DRY_RUN_MINUTES = (15, 25, 50, 110, 60, 15, 35)


def _rollback_plan(ctx: DemoContext, release: Any) -> None:
    runbook.rollback_plan_save(
        actor=ctx.users["moe"],
        release=release,
        expected_version=None,
        steps=(
            "Fermer l'accès public (bandeau de maintenance)\n"
            "Restaurer la sauvegarde complète de la base\n"
            "Redéployer les paquets de la version précédente\n"
            "Relancer les traitements planifiés et rouvrir le service"
        ),
        decision_criterion=(
            "Parcours de dépôt d'une démarche en échec après la reprise, ou reprise des comptes non terminée à 23 h"
        ),
        max_minutes=100,
        tested_on=ctx.today - dt.timedelta(days=50),
        test_result="Retour arrière complet en préproduction en 1 h 40, données vérifiées par l'exploitant.",
    )
    runbook.rollback_plan_approve(actor=ctx.users["moa"], release=release, expected_version=None)


def _runbook(ctx: DemoContext, release: Any) -> list[Any]:
    """The cut-over runbook of ``release`` as planned: 5 h from 19:00 on its go-live evening."""
    cursor = _at(release.planned_date, 19)
    steps: list[Any] = []
    for title, owner, minutes, no_return, checkpoint, rollback in _STEPS:
        steps.append(
            runbook.runbook_step_create(
                actor=ctx.users["moe"],
                release=release,
                title=title,
                owner=ctx.users.get(owner),
                planned_start=cursor,
                planned_minutes=minutes,
                depends_on=[steps[-1].pk] if steps else [],
                checkpoint=checkpoint,
                point_of_no_return=no_return,
                rollback=rollback,
            )
        )
        cursor += dt.timedelta(minutes=minutes)
    return steps


def _runner(ctx: DemoContext, step: Any) -> Any:
    who = step.owner or ctx.users["exploitation"]
    return who if who.username in ("moe", "amoe", "exploitation") else ctx.users["exploitation"]


def _run(ctx: DemoContext, steps: list[Any], *, run: str, start: dt.datetime, minutes: tuple[int, ...]) -> None:
    """Run every step of ``steps`` in ``run``, back to back from ``start``, each taking its ``minutes``."""
    clock = start
    for step, took in zip(steps, minutes, strict=True):
        runner = _runner(ctx, step)
        runbook.runbook_step_act(actor=runner, step=step, action="start", expected_version=None, at=clock, run=run)
        clock += dt.timedelta(minutes=took)
        runbook.runbook_step_act(actor=runner, step=step, action="done", expected_version=None, at=clock, run=run)


def _cutover(ctx: DemoContext, steps: list[Any]) -> None:
    """The real cut-over on the go-live evening, the data migration failing once (a lock on the accounts table)
    and retried."""
    clock = _at(steps[0].release.planned_date, 19, 5)
    for index, step in enumerate(steps):
        runner = _runner(ctx, step)
        runbook.runbook_step_act(actor=runner, step=step, action="start", expected_version=None, at=clock)
        if index == 3:  # the data migration fails once, then is retried after the lock is released
            clock += dt.timedelta(minutes=25)
            runbook.runbook_step_act(
                actor=runner,
                step=step,
                action="fail",
                expected_version=None,
                note="Verrou sur la table des comptes tenu par un traitement resté actif ; traitement arrêté.",
                at=clock,
            )
            clock += dt.timedelta(minutes=10)
            runbook.runbook_step_act(actor=runner, step=step, action="retry", expected_version=None, at=clock)
        clock += dt.timedelta(minutes=step.planned_minutes + (5 if index % 2 else -5))
        runbook.runbook_step_act(actor=runner, step=step, action="done", expected_version=None, at=clock)


_INCIDENTS = [
    "Erreur 500 au dépôt d'une demande d'acte",
    "FranceConnect : retour en boucle sur la page d'accueil",
    "Paiement cantine refusé pour les cartes à autorisation systématique",
    "Courriel de confirmation non reçu",
    "Lenteur de la recherche de dossiers côté agent",
    "Pièce jointe PDF illisible dans le back-office",
    "Export comptable incomplet (écritures du dimanche)",
    "Session expirée pendant la saisie d'un formulaire long",
    "Libellé erroné sur le récapitulatif de paiement",
    "Photo du signalement tournée de 90°",
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _incidents(ctx: DemoContext, project: Project) -> None:
    """About 30 incidents during hypercare: most handled in time, two past their service level, two open."""
    exploitation = ctx.users["exploitation"]
    rng = ctx.rng(project.code, "mep-incidents")
    production = Environment.objects.filter(project=project, kind=EnvironmentKind.PRODUCTION).first()
    components = list(components_for(project))
    reporters = [ctx.users[k] for k in ("moa", "amoa", "contributor") if k in ctx.users] or [exploitation]
    day, made = ctx.today - dt.timedelta(days=41), 0
    while made < 30 and day < ctx.today - dt.timedelta(days=2):
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        for _n in range(rng.choice((1, 1, 2))):  # one or two incidents a working day
            if made < 30:
                made += 1
                _handled_incident(ctx, project, rng, day, made, production, components, reporters)
    for title in ("Lenteur à l'ouverture du tableau de bord agent", "Libellé anglais sur la page d'erreur"):
        incident = incident_services.incident_create(
            actor=rng.choice(reporters),
            project=project,
            title=title,
            impact=1,
            urgency=1,
            environment=production,
            opened_at=_at(ctx.today - dt.timedelta(days=1), 10),
        )
        incident_services.incident_transition(
            actor=exploitation,
            incident=incident,
            action="take",
            expected_version=None,
            at=_at(ctx.today - dt.timedelta(days=1), 10, 20),
        )


def _handled_incident(
    ctx: DemoContext,
    project: Project,
    rng: Any,
    day: dt.date,
    number: int,
    production: Environment | None,
    components: list[Any],
    reporters: list[Any],
) -> None:
    """Incident ``number`` opened on ``day``, taken in charge and resolved; the 7th and the 19th too late."""
    moe, exploitation = ctx.users["moe"], ctx.users["exploitation"]
    opened = _at(day, rng.randint(9, 14), rng.choice((0, 15, 30, 45)))
    late = number in (7, 19)  # the two breaches: priority 1 (30 min to take charge, 4 h to restore)
    incident = incident_services.incident_create(
        actor=rng.choice(reporters),
        project=project,
        title=_INCIDENTS[number % len(_INCIDENTS)],
        impact=5 if late else rng.randint(1, 5),
        urgency=5 if late else rng.randint(1, 5),
        environment=production,
        component=rng.choice(components) if components else None,
        opened_at=opened,
    )
    if number == 7:  # taken in charge three hours late
        take, solve = opened + dt.timedelta(hours=3), opened + dt.timedelta(hours=3, minutes=30)
    elif number == 19:  # restored two working days later
        take, solve = opened + dt.timedelta(minutes=10), opened + dt.timedelta(days=2 if day.weekday() < 3 else 4)
    else:
        take, solve = opened + dt.timedelta(minutes=10), opened + dt.timedelta(minutes=50)
    incident = incident_services.incident_transition(
        actor=exploitation, incident=incident, action="take", expected_version=None, at=take
    )
    incident = incident_services.incident_transition(
        actor=moe, incident=incident, action="resolve", expected_version=None, at=solve
    )
    if solve.date() < ctx.today - dt.timedelta(days=3):
        incident_services.incident_transition(
            actor=exploitation, incident=incident, action="close", expected_version=None, at=solve
        )


@demo_step(45, "mep: environments, releases and go/no-go")
def demo_mep(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    _environments(ctx, project)
    _releases(ctx, project)
    _incidents(ctx, project)
