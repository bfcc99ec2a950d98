"""Demo data of the test book and campaigns of « Guichet usagers », in French.

The main project gets 120 test cases in nested folders (2 to 6 steps each) written through the services,
covering most exigences and leaving a few uncovered on purpose; a recette usine campaign, finished; a VABF
campaign with two iterations (iteration 1 mostly run with KO and bloqué results, iteration 2 re-testing part
of them); a non-régression campaign fed by a JUnit report through the import service; a VSR campaign under
way. Manual executions are written in bulk with their dates spread over each iteration (the services stamp
« now », which would flatten the burn-up). With ``size == "large"`` the main project also gets a campaign of
50,000 executions (5,000 generated cases × 10 iterations) for the dashboard benchmark.

Later slices read ``ctx.extra["recette"][project.code]``, a dict with:

- ``campaigns``: ``{"usine", "vabf", "non_regression", "vsr"}`` (and ``"charge"`` when large) → Campaign;
- ``iterations``: ``{"vabf": [iteration 1, iteration 2], ...}`` per campaign key, in number order;
- ``test_cases``: the 120 TestCase of the book, in reference order;
- ``uncovered_exigences``: the exigences left without a test case on purpose;
- ``executions_ko``: the KO executions (VABF and non-régression), oldest first; a manual one has exactly one KO
  step (its failed step), a JUnit one has none and carries the failure ``message``;
- ``executions_bloque``: the bloqué executions of the VABF campaign;
- ``vabf``, ``vsr``: shortcuts to those two campaigns.

The VABF campaign holds about 35 KO executions (the anomalies slice raises about 30 anomalies from them).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.projects.models import Project
from oeuvre.recette.models import (
    Campaign,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    Iteration,
    PlannedTest,
    StepResult,
    TestCase,
    TestCaseRevision,
    TestFolder,
)
from oeuvre.recette.services import testbook as services

FOLDERS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Parcours usager", [
        ("§3.1", "Compte et connexion"), ("§3.2", "État civil"), ("§3.3", "Enfance et scolarité"),
        ("§3.4", "Collecte des déchets"), ("§3.5", "Stationnement"), ("§3.7", "Notifications"),
        ("§3.8", "Pièces justificatives"),
    ]),
    ("Back-office", [("§3.6", "Instruction et pilotage")]),
    ("Technique", [
        ("§4", "Interfaces et plateforme"), ("§5", "Performance"), ("§6", "Sécurité"), ("§7", "Conformité"),
        ("§8", "Exploitabilité"),
    ]),
]  # fmt: skip

UNCOVERED = {
    "Application mobile native", "Éco-conception RGESN", "Archivage des actes", "Modèles de courriers aux usagers",
    "Conteneurisation des composants",
}  # fmt: skip

TYPES = {"§4": "integration", "§5": "performance", "§6": "securite", "§8": "exploitabilite"}

VARIANTS = {
    "nominal": "cas nominal",
    "erreur": "saisie invalide",
    "limite": "cas limite",
}

STEPS: dict[str, list[tuple[str, str, str]]] = {
    "nominal": [
        (
            "Se connecter au portail avec le compte de test",
            "Le tableau de bord de l'usager s'affiche",
            "usager.recette1",
        ),
        ("Ouvrir « {title} » depuis le menu", "L'écran s'affiche en moins de 2 secondes, sans erreur", ""),
        (
            "Renseigner les champs avec le jeu d'essai",
            "Les champs obligatoires sont marqués et acceptés",
            "jeu JDD-{n}",
        ),
        ("Joindre la pièce demandée", "La pièce apparaît dans la liste avec sa taille", "justificatif.pdf"),
        ("Valider la demande", "Un numéro de dossier est attribué et affiché", ""),
        ("Consulter le courriel d'accusé de réception", "Le courriel reprend le numéro de dossier", ""),
    ],
    "erreur": [
        (
            "Se connecter au portail avec le compte de test",
            "Le tableau de bord de l'usager s'affiche",
            "usager.recette2",
        ),
        ("Ouvrir « {title} »", "L'écran s'affiche", ""),
        (
            "Saisir une date au format invalide et valider",
            "Un message explicite désigne le champ en erreur",
            "31/02/2026",
        ),
        ("Laisser un champ obligatoire vide et valider", "Le champ est signalé, rien n'est enregistré", ""),
        ("Corriger la saisie et valider", "La demande est enregistrée", ""),
    ],
    "limite": [
        ("Préparer un justificatif de 10 Mio exactement", "Le fichier est prêt", "limite-10Mio.pdf"),
        ("Ouvrir « {title} » et joindre le fichier", "Le fichier est accepté", ""),
        ("Saisir un nom avec accents et apostrophe", "Le nom est conservé à l'identique", "Éloïse D'Arcy-Lœwy"),
        ("Valider puis recharger la page", "Les données saisies sont toutes présentes", ""),
    ],
}

OBSERVED = [
    "Erreur 500 à la validation",
    "Le courriel d'accusé de réception n'est pas reçu",
    "Le numéro de dossier n'est pas affiché",
    "Temps de réponse de 8 secondes",
    "Les accents sont remplacés par des points d'interrogation",
    "Le champ en erreur n'est pas signalé",
    "La pièce jointe est refusée alors qu'elle fait moins de 10 Mio",
    "Le bouton « Valider » reste grisé",
]
BLOCKED = [
    "Environnement de recette indisponible (maintenance)",
    "Jeu de données absent en recette",
    "Connecteur FranceConnect de recette hors service",
]


def _when(day: Any, rng: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=rng.randint(0, 8 * 60)))


def _run(
    iteration: Iteration, case: TestCase, revision: TestCaseRevision, tester: Any, outcome: str, when: datetime,
    rng: Any, bucket: tuple[list[Execution], list[list[StepResult]]],
) -> None:  # fmt: skip
    """Queue one manual execution and its step results (steps after a failure stay not run)."""
    steps = [s["position"] for s in revision.content["steps"]]
    failed_at = rng.choice(steps) if outcome in (ExecutionStatus.KO, ExecutionStatus.BLOQUE) else None
    results = []
    for position in steps:
        if failed_at is None or position < failed_at:
            status, actual = str(ExecutionStatus.OK), ""
        elif position == failed_at:
            status = outcome
            actual = rng.choice(OBSERVED if outcome == ExecutionStatus.KO else BLOCKED)
        else:
            status, actual = str(ExecutionStatus.NON_EXECUTE), ""
        results.append(StepResult(position=position, status=status, actual=actual))
    minutes = rng.randint(4, 25)
    execution = Execution(
        project=iteration.campaign.project, iteration=iteration, test_case=case, test_case_revision=revision,
        status=outcome, source=ExecutionSource.MANUAL, tester=tester, started_at=when - timedelta(minutes=minutes),
        executed_at=when, duration=timedelta(minutes=minutes),
        comment="Anomalie à ouvrir" if outcome == ExecutionStatus.KO else "",
    )  # fmt: skip
    bucket[0].append(execution)
    bucket[1].append(results)


def _flush(bucket: tuple[list[Execution], list[list[StepResult]]]) -> list[Execution]:
    executions, results = bucket
    Execution.objects.bulk_create(executions, batch_size=1000)
    for execution, rows in zip(executions, results, strict=True):
        for row in rows:
            row.execution = execution
    StepResult.objects.bulk_create([r for rows in results for r in rows], batch_size=2000)
    return executions


def _book(ctx: DemoContext, project: Project) -> tuple[list[TestCase], list[Any]]:
    amoa, moe = ctx.users["amoa"], ctx.users["moe"]
    rng = ctx.rng(project.code, "testbook")
    exigences = list(ctx.extra.get("requirements", {}).get(project.code, {}).get("exigences", []))
    folders: dict[str, TestFolder] = {}
    for name, children in FOLDERS:
        parent = services.folder_create(actor=amoa, project=project, name=name)
        for prefix, child in children:
            folders[prefix] = services.folder_create(actor=amoa, project=project, name=child, parent=parent)

    def folder_of(source: str) -> TestFolder | None:
        for prefix in sorted(folders, key=len, reverse=True):
            if source.startswith(prefix):
                return folders[prefix]
        return None

    covered = [e for e in exigences if e.title not in UNCOVERED and e.status != "rejetee"]
    uncovered = [e for e in exigences if e not in covered]
    plan: list[tuple[Any, str]] = [(e, "nominal") for e in covered] + [(e, "erreur") for e in covered]
    extra = max(0, 120 - len(plan))
    plan += [(e, "limite") for e in rng.sample(covered, min(extra, len(covered)))]
    plan = plan[:120]
    plan.sort(key=lambda item: (item[0].number, list(VARIANTS).index(item[1])))
    cases = []
    for n, (exigence, variant) in enumerate(plan, start=1):
        template = STEPS[variant]
        count = rng.randint(2, min(6, len(template)))
        steps = [
            {"action": a.format(title=exigence.title.lower(), n=n), "expected": x, "data": d.format(n=n)}
            for a, x, d in template[:count]
        ]
        section = next((p for p in TYPES if exigence.source.startswith(p)), "")
        case_type = "accessibilite" if "RGAA" in exigence.title else TYPES.get(section, "fonctionnel")
        others = [e for e in covered if e is not exigence and e.source[:4] == exigence.source[:4]]
        linked = [exigence] + ([rng.choice(others)] if others and rng.random() < 0.25 else [])
        cases.append(
            services.test_case_create(
                actor=rng.choice([amoa, moe]),
                project=project,
                title=f"{exigence.title} — {VARIANTS[variant]}",
                objective=f"Vérifier l'exigence {exigence.reference} ({exigence.source}) : {VARIANTS[variant]}.",
                preconditions="Compte usager de test actif ; environnement de recette à jour de la dernière livraison.",
                data=f"Jeu d'essai JDD-{n:03d}",
                type=case_type,
                folder=folder_of(exigence.source),
                priority="haute" if exigence.priority == "must" else "moyenne",
                status="pret",
                automated=variant == "nominal" and n % 3 == 0,
                steps=steps,
                exigences=linked,
            )
        )
    # The book lives: a few cases were reworded after the recette usine (revision 2), two are obsolete.
    for case in rng.sample(cases, 8):
        steps = [{"action": s.action, "expected": s.expected, "data": s.data} for s in case.steps.all()]
        steps[-1]["expected"] += " (message conforme à la charte)"
        services.test_case_set_steps(actor=amoa, test_case=case, expected_version=case.version, steps=steps)
    for case in cases[-2:]:
        services.test_case_update(actor=amoa, test_case=case, expected_version=None, status="obsolete")
    return list(TestCase.objects.filter(project=project).order_by("number")), uncovered


@demo_step(30, "recette-testbook")
def build(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    amoa, moe, amoe = ctx.users["amoa"], ctx.users["moe"], ctx.users["amoe"]
    testers = [ctx.users["amoa"], ctx.users["moa"], ctx.users["exploitation"]]
    rng = ctx.rng(project.code, "campaigns")
    cases, uncovered = _book(ctx, project)
    live = [c for c in cases if c.status != "obsolete"]
    manual = [c for c in live if not c.automated]
    # The revision each run saw: the usine ran revision 1, later campaigns the current one.
    first = {r.test_case_id: r for r in TestCaseRevision.objects.filter(test_case__project=project, revision=1)}
    current = {
        r.test_case_id: r
        for r in TestCaseRevision.objects.filter(test_case__project=project, revision=F("test_case__revision"))
    }
    today = ctx.today

    # Recette usine: run by the MOE on its own platform, finished before the delivery.
    usine = services.campaign_create(
        actor=moe, project=project, name="Recette usine — lot 1", kind="recette_usine", environment="Usine Numéria",
        release="1.0.0-rc1", starts_on=today - timedelta(days=75), ends_on=today - timedelta(days=55),
    )  # fmt: skip
    services.planned_tests_add(actor=moe, campaign=usine, test_cases=live, tester=amoe)
    it_usine = usine.iterations.get()
    Iteration.objects.filter(pk=it_usine.pk).update(ends_on=today - timedelta(days=55))
    bucket: tuple[list[Execution], list[list[StepResult]]] = ([], [])
    for case in live:
        outcome = ExecutionStatus.KO if rng.random() < 0.06 else ExecutionStatus.OK
        day = today - timedelta(days=rng.randint(56, 75))
        _run(it_usine, case, first[case.pk], amoe, outcome, _when(day, rng), rng, bucket)
    _flush(bucket)
    Campaign.objects.filter(pk=usine.pk).update(status="terminee")

    # VABF: the MOA's acceptance, two iterations on builds 1.0.0 and 1.0.1.
    vabf = services.campaign_create(
        actor=amoa, project=project, name="VABF — lot 1", kind="vabf", environment="Recette agglomération",
        release="1.0.0", starts_on=today - timedelta(days=42), ends_on=today + timedelta(days=10),
        description="Vérification d'aptitude au bon fonctionnement du lot 1 (tranche ferme).",
    )  # fmt: skip
    for index, chunk in enumerate((manual[0::3], manual[1::3], manual[2::3])):
        services.planned_tests_add(actor=amoa, campaign=vabf, test_cases=chunk, tester=testers[index])
    tester_of = dict(PlannedTest.objects.filter(campaign=vabf).values_list("test_case_id", "tester_id"))
    users = {u.pk: u for u in testers}
    it1 = vabf.iterations.get()
    Iteration.objects.filter(pk=it1.pk).update(
        starts_on=today - timedelta(days=42), ends_on=today - timedelta(days=22), name="Livraison 1.0.0"
    )
    it2 = services.iteration_create(
        actor=amoa, campaign=vabf, name="Livraison corrective 1.0.1", release="1.0.1",
        starts_on=today - timedelta(days=20),
    )  # fmt: skip
    bucket = ([], [])
    results1: dict[int, str] = {}
    for case in manual:
        roll = rng.random()
        if roll < 0.04:
            continue  # not run in iteration 1
        outcome = ExecutionStatus.KO if roll < 0.33 else ExecutionStatus.BLOQUE if roll < 0.38 else ExecutionStatus.OK
        results1[case.pk] = outcome
        day = today - timedelta(days=rng.randint(23, 42))
        _run(it1, case, current[case.pk], users[tester_of[case.pk]], outcome, _when(day, rng), rng, bucket)
    executions1 = _flush(bucket)
    bucket = ([], [])
    retest = [c for c in manual if results1.get(c.pk) in (ExecutionStatus.KO, ExecutionStatus.BLOQUE)]
    retest += rng.sample([c for c in manual if results1.get(c.pk) == ExecutionStatus.OK], 12)
    for case in retest:
        if rng.random() < 0.3:
            continue  # iteration 2 is under way: not everything is re-run yet
        outcome = ExecutionStatus.OK if rng.random() < 0.6 else ExecutionStatus.KO
        day = today - timedelta(days=rng.randint(1, 19))
        _run(it2, case, current[case.pk], users[tester_of[case.pk]], outcome, _when(day, rng), rng, bucket)
    executions2 = _flush(bucket)
    Campaign.objects.filter(pk=vabf.pk).update(status="en_cours")

    # Non-régression: the MOE's CI pushes its end-to-end results (pytest shape) through the JUnit import.
    automated = [c for c in live if c.automated]
    regression = services.campaign_create(
        actor=moe, project=project, name="Non-régression — intégration continue", kind="non_regression",
        environment="Intégration Numéria", release="1.0.1", starts_on=today - timedelta(days=20),
    )  # fmt: skip
    lines = []
    for case in automated:
        slug = case.reference.replace("-", "_").lower()
        roll = rng.random()
        inner = ""
        if roll < 0.08:
            inner = ('<failure message="AssertionError: accusé de réception absent">E   AssertionError: '
                     "accusé de réception absent\ntests/e2e/test_parcours.py:88: AssertionError</failure>")  # fmt: skip
        elif roll < 0.12:
            inner = '<skipped type="pytest.skip" message="passerelle SMS absente en intégration"/>'
        lines.append(
            f'<testcase classname="tests.e2e.test_parcours" name="test_{slug}_parcours" time="2.4">{inner}</testcase>'
        )
    lines.append('<testcase classname="tests.e2e.test_accueil" name="test_page_accueil_accessible" time="0.8"/>')
    report = (
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0" '
        f'skipped="0" tests="{len(lines)}" time="90.1" hostname="ci-runner-2">{"".join(lines)}</testsuite></testsuites>'
    ).encode()
    services.junit_import(actor=moe, campaign=regression, data=report, filename="e2e-1.0.1.xml")

    # VSR: service reliability verification under way on the production platform.
    vsr = services.campaign_create(
        actor=amoa, project=project, name="VSR — mise en service", kind="vsr", environment="Production",
        release="1.0.1", starts_on=today - timedelta(days=6), ends_on=today + timedelta(days=24),
    )  # fmt: skip
    operations = [c for c in live if c.type in ("exploitabilite", "performance")]
    services.planned_tests_add(actor=amoa, campaign=vsr, test_cases=operations, tester=ctx.users["exploitation"])
    bucket = ([], [])
    for case in operations[: len(operations) // 3]:
        day = today - timedelta(days=rng.randint(0, 6))
        _run(vsr.iterations.get(), case, current[case.pk], ctx.users["exploitation"], ExecutionStatus.OK,
             _when(day, rng), rng, bucket)  # fmt: skip
    _flush(bucket)
    Campaign.objects.filter(pk=vsr.pk).update(status="en_cours")

    ko = list(
        Execution.objects.filter(project=project, status=ExecutionStatus.KO)
        .exclude(iteration__campaign=usine)
        .select_related("test_case", "iteration__campaign")
        .order_by("executed_at", "pk")
    )
    stored: dict[str, Any] = {
        "campaigns": {"usine": usine, "vabf": vabf, "non_regression": regression, "vsr": vsr},
        "iterations": {
            "usine": [it_usine],
            "vabf": [it1, it2],
            "non_regression": list(regression.iterations.all()),
            "vsr": list(vsr.iterations.all()),
        },
        "test_cases": cases,
        "uncovered_exigences": uncovered,
        "executions_ko": ko,
        "executions_bloque": [e for e in executions1 + executions2 if e.status == ExecutionStatus.BLOQUE],
        # Shortcuts some slices look up directly.
        "vabf": vabf,
        "vsr": vsr,
    }
    if ctx.size == "large":
        stored["campaigns"]["charge"] = _large(ctx, project)
    ctx.extra.setdefault("recette", {})[project.code] = stored


def _large(ctx: DemoContext, project: Project, cases: int = 5000, iterations: int = 10) -> Campaign:
    """A campaign of 50,000 executions (5,000 generated cases × 10 iterations), written in bulk."""
    rng = ctx.rng(project.code, "recette-large")
    amoa = ctx.users["amoa"]
    start = services.allocate_test_case_references(project, cases)
    folder = services.folder_create(actor=amoa, project=project, name="Campagne de charge (générée)")
    TestCase.objects.bulk_create(
        [
            TestCase(
                project=project,
                folder=folder,
                reference=ref,
                number=number,
                title=f"Cas généré {number}",
                status="pret",
                author=amoa,
            )
            for ref, number in start
        ],
        batch_size=2000,
    )
    generated = list(TestCase.objects.filter(folder=folder).order_by("number"))
    step = {"position": 1, "action": "Exécuter le scénario", "expected": "Conforme", "data": ""}
    content = {"title": "", "objective": "", "preconditions": "", "data": "", "steps": [step]}
    TestCaseRevision.objects.bulk_create(
        [TestCaseRevision(test_case=c, revision=1, content={**content, "title": c.title}) for c in generated],
        batch_size=2000,
    )
    revisions = dict(TestCaseRevision.objects.filter(test_case__folder=folder).values_list("test_case_id", "pk"))
    campaign = services.campaign_create(
        actor=amoa, project=project, name="Campagne de charge — 50 000 exécutions", kind="performance",
        starts_on=ctx.today - timedelta(days=100), first_iteration=False,
    )  # fmt: skip
    PlannedTest.objects.bulk_create(
        [PlannedTest(campaign=campaign, test_case=c, position=i) for i, c in enumerate(generated, 1)], batch_size=2000
    )
    statuses = [ExecutionStatus.OK] * 85 + [ExecutionStatus.KO] * 9 + [ExecutionStatus.BLOQUE] * 3
    statuses += [ExecutionStatus.NON_EXECUTE] * 3
    for number in range(1, iterations + 1):
        starts_on = ctx.today - timedelta(days=100 - 10 * number)
        iteration = Iteration.objects.create(
            campaign=campaign, number=number, release=f"2.{number}.0", starts_on=starts_on
        )
        base = timezone.make_aware(datetime.combine(starts_on, time(8, 0)))
        Execution.objects.bulk_create(
            [
                Execution(
                    project=project,
                    iteration=iteration,
                    test_case=c,
                    test_case_revision_id=revisions[c.pk],
                    status=rng.choice(statuses),
                    source=ExecutionSource.JUNIT,
                    executed_at=base + timedelta(seconds=rng.randint(0, 9 * 24 * 3600)),
                    duration=timedelta(seconds=rng.randint(1, 90)),
                )
                for c in generated
            ],
            batch_size=5000,
        )
    Campaign.objects.filter(pk=campaign.pk).update(status="terminee")
    return campaign


@demo_step(33, "recette: test book dated before its runs")
def date_the_test_book(ctx: DemoContext, project: Project) -> None:
    """The demo writes its test cases « now » but dates their runs in the past; coverage only counts a run made
    after its test case was linked to the exigence, so the test book's history is dated the day before the
    first run (one query per project)."""
    first = Execution.objects.filter(project=project, executed_at__isnull=False).order_by("executed_at").first()
    if first is None or first.executed_at is None:
        return
    written = first.executed_at - timedelta(days=1)
    TestCase.history.model.objects.filter(project_id=project.pk, history_date__gt=written).update(history_date=written)
