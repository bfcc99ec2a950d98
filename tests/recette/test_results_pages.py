"""The pages of performance and security results: a report uploaded to a campaign is read by a job, the criteria
met / not met are shown with their measured values in the reader's number format, the findings and the proposed
anomalies, which the test manager creates in one click (each, or all); and a test case linked to criteria."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.formats import number_format

from oeuvre.recette import models as m
from oeuvre.recette.services import results as services
from oeuvre.recette.services import testbook as testbook_services
from tests.design import helpers as d
from tests.interop.perfsec.helpers import read
from tests.recette import testbook_helpers as h
from tests.recette.test_results import _jtl
from tests.requirements import helpers as req

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_jobs(settings: Any) -> None:
    # The worker runs the job when the upload commits, as the page would see it once the worker has run it.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


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


def _upload(client: Any, campaign: Any, name: str, data: bytes, **extra: Any) -> Any:
    from django.test import TestCase

    url = f"/p/alpha/recette/campaigns/{campaign.pk}/results/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = client.post(url, {"file": SimpleUploadedFile(name, data), **extra})
    return client.get(answer["Location"], follow=True) if answer.status_code == 302 else answer


def test_it_shows_the_criteria_of_an_uploaded_jtl_in_french_numbers(personas: Any, load: dict[str, Any]) -> None:
    client = personas.client(personas.amoe)
    # 94 answers at 1.2 s and 6 at 2,450 ms: the 95th percentile (nearest rank) is 2,450 ms, above the 2 s criterion.
    page = _upload(client, load["campaign"], "tir1.jtl", _jtl([1200] * 94 + [2450] * 6))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="results-criteria"' in body, body[body.find('id="results-status"') :][:1500]
    with translation.override("fr"):
        french = number_format(2450, force_grouping=True)
    assert french != "2450"
    assert french.startswith("2")
    assert french.endswith("450")
    assert f"<strong>{french}</strong> ms" in body
    assert "1 critère non atteint" in body
    assert "1 critère atteint" in body
    assert m.CriterionResult.objects.filter(criterion=load["p95"], met=False).count() == 1
    assert not m.Anomaly.objects.exists(), "the import proposes the anomaly, the test manager creates it"
    assert "Créer l’anomalie" in body or "Créer l'anomalie" in body


def test_it_creates_a_proposed_anomaly_in_one_click_and_not_twice(personas: Any, load: dict[str, Any]) -> None:
    client = personas.client(personas.amoe)
    page = _upload(client, load["campaign"], "tir1.jtl", _jtl([2600] * 100))
    job_url = page.request["PATH_INFO"]
    answer = client.post(job_url + "anomalies/", {"proposal": "0"}, follow=True)
    assert answer.status_code == 200
    anomaly = m.Anomaly.objects.get()
    assert anomaly.reference in answer.content.decode()
    assert "2600 ms" in anomaly.description
    assert anomaly.exigence == load["exigence"]
    assert anomaly.execution is not None
    assert anomaly.execution.status == "ko"
    assert anomaly.campaign == load["campaign"]
    client.post(job_url + "anomalies/", {"proposal": "0"})
    client.post(job_url + "anomalies/", {"proposal": "all"})
    assert m.Anomaly.objects.count() == 1, "a proposal already raised is not raised again"
    refused = client.post(job_url + "anomalies/", {"proposal": "7"}, follow=True)
    assert "Choisissez une anomalie proposée" in refused.content.decode()
    assert m.Anomaly.objects.count() == 1


def test_it_lists_the_findings_of_a_scan_and_creates_all_their_anomalies(personas: Any) -> None:
    high = d.criterion(personas, metric="vulnerabilities_high", operator="=", threshold="0", unit="count")
    case = h.make_case(personas, title="Scan ZAP", type="securite")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[high])
    campaign = testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Sécu", kind="securite"
    )
    client = personas.client(personas.amoe)
    page = _upload(client, campaign, "zap.json", read("zap-2.16.0.json"))
    body = page.content.decode()
    assert 'id="results-findings"' in body
    findings = m.SecurityFinding.objects.filter(project=personas.project)
    assert findings.exists()
    assert all(f.title in body for f in findings[:5])
    job_url = page.request["PATH_INFO"]
    from oeuvre.core.models import Job

    proposals = Job.objects.get(kind=services.RESULTS_JOB).result["proposals"]
    assert proposals, "the sample ZAP report has high findings"
    client.post(job_url + "anomalies/", {"proposal": "all"})
    assert m.Anomaly.objects.count() == len(proposals)


def test_it_names_the_line_of_a_damaged_file_and_records_nothing(personas: Any, load: dict[str, Any]) -> None:
    client = personas.client(personas.amoe)
    data = _jtl([1000] * 5) + b"1733500009999,abc,Accueil portail,200,OK,U 1-1,text,true,,1,1,1,1,u,1,0,1\n"
    body = _upload(client, load["campaign"], "tir.jtl", data).content.decode()
    assert 'id="results-status"' in body
    status = body[body.index('id="results-status"') :][:2000]
    status = status[: status.index("</section>")]
    assert "tir.jtl" in status, status
    assert "ligne 7" in status, status
    assert "n’est pas un nombre" in status.replace("&#x27;", "’"), status
    assert not m.Execution.objects.filter(iteration__campaign=load["campaign"]).exists()
    assert not m.CriterionResult.objects.exists()
    # The worker writes the refusal in its author's language.
    personas.amoe.language = "en"
    personas.amoe.save(update_fields=["language"])
    english = personas.client(personas.amoe)
    english.cookies["django_language"] = "en"
    body = _upload(english, load["campaign"], "tir.jtl", data, iteration="1").content.decode()
    assert "line 7" in body
    assert not m.CriterionResult.objects.exists()


def test_it_refuses_a_functional_campaign_on_the_page(personas: Any, load: dict[str, Any]) -> None:
    vabf = h.campaign(personas)
    client = personas.client(personas.amoe)
    page = client.post(f"/p/alpha/recette/campaigns/{vabf.pk}/results/",
                       {"file": SimpleUploadedFile("tir.jtl", _jtl([1000]))})  # fmt: skip
    assert page.status_code == 400
    assert "campagne de performance ou de sécurité" in page.content.decode()
    assert not m.Execution.objects.exists()


def test_it_links_a_test_case_to_criteria_and_shows_them_on_the_criterion(personas: Any, load: dict[str, Any]) -> None:
    other = d.criterion(personas, metric="availability", operator=">=", threshold="99.5", unit="%")
    case = h.make_case(personas, title="Tir d'endurance", type="performance")
    client = personas.client(personas.amoa)
    page = client.get(f"/p/alpha/recette/book/{case.pk}/")
    assert 'id="case-criteria"' in page.content.decode()
    answer = client.post(f"/p/alpha/recette/book/{case.pk}/criteria/", {"criteria": [load["p95"].pk, other.pk]})
    assert answer.status_code == 302
    assert set(case.criteria.all()) == {load["p95"], other}
    assert load["exigence"] in case.exigences.all()  # the criterion's exigence is now covered by the test
    services.results_record(project=personas.project, campaign=load["campaign"], iteration=None,
                            report=d.load_report(2450.0), user=personas.amoe)  # fmt: skip
    testbook_services.iteration_create(actor=personas.amoa, campaign=load["campaign"], release="1.0.1")
    services.results_record(project=personas.project, campaign=load["campaign"], iteration=2,
                            report=d.load_report(1800.0), user=personas.amoe)  # fmt: skip
    detail = client.get(f"/p/alpha/design/criteria/{load['p95'].pk}/").content.decode()
    assert case.reference in detail
    assert load["case"].reference in detail
    section = detail[detail.index('id="criterion-results"') :]
    with translation.override("fr"):
        first, second = number_format(2450, force_grouping=True), number_format(1800, force_grouping=True)
    assert section.index(first) < section.index(second)  # oldest first: iteration 1 failed, iteration 2 met
    client.post(f"/p/alpha/recette/book/{case.pk}/criteria/", {"criteria": [999_999]})
    assert set(case.criteria.all()) == {load["p95"], other}, "an unknown criterion changes nothing"
    reader = personas.client(personas.reader)
    assert reader.post(f"/p/alpha/recette/book/{case.pk}/criteria/", {"criteria": []}).status_code == 403


def test_it_checks_tls_1_2_from_a_testssl_report(personas: Any) -> None:
    tls = d.criterion(personas, metric="tls_min_version", operator=">=", threshold="1.2", unit="version")
    case = h.make_case(personas, title="Scan TLS du portail", type="securite")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[tls])
    campaign = testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Sécu TLS", kind="securite"
    )
    record = services.results_import(project=personas.project, campaign=campaign, iteration=None, user=personas.amoe,
                                     data=read("testssl-3.2.json"), filename="testssl.json")  # fmt: skip
    assert [(c["criterion"], c["met"]) for c in record.criteria] == [(tls.reference, True)]
    assert m.CriterionResult.objects.get(criterion=tls).value == "1.2"
    assert record.findings == {"medium": 1, "low": 1}
