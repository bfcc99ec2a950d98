"""Demo data of the design stage: the DAT of « Guichet usagers » as a model.

About fifteen interfaces between the components written by the requirements stage (the portal, the back office,
the workflow engine…) and with the partner systems (FranceConnect, the agglomeration's identity provider, PayFiP,
the electronic archive…), and ten measurable criteria linked to the performance and security exigences. The load
tests and the scan that measure them are run by the recette stage's demo (``recette/demo/results.py``).

Later steps find the criteria in ``ctx.extra["design"][project.code]["criteria"]`` (in reference order).
"""

from __future__ import annotations

from typing import Any

from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.design import services
from oeuvre.projects.models import Project
from oeuvre.requirements.models import Component, Exigence

# component positions of the requirements demo (0 portail, 1 back-office, 2 workflow, 3 paiement, 4 GED,
# 5 notification, 6 FranceConnect, 7 SI financier, 8 état civil, 9 API publique, 10 hébergement, 11 CI/CD,
# 12 cache, 13 supervision, 14 sauvegardes)
# (name, source, target or None, partner, protocol, format, direction, volume, frequency, authentication,
#  encryption, status, exigence sources)
# fmt: off
INTERFACES: list[tuple[Any, ...]] = [
    ("Dépôt des demandes", 0, 1, "", "rest", "JSON", "outbound", "3 000 demandes/jour", "temps réel",
     "Jeton de service", "TLS 1.3", "tested", ["§3.6.1"]),
    ("Événements de démarche", 0, 2, "", "queue", "JSON (CloudEvents)", "outbound", "20 000 messages/jour",
     "temps réel", "Compte de service", "TLS 1.2", "integrated", []),
    ("Décisions d'instruction", 1, 2, "", "rest", "JSON", "both", "2 000 décisions/jour", "temps réel",
     "Jeton de service", "TLS 1.3", "integrated", ["§3.6.2"]),
    ("Ordre de paiement", 0, 3, "", "rest", "JSON", "outbound", "800 paiements/jour", "temps réel",
     "Jeton de service", "TLS 1.3", "tested", ["§3.3.4"]),
    ("Paiement en ligne PayFiP", 3, None, "PayFiP (DGFiP)", "rest", "Formulaire signé", "both", "800 paiements/jour",
     "temps réel", "Identifiant collectivité et signature", "TLS 1.2", "in_progress", ["§3.3.4", "§6.2"]),
    ("Authentification FranceConnect", 6, None, "FranceConnect", "rest", "OpenID Connect", "both",
     "5 000 connexions/jour", "temps réel", "OpenID Connect", "TLS 1.2", "tested", ["§3.1.2"]),
    ("Connexion des agents (SSO)", 1, None, "Fournisseur d'identité de l'agglomération", "other", "SAML 2", "both",
     "300 agents", "à chaque connexion", "SAML 2 et double facteur", "TLS 1.2", "integrated", ["§6.1"]),
    ("Dépôt des pièces justificatives", 0, 4, "", "rest", "multipart (PDF, JPEG)", "outbound",
     "1 500 pièces/jour, 10 Mo au plus", "temps réel", "Jeton de service", "TLS 1.3", "tested",
     ["§3.8.1", "§5.3", "§6.6"]),
    ("Versement au service d'archivage", 4, None, "Service d'archivage électronique (SAE)", "file", "SEDA 2.2",
     "outbound", "200 actes/semaine", "hebdomadaire", "Certificat client", "SFTP", "planned", ["§7.3"]),
    ("Demandes de notification", 2, 5, "", "queue", "JSON", "outbound", "10 000 messages/heure au pic", "temps réel",
     "Compte de service", "TLS 1.2", "integrated", ["§3.7.1"]),
    ("Envoi des courriels et SMS", 5, None, "Passerelle SMTP et SMS de l'opérateur", "other", "SMTP, API SMS",
     "outbound", "10 000 courriels/heure", "temps réel", "Identifiants SMTP", "STARTTLS", "tested",
     ["§3.7.1", "§3.7.2"]),
    ("Titres de recette PES v2", 7, None, "SI financier de l'agglomération", "file", "XML PES v2", "outbound",
     "1 fichier/jour", "quotidien (nuit)", "Signature XAdES", "SFTP", "in_progress", ["§4.1.1"]),
    ("Actes d'état civil", 8, None, "Logiciel d'état civil", "soap", "XML (COMEDEC)", "both", "400 demandes/jour",
     "temps réel", "TLS mutuel", "TLS 1.2", "integrated", ["§4.1.2"]),
    ("API publique des démarches", 9, 2, "", "rest", "JSON (OpenAPI 3)", "outbound", "100 requêtes/s au pic",
     "temps réel", "OAuth 2 (client credentials)", "TLS 1.3", "tested", ["§4.1.3"]),
    ("Sauvegarde des bases", 1, 14, "", "database", "Dump PostgreSQL chiffré", "outbound", "40 Go",
     "quotidien (nuit)", "Compte technique", "AES-256", "in_production", []),
]
# fmt: on

# (title, subject ("c", position) or ("i", position), metric, operator, threshold, unit, label, exigence sources)
# fmt: off
CRITERIA: list[tuple[Any, ...]] = [
    ("Pages du portail en moins de 2 s (p95)", ("c", 0), "response_time_p95", "<=", "2", "s", "*", ["§5.1"]),
    ("Moins de 1 % d'erreurs sous charge", ("c", 0), "error_rate", "<", "1", "%", "*", ["§5.2"]),
    ("Disponibilité sous charge", ("c", 0), "availability", ">=", "99.5", "%", "*", ["§5.2"]),
    ("Débit nominal de 500 usagers", ("c", 0), "throughput", ">=", "50", "req/s", "*", ["§5.2"]),
    ("Dépôt d'une pièce de 10 Mo en moins de 5 s", ("i", 7), "response_time_p95", "<=", "5000", "ms", "POST /pieces",
     ["§5.3"]),
    ("Liste des dossiers en moins de 1 s", ("c", 1), "response_time_p95", "<=", "1", "s", "GET /dossiers", []),
    ("API publique : 100 requêtes par seconde", ("i", 13), "throughput", ">=", "100", "req/s", "GET /api/demarches",
     ["§4.1.3"]),
    ("Aucune vulnérabilité critique", ("c", 0), "vulnerabilities_critical", "=", "0", "count", "*", ["§6.5"]),
    ("Aucune vulnérabilité élevée", ("c", 0), "vulnerabilities_high", "=", "0", "count", "*", ["§6.5"]),
    ("TLS 1.2 au minimum avec PayFiP", ("i", 4), "tls_min_version", ">=", "1.2", "version", "*", ["§6.2"]),
]
# fmt: on


@demo_step(12, "design: interfaces and criteria")
def build(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    architect = ctx.users["amoe"]
    components = list(Component.objects.filter(project=project).order_by("number"))
    if len(components) < 15:
        return
    by_source: dict[str, list[Exigence]] = {}
    for exigence in Exigence.objects.filter(project=project).order_by("number"):
        by_source.setdefault(exigence.source, []).append(exigence)

    def exigences(sources: list[str]) -> list[Exigence]:
        return [e for s in sources for e in by_source.get(s, [])]

    interfaces = []
    for (name, source, target, partner, protocol, data_format, direction, volume, frequency, authentication,
         encryption, status, sources) in INTERFACES:  # fmt: skip
        interfaces.append(
            services.interface_create(
                actor=architect,
                project=project,
                name=name,
                source=components[source],
                target=None if target is None else components[target],
                partner=partner,
                protocol=protocol,
                data_format=data_format,
                direction=direction,
                volume=volume,
                frequency=frequency,
                authentication=authentication,
                encryption=encryption,
                status=status,
                owner=architect,
                exigences=exigences(sources),
            )
        )
    criteria = []
    for title, (kind, position), metric, operator, threshold, unit, label, sources in CRITERIA:
        subject = {"component": components[position]} if kind == "c" else {"interface": interfaces[position]}
        criteria.append(
            services.criterion_create(
                actor=architect,
                project=project,
                title=title,
                metric=metric,
                operator=operator,
                threshold=threshold,
                unit=unit,
                label=label,
                exigences=exigences(sources),
                **subject,
            )
        )
    ctx.extra.setdefault("design", {})[project.code] = {"interfaces": interfaces, "criteria": criteria}
