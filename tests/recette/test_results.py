"""Performance and security results against the DAT's criteria: the chain from a failing load test to an anomaly
and back to met, security findings, the RTM, the refusals, through the service, the CLI and the API."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.errors import ValidationFailed
from oeuvre.design.selectors import criterion_rows
from oeuvre.interop.perfsec import Severity
from oeuvre.recette import models as m
from oeuvre.recette.selectors.coverage import exigence_test_coverage
from oeuvre.recette.services import anomalies as anomaly_services
from oeuvre.recette.services import results as services
from oeuvre.recette.services import testbook as testbook_services
from tests.design import helpers as d
from tests.recette import testbook_helpers as h
from tests.requirements import helpers as req

pytestmark = pytest.mark.django_db


@pytest.fixture
def load(personas: Any) -> dict[str, Any]:
    ex = req.exigence(personas.project, "EX-042", "validee", type="performance")
    p95 = d.criterion(personas, threshold="2", unit="s", exigences=[ex])
    errors = d.criterion(personas, metric="error_rate", operator="<", threshold="1", unit="%")
    case = h.make_case(personas, title="Tir de charge 500 usagers", type="performance")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[p95, errors])
    campaign = testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Perf 1", kind="performance", release="1.0"
    )
    return {"exigence": ex, "p95": p95, "errors": errors, "case": case, "campaign": campaign}


def test_it_goes_from_a_failing_load_test_to_an_anomaly_and_back_to_met(personas: Any, load: dict[str, Any]) -> None:
    campaign = load["campaign"]
    first = services.results_record(
        project=personas.project, campaign=campaign, iteration=None, report=d.load_report(2450.0),
        user=personas.amoe, filename="tir1.jtl",
    )  # fmt: skip
    assert first.iteration == 1
    assert [(c["criterion"], c["met"]) for c in first.criteria] == [("CRT-001", False), ("CRT-002", True)]
    execution = m.Execution.objects.get(pk=first.executions[0]["execution"])
    assert (execution.status, execution.source) == ("ko", "report")
    assert "2450 ms" in execution.message
    (proposal,) = first.proposals
    assert "2450 ms" in proposal["description"]
    assert proposal["criterion"] == "CRT-001"
    assert not m.Anomaly.objects.exists()  # proposed, not created: the test manager confirms it
    anomaly = anomaly_services.anomaly_create_from_execution(actor=personas.amoe, execution=execution)
    assert "2450" in anomaly.description
    rows = {r.criterion.reference: r for r in criterion_rows(personas.project)}
    assert (rows["CRT-001"].measured, rows["CRT-001"].met) == (2450.0, False)

    testbook_services.iteration_create(actor=personas.amoa, campaign=campaign, release="1.0.1")
    second = services.results_record(
        project=personas.project, campaign=campaign, iteration=2, report=d.load_report(1800.0),
        user=personas.amoe, filename="tir2.jtl",
    )  # fmt: skip
    assert [c["met"] for c in second.criteria] == [True, True]
    assert second.proposals == []
    rows = {r.criterion.reference: r for r in criterion_rows(personas.project)}
    p95 = rows["CRT-001"]
    assert (p95.measured, p95.met, p95.state) == (1800.0, True, "met")
    assert [(p.iteration, p.value, p.met) for p in p95.history] == [(1, 2450.0, False), (2, 1800.0, True)]
    assert p95.as_dict()["component"] == "CMP-001"


def test_it_counts_the_results_in_the_rtm_like_functional_tests(personas: Any, load: dict[str, Any]) -> None:
    services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                            report=d.load_report(1500.0), user=personas.amoe)  # fmt: skip
    coverage = exigence_test_coverage(personas.project, None)[load["exigence"].pk]
    assert coverage.tests == (load["case"].reference,)
    assert (coverage.executed, coverage.passed) == (1, 1)


def test_it_leaves_a_criterion_absent_from_the_file_not_measured(personas: Any, load: dict[str, Any]) -> None:
    labelled = d.criterion(personas, label="POST /demandes")
    services.test_case_set_criteria(
        actor=personas.amoa, test_case=load["case"], criteria=[load["p95"], load["errors"], labelled]
    )
    record = services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                                     report=d.load_report(1500.0), user=personas.amoe)  # fmt: skip
    assert record.unmeasured == [labelled.reference]
    rows = {r.criterion.reference: r for r in criterion_rows(personas.project)}
    assert rows[labelled.reference].met is None
    assert rows[labelled.reference].measured is None


def test_it_proposes_anomalies_for_high_and_critical_findings(personas: Any) -> None:
    none_high = d.criterion(personas, metric="vulnerabilities_high", operator="=", threshold="0", unit="count")
    none_critical = d.criterion(personas, metric="vulnerabilities_critical", operator="=", threshold="0", unit="count")
    case = h.make_case(personas, title="Scan OWASP", type="securite")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[none_high, none_critical])
    campaign = testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Sécu", kind="securite"
    )
    record = services.results_record(
        project=personas.project, campaign=campaign, iteration=None,
        report=d.scan_report(Severity.HIGH, Severity.CRITICAL, Severity.LOW, Severity.INFO), user=personas.amoe,
        filename="zap.sarif",
    )  # fmt: skip
    assert {c["criterion"]: (c["measured"], c["met"]) for c in record.criteria} == {
        none_high.reference: (1.0, False),
        none_critical.reference: (1.0, False),
    }
    assert record.findings == {"high": 1, "critical": 1, "low": 1, "info": 1}
    severities = sorted(p["severity"] for p in record.proposals if "finding" in p)
    assert severities == ["bloquante", "majeure"]
    assert m.SecurityFinding.objects.filter(project=personas.project).count() == 4


def test_it_refuses_a_functional_campaign(personas: Any, load: dict[str, Any]) -> None:
    vabf = h.campaign(personas)
    with pytest.raises(ValidationFailed) as exc:
        services.results_record(project=personas.project, campaign=vabf, iteration=None,
                                report=d.load_report(1.0), user=personas.amoe)  # fmt: skip
    assert "campaign" in exc.value.errors
    assert not m.Execution.objects.exists()


def test_it_refuses_a_file_measuring_no_criterion(personas: Any, load: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                                report=d.load_report(1.0, label="autre"), user=personas.amoe)  # fmt: skip
    assert "file" in exc.value.errors
    assert not m.CriterionResult.objects.exists()


def test_it_refuses_a_reader_who_pushes_results(personas: Any, load: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                                report=d.load_report(1.0), user=personas.reader)  # fmt: skip


def test_it_names_an_unreadable_file_through_the_cli(
    personas: Any, load: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a report")
    with pytest.raises(CommandError, match=r"notes\.txt"):
        call_command("recette", "results", str(path), "--project", "alpha", "--campaign", "Perf 1", "--user", "amoe")
    with pytest.raises(CommandError, match="unknown campaign"):
        call_command("recette", "results", str(path), "--project", "alpha", "--campaign", "Nope", "--user", "amoe")


_JTL_HEADER = (
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,"
    "sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"
)


def _jtl(elapsed: list[int]) -> bytes:
    """A JTL as JMeter 5.6 writes it by default (CSV with its header line), one sample a response time."""
    rows = [
        f"{1733500000000 + 100 * i},{ms},Accueil portail,200,OK,Usagers 1-{i % 50 + 1},text,true,,5120,310,50,50,"
        f"https://portail.example/,{ms // 2},0,12\n"
        for i, ms in enumerate(elapsed)
    ]
    return (_JTL_HEADER + "".join(rows)).encode()


def test_it_reads_a_jmeter_run_through_the_cli(
    personas: Any, load: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    # 94 answers at 1 s and 6 at 2.5 s: JMeter's 95th percentile (nearest rank) is 2,500 ms, above the 2 s criterion.
    path = tmp_path / "tir.jtl"
    path.write_bytes(_jtl([1000] * 94 + [2500] * 6))
    out = io.StringIO()
    call_command("recette", "results", str(path), "--project", "alpha", "--campaign", "Perf 1", "--user", "amoe",
                 "--json", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["iteration"] == 1
    assert data["tool"] == "jmeter"
    by_metric = {c["metric"]: c for c in data["criteria"]}
    assert by_metric["response_time_p95"]["measured"] == 2500
    assert by_metric["response_time_p95"]["met"] is False
    assert by_metric["error_rate"]["measured"] == 0
    assert by_metric["error_rate"]["met"] is True
    assert len(data["proposals"]) == 1


def test_it_names_a_hostile_report_in_french_through_the_cli(
    personas: Any, load: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("LANGUAGE", "fr")
    path = tmp_path / "tir.jtl"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x "y">]><testResults version="1.2"/>')
    with pytest.raises(CommandError, match=r"tir\.jtl.*DTD ou des entités"):
        call_command("recette", "results", str(path), "--project", "alpha", "--campaign", "Perf 1", "--user", "amoe")
    assert not m.Execution.objects.filter(iteration__campaign=load["campaign"]).exists()


def test_it_takes_results_through_the_api(personas: Any, load: dict[str, Any], monkeypatch: Any) -> None:
    _token, raw = token_create(user=personas.amoe, name="ci")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/recette/campaigns/{load['campaign'].pk}/results"
    refused = client.post(url, {"file": io.BytesIO(b"nothing")})
    assert refused.status_code == 422
    upload = io.BytesIO(_jtl([1900] * 100))
    upload.name = "tir.jtl"
    answer = client.post(url, {"file": upload})
    assert answer.status_code == 200, answer.content
    assert [c["met"] for c in answer.json()["criteria"]] == [True, True]
    reader = Client(headers={"Authorization": f"Bearer {token_create(user=personas.reader, name='r')[1]}"})
    assert reader.post(url, {"file": io.BytesIO(b"x")}).status_code == 403


def test_it_feeds_the_go_no_go_with_the_criteria_met(personas: Any, load: dict[str, Any]) -> None:
    from oeuvre.mep import selectors as mep_selectors
    from oeuvre.mep.models import Release

    release = Release.objects.create(project=personas.project, number="2.0")

    def line() -> Any:
        return next(c for c in mep_selectors.gonogo_for(release).criteria if c.code == "perfsec_criteria_met")

    assert line().met is False  # never measured
    assert "2 non mesurés" in line().evidence  # the default language is French
    services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                            report=d.load_report(2500.0), user=personas.amoe)  # fmt: skip
    assert line().met is False
    services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                            report=d.load_report(1500.0), user=personas.amoe)  # fmt: skip
    assert line().met is True
    assert line().link.endswith("/design/criteria/")


def test_it_links_a_test_case_to_criteria_through_the_api(personas: Any, load: dict[str, Any]) -> None:
    case = h.make_case(personas, title="Tir de pointe")
    _token, raw = token_create(user=personas.amoa, name="ci")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = f"/api/projects/alpha/recette/test-cases/{case.pk}/criteria"
    answer = client.put(url, {"criteria": ["CRT-001"]}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"test_case": case.reference, "criteria": ["CRT-001"], "exigences": ["EX-042"]}
    refused = client.put(url, {"criteria": ["CRT-999"]}, content_type="application/json")
    assert refused.status_code == 422
    assert list(case.criteria.values_list("reference", flat=True)) == ["CRT-001"]
