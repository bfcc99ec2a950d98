"""k6, Gatling and Locust results. Locust's file is written by Locust itself, run headless in the test against a
local HTTP server; k6 (a Go binary, not on PyPI) and Gatling (a JVM tool) files are written by hand in the shape their
documentation and real reports show: k6 0.54's ``--summary-export``, k6 1.0's ``handleSummary`` data, Gatling 3.11's
``js/stats.json`` and ``js/global_stats.json``, Gatling 2's padded figures."""

from __future__ import annotations

import csv
import http.server
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ALL, ERROR_CODES, Metric, read_report, read_report_file
from tests.interop.perfsec.helpers import read

# --- k6 ----------------------------------------------------------------------------------------------------------


def test_it_reads_k6s_summary_export() -> None:
    report = read_report(read("k6-0.54-summary-export.json"), "summary.json")
    assert (report.tool, report.format) == ("k6", "k6-summary")
    assert report.value(Metric.RESPONSE_TIME_P95) == 2210.4
    assert report.value(Metric.RESPONSE_TIME_P90) == 1630.1
    assert report.value(Metric.RESPONSE_TIME_P50) == 640.5  # k6's med
    assert report.value(Metric.RESPONSE_TIME_MEAN) == 812.43
    assert report.value(Metric.RESPONSE_TIME_MAX) == 5021.7
    assert report.value(Metric.RESPONSE_TIME_P99) is None  # not in the default summaryTrendStats
    assert report.value(Metric.THROUGHPUT) == 16.6588
    assert report.value(Metric.SAMPLES) == 5000
    assert report.value(Metric.ERROR_RATE) == pytest.approx(2.6)
    assert report.value(Metric.AVAILABILITY) == pytest.approx(97.4)
    assert report.value(Metric.USERS) == 500
    # A threshold's sub-metric is a label; k6's own expected_response split is not.
    assert report.labels() == [ALL, "login"]
    assert report.value(Metric.RESPONSE_TIME_P95, "login") == 688.1


def test_it_reads_the_data_handle_summary_receives() -> None:
    report = read_report(read("k6-1.0-handle-summary.json"), "summary.json")
    assert report.value(Metric.RESPONSE_TIME_P99) == 2011.6
    assert report.value(Metric.ERROR_RATE) == pytest.approx(0.15)
    assert report.value(Metric.THROUGHPUT) == 33.32
    assert report.value(Metric.USERS) == 500
    assert report.value(Metric.RESPONSE_TIME_P95, "::Paiement") == 1810.9


@pytest.mark.parametrize(
    ("patch", "code", "field"),
    [
        ({"http_req_failed": {"passes": 1, "fails": 9, "value": 1.5}}, "k6_shape", "metrics.http_req_failed.rate"),
        ({"http_req_duration": {"avg": "fast", "p(95)": 1}}, "not_number", "metrics.http_req_duration.avg"),
        ({"http_req_duration": [1, 2]}, "k6_shape", "metrics.http_req_duration"),
        # json.dumps writes the non-standard Infinity, which Python's parser accepts: still no figure.
        ({"http_reqs": {"count": 10, "rate": float("inf")}}, "not_number", "metrics.http_reqs.rate"),
    ],
)
def test_it_names_the_field_of_a_damaged_k6_summary(patch: dict[str, Any], code: str, field: str | None) -> None:
    document = json.loads(read("k6-0.54-summary-export.json"))
    document["metrics"].update(patch)
    with pytest.raises(FileFormatError) as caught:
        read_report(json.dumps(document).encode(), "summary.json")
    assert (caught.value.code, caught.value.field) == (code, field)


# --- Gatling -----------------------------------------------------------------------------------------------------


def test_it_reads_gatlings_stats_tree_with_requests_in_groups() -> None:
    report = read_report(read("gatling-3.11-stats.json"), "stats.json")
    assert (report.tool, report.format) == ("gatling", "gatling-stats")
    assert report.labels() == [ALL, "Accueil", "Paiement / Valider le panier"]
    assert report.value(Metric.SAMPLES) == 1200
    assert report.value(Metric.ERROR_RATE) == pytest.approx(1.0)
    assert report.value(Metric.RESPONSE_TIME_P50) == 310  # percentiles1
    assert report.value(Metric.RESPONSE_TIME_P95) == 1240  # percentiles3
    assert report.value(Metric.RESPONSE_TIME_P99) == 2980  # percentiles4
    assert report.value(Metric.RESPONSE_TIME_P90) is None  # Gatling's defaults have no p90
    assert report.value(Metric.RESPONSE_TIME_MEAN) == 402
    assert report.value(Metric.THROUGHPUT) == 19.67
    assert report.value(Metric.ERROR_RATE, "Accueil") == 0
    assert report.value(Metric.RESPONSE_TIME_P95, "Paiement / Valider le panier") == 1980


def test_it_reads_gatlings_global_stats_as_the_whole_run() -> None:
    report = read_report(read("gatling-3.11-global_stats.json"), "global_stats.json")
    assert report.labels() == [ALL]
    assert report.value(Metric.RESPONSE_TIME_P95) == 1240


def test_it_reads_the_padded_figures_of_gatling_2() -> None:
    stats = {"name": "Global Information", "numberOfRequests": {"total": "   81,714", "ok": "   81,700", "ko": "   14"},
             "meanResponseTime": {"total": "        1", "ok": "        1", "ko": "        -"},
             "percentiles3": {"total": "        4", "ok": "        4", "ko": "        -"}}  # fmt: skip
    report = read_report(json.dumps(stats).encode(), "global_stats.json")
    assert report.value(Metric.SAMPLES) == 81_714
    assert report.value(Metric.ERROR_RATE) == pytest.approx(100 * 14 / 81_714)
    assert report.value(Metric.RESPONSE_TIME_P95) == 4


def test_it_reads_gatling_percentiles_configured_otherwise() -> None:
    from oeuvre.interop.perfsec.gatling import read_gatling

    report = read_gatling(read("gatling-3.11-stats.json"), "stats.json", percentiles=(50, 90, 95, 99))
    assert report.value(Metric.RESPONSE_TIME_P90) == 520  # percentiles2 read as p90


def test_it_reads_the_javascript_twin_as_gatling_and_names_what_it_lacks() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(b'var stats = {\n    type: "GROUP",\nname: "All Requests"}', "stats.js")
    assert caught.value.code == "not_gatling"  # read as Gatling's (see test_gatling_js_locust_users), no figures


def test_it_names_the_field_of_a_damaged_gatling_file() -> None:
    document = json.loads(read("gatling-3.11-stats.json"))
    document["contents"]["req_accueil-1a2b3"]["stats"]["percentiles3"]["total"] = "vite"
    with pytest.raises(FileFormatError) as caught:
        read_report(json.dumps(document).encode(), "stats.json")
    assert caught.value.code == "not_number"
    assert caught.value.field == "contents.req_accueil-1a2b3.stats.percentiles3.total"


# --- Locust, run for real ----------------------------------------------------------------------------------------

LOCUSTFILE = """
from locust import HttpUser, constant, task


class Visitor(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def home(self):
        self.client.get("/")

    @task
    def missing(self):
        self.client.get("/missing")
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<h1>Portail</h1>")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(tmp_path / "www")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_it_reads_the_stats_locust_writes(tmp_path: Path, web_server: str) -> None:
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE)
    locust = Path(sys.executable).with_name("locust")
    subprocess.run(
        [str(locust), "-f", "locustfile.py", "--headless", "-u", "4", "-r", "4", "-t", "5s", "--host", web_server,
         "--csv", "run", "--only-summary", "--loglevel", "WARNING"],
        cwd=tmp_path, check=False, capture_output=True, timeout=120,
    )  # fmt: skip  # Locust exits 1 when a request failed, as here on purpose
    data = (tmp_path / "run_stats.csv").read_bytes()
    report = read_report(data, "run_stats.csv")
    assert (report.tool, report.format) == ("locust", "locust-csv")
    assert report.labels() == [ALL, "GET /", "GET /missing"]
    rows = {row["Name"]: row for row in csv.DictReader(io.StringIO(data.decode()))}
    total = rows["Aggregated"]
    assert report.value(Metric.SAMPLES) == int(total["Request Count"]) > 0
    assert report.value(Metric.ERROR_RATE) == pytest.approx(
        100 * int(total["Failure Count"]) / int(total["Request Count"])
    )
    assert report.value(Metric.RESPONSE_TIME_P95) == float(total["95%"])
    assert report.value(Metric.RESPONSE_TIME_MEAN) == pytest.approx(float(total["Average Response Time"]))
    assert report.value(Metric.THROUGHPUT) == pytest.approx(float(total["Requests/s"]))
    assert report.value(Metric.ERROR_RATE, "GET /missing") == 100  # the server answers 404
    assert report.value(Metric.ERROR_RATE, "GET /") == 0
    # Read from the disk, the stats take the peak user count from the history Locust writes beside them.
    assert read_report_file(tmp_path / "run_stats.csv").value(Metric.USERS) == 4


LOCUST_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def test_it_reads_a_locust_endpoint_without_requests_as_no_figure() -> None:
    data = (LOCUST_HEADER + "\nGET,/idle,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
            ",Aggregated,10,1,5,6.0,1,40,100,5.0,0.5,5,6,7,8,9,30,40,40,40,40,40\n").encode()  # fmt: skip
    report = read_report(data, "run_stats.csv")
    assert report.labels() == [ALL]
    assert report.value(Metric.RESPONSE_TIME_P95) == 30
    assert report.value(Metric.ERROR_RATE) == 10


@pytest.mark.parametrize(
    ("body", "code", "line", "field"),
    [
        ("GET,/,10,0,5,6.0,1,40,100,5.0,0.0,5,6,7,8,9,30,40,40,40,40,40\n", "locust_no_aggregate", None, None),
        (",Aggregated,10,1,5,6.0,1,40\n", "locust_columns", 2, None),
        (",Aggregated,10,1,5,6.0,1,40,100,5.0,0.5,5,6,7,8,9,slow,40,40,40,40,40\n", "not_number", 2, "95%"),
    ],
)
def test_it_names_where_a_damaged_locust_file_is_wrong(
    body: str, code: str, line: int | None, field: str | None
) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report((LOCUST_HEADER + "\n" + body).encode(), "run_stats.csv")
    assert (caught.value.code, caught.value.line, caught.value.field) == (code, line, field)
    assert set(caught.value.params) == set(ERROR_CODES[code])


def test_it_refuses_json_nested_to_exhaust_the_parser() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(b'{"metrics": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "summary.json")
    assert caught.value.code == "json_depth"
    with pytest.raises(HostileFileError) as caught:
        read_report(b'{"metrics": ' + b"[" * 100 + b"]" * 100 + b"}", "summary.json")
    assert caught.value.code == "json_depth"


def test_it_refuses_a_locust_run_that_made_no_request() -> None:
    data = (
        LOCUST_HEADER + "\n,Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
    ).encode()
    with pytest.raises(FileFormatError) as caught:
        read_report(data, "run_stats.csv")
    assert caught.value.code == "no_samples"
