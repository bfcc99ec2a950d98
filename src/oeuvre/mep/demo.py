"""The deployment stage's demo, on the main project: three environments with the DAT's components deployed
(one version ahead in staging), release 1.0.3 in production after a signed "go" that departs in writing from one
unmet criterion, and release 1.1.0 in acceptance testing. Everything goes through the services, so the go/no-go
is signed and chained like the PV."""

from __future__ import annotations

import datetime as dt

from oeuvre.demo.generator import DEMO_PASSWORD, MAIN_PROJECT, DemoContext, demo_step
from oeuvre.mep import services
from oeuvre.mep.models import EnvironmentKind, GoNoGoVerdict, ReadinessItem, ReleaseStatus
from oeuvre.projects.models import Project
from oeuvre.requirements.selectors import components_for

_EVIDENCE = {
    ReadinessItem.DATA_MIGRATION: "Comptes usagers : 3 tirs à blanc, volumes rapprochés, signés par le MOA",
    ReadinessItem.TRAINING: "Agents formés : 42 sur 45 (feuilles d'émargement des sessions de formation)",
    ReadinessItem.ROLLBACK_PLAN: "Plan de retour arrière approuvé par le MOA, testé en préproduction (1 h 40)",
    ReadinessItem.DRY_RUN: "Run à blanc de la bascule en préproduction : 5 h 10 pour 5 h prévues",
}


def register() -> None:
    """Importing this module registers its ``@demo_step`` functions."""


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
    services.release_create(
        actor=moe,
        project=project,
        number="1.1.0",
        title="Paiement en ligne et suivi des démarches",
        status=ReleaseStatus.EN_RECETTE,
        planned_date=ctx.today + dt.timedelta(days=45),
    )


@demo_step(45, "mep: environments, releases and go/no-go")
def demo_mep(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    _environments(ctx, project)
    _releases(ctx, project)
