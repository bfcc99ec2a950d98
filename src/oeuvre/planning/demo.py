"""Demo data for the planning stage.

The main project gets a realistic plan (about 80 tasks in 5 lots, milestones, 8 people with their
TJM, a baseline taken at the start, then months of execution with time entries and RAF re-estimates)
whose execution ran slower and costlier than planned, so the earned value, the Gantt and the Monte
Carlo tell the same story: SPI and CPI around 0.9 and a forecast past the contractual dates. Large
demos add plans to the other projects, and one plan of 5,000 tasks for the benchmarks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import Any

import numpy as np

from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.engine import CompiledNetwork, LevellingProblem, level_heuristic, schedule
from oeuvre.planning.models import (
    Assignment,
    ConstraintType,
    Dependency,
    Lot,
    MilestoneType,
    Plan,
    RafEstimate,
    Resource,
    ResourceKind,
    Task,
    TaskKind,
    TimeEntry,
)
from oeuvre.planning.scheduling import load_network, project_calendar
from oeuvre.projects.models import Project

__all__ = ["BIG_PLAN_PROJECT", "BIG_PLAN_TASKS", "planning_demo"]

BIG_PLAN_PROJECT = "demo-01"
BIG_PLAN_TASKS = 5000
_LOT_THEMES = ["Socle", "Portail", "Back-office", "Interfaces", "Reprise", "Recette", "Déploiement"]
_ONE_DAY = dt.timedelta(days=1)

# name, TJM, demo account (username or None), capacity (a profile stands for a team)
PEOPLE = [
    ("Sophie Durand", 1100, "moe", 1),  # directrice de projet
    ("Karim Haddad", 950, "amoe", 1),  # architecte, PMO
    ("Thomas Lefort", 820, None, 1),  # chef de projet technique
    ("Émilie Carré", 680, None, 1),  # analyste fonctionnelle
    ("Maxime Giraud", 640, None, 1),  # développeur principal
    ("Équipe développement", 540, None, 5),
    ("Équipe intégration et données", 590, None, 3),
    ("Équipe recette", 450, None, 3),
]
DP, ARCHI, CPT, ANALYSTE, LEAD, DEV, INTEG, TEST = range(8)

# Lots: code, name, sold effort (j.h), sold amount (€)
# (L5 includes the provision for the warranty year, sold with the project.)
LOTS = [
    ("L1", "Cadrage et conception", 360, 285_000),
    ("L2", "Portail usagers", 420, 300_000),
    ("L3", "Back-office agents et interfaces", 360, 265_000),
    ("L4", "Recette et qualification", 220, 160_000),
    ("L5", "Déploiement, mise en production et garantie", 290, 230_000),
]

# Tasks: key, lot, name, relative duration, people {index: units}, predecessors ("key" or "key:SS+2"),
# three-point spread (optimistic, pessimistic factors) or None. Milestones have duration 0. Durations are
# scaled so that the baseline puts the go-live on the project's target date.
TASKS: list[tuple[str, str, str, int, dict[int, float], list[str], tuple[float, float] | None]] = [
    ("kick", "L1", "Réunion de lancement", 0, {}, [], None),
    ("atel", "L1", "Ateliers de cadrage avec les services", 10, {ANALYSTE: 1, DP: 0.5}, ["kick"], None),
    ("exist", "L1", "Analyse de l'existant et des démarches papier", 8, {ANALYSTE: 0.5, CPT: 0.5}, ["kick"], None),
    ("rgpd", "L1", "Analyse d'impact RGPD (AIPD)", 5, {ARCHI: 0.5}, ["kick"], None),
    ("paq", "L1", "Plan d'assurance qualité (PAQ)", 5, {DP: 0.5}, ["kick"], None),
    ("sfg", "L1", "Rédaction des SFG", 12, {ANALYSTE: 1, CPT: 0.5}, ["atel", "exist"], (0.9, 1.4)),
    ("vsfg", "L1", "Validation des SFG par la MOA", 0, {}, ["sfg:FS+5"], None),
    ("sfd-p", "L1", "SFD portail usagers", 10, {ANALYSTE: 1, LEAD: 0.5}, ["vsfg"], (0.9, 1.4)),
    ("sfd-b", "L1", "SFD back-office agents", 10, {ANALYSTE: 0.5, CPT: 0.5}, ["vsfg"], (0.9, 1.4)),
    ("sfd-i", "L1", "SFD interfaces SI financier et FranceConnect", 8, {CPT: 0.5, ARCHI: 0.5}, ["vsfg"], (0.9, 1.6)),
    ("dat", "L1", "Dossier d'architecture technique (DAT)", 10, {ARCHI: 1}, ["sfg"], (0.9, 1.3)),
    ("homol", "L1", "Dossier d'homologation de sécurité (RGS)", 6, {ARCHI: 0.5}, ["dat", "rgpd"], None),
    ("ux", "L1", "Maquettes et parcours usagers (UX)", 8, {ANALYSTE: 0.5, DEV: 1}, ["sfg"], None),
    ("ptest", "L1", "Plan de tests et stratégie de recette usine", 6, {TEST: 1}, ["sfd-p:SS+5"], None),
    ("dsfr", "L1", "Charte graphique et système de design de l'État (DSFR)", 4, {DEV: 0.5}, ["ux:SS+2"], None),
    (
        "revue",
        "L1",
        "Revue de conception",
        2,
        {DP: 0.5, ARCHI: 0.5, CPT: 0.5},
        ["sfd-p", "sfd-b", "sfd-i", "dat", "ux"],
        None,
    ),
    ("conc", "L1", "Conception validée", 0, {}, ["revue"], None),
    ("socle", "L2", "Socle technique et usine logicielle", 8, {ARCHI: 0.5, LEAD: 1, INTEG: 1}, ["dat"], (0.9, 1.3)),
    (
        "forms",
        "L2",
        "Moteur de formulaires et pièces justificatives",
        10,
        {LEAD: 1, DEV: 1},
        ["socle", "sfd-p"],
        (0.9, 1.5),
    ),
    ("fc", "L2", "Authentification FranceConnect", 8, {LEAD: 1}, ["socle", "sfd-i"], (0.9, 1.8)),
    ("compte", "L2", "Espace usager et gestion du compte", 10, {DEV: 2}, ["socle", "sfd-p"], (0.9, 1.3)),
    ("ec", "L2", "Démarche : actes d'état civil", 12, {DEV: 2}, ["compte", "forms"], (0.9, 1.4)),
    ("scol", "L2", "Démarche : inscriptions scolaires", 12, {DEV: 1.5}, ["compte", "forms"], (0.9, 1.4)),
    ("dech", "L2", "Démarche : collecte des déchets et encombrants", 8, {DEV: 1}, ["scol"], (0.9, 1.3)),
    ("stat", "L2", "Démarche : stationnement résident", 10, {DEV: 1.5}, ["ec"], (0.9, 1.5)),
    ("pay", "L2", "Paiement en ligne (PayFiP)", 8, {LEAD: 1, DEV: 0.5}, ["fc"], (0.9, 1.6)),
    ("notif", "L2", "Notifications courriel et SMS", 6, {DEV: 0.5}, ["compte"], None),
    ("info", "L2", "Pages d'information et foire aux questions", 5, {ANALYSTE: 0.5, DEV: 0.5}, ["ux", "dsfr"], None),
    ("rdv", "L2", "Prise de rendez-vous en ligne (état civil)", 6, {DEV: 1}, ["ec:SS+5"], (0.9, 1.4)),
    ("mobile", "L2", "Adaptation mobile et allègement des pages", 4, {DEV: 0.5}, ["compte"], None),
    (
        "rgaa",
        "L2",
        "Mise en conformité RGAA (accessibilité)",
        8,
        {DEV: 1, ANALYSTE: 0.5},
        ["ec:SS+5", "scol:SS+5"],
        (0.9, 1.5),
    ),
    (
        "tu-p",
        "L2",
        "Tests unitaires et d'intégration du portail",
        8,
        {LEAD: 0.5, DEV: 1.5},
        ["stat", "dech", "pay", "rdv"],
        None,
    ),
    ("doc-p", "L2", "Documentation utilisateur du portail", 5, {ANALYSTE: 0.5}, ["stat:SS+5"], None),
    ("liv-p", "L2", "Portail livré en recette usine", 0, {}, ["tu-p", "rgaa", "notif", "info", "mobile"], None),
    (
        "wf",
        "L3",
        "Workflow d'instruction des demandes",
        12,
        {CPT: 0.5, LEAD: 0.5, DEV: 1},
        ["conc", "socle"],
        (0.9, 1.5),
    ),
    ("bo-ui", "L3", "Écrans agents : corbeilles et recherche", 10, {DEV: 1.5}, ["wf:SS+3"], (0.9, 1.3)),
    ("hab", "L3", "Habilitations et profils agents", 6, {DEV: 0.5}, ["wf"], None),
    ("tdb", "L3", "Tableaux de bord et statistiques", 8, {DEV: 1, ANALYSTE: 0.5}, ["bo-ui"], None),
    ("edit", "L3", "Éditique : courriers et attestations", 8, {DEV: 0.5}, ["wf"], (0.9, 1.4)),
    ("ged", "L3", "Archivage des pièces (GED)", 6, {INTEG: 0.5}, ["forms"], (0.9, 1.4)),
    (
        "sif",
        "L3",
        "Interface SI financier (titres de recettes)",
        12,
        {INTEG: 1, ARCHI: 0.25},
        ["sfd-i", "socle"],
        (0.9, 1.8),
    ),
    ("grc", "L3", "Interface GRC et annuaire des usagers", 8, {INTEG: 1}, ["sfd-i"], (0.9, 1.5)),
    ("rep-a", "L3", "Reprise de données : analyse et règles", 6, {ANALYSTE: 0.5, CPT: 0.5}, ["sfd-b"], None),
    ("rep-d", "L3", "Reprise de données : développement des scripts", 10, {INTEG: 1}, ["rep-a"], (0.9, 1.7)),
    ("rep-b", "L3", "Reprise de données : migration à blanc", 4, {CPT: 1, INTEG: 1}, ["rep-d"], (0.9, 1.8)),
    ("sup", "L3", "Supervision, journalisation et sauvegardes", 6, {INTEG: 0.5, ARCHI: 0.25}, ["socle"], None),
    (
        "api",
        "L3",
        "API de consultation des demandes pour les partenaires",
        6,
        {INTEG: 0.5, DEV: 0.5},
        ["wf"],
        (0.9, 1.5),
    ),
    ("purge", "L3", "Durées de conservation et purge des données (RGPD)", 3, {DEV: 0.5}, ["rgpd", "wf"], None),
    (
        "tu-b",
        "L3",
        "Tests d'intégration du back-office et des interfaces",
        8,
        {TEST: 1, DEV: 0.5},
        ["tdb", "edit", "sif", "grc", "hab", "ged", "api", "purge"],
        None,
    ),
    ("liv-b", "L3", "Back-office livré en recette usine", 0, {}, ["tu-b", "rep-b", "sup"], None),
    (
        "ru",
        "L4",
        "Recette usine (tests fonctionnels)",
        12,
        {TEST: 2, ANALYSTE: 0.5},
        ["liv-p", "liv-b", "ptest"],
        (0.9, 1.5),
    ),
    ("nr", "L4", "Automatisation des tests de non-régression", 8, {TEST: 0.5, DEV: 0.5}, ["ru:SS+2"], None),
    ("perf", "L4", "Tests de performance et de charge", 6, {ARCHI: 0.5, INTEG: 0.5}, ["liv-p", "liv-b"], (0.9, 1.6)),
    ("secu", "L4", "Tests d'intrusion et audit de sécurité", 5, {ARCHI: 0.5}, ["liv-p"], (0.9, 1.6)),
    ("a11y", "L4", "Audit d'accessibilité RGAA par un organisme tiers", 4, {ANALYSTE: 0.25}, ["liv-p"], None),
    ("corr", "L4", "Corrections des anomalies de recette usine", 10, {DEV: 2, LEAD: 0.5}, ["ru:SS+4"], (0.9, 1.6)),
    ("pvru", "L4", "PV de recette usine", 0, {}, ["corr", "perf", "secu", "nr", "a11y"], None),
    ("cahier", "L4", "Cahier de recette VABF avec l'AMOA", 6, {TEST: 0.5, ANALYSTE: 0.5}, ["ru:SS+2"], None),
    ("livv", "L4", "Livraison en VABF (PV de MOM)", 0, {}, ["pvru", "cahier"], None),
    ("vabf", "L4", "Accompagnement de la VABF", 15, {TEST: 1, CPT: 0.5, DEV: 0.5}, ["livv"], (0.9, 1.4)),
    ("corr2", "L4", "Corrections des anomalies de VABF", 8, {DEV: 1}, ["vabf:SS+5"], (0.8, 1.6)),
    ("pvvabf", "L4", "PV de VABF prononcé", 0, {}, ["vabf", "corr2"], None),
    ("form-f", "L5", "Formation des formateurs", 4, {ANALYSTE: 1}, ["livv"], None),
    ("form-a", "L5", "Formation des agents (4 sessions)", 8, {ANALYSTE: 0.5}, ["form-f"], None),
    ("n1", "L5", "Formation du support de niveau 1", 3, {ANALYSTE: 0.5}, ["form-f"], None),
    ("com", "L5", "Communication aux usagers", 5, {DP: 0.25}, ["livv"], None),
    ("dex", "L5", "Dossier d'exploitation et procédures", 6, {ARCHI: 0.5, CPT: 0.5}, ["pvru"], None),
    ("pmep", "L5", "Plan de mise en production et plan de retour arrière", 4, {CPT: 0.5, DP: 0.25}, ["dex"], None),
    ("rev", "L5", "Plan de réversibilité", 3, {ARCHI: 0.25, CPT: 0.25}, ["dex"], None),
    (
        "env",
        "L5",
        "Préparation des environnements de préproduction et production",
        6,
        {ARCHI: 0.5, INTEG: 1},
        ["liv-b"],
        (0.9, 1.4),
    ),
    ("rab", "L5", "Run à blanc de la bascule", 3, {CPT: 1, INTEG: 1}, ["pmep", "env", "pvvabf"], (0.9, 1.5)),
    ("gonogo", "L5", "Comité go/no-go", 0, {}, ["rab", "form-a", "n1", "rev"], None),
    ("bascule", "L5", "Bascule et reprise définitive des données", 2, {CPT: 1, INTEG: 1}, ["gonogo"], (0.9, 1.5)),
    ("mep", "L5", "Mise en production", 0, {}, ["bascule"], None),
    ("accomp", "L5", "Accompagnement au démarrage (hypercare)", 10, {CPT: 0.5, DEV: 1}, ["mep"], None),
    ("vsr", "L5", "Début de la VSR", 0, {}, ["mep"], None),
]
# Tasks that run across the project (management, quality), from the kick-off to the go-live.
RUNNING = [
    ("pilot", "L1", "Pilotage, comités et reporting", {DP: 0.6}),
    ("pmo", "L1", "PMO, qualité et gestion de configuration", {ARCHI: 0.3}),
    ("cpt", "L1", "Coordination technique", {CPT: 0.4}),
    ("amoa", "L1", "Support fonctionnel aux services de la MOA", {ANALYSTE: 0.2}),
]
CONTRACTUAL = {"conc", "livv", "mep"}
# Teams staff their tasks more heavily than the figures above (which read per person).
TEAM_SCALE = {DEV: 3.0, INTEG: 2.5, TEST: 2.5}
# Risky work: it ran slower than planned, and it still carries the widest uncertainty.
UNDERESTIMATED = {"sif", "fc", "rep-d", "pay", "forms", "grc"}


def _business_days(cal: Any, first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first:
        return []
    a, b = cal.to_index([first, last + _ONE_DAY])
    return [d.item() for d in cal.to_date(np.arange(a, b)).astype("datetime64[D]")]


@demo_step(20, "planning")
def planning_demo(ctx: DemoContext, project: Project) -> None:
    if project.code == MAIN_PROJECT:
        _main_plan(ctx, project)
    elif ctx.size == "large":
        n = BIG_PLAN_TASKS if project.code == BIG_PLAN_PROJECT else ctx.rng(project.code, "size").randint(60, 240)
        _generated_plan(ctx, project, n)


def _reschedule(project: Project) -> None:
    from oeuvre.planning.services import reschedule

    plan = Plan.objects.get(project=project)
    reschedule(project, plan)


def _finish(task: Task) -> dt.date:
    day = Task.objects.values_list("early_finish", flat=True).get(pk=task.pk)
    assert day is not None
    return day


def _descendants(tasks: dict[str, Task], root: str) -> set[str]:
    """Keys of the tasks that follow ``root`` in TASKS, directly or not."""
    successors: dict[str, list[str]] = {}
    for key, _lot, _name, _d, _crew, preds, _s in TASKS:
        for pred in preds:
            successors.setdefault(pred.partition(":")[0], []).append(key)
    seen: set[str] = set()
    stack = [root]
    while stack:
        for nxt in successors.get(stack.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen & set(tasks)


def _sequence(project: Project, running: set[int], people: list[Resource]) -> int:
    """Level the plan with the engine, then keep the result as logic: each task the levelling delayed
    gets a finish-to-start link from the task that freed its resource (how planners freeze a levelled
    plan). Returns the number of links added."""
    plan = Plan.objects.get(project=project)
    network = load_network(project, plan=plan)
    net = network.network
    demand = np.zeros((network.n, len(people)), np.int64)
    column = {r.pk: k for k, r in enumerate(people)}
    for task_id, resource_id, units in Assignment.objects.filter(task__project=project).values_list(
        "task_id", "resource_id", "units"
    ):
        if task_id not in running:
            demand[network.index_of(task_id), column[resource_id]] = round(float(units) * 100)
    capacity = {str(r.pk): round(float(r.capacity) * 100) for r in people}
    levelled = level_heuristic(LevellingProblem.build(net, demand, capacity), iterations=0, seed=1).start
    early = schedule(net).es
    end = levelled + net.durations
    existing = set(Dependency.objects.filter(project=project).values_list("predecessor_id", "successor_id"))
    added = []
    for j in np.flatnonzero(levelled > early):
        shared = np.flatnonzero((demand[:, demand[j] > 0] > 0).any(axis=1) & (end <= levelled[j]))
        shared = shared[shared != j]
        if not len(shared):
            continue
        i = int(shared[np.argmax(end[shared])])
        pair = (int(network.task_ids[i]), int(network.task_ids[j]))
        if pair not in existing:
            existing.add(pair)
            added.append(Dependency(project=project, predecessor_id=pair[0], successor_id=pair[1]))
    Dependency.objects.bulk_create(added)
    _reschedule(project)
    return len(added)


def _main_plan(ctx: DemoContext, project: Project) -> None:
    rng = ctx.rng(project.code, "planning")
    assert project.start_date is not None
    assert project.golive_date is not None
    start = project.start_date
    today = ctx.today
    moe = ctx.users["moe"]
    Plan.objects.create(project=project, status_date=start - _ONE_DAY, default_tjm=Decimal(750))
    lots = {
        code: Lot.objects.create(
            project=project,
            code=code,
            name=name,
            position=i,
            budget_effort=Decimal(effort),
            budget_amount=Decimal(amount),
        )
        for i, (code, name, effort, amount) in enumerate(LOTS, start=1)
    }
    people = [
        Resource.objects.create(
            project=project,
            name=name,
            tjm=Decimal(tjm),
            capacity=Decimal(capacity),
            kind=ResourceKind.PROFILE if capacity > 1 else ResourceKind.PERSON,
            user=ctx.users.get(username) if username else None,
        )
        for name, tjm, username, capacity in PEOPLE
    ]
    tasks: dict[str, Task] = {}
    crews: dict[str, dict[int, float]] = {}
    spreads: dict[str, tuple[float, float] | None] = {}
    counters = {"T": 0, "J": 0}
    for position, (key, lot, name, duration, crew, _preds, spread) in enumerate(TASKS, start=1):
        milestone = duration == 0
        prefix = "J" if milestone else "T"
        counters[prefix] += 1
        tasks[key] = Task(
            project=project,
            lot=lots[lot],
            code=f"{prefix}-{counters[prefix]:0{2 if milestone else 3}d}",
            name=name,
            position=position,
            kind=TaskKind.MILESTONE if milestone else TaskKind.TASK,
            milestone_type=(MilestoneType.CONTRACTUAL if key in CONTRACTUAL else MilestoneType.INTERNAL)
            if milestone
            else MilestoneType.NONE,
            duration=duration,
        )
        crews[key] = {
            person: min(units * TEAM_SCALE.get(person, 1.0), float(PEOPLE[person][3])) for person, units in crew.items()
        }
        spreads[key] = spread
    for key, lot, name, crew in RUNNING:
        counters["T"] += 1
        tasks[key] = Task(project=project, lot=lots[lot], code=f"T-{counters['T']:03d}", name=name, duration=1)
        crews[key], spreads[key] = crew, None
    Task.objects.bulk_create(list(tasks.values()))
    links = []
    for key, _lot, _name, _d, _crew, preds, _s in TASKS:
        for pred in preds:
            ref, _sep, spec = pred.partition(":")
            links.append(
                Dependency(
                    project=project,
                    predecessor=tasks[ref],
                    successor=tasks[key],
                    type=spec[:2] if spec else "FS",
                    lag=int(spec[2:] or 0) if spec else 0,
                )
            )
    for key, *_rest in RUNNING:
        links.append(Dependency(project=project, predecessor=tasks["kick"], successor=tasks[key], type="SS"))
        links.append(Dependency(project=project, predecessor=tasks["mep"], successor=tasks[key], type="FF"))
    Dependency.objects.bulk_create(links)
    Assignment.objects.bulk_create(
        [
            Assignment(task=tasks[key], resource=people[person], units=Decimal(str(units)))
            for key, crew in crews.items()
            for person, units in crew.items()
        ]
    )
    # Scale the durations so that the baseline meets the contract: the delivery milestone a few days
    # before the delivery date, then the go-live a few days before its target.
    cal = project_calendar(project, origin=start)
    running = {key for key, *_rest in RUNNING}
    running_ids = {tasks[key].pk for key in running}
    after_delivery = _descendants(tasks, "livv")
    phases = [
        ("livv", project.delivery_date, set(tasks) - running - after_delivery, 0),
        ("mep", project.golive_date, after_delivery - running, None),
    ]

    def scale() -> None:
        """Scale each phase's durations (one factor, rounded) so that its milestone lands on target.

        The finish grows with the factor, so a bisection finds the largest factor that keeps the
        milestone on or before the target; the work that leads straight to the milestone then takes up
        what rounding left."""
        for milestone, deadline, scaled, _unused in phases:
            assert deadline is not None
            target = int(cal.to_index([deadline])[0]) - 2
            work = [key for key in scaled if tasks[key].kind != TaskKind.MILESTONE]
            base = {key: tasks[key].duration for key in work}

            def reach(
                factor: float, milestone: str = milestone, work: list[str] = work, base: dict[str, int] = base
            ) -> int:
                for key in work:
                    tasks[key].duration = max(1, round(base[key] * factor))
                Task.objects.bulk_update([tasks[key] for key in work], ["duration"])
                _reschedule(project)
                return int(cal.to_index([_finish(tasks[milestone]) + _ONE_DAY])[0])

            low, high = 0.1, 5.0
            for _round in range(16):
                middle = (low + high) / 2
                if reach(middle) <= target:
                    low = middle
                else:
                    high = middle
            reached = reach(low)
            own = {tasks[key].pk: tasks[key] for key in work}
            for _round in range(40):  # a day at a time, so that no step overshoots by much
                if reached >= target:
                    break
                frontier, seen, changed = [tasks[milestone].pk], set(), {}
                while frontier:  # through the milestones that lead to it, to this phase's tasks
                    pk = frontier.pop()
                    for pred in Dependency.objects.filter(successor_id=pk).values_list("predecessor_id", flat=True):
                        if pred in seen:
                            continue
                        seen.add(pred)
                        if pred in own:
                            changed[pred] = own[pred].duration
                            own[pred].duration += 1
                            own[pred].save(update_fields=["duration"])
                        elif any(tasks[key].pk == pred for key in scaled):
                            frontier.append(pred)
                _reschedule(project)
                before, reached = reached, int(cal.to_index([_finish(tasks[milestone]) + _ONE_DAY])[0])
                if reached > target:  # the longer work pushed other work onto the path: keep the earlier
                    for pk, duration in changed.items():
                        own[pk].duration = duration
                        own[pk].save(update_fields=["duration"])
                    _reschedule(project)
                    reached = before
                    break

    scale()
    _sequence(project, running_ids, people)
    scale()
    _reschedule(project)
    mep_finish = Task.objects.get(pk=tasks["mep"].pk).early_finish
    assert mep_finish is not None
    first = Task.objects.get(pk=tasks["kick"].pk).early_start
    assert first is not None
    for key in running:
        tasks[key].duration = int(cal.to_index([mep_finish + _ONE_DAY])[0] - cal.to_index([first])[0])
    for key, task in tasks.items():
        units = sum(crews[key].values())
        task.effort = Decimal(str(round(task.duration * units, 1)))
        spread = spreads[key]
        if spread and task.kind == TaskKind.TASK:
            task.optimistic_duration = max(1, math.floor(task.duration * spread[0]))
            task.pessimistic_duration = max(task.duration, math.ceil(task.duration * spread[1]))
    Task.objects.bulk_update(
        list(tasks.values()), ["duration", "effort", "optimistic_duration", "pessimistic_duration"]
    )
    # The contractual dates are date constraints of the contractual milestones.
    for key, day in (("livv", project.delivery_date), ("mep", project.golive_date)):
        Task.objects.filter(pk=tasks[key].pk).update(constraint_type=ConstraintType.FNLT, constraint_date=day)
    _reschedule(project)
    from oeuvre.planning.services import baseline_take

    baseline = baseline_take(
        actor=moe, project=project, name="Référence contractuelle (lancement)", make_reference=True
    )

    # --- Execution: slower and costlier than planned (the past is resource-feasible: levelled) --------
    network = load_network(project, plan=Plan.objects.get(project=project))
    n = network.n
    by_pk = {int(pk): i for i, pk in enumerate(network.task_ids)}
    stretch = np.ones(n)
    for key, task in tasks.items():
        i = by_pk[task.pk]
        if key in running or task.kind == TaskKind.MILESTONE:
            continue
        stretch[i] = 1.0 + abs(rng.gauss(0.07, 0.05)) + (0.25 if key in UNDERESTIMATED else 0.0)
    c = network.network
    real_d = np.where(c.durations > 0, np.maximum(np.round(c.durations * stretch), 1), 0).astype(np.int64)
    release = np.zeros(n, np.int64)
    release[by_pk[tasks["kick"].pk]] = 2  # the kick-off itself slipped by two days
    real_net = CompiledNetwork.from_arrays(real_d, c.pred, c.succ, c.kind, c.lag, ids=c.ids, release=release)
    demand = np.zeros((n, len(people)), np.int64)
    for key, crew in crews.items():
        for person, units in crew.items():
            if key not in running:  # management overhead runs alongside, it is not levelled
                demand[by_pk[tasks[key].pk], person] = round(units * 100)
    capacity = {str(k): round(float(PEOPLE[k][3]) * 100) for k in range(len(people))}
    problem = LevellingProblem.build(real_net, demand, capacity)
    real_start = level_heuristic(problem, iterations=0, seed=1).start
    real_end = real_start + real_d
    status = today
    status_next = int(cal.to_index([status + _ONE_DAY])[0])
    entries: list[TimeEntry] = []
    estimates: dict[tuple[int, dt.date], RafEstimate] = {}
    updates: list[Task] = []
    for key, task in tasks.items():
        i = by_pk[task.pk]
        es, ef = int(real_start[i]), int(real_end[i])
        if es >= status_next:
            continue
        if task.kind == TaskKind.MILESTONE:
            task.actual_finish = cal.finish_date([es])[0].item() if es > 0 else start
            updates.append(task)
            continue
        if key in running:
            es = int(real_start[by_pk[tasks["kick"].pk]])
        task.actual_start = cal.to_date([es])[0].item()
        done = ef <= status_next and key not in running
        if done:
            task.actual_finish = cal.finish_date([ef])[0].item()
        updates.append(task)
        real_effort = float(task.effort) * stretch[i]
        span = max(ef - es, 1)
        spent = 0.0
        for k, index in enumerate(range(es, min(ef, status_next))):
            day = cal.to_date([index])[0].item()
            for person, units in crews[key].items():
                effort = round(units * rng.choice([1.0, 1.0, 1.0, 0.9, 1.1]) * 4) / 4
                if effort <= 0:
                    continue
                entries.append(
                    TimeEntry(
                        project=project, resource=people[person], task=task, date=day, effort=Decimal(str(effort))
                    )
                )
                spent += effort
            if day.weekday() == 4 and not done and key not in running:
                # The Friday re-estimate of what is left.
                left = max(real_effort * (1 - (k + 1) / span), 0.5)
                estimates[(task.pk, day)] = RafEstimate(
                    project=project, task=task, date=day, raf=Decimal(str(round(left, 1))), author=moe
                )
        if not done and key not in running:
            estimates[(task.pk, status)] = RafEstimate(
                project=project,
                task=task,
                date=status,
                raf=Decimal(str(round(max(real_effort - spent, 0.5), 1))),
                comment="Réestimation au COPROJ",
                author=moe,
            )
    # Nobody records more than their capacity in a day (a team records for its members).
    per_day: dict[tuple[int, dt.date], list[TimeEntry]] = {}
    for entry in entries:
        per_day.setdefault((entry.resource.pk, entry.date), []).append(entry)
    final: list[TimeEntry] = []
    for (resource_id, _day), day_entries in per_day.items():
        limit = float(next(r.capacity for r in people if r.pk == resource_id))
        total = sum(float(e.effort) for e in day_entries)
        for entry in day_entries:
            if total > limit:
                entry.effort = Decimal(str(max(round(float(entry.effort) * limit / total * 4) / 4, 0.25)))
            final.append(entry)
    TimeEntry.objects.bulk_create(final, batch_size=2000)
    RafEstimate.objects.bulk_create(list(estimates.values()), batch_size=2000)
    Task.objects.bulk_update(updates, ["actual_start", "actual_finish"], batch_size=500)
    Plan.objects.filter(project=project).update(status_date=status, revision=1)
    _reschedule(project)
    ctx.extra.setdefault("planning", {})[project.code] = {
        "baseline": baseline.pk,
        "finish": Plan.objects.get(project=project).finish,
    }


def _generated_plan(ctx: DemoContext, project: Project, n: int) -> None:
    """A random but plausible plan: lots of chained tasks with cross links, people, a baseline, actuals."""
    rng: random.Random = ctx.rng(project.code, "planning")
    start = project.start_date or ctx.today
    Plan.objects.create(project=project, status_date=start - _ONE_DAY)
    n_lots = max(3, n // 100)
    lots = Lot.objects.bulk_create(
        [
            Lot(
                project=project,
                code=f"L{k + 1}",
                name=f"Lot {k + 1} — {rng.choice(_LOT_THEMES)}",
                position=k,
            )
            for k in range(n_lots)
        ]
    )
    people = Resource.objects.bulk_create(
        [
            Resource(project=project, name=f"Ressource {k + 1:02d}", tjm=Decimal(rng.randrange(450, 1150, 10)))
            for k in range(max(8, n // 120))
        ]
    )
    tasks = []
    units = [Decimal(rng.choice(["0.5", "1", "1"])) for _ in range(n)]  # each task's share of its person
    for k in range(n):
        milestone = k % 25 == 24
        duration = 0 if milestone else rng.randint(1, 15)
        tasks.append(
            Task(
                project=project,
                lot=lots[min(k * n_lots // n, n_lots - 1)],
                code=f"{'J' if milestone else 'T'}-{k + 1:05d}",
                name=f"{'Jalon' if milestone else 'Tâche'} {k + 1}",
                position=k,
                kind=TaskKind.MILESTONE if milestone else TaskKind.TASK,
                milestone_type=MilestoneType.INTERNAL if milestone else MilestoneType.NONE,
                duration=duration,
                effort=Decimal(duration) * units[k] * Decimal(rng.choice(["0.9", "1", "1", "1.1"])),
            )
        )
    tasks = Task.objects.bulk_create(tasks, batch_size=1000)
    # Parallel streams of work, one level after another (about 40 levels: the plan spans two years
    # whatever its size); each task follows the previous one of its stream and, often, one or two
    # tasks of other streams at the previous levels.
    links: set[tuple[int, int]] = set()
    width = max(8, n // 40)
    for k in range(width, n):
        links.add((k - width, k))
        for _ in range(rng.choice([0, 1, 1, 2])):
            j = k - width * rng.randint(1, 2) + rng.randint(-3, 3)
            if 0 <= j < k and j // width < k // width:
                links.add((j, k))
    kinds = ["FS"] * 8 + ["SS", "FF"]
    Dependency.objects.bulk_create(
        [
            Dependency(
                project=project,
                predecessor=tasks[a],
                successor=tasks[b],
                type=rng.choice(kinds),
                lag=rng.choice([0, 0, 0, 1, 2, -1]),
            )
            for a, b in sorted(links)
        ],
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(task=t, resource=rng.choice(people), units=units[k])
            for k, t in enumerate(tasks)
            if t.kind == TaskKind.TASK
        ],
        batch_size=2000,
    )
    _reschedule(project)
    from oeuvre.planning.services import baseline_take

    admin = project.memberships.filter(is_admin=True).select_related("user").first()
    if admin is not None:
        baseline_take(actor=admin.user, project=project, name="Référence", make_reference=True)
    # Actuals on the tasks the baseline put before today: time entries and some re-estimates.
    status = min(ctx.today, project.delivery_date or ctx.today)
    rows = list(
        Task.objects.filter(project=project, kind=TaskKind.TASK, early_start__lt=status).values_list(
            "pk", "early_start", "early_finish"
        )
    )
    crew = dict(Assignment.objects.filter(task__project=project).values_list("task_id", "resource_id"))
    share = dict(Assignment.objects.filter(task__project=project).values_list("task_id", "units"))
    cal = project_calendar(project, origin=start)
    entries = []
    finished = []
    for pk, first, last in rows:
        if pk not in crew or first is None or last is None:
            continue
        stop = min(last, status - _ONE_DAY)
        for day in _business_days(cal, first, stop):
            if rng.random() < 0.9:
                entries.append(
                    TimeEntry(
                        project=project,
                        resource_id=crew[pk],
                        task_id=pk,
                        date=day,
                        # Mostly as planned, some days longer: the work costs a little more than planned.
                        effort=min(share[pk] + Decimal(rng.choice(["0", "0", "0", "0.25"])), Decimal(1)),
                    )
                )
        finished.append(Task(pk=pk, actual_start=first, actual_finish=last if last < status else None))
    TimeEntry.objects.bulk_create(entries, batch_size=5000, ignore_conflicts=True)
    Task.objects.bulk_update(finished, ["actual_start", "actual_finish"], batch_size=1000)
    Plan.objects.filter(project=project).update(status_date=status, revision=1)
    _reschedule(project)
