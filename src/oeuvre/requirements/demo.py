"""Demo data of the requirements stage: the CDC of « Guichet usagers », in French.

The main project gets about 60 exigences of every type and status, written by the AMOA and decided by the
MOA through the services (so the history is real), 40 specifications, 15 DAT components, the trace links
with a few deliberate gaps, two frozen CDC baselines with changes between them, and the deliverables
with their RACI. With ``size == "large"`` the main project also gets 5,000 generated exigences (the RTM
benchmark) and every other project 40 to 120, written in bulk.

Later stages find what was created in ``ctx.extra["requirements"][project.code]``: a dict with the lists
``exigences``, ``specifications`` and ``components`` (model instances, in reference order).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.projects.models import Project
from oeuvre.requirements import services
from oeuvre.requirements.models import (
    BaselineEntry,
    CdcVersion,
    Component,
    Deliverable,
    Exigence,
    ExigenceStatus,
    RaciAssignment,
    RequirementsSettings,
    Specification,
    TraceKind,
    TraceLink,
)

# (type, priority, source, title, text)
EXIGENCES: list[tuple[str, str, str, str, str]] = [
    ("fonctionnelle", "must", "§3.1.1", "Créer un compte usager",
     "L'usager crée un compte avec son adresse électronique et un mot de passe, ou via FranceConnect."),
    ("fonctionnelle", "must", "§3.1.2", "Se connecter avec FranceConnect",
     "Le portail propose la connexion FranceConnect ; l'identité pivot pré-remplit le profil de l'usager."),
    ("fonctionnelle", "should", "§3.1.3", "Gérer son profil et ses préférences",
     "L'usager modifie ses coordonnées et choisit ses canaux de notification (courriel, SMS)."),
    ("fonctionnelle", "must", "§3.1.4", "Consulter le tableau de bord de ses démarches",
     "Le tableau de bord liste les démarches en cours et terminées avec leur statut et la prochaine étape."),
    ("fonctionnelle", "must", "§3.2.1", "Demander un acte d'état civil",
     "L'usager demande un extrait ou une copie intégrale d'acte de naissance, de mariage ou de décès."),
    ("fonctionnelle", "must", "§3.2.2", "Suivre l'instruction d'une demande d'acte",
     "Chaque changement de statut de la demande est visible et notifié à l'usager."),
    ("fonctionnelle", "should", "§3.2.3", "Prendre rendez-vous pour un titre d'identité",
     "L'usager réserve un créneau en mairie pour une carte d'identité ou un passeport."),
    ("fonctionnelle", "must", "§3.3.1", "Inscrire un enfant à l'école",
     "Le responsable légal inscrit son enfant en fournissant les pièces justificatives numérisées."),
    ("fonctionnelle", "must", "§3.3.2", "Inscrire un enfant à la restauration scolaire",
     "L'inscription à la cantine indique les jours de présence et les régimes alimentaires."),
    ("fonctionnelle", "should", "§3.3.3", "Réserver l'accueil périscolaire",
     "Le responsable légal réserve ou annule l'accueil du matin et du soir jusqu'à la veille 18 h."),
    ("fonctionnelle", "must", "§3.3.4", "Payer les factures périscolaires en ligne",
     "Les factures mensuelles sont payables par carte bancaire via le télépaiement de la DGFiP (PayFiP)."),
    ("fonctionnelle", "must", "§3.4.1", "Demander un bac de collecte",
     "L'usager demande un bac d'ordures ménagères ou de tri, ou son remplacement."),
    ("fonctionnelle", "should", "§3.4.2", "Réserver un enlèvement d'encombrants",
     "L'usager choisit une date d'enlèvement parmi les tournées disponibles de sa commune."),
    ("fonctionnelle", "could", "§3.4.3", "Consulter le calendrier de collecte",
     "Le calendrier de collecte de l'adresse de l'usager est consultable et exportable (iCalendar)."),
    ("fonctionnelle", "must", "§3.5.1", "Demander une carte de stationnement résident",
     "L'usager résident demande sa carte en justifiant de son domicile et de son certificat d'immatriculation."),
    ("fonctionnelle", "should", "§3.5.2", "Renouveler une carte de stationnement",
     "Le renouvellement réutilise les pièces encore valides et ne demande que les pièces expirées."),
    ("fonctionnelle", "must", "§3.6.1", "Instruire une demande dans le back-office",
     "L'agent instructeur consulte la demande, les pièces, et la valide, la refuse ou demande un complément."),
    ("fonctionnelle", "must", "§3.6.2", "Répartir les demandes entre agents",
     "Le responsable de service affecte les demandes aux agents selon leur charge et leurs compétences."),
    ("fonctionnelle", "should", "§3.6.3", "Produire les statistiques d'activité",
     "Le back-office produit chaque mois le nombre de demandes par démarche, délai moyen et taux de rejet."),
    ("fonctionnelle", "could", "§3.6.4", "Modèles de courriers aux usagers",
     "Les agents utilisent des modèles de courriers fusionnés avec les données de la demande."),
    ("fonctionnelle", "must", "§3.7.1", "Notifier l'usager par courriel",
     "Chaque étape d'une démarche déclenche un courriel à l'usager, sans donnée sensible dans le corps."),
    ("fonctionnelle", "could", "§3.7.2", "Notifier l'usager par SMS",
     "Sur option, les rappels de rendez-vous et de collecte sont envoyés par SMS."),
    ("fonctionnelle", "wont", "§3.7.3", "Application mobile native",
     "Une application mobile native n'est pas attendue dans ce marché ; le portail est adaptatif."),
    ("fonctionnelle", "should", "§3.8.1", "Déposer des pièces justificatives",
     "L'usager dépose des PDF, JPEG ou PNG de 10 Mo au plus par pièce ; le portail les contrôle."),
    ("technique", "must", "§4.1.1", "Interface avec le SI financier",
     "Les titres de recette sont transmis au SI financier (format PES v2) chaque nuit."),
    ("technique", "must", "§4.1.2", "Interface avec le logiciel d'état civil",
     "Les demandes d'actes sont transmises au logiciel d'état civil par son API REST."),
    ("technique", "should", "§4.1.3", "API publique des démarches",
     "Une API REST documentée (OpenAPI) expose le catalogue des démarches et leur statut."),
    ("technique", "must", "§4.2.1", "Hébergement en France",
     "Les environnements sont hébergés en France chez un hébergeur qualifié SecNumCloud."),
    ("technique", "must", "§4.2.2", "Environnements de recette et de préproduction",
     "Le titulaire fournit un environnement de recette et un de préproduction iso-production."),
    ("technique", "should", "§4.2.3", "Déploiement automatisé",
     "Les mises en production sont automatisées et rejouables, sans intervention manuelle sur les serveurs."),
    ("technique", "could", "§4.2.4", "Conteneurisation des composants",
     "Les composants applicatifs sont livrés sous forme d'images de conteneurs signées."),
    ("performance", "must", "§5.1", "Temps de réponse des pages",
     "95 % des pages du portail s'affichent en moins de 2 secondes sous la charge nominale."),
    ("performance", "must", "§5.2", "Charge nominale et pic",
     "Le portail supporte 500 usagers simultanés en charge nominale et 2 000 lors de la rentrée scolaire."),
    ("performance", "should", "§5.3", "Temps de traitement des dépôts",
     "Le contrôle et l'enregistrement d'une pièce de 10 Mo prennent moins de 5 secondes."),
    ("performance", "should", "§5.4", "Exports du back-office",
     "L'export de 50 000 demandes au format tableur est produit en moins d'une minute."),
    ("securite", "must", "§6.1", "Authentification des agents",
     "Les agents s'authentifient par le fournisseur d'identité de l'agglomération (SSO) avec double facteur."),
    ("securite", "must", "§6.2", "Chiffrement des échanges",
     "Tous les échanges sont chiffrés en TLS 1.2 au minimum ; les suites faibles sont refusées."),
    ("securite", "must", "§6.3", "Traçabilité des accès aux dossiers",
     "Chaque consultation d'un dossier par un agent est journalisée et conservée un an."),
    ("securite", "must", "§6.4", "Homologation de sécurité RGS",
     "Le titulaire fournit le dossier d'homologation (analyse de risques EBIOS RM, PSSI) avant la MEP."),
    ("securite", "should", "§6.5", "Tests d'intrusion",
     "Un audit d'intrusion par un prestataire qualifié PASSI est conduit avant la mise en production."),
    ("securite", "must", "§6.6", "Protection contre les fichiers malveillants",
     "Les pièces déposées sont analysées par un antivirus avant d'être accessibles aux agents."),
    ("reglementaire", "must", "§7.1", "Conformité RGPD",
     "Le registre des traitements et les mentions d'information sont fournis ; les durées de conservation appliquées."),
    ("reglementaire", "must", "§7.2", "Accessibilité RGAA",
     "Le portail est conforme au RGAA 4.1 ; la déclaration d'accessibilité est publiée."),
    ("reglementaire", "must", "§7.3", "Archivage des actes",
     "Les demandes d'actes et leurs pièces sont versées au service d'archives selon le référentiel de gestion."),
    ("reglementaire", "should", "§7.4", "Référentiel général d'interopérabilité",
     "Les formats d'échange respectent le RGI v2."),
    ("reglementaire", "could", "§7.5", "Éco-conception RGESN",
     "La conception suit le référentiel général d'écoconception des services numériques."),
    ("exploitabilite", "must", "§8.1", "Supervision des services",
     "Chaque composant expose des sondes de santé et des métriques reprises par la supervision de l'agglomération."),
    ("exploitabilite", "must", "§8.2", "Sauvegardes et restauration",
     "Les données sont sauvegardées chaque nuit, conservées 30 jours ; une restauration est testée chaque trimestre."),
    ("exploitabilite", "must", "§8.3", "Disponibilité du service",
     "Le portail est disponible 99,5 % du temps hors maintenance planifiée, mesurée mensuellement."),
    ("exploitabilite", "should", "§8.4", "Procédures d'exploitation",
     "Le titulaire fournit les procédures d'exploitation et forme l'équipe d'exploitation avant la MEP."),
    ("exploitabilite", "should", "§8.5", "Journalisation centralisée",
     "Les journaux applicatifs sont centralisés et consultables par l'exploitation pendant 90 jours."),
    ("exploitabilite", "could", "§8.6", "Mode maintenance",
     "Un mode maintenance affiche un message aux usagers pendant les interventions planifiées."),
    ("fonctionnelle", "must", "§3.9.1", "Moteur de recherche des démarches",
     "L'usager trouve une démarche par mots-clés, y compris avec des fautes de frappe courantes."),
    ("fonctionnelle", "should", "§3.9.2", "Foire aux questions",
     "Une FAQ administrable par les agents répond aux questions fréquentes par démarche."),
    ("fonctionnelle", "must", "§3.9.3", "Formulaire de contact",
     "L'usager écrit au service concerné ; sa demande est tracée dans le back-office."),
    ("fonctionnelle", "should", "§3.9.4", "Enquête de satisfaction",
     "Une enquête courte est proposée à la fin de chaque démarche."),
    ("technique", "should", "§4.3.1", "Reprise des comptes existants",
     "Les 18 000 comptes du portail actuel sont repris avec leurs démarches des 24 derniers mois."),
    ("technique", "must", "§4.3.2", "Réversibilité",
     "En fin de marché, le titulaire restitue les données dans des formats ouverts et documentés."),
    ("performance", "could", "§5.5", "Optimisation des images",
     "Les images du portail sont servies dans des formats compressés adaptés à l'écran."),
    ("securite", "should", "§6.7", "Gestion des secrets",
     "Les secrets applicatifs sont stockés dans un coffre-fort et renouvelés tous les ans."),
]  # fmt: skip

# Deliberate gaps: these exigences get no specification (by position in EXIGENCES).
NO_SPEC = {13, 22, 45, 51, 58}

# (kind, title, satisfied exigence positions)
SPECIFICATIONS: list[tuple[str, str, list[int]]] = [
    ("sfg", "Parcours de création de compte", [0, 1]),
    ("sfd", "Écran de connexion et FranceConnect", [1, 35]),
    ("sfd", "Profil et préférences de notification", [2, 20, 21]),
    ("sfd", "Tableau de bord usager", [3, 5]),
    ("sfg", "Démarches d'état civil", [4, 5]),
    ("sfd", "Formulaire de demande d'acte", [4]),
    ("sfd", "Prise de rendez-vous titres d'identité", [6]),
    ("sfg", "Démarches scolaires et périscolaires", [7, 8, 9]),
    ("sfd", "Inscription scolaire", [7]),
    ("sfd", "Restauration scolaire et accueil périscolaire", [8, 9]),
    ("sfd", "Facturation et paiement PayFiP", [10]),
    ("sfd", "Demandes de bacs et d'encombrants", [11, 12]),
    ("sfd", "Carte de stationnement résident", [14, 15]),
    ("sfg", "Back-office d'instruction", [16, 17]),
    ("sfd", "Écran d'instruction d'une demande", [16]),
    ("sfd", "Affectation des demandes", [17]),
    ("sfd", "Tableaux de bord statistiques", [18]),
    ("sfd", "Modèles de courriers", [19]),
    ("sfd", "Dépôt et contrôle des pièces", [23, 33, 40]),
    ("std", "Flux PES v2 vers le SI financier", [24]),
    ("std", "Connecteur état civil", [25]),
    ("std", "API publique OpenAPI", [26]),
    ("stg", "Architecture d'hébergement", [27, 28]),
    ("std", "Chaîne de déploiement continu", [29, 30]),
    ("std", "Plan de performance et cache", [31, 32]),
    ("std", "Exports asynchrones", [34]),
    ("std", "Authentification des agents (SSO, MFA)", [35]),
    ("std", "Configuration TLS", [36]),
    ("std", "Journal des accès aux dossiers", [37]),
    ("stg", "Dossier de sécurité et homologation", [38, 39]),
    ("sfd", "Mentions RGPD et durées de conservation", [41]),
    ("sfd", "Charte d'accessibilité", [42]),
    ("std", "Versement aux archives", [43]),
    ("std", "Formats d'échange", [44]),
    ("std", "Supervision et métriques", [46, 50]),
    ("std", "Sauvegarde et restauration", [47]),
    ("stg", "Haute disponibilité", [48]),
    ("sfd", "Moteur de recherche et FAQ", [52, 53]),
    ("sfd", "Contact et satisfaction", [54, 55]),
    ("std", "Reprise des données du portail actuel", [56, 57]),
]

# Deliberate gaps: these specifications are realised by no component (by position).
NO_COMPONENT = {17, 25, 33}

# (kind, name, performance constraints, security constraints, realised specification positions)
COMPONENTS: list[tuple[str, str, str, str, list[int]]] = [
    (
        "module",
        "Portail usagers",
        "95 % des pages < 2 s",
        "OWASP ASVS niveau 2",
        [0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 37, 38],
    ),
    ("module", "Back-office agents", "Listes de 10 000 dossiers < 1 s", "Accès par rôle, MFA", [13, 14, 15, 16]),
    ("module", "Moteur de workflow", "", "", [4, 13]),
    ("module", "Service de paiement", "", "PCI-DSS délégué à PayFiP", [10]),
    ("module", "Gestion documentaire", "Dépôt 10 Mo < 5 s", "Antivirus à l'entrée", [18, 32]),
    ("module", "Service de notification", "10 000 courriels/heure", "", [2]),
    ("interface", "Connecteur FranceConnect", "", "OpenID Connect, clés renouvelées", [1]),
    ("interface", "Connecteur SI financier (PES v2)", "", "Flux signés", [19]),
    ("interface", "Connecteur état civil", "", "Authentification mutuelle TLS", [20]),
    ("interface", "API publique", "100 requêtes/s", "Jetons OAuth 2", [21]),
    ("infrastructure", "Plateforme d'hébergement SecNumCloud", "", "Qualification SecNumCloud", [22, 36]),
    ("infrastructure", "Chaîne CI/CD", "", "Images signées", [23]),
    ("infrastructure", "Cache et répartiteur de charge", "2 000 usagers simultanés", "", [24]),
    ("infrastructure", "Supervision et journaux", "", "", [34]),
    ("infrastructure", "Sauvegardes", "RPO 24 h, RTO 4 h", "Sauvegardes chiffrées", [35, 39]),
]

# Performance and security exigences allocated to infrastructure (exigence position -> component position).
ALLOCATIONS = {31: 12, 32: 12, 48: 10, 36: 10, 47: 14}
REFINEMENTS = [(8, 7), (9, 7), (15, 14), (5, 4)]  # (child, parent): the child refines the parent


@demo_step(10, "requirements")
def build(ctx: DemoContext, project: Project) -> None:
    if project.code == MAIN_PROJECT:
        created = _main(ctx, project)
        if ctx.size == "large":
            _bulk(ctx, project, exigences=5000, start=len(created["exigences"]) + 1)
    elif ctx.size == "large":
        created = _bulk(ctx, project, exigences=ctx.rng(project.code, "req-size").randint(40, 120), start=1)
    else:
        return
    stored = ctx.extra.setdefault("requirements", {})
    stored[project.code] = {
        "exigences": list(Exigence.objects.filter(project=project).order_by("number")),
        "specifications": list(Specification.objects.filter(project=project).order_by("number")),
        "components": list(Component.objects.filter(project=project).order_by("number")),
    }
    if project.code == MAIN_PROJECT:
        ctx.extra["exigences"] = stored[project.code]["exigences"]


def _main(ctx: DemoContext, project: Project) -> dict[str, list[Any]]:
    moa, amoa, moe, amoe = (ctx.users[n] for n in ("moa", "amoa", "moe", "amoe"))
    exploitation = ctx.users["exploitation"]
    rng = ctx.rng(project.code, "requirements")
    cdc = CdcVersion.objects.create(
        project=project,
        label="V1.0",
        title="Cahier des charges — consultation",
        issued_on=ctx.today - timedelta(days=140),
    )
    exigences = []
    for type_, priority, source, title, text in EXIGENCES:
        exigences.append(
            services.exigence_create(
                actor=amoa,
                project=project,
                title=title,
                text=text,
                type=type_,
                priority=priority,
                source=source,
                cdc_version=cdc,
                owner=rng.choice([amoa, moa]),
            )
        )
    # The MOA decides most of them; a few stay in draft or submitted, two are rejected.
    for index, exigence in enumerate(exigences):
        if index % 11 == 10:
            continue  # draft
        exigence = services.exigence_submit(actor=amoa, exigence=exigence, expected_version=exigence.version)
        if index % 13 == 12:
            exigences[index] = exigence
            continue  # submitted, waiting for the MOA
        if index in {22, 46}:
            exigences[index] = services.exigence_reject(
                actor=moa,
                exigence=exigence,
                expected_version=exigence.version,
                comment="Hors du périmètre budgétaire de la tranche ferme ; à reprendre en tranche optionnelle.",
            )
            continue
        exigences[index] = services.exigence_validate(
            actor=moa, exigence=exigence, expected_version=exigence.version, comment="Conforme au besoin exprimé."
        )
    _freeze(project, cdc, moa, ctx.today - timedelta(days=120))

    specifications = []
    for kind, title, _targets in SPECIFICATIONS:
        author = amoa if kind == "sfg" else (moe if kind == "sfd" else amoe)
        specifications.append(
            services.specification_create(
                actor=author,
                project=project,
                kind=kind,
                title=title,
                owner=author,
                text=f"Spécification {kind.upper()} : {title.lower()}. Règles de gestion, écrans et cas d'erreur.",
            )
        )
    components = []
    for kind, name, perf, sec, _specs in COMPONENTS:
        components.append(
            services.component_create(
                actor=amoe,
                project=project,
                kind=kind,
                name=name,
                owner=amoe,
                description=f"Composant {name} du dossier d'architecture technique.",
                performance_constraints=perf,
                security_constraints=sec,
            )
        )
    for spec_index, (_kind, _title, targets) in enumerate(SPECIFICATIONS):
        for target in targets:
            if target in NO_SPEC:
                continue
            services.trace_link_add(
                actor=amoe,
                project=project,
                kind=TraceKind.SATISFIES,
                source=specifications[spec_index],
                target=exigences[target],
            )
    for comp_index, (_k, _n, _p, _s, specs) in enumerate(COMPONENTS):
        for spec_index in specs:
            if spec_index in NO_COMPONENT:
                continue
            services.trace_link_add(
                actor=amoe,
                project=project,
                kind=TraceKind.REALISES,
                source=components[comp_index],
                target=specifications[spec_index],
            )
    for exigence_index, comp_index in ALLOCATIONS.items():
        services.trace_link_add(
            actor=amoe,
            project=project,
            kind=TraceKind.ALLOCATED,
            source=exigences[exigence_index],
            target=components[comp_index],
        )
    for child, parent in REFINEMENTS:
        services.trace_link_add(
            actor=amoa, project=project, kind=TraceKind.REFINES, source=exigences[child], target=exigences[parent]
        )

    # Between V1.0 and V1.1: the MOA tightens two exigences, adds two, and a draft is dropped.
    cdc2 = CdcVersion.objects.create(
        project=project,
        label="V1.1",
        title="Cahier des charges — après mise au point",
        issued_on=ctx.today - timedelta(days=60),
    )
    for index, text in (
        (
            31,
            "95 % des pages du portail s'affichent en moins de 1,5 seconde sous la charge nominale, "
            "et 99 % en moins de 3 secondes.",
        ),
        (
            47,
            "Les données sont sauvegardées chaque nuit et conservées 90 jours ; une restauration complète "
            "est testée chaque trimestre en présence de l'exploitation.",
        ),
    ):
        current = Exigence.objects.get(pk=exigences[index].pk)
        exigences[index] = services.exigence_update(
            actor=amoa, exigence=current, expected_version=current.version, text=text
        )
        exigences[index] = services.exigence_submit(
            actor=amoa, exigence=exigences[index], expected_version=exigences[index].version
        )
        exigences[index] = services.exigence_validate(
            actor=moa, exigence=exigences[index], expected_version=exigences[index].version, comment="Avenant n° 1."
        )
    for type_, priority, source, title, text in (
        (
            "securite",
            "must",
            "§6.8",
            "Double authentification des usagers sensibles",
            "Les démarches de stationnement et de paiement proposent une double authentification aux usagers.",
        ),
        (
            "fonctionnelle",
            "should",
            "§3.5.3",
            "Stationnement des professionnels de santé",
            "Les professionnels de santé à domicile demandent une carte de stationnement dédiée.",
        ),
    ):
        exigences.append(
            services.exigence_create(
                actor=amoa,
                project=project,
                title=title,
                text=text,
                type=type_,
                priority=priority,
                source=source,
                cdc_version=cdc2,
                owner=amoa,
            )
        )
    dropped = next(e for e in exigences if e.title == "Notifier l'usager par SMS")  # still a draft
    services.exigence_delete(actor=amoa, exigence=Exigence.objects.get(pk=dropped.pk))
    exigences.remove(dropped)
    _freeze(project, cdc2, moa, ctx.today - timedelta(days=55))
    # After V1.1: one validated exigence is being reworded (modifiée), to show a change since the baseline.
    current = Exigence.objects.get(project=project, title="Accessibilité RGAA")
    services.exigence_update(
        actor=amoa,
        exigence=current,
        expected_version=current.version,
        text="Le portail et le back-office sont conformes au RGAA 4.1 ; la déclaration d'accessibilité et le "
        "schéma pluriannuel sont publiés.",
    )

    _deliverables(ctx, project, moa, amoa, moe, amoe, exploitation)
    return {"exigences": exigences, "specifications": specifications, "components": components}


def _freeze(project: Project, cdc: CdcVersion, actor: Any, when: Any) -> None:
    """Freeze ``cdc`` as of now (the demo backdates the record to ``when``)."""
    entries = [
        BaselineEntry(
            cdc_version=cdc,
            exigence=e,
            reference=e.reference,
            number=e.number,
            title=e.title,
            text=e.text,
            type=e.type,
            priority=e.priority,
            source=e.source,
            status=e.status,
            exigence_version=e.version,
        )
        for e in Exigence.objects.filter(project=project)
    ]
    BaselineEntry.objects.bulk_create(entries)
    frozen_at = timezone.make_aware(datetime.combine(when, time(10, 0)))
    CdcVersion.objects.filter(pk=cdc.pk).update(frozen_at=frozen_at, frozen_by=actor)


REFUSAL = "Le volet haute disponibilité est à compléter (bascule du répartiteur)."


def _deliverables(
    ctx: DemoContext, project: Project, moa: Any, amoa: Any, moe: Any, amoe: Any, exploitation: Any
) -> None:
    today = ctx.today
    # (kind, title, due in days, status, author, validator, RACI)
    plan = [
        ("expression_besoin", "Expression de besoin", -170, "valide", moa, moa, [(moa, "A"), (amoa, "R"), (moe, "I")]),
        (
            "cdc",
            "Cahier des charges (CCTP)",
            -140,
            "valide",
            amoa,
            moa,
            [(amoa, "R"), (moa, "A"), (moe, "C"), (amoe, "I")],
        ),
        ("paq", "Plan d'assurance qualité", -120, "valide", moe, moa, [(moe, "R"), (moa, "A"), (amoa, "C")]),
        (
            "sfg",
            "Spécifications fonctionnelles générales",
            -100,
            "valide",
            amoa,
            moa,
            [(amoa, "R"), (moa, "A"), (moe, "C")],
        ),
        (
            "sfd",
            "Spécifications fonctionnelles détaillées",
            -60,
            "soumis",
            moe,
            moa,
            [(moe, "R"), (moa, "A"), (amoa, "C"), (amoe, "C")],
        ),
        (
            "std",
            "Spécifications techniques détaillées",
            -40,
            "valide",
            amoe,
            moe,
            [(amoe, "R"), (moe, "A"), (exploitation, "I")],
        ),
        (
            "dat",
            "Dossier d'architecture technique",
            -50,
            "refuse",
            amoe,
            moe,
            [(amoe, "R"), (moe, "A"), (exploitation, "C"), (moa, "I")],
        ),
        (
            "plan_tests",
            "Plan de tests et recette usine",
            10,
            "brouillon",
            amoe,
            moe,
            [(amoe, "R"), (moe, "A"), (amoa, "I")],
        ),
        ("cahier_recette", "Cahier de recette", 20, "soumis", amoa, moa, [(amoa, "R"), (moa, "A"), (moe, "C")]),
        (
            "plan_mep",
            "Plan de mise en production",
            70,
            "brouillon",
            moe,
            moa,
            [(moe, "R"), (exploitation, "R"), (moa, "A")],
        ),
        (
            "plan_retour_arriere",
            "Plan de retour arrière",
            75,
            "brouillon",
            moe,
            moa,
            [(exploitation, "R"), (moa, "A"), (moe, "C")],
        ),
    ]
    for kind, title, due, status, author, validator, raci in plan:
        deliverable = Deliverable.objects.create(
            project=project,
            kind=kind,
            title=title,
            due_date=today + timedelta(days=due),
            author=author,
            validator=validator,
            document_version="1.0" if status == "valide" else "0.9",
            status=status,
            status_comment=REFUSAL if status == "refuse" else "",
            decided_by=validator if status in {"valide", "refuse"} else None,
            decided_at=timezone.now() if status in {"valide", "refuse"} else None,
        )
        RaciAssignment.objects.bulk_create(
            [RaciAssignment(deliverable=deliverable, user=u, letter=letter) for u, letter in raci]
        )


_WORDS = [
    "le portail",
    "l'agent",
    "le back-office",
    "l'usager",
    "la démarche",
    "le paiement",
    "la notification",
    "le dossier",
    "l'export",
    "la recherche",
    "le rendez-vous",
    "la facture",
    "le justificatif",
]
_VERBS = ["permet de", "doit", "garantit que l'on peut", "propose de"]
_ACTIONS = [
    "consulter l'historique",
    "télécharger un récapitulatif",
    "modifier une demande",
    "annuler une réservation",
    "joindre une pièce",
    "recevoir un rappel",
    "filtrer par statut",
    "trier par date",
    "exporter la liste",
    "valider en un clic",
    "signaler une erreur",
    "partager un lien",
]


def _bulk(ctx: DemoContext, project: Project, *, exigences: int, start: int) -> dict[str, list[Any]]:
    """Generated exigences, specifications (≈ 0.6 per exigence), components (≈ 0.06) and links, in bulk.

    About 4 % of exigences get no specification and 5 % of specifications no component, so the RTM has gaps.
    """
    rng = ctx.rng(project.code, "requirements-bulk")
    types = ["fonctionnelle"] * 5 + ["technique", "performance", "securite", "reglementaire", "exploitabilite"]
    priorities = ["must", "must", "should", "should", "could", "wont"]
    statuses = [ExigenceStatus.VALIDEE] * 6 + [
        ExigenceStatus.SOUMISE,
        ExigenceStatus.BROUILLON,
        ExigenceStatus.MODIFIEE,
    ]
    conf, _created = RequirementsSettings.objects.get_or_create(project=project)
    new_exigences = [
        Exigence(
            project=project,
            reference=f"{conf.exigence_prefix}-{n:05d}",
            number=n,
            title=f"{rng.choice(_WORDS).capitalize()} {rng.choice(_VERBS)} {rng.choice(_ACTIONS)}",
            text=f"Exigence générée n° {n} : {rng.choice(_WORDS)} {rng.choice(_VERBS)} {rng.choice(_ACTIONS)}.",
            type=rng.choice(types),
            priority=rng.choice(priorities),
            status=rng.choice(statuses),
            source=f"§{rng.randint(3, 9)}.{rng.randint(1, 12)}",
        )
        for n in range(start, start + exigences)
    ]
    Exigence.objects.bulk_create(new_exigences, batch_size=1000)
    new_exigences = list(Exigence.objects.filter(project=project, number__gte=start).order_by("number"))
    spec_start = Specification.objects.filter(project=project).count() + 1
    n_specs = max(1, int(exigences * 0.6))
    new_specs = [
        Specification(
            project=project,
            reference=f"{conf.specification_prefix}-{n:05d}",
            number=n,
            kind=rng.choice(["sfd", "sfd", "std", "sfg"]),
            title=f"Spécification générée n° {n}",
        )
        for n in range(spec_start, spec_start + n_specs)
    ]
    Specification.objects.bulk_create(new_specs, batch_size=1000)
    new_specs = list(Specification.objects.filter(project=project, number__gte=spec_start).order_by("number"))
    comp_start = Component.objects.filter(project=project).count() + 1
    n_components = max(1, exigences // 16)
    new_components = [
        Component(
            project=project,
            reference=f"{conf.component_prefix}-{n:03d}",
            number=n,
            kind=rng.choice(["module", "module", "interface", "infrastructure"]),
            name=f"Composant généré n° {n}",
        )
        for n in range(comp_start, comp_start + n_components)
    ]
    Component.objects.bulk_create(new_components)
    new_components = list(Component.objects.filter(project=project, number__gte=comp_start).order_by("number"))
    links: list[TraceLink] = []
    seen: set[tuple[int, int]] = set()
    for exigence in new_exigences:
        if rng.random() < 0.04:
            continue
        for spec in rng.sample(new_specs, k=min(len(new_specs), rng.choice([1, 1, 2, 3]))):
            if (spec.pk, exigence.pk) not in seen:
                seen.add((spec.pk, exigence.pk))
                links.append(
                    TraceLink(project=project, kind=TraceKind.SATISFIES, src_specification=spec, dst_exigence=exigence)
                )
    for spec in new_specs:
        if rng.random() < 0.05:
            continue
        links.append(
            TraceLink(
                project=project,
                kind=TraceKind.REALISES,
                src_component=rng.choice(new_components),
                dst_specification=spec,
            )
        )
    TraceLink.objects.bulk_create(links, batch_size=2000)
    RequirementsSettings.objects.filter(project=project).update(
        next_exigence_number=start + exigences,
        next_specification_number=spec_start + n_specs,
        next_component_number=comp_start + n_components,
    )
    return {"exigences": new_exigences, "specifications": new_specs, "components": new_components}
