"""Demo of the performance and security results: two load-test iterations and a security scan on « Guichet usagers ».

The criteria of the DAT come from the design stage's demo. A JMeter load test of release 1.0.0-rc1 misses the
portal's p95 (2.64 s for 2 s) and its error rate: the test manager confirms the proposed anomaly, the MOE fixes it
(a missing index) and the second iteration, on rc2, meets every criterion. An OWASP ZAP scan (SARIF) reports two
high findings, each turned into an anomaly, and medium and low ones that stay findings. The reports are built here
as the readers would return them (the files themselves are the readers' business).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from oeuvre.demo.generator import MAIN_PROJECT, DemoContext, demo_step
from oeuvre.design.models import Criterion
from oeuvre.interop.perfsec import ALL, Finding, Measurement, Metric, Report, Severity
from oeuvre.projects.models import Project
from oeuvre.recette.models import Anomaly, CriterionResult, Execution
from oeuvre.recette.services import anomalies as anomaly_services
from oeuvre.recette.services import results as services
from oeuvre.recette.services import testbook as testbook_services


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 30)))


def _date_runs(record: services.ResultsRecord, day: date) -> None:
    """The demo runs « now »; its results are dated on the demo's calendar, before its reference day."""
    ids = [e["execution"] for e in record.executions]
    Execution.objects.filter(pk__in=ids).update(started_at=_at(day, 21), executed_at=_at(day, 22))
    CriterionResult.objects.filter(execution_id__in=ids).update(recorded_at=_at(day, 22))


def _date_anomaly(anomaly: Anomaly, days: list[date]) -> None:
    """Date each move of the anomaly's history on ``days`` (the last day repeats for any further move)."""
    history = Anomaly.history.model
    records = list(history.objects.filter(id=anomaly.pk).order_by("history_date", "history_id"))
    for index, row in enumerate(records):
        row.history_date = _at(days[min(index, len(days) - 1)], 9 + index)
    history.objects.bulk_update(records, ["history_date"])
    last = records[-1].history_date
    Anomaly.objects.filter(pk=anomaly.pk).update(
        created_at=records[0].history_date, status_changed_at=last,
        closed_at=last if anomaly.status in {"close", "rejetee"} else None,
    )  # fmt: skip


_LOAD_METRICS = (Metric.RESPONSE_TIME_P95, Metric.ERROR_RATE, Metric.AVAILABILITY, Metric.THROUGHPUT)


def _load(p95: float, errors: float, throughput: float, pieces: float, dossiers: float, api: float) -> Report:
    """A JMeter summary as the JTL reader returns it: the whole run and three samplers."""
    values = (p95, errors, 100.0 - errors, throughput)
    run = [Measurement(ALL, metric, value, unit) for metric, value, unit in
           zip(_LOAD_METRICS, values, ("ms", "%", "%", "req/s"), strict=True)]  # fmt: skip
    return Report(
        tool="jmeter", tool_version="5.6.3", format="jtl-csv",
        measurements=[
            *run,
            Measurement(ALL, Metric.USERS, 500, "users"),
            Measurement("POST /pieces", Metric.RESPONSE_TIME_P95, pieces, "ms"),
            Measurement("GET /dossiers", Metric.RESPONSE_TIME_P95, dossiers, "ms"),
            Measurement("GET /api/demarches", Metric.THROUGHPUT, api, "req/s"),
        ],
    )  # fmt: skip


def _scan() -> Report:
    return Report(
        tool="sarif", tool_version="2.16.0", format="sarif-2.1",
        measurements=[Measurement(ALL, Metric.TLS_MIN_VERSION, 1.2, "version")],
        findings=[
            Finding("40018", "Injection SQL dans le paramètre de tri des dossiers", Severity.HIGH,
                    message="Le paramètre « tri » est concaténé dans la requête.",
                    location="https://recette.guichet.example/agents/dossiers?tri=date", tool="OWASP ZAP"),
            Finding("10003", "Bibliothèque vulnérable : jQuery 3.4.1 (CVE-2020-11022)", Severity.HIGH,
                    message="Mettre à jour jQuery en 3.5.0 au moins.",
                    location="https://recette.guichet.example/static/js/jquery.min.js", tool="OWASP ZAP"),
            Finding("10038", "En-tête Content-Security-Policy absent", Severity.MEDIUM,
                    location="https://recette.guichet.example/", tool="OWASP ZAP"),
            Finding("10021", "En-tête X-Content-Type-Options absent", Severity.LOW,
                    location="https://recette.guichet.example/aide", tool="OWASP ZAP"),
        ],
    )  # fmt: skip


@demo_step(47, "recette: performance and security results")
def build(ctx: DemoContext, project: Project) -> None:
    if project.code != MAIN_PROJECT:
        return
    criteria = list(Criterion.objects.filter(project=project).order_by("number"))
    if not criteria:
        return
    users = ctx.users
    load_case = testbook_services.test_case_create(
        actor=users["amoe"], project=project, title="Tir de charge : 500 usagers simultanés pendant 30 minutes",
        objective="Vérifier les temps de réponse, le débit et le taux d'erreur du portail sous la charge nominale.",
        type="performance", status="pret", automated=True, steps=[
            {"action": "Lancer le scénario JMeter « parcours usager » : 500 utilisateurs, montée en 5 minutes",
             "expected": "Le tir tourne 30 minutes sans arrêt de l'injecteur", "data": "jeu de 2 000 comptes"},
            {"action": "Pousser le fichier JTL dans la campagne (oeuvre recette results)",
             "expected": "Chaque critère du DAT mesuré est atteint", "data": ""},
        ],
    )  # fmt: skip
    scan_case = testbook_services.test_case_create(
        actor=users["amoe"], project=project, title="Scan de vulnérabilités OWASP ZAP du portail et du back-office",
        objective="Aucune vulnérabilité critique ou élevée ; TLS 1.2 au minimum.", type="securite", status="pret",
        automated=True, steps=[
            {"action": "Lancer le scan actif OWASP ZAP authentifié sur la préproduction",
             "expected": "Le scan couvre le portail et le back-office", "data": "compte agent de test"},
            {"action": "Pousser le rapport SARIF dans la campagne",
             "expected": "Aucune vulnérabilité élevée ou critique", "data": ""},
        ],
    )  # fmt: skip
    security = {"vulnerabilities_critical", "vulnerabilities_high", "tls_min_version"}
    services.test_case_set_criteria(actor=users["amoe"], test_case=load_case,
                                    criteria=[c for c in criteria if c.metric not in security])  # fmt: skip
    services.test_case_set_criteria(actor=users["amoe"], test_case=scan_case,
                                    criteria=[c for c in criteria if c.metric in security])  # fmt: skip

    perf = testbook_services.campaign_create(
        actor=users["amoe"], project=project, name="Performance — tirs de charge", kind="performance",
        environment="Préproduction", release="1.0.0-rc1",
    )  # fmt: skip
    first = services.results_record(
        project=project, campaign=perf, iteration=None, user=users["amoe"], filename="tir-rc1.jtl",
        report=_load(p95=2640.0, errors=1.8, throughput=47.5, pieces=4100.0, dossiers=870.0, api=112.0),
    )  # fmt: skip
    execution = first.executions[0]["execution"]
    day_1, day_2, day_scan = (ctx.today - timedelta(days=n) for n in (12, 5, 3))
    _date_runs(first, day_1)
    anomaly = anomaly_services.anomaly_create_from_execution(
        actor=users["amoe"], execution=Execution.objects.get(pk=execution), severity="majeure", priority="p2",
        title="Portail trop lent sous 500 usagers : p95 de 2,64 s pour 2 s attendues",
    )  # fmt: skip
    for action, who, fields in (
        ("qualify", "amoa", {}), ("start_fix", "moe", {"assignee": users["moe"]}),
        ("deliver", "moe", {"release_fixed": "1.0.0-rc2"}),
    ):  # fmt: skip
        anomaly = anomaly_services.anomaly_transition(
            actor=users[who], anomaly=anomaly, action=action, expected_version=anomaly.version, **fields
        )
    testbook_services.iteration_create(actor=users["amoe"], campaign=perf, release="1.0.0-rc2",
                                       name="Itération 2 — index sur les demandes")  # fmt: skip
    second = services.results_record(
        project=project, campaign=perf, iteration=2, user=users["amoe"], filename="tir-rc2.jtl",
        report=_load(p95=1720.0, errors=0.3, throughput=58.2, pieces=3650.0, dossiers=640.0, api=121.0),
    )  # fmt: skip
    _date_runs(second, day_2)
    for action, who in (("verify", "moa"), ("close", "amoa")):
        anomaly = anomaly_services.anomaly_transition(
            actor=users[who], anomaly=anomaly, action=action, expected_version=anomaly.version
        )
    _date_anomaly(anomaly, [day_1 + timedelta(days=n) for n in (1, 2, 3, 6)] + [day_2 + timedelta(days=1)] * 2)

    sec = testbook_services.campaign_create(
        actor=users["amoe"], project=project, name="Sécurité — scan de vulnérabilités", kind="securite",
        environment="Préproduction", release="1.0.0-rc2",
    )  # fmt: skip
    scan = services.results_record(project=project, campaign=sec, iteration=None, user=users["amoe"],
                                   filename="zap-rc2.sarif", report=_scan())  # fmt: skip
    _date_runs(scan, day_scan)
    for proposal in (p for p in scan.proposals if "finding" in p):
        found = anomaly_services.anomaly_create(
            actor=users["amoe"], project=project, title=proposal["title"], description=proposal["description"],
            severity=proposal["severity"], priority="p2", execution=Execution.objects.get(pk=proposal["execution"]),
            test_case=scan_case, campaign=sec, release_found=proposal["release_found"],
        )  # fmt: skip
        _date_anomaly(found, [day_scan + timedelta(days=1)])
