"""Reports in several files through the page, the API and the terminal: Locust's stats with their history (two files
at once, or their zip) so « users ≥ 500 » is measured from the web too; Gatling's report zipped or as its folder; a
hostile zip refused in the user's language. And the proposals of an import edited (title, severity) before they are
created; the worker writes in the page's language."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from oeuvre.accounts.services import token_create
from oeuvre.core.files import private_root
from oeuvre.core.models import Job
from oeuvre.recette import models as m
from oeuvre.recette.services import results as services
from oeuvre.recette.services import testbook as testbook_services
from tests.design import helpers as d
from tests.interop.perfsec.helpers import read
from tests.interop.perfsec.test_bundle import _gatling_folder, _zip
from tests.recette import testbook_helpers as h
from tests.recette.test_results import _jtl

pytestmark = pytest.mark.django_db

STATS = read("locust-2.47-stats.csv")
HISTORY = read("locust-2.47-stats_history.csv")


@pytest.fixture(autouse=True)
def _immediate_jobs(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def campaign(personas: Any) -> Any:
    p95 = d.criterion(personas, threshold="2", unit="s")
    d.criterion(personas, metric="users", operator=">=", threshold="10", unit="users")
    crowd = d.criterion(personas, metric="users", operator=">=", threshold="500", unit="users")
    case = h.make_case(personas, title="Tir de charge", type="performance")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[p95, crowd])
    return testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Perf", kind="performance", release="1.0"
    )


def _upload(client: Any, campaign: Any, files: list[tuple[str, bytes]], **extra: Any) -> Any:
    from django.test import TestCase

    url = f"/p/alpha/recette/campaigns/{campaign.pk}/results/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = client.post(url, {"file": [SimpleUploadedFile(n, data) for n, data in files], **extra})
    return client.get(answer["Location"], follow=True) if answer.status_code == 302 else answer


def _users_measured() -> list[tuple[str, bool]]:
    return [(r.value, r.met) for r in m.CriterionResult.objects.filter(criterion__metric="users")]


# --- Locust's two files -------------------------------------------------------------------------------------------


def test_locusts_stats_and_history_uploaded_together_on_the_page_measure_the_users(
    personas: Any, campaign: Any
) -> None:
    page = _upload(personas.client(personas.amoe), campaign,
                   [("run_stats.csv", STATS), ("run_stats_history.csv", HISTORY)])  # fmt: skip
    body = page.content.decode()
    assert 'id="results-criteria"' in body, body[body.find('id="results-status"') :][:1500]
    assert _users_measured() == [("12", False)]  # 12 users ran: « ≥ 500 users » is not met, and says so
    job = Job.objects.get(kind=services.RESULTS_JOB)
    assert job.result["filename"] == "run_stats.csv + run_stats_history.csv"
    assert not list((private_root() / "results-imports").rglob("*.csv")), "kept files are removed"


def test_locusts_two_files_zipped_measure_the_users_too(personas: Any, campaign: Any) -> None:
    data = _zip({"run_stats.csv": STATS, "run_stats_history.csv": HISTORY})
    _upload(personas.client(personas.amoe), campaign, [("locust.zip", data)])
    assert _users_measured() == [("12", False)]


def test_the_stats_alone_leave_the_users_unmeasured(personas: Any, campaign: Any) -> None:
    _upload(personas.client(personas.amoe), campaign, [("run_stats.csv", STATS)])
    assert _users_measured() == []
    assert m.CriterionResult.objects.filter(criterion__metric="response_time_p95").count() == 1


def test_files_of_two_runs_uploaded_together_are_refused_and_nothing_recorded(personas: Any, campaign: Any) -> None:
    body = _upload(personas.client(personas.amoe), campaign,
                   [("run_stats.csv", STATS), ("tir.jtl", _jtl([1000] * 10))]).content.decode()  # fmt: skip
    status = body[body.index('id="results-status"') :][:3000]
    assert "ne sont pas un seul tir" in status.replace("&#x27;", "'"), status
    assert not m.CriterionResult.objects.exists()


def test_the_api_takes_the_two_files_as_the_field_repeated(personas: Any, campaign: Any) -> None:
    client = Client(headers={"Authorization": f"Bearer {token_create(user=personas.amoe, name='ci')[1]}"})
    url = f"/api/projects/alpha/recette/campaigns/{campaign.pk}/results"
    stats, history = io.BytesIO(STATS), io.BytesIO(HISTORY)
    stats.name, history.name = "run_stats.csv", "run_stats_history.csv"
    answer = client.post(url, {"file": [stats, history]})
    assert answer.status_code == 200, answer.content
    measured = {c["metric"]: (c["measured"], c["met"]) for c in answer.json()["criteria"]}
    assert measured["users"] == (12, False)
    zipped = io.BytesIO(_zip(_gatling_folder()))
    zipped.name = "gatling.zip"
    answer = client.post(url, {"file": zipped})
    assert answer.status_code == 200, answer.content
    assert [(c["metric"], c["measured"]) for c in answer.json()["criteria"]] == [("response_time_p95", 1240)]


# --- Gatling's report ---------------------------------------------------------------------------------------------


def test_a_zipped_gatling_report_is_read_on_the_page(personas: Any, campaign: Any) -> None:
    _upload(personas.client(personas.amoe), campaign, [("rapport-gatling.zip", _zip(_gatling_folder()))])
    result = m.CriterionResult.objects.get()
    assert (result.value, result.met, result.tool, result.filename) == ("1240", True, "gatling", "rapport-gatling.zip")


def test_a_hostile_zip_is_refused_in_french_naming_the_file(personas: Any, campaign: Any) -> None:
    evil = _zip({"../../js/stats.json": read("gatling-3.11-stats.json")})
    body = _upload(personas.client(personas.amoe), campaign, [("rapport.zip", evil)]).content.decode()
    status = body[body.index('id="results-status"') :][:3000].replace("&#x27;", "'").replace("&quot;", '"')
    assert "rapport.zip" in status, status
    assert "hors d'elle-même" in status or "hors d’elle-même" in status, status
    assert not m.CriterionResult.objects.exists()


def _push(*paths: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("recette", "results", *map(str, paths), "--project", "alpha", "--campaign", "Perf", "--user",
                 "amoe", "--json", stdout=out)  # fmt: skip
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_the_terminal_reads_a_gatling_report_folder_and_two_locust_files(
    personas: Any, campaign: Any, tmp_path: Path
) -> None:
    for name, data in _gatling_folder().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    data = _push(tmp_path / "paiement-20261207T101500")
    assert [(c["metric"], c["measured"]) for c in data["criteria"]] == [("response_time_p95", 1240)]
    (tmp_path / "a.csv").write_bytes(STATS)
    (tmp_path / "b.csv").write_bytes(HISTORY)
    data = _push(tmp_path / "a.csv", tmp_path / "b.csv")
    assert {c["metric"]: c["measured"] for c in data["criteria"]}["users"] == 12


# --- The worker's language, the proposals edited ------------------------------------------------------------------


def test_the_worker_writes_in_the_pages_language_not_the_profiles(personas: Any, campaign: Any) -> None:
    assert personas.amoe.language in {"", "fr"}
    client = personas.client(personas.amoe)
    client.cookies["django_language"] = "en"
    data = _jtl([1000] * 5) + b"1733500009999,abc,Accueil portail,200,OK,U 1-1,text,true,,1,1,1,1,u,1,0,1\n"
    body = _upload(client, campaign, [("tir.jtl", data)]).content.decode()
    status = body[body.index('id="results-status"') :][:3000]
    assert "line 7" in status, status
    assert "ligne 7" not in status


def test_a_proposal_is_created_with_the_title_and_severity_chosen_and_not_twice(personas: Any, campaign: Any) -> None:
    client = personas.client(personas.amoe)
    page = _upload(client, campaign, [("tir.jtl", _jtl([2600] * 100))])
    body = page.content.decode()
    assert 'name="title" form="proposal-0"' in body
    job_url = page.request["PATH_INFO"]
    refused = client.post(job_url + "anomalies/", {"proposal": "0", "title": "x", "severity": "cosmique"}, follow=True)
    assert "Choisissez une sévérité de la liste" in refused.content.decode()
    assert not m.Anomaly.objects.exists()
    client.post(job_url + "anomalies/", {"proposal": "0", "title": " Portail lent au pic ", "severity": "bloquante"})
    anomaly = m.Anomaly.objects.get()
    assert (anomaly.title, anomaly.severity) == ("Portail lent au pic", "bloquante")
    assert "2600 ms" in anomaly.description
    client.post(job_url + "anomalies/", {"proposal": "0"})
    assert m.Anomaly.objects.count() == 1, "the edited proposal is known as raised: not raised again"
    shown = client.get(job_url).content.decode()
    assert anomaly.reference in shown
    assert 'form="proposal-0"' not in shown
    proposals = Job.objects.get(kind=services.RESULTS_JOB).result["proposals"]
    client.post(job_url + "anomalies/", {"proposal": "all"})
    assert m.Anomaly.objects.count() == len(proposals), "« all » raises the others, not the edited one again"
    assert m.Anomaly.objects.filter(description=proposals[0]["description"]).count() == 1
