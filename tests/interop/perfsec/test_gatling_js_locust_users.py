"""Gatling's ``js/stats.js`` and Locust's ``_stats_history.csv`` (the run's user count).

``gatling-3.11-stats.js`` is written by hand in the layout of Gatling 3.11's ``js/stats.js`` (its report template:
``var stats = {`` then the node keys ``type``, ``name``, ``path``, ``pathFormatted``, ``stats`` and ``contents``
unquoted, the statistics quoted, sub-groups before requests, then the ``fillStats`` function, shortened here), with
the figures of its twin ``gatling-3.11-stats.json``. ``locust-2.47-stats.csv`` and ``locust-2.47-stats_history.csv``
were written by Locust 2.47.0 itself (``--headless -u 12 -r 3 -t 8s --csv run --csv-full-history`` against a local
server whose ``/missing`` answers 404); the slow test below runs Locust again.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from oeuvre.engine.criteria import Criterion, evaluate
from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ALL, ERROR_CODES, FORMATS, Metric, detect_format, read_report, read_report_file
from tests.interop.perfsec.helpers import FILES, read

# --- Gatling stats.js --------------------------------------------------------------------------------------------


def test_gatlings_stats_js_gives_the_figures_of_its_json_twin() -> None:
    from_js = read_report(read("gatling-3.11-stats.js"), "stats.js")
    from_json = read_report(read("gatling-3.11-stats.json"), "stats.json")
    assert (from_js.tool, from_js.format) == ("gatling", "gatling-js")
    assert "gatling-js" in FORMATS
    assert from_js.labels() == [ALL, "Accueil", "Paiement / Valider le panier"]
    assert sorted(map(repr, from_js.measurements)) == sorted(map(repr, from_json.measurements))
    assert from_js.value(Metric.RESPONSE_TIME_P95) == 1240
    assert from_js.value(Metric.ERROR_RATE) == pytest.approx(1.0)
    assert from_js.value(Metric.THROUGHPUT) == 19.67
    assert from_js.value(Metric.RESPONSE_TIME_P95, "Paiement / Valider le panier") == 1980


def test_stats_js_is_recognised_from_its_bytes_and_read_from_the_disk(tmp_path: Path) -> None:
    data = read("gatling-3.11-stats.js")
    assert detect_format(data, "renamed.txt") == "gatling-js"
    shutil.copy(FILES / "gatling-3.11-stats.js", tmp_path / "stats.js")
    assert read_report_file(tmp_path / "stats.js").value(Metric.RESPONSE_TIME_P99) == 2980
    assert read_report(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), "stats.js").value(Metric.SAMPLES) == 1200


GATLING_3_0 = b"""var stats = {
    type: "GROUP",
name: "Global Information",
path: "",
pathFormatted: "group_missing-name-b06d1",
stats: {
    "name": "Global Information",
    "numberOfRequests": {"total": "55", "ok": "54", "ko": "1"},
    "meanResponseTime": {"total": "218", "ok": "218", "ko": "-"},
    "percentiles3": {"total": "331", "ok": "331", "ko": "-"},
    "meanNumberOfRequestsPerSecond": {"total": "6.111", "ok": "6.111", "ko": "-"}
},
contents: {
"req_request-0-684d2": {
        type: "REQUEST",
        name: "request_0 {\\"id\\": 1} : see",
path: "request_0",
pathFormatted: "req_request-0-684d2",
stats: {
    "name": "request_0",
    "numberOfRequests": {"total": "55", "ok": "54", "ko": "1"},
    "percentiles3": {"total": "331", "ok": "331", "ko": "-"}
}
    }
}

}

function fillStats(stat){
    $("#numberOfRequests").append(stat.numberOfRequests.total);
}
"""

# Gatling 1.x quoted no key at all and put a space before the colon.
GATLING_1 = b"""var stats = {
\ttype: "GROUP",
\tcontents: {},
\tname: "Global Information",
\tstats: {
\t\tname: "Global Information",
\t\tnumberOfRequests : {
\t\t\ttotal: "3000",
\t\t\tok: "2970",
\t\t\tko: "30"
\t\t},
\t\tmeanResponseTime : {
\t\t\ttotal: "2374",
\t\t\tok: "2374",
\t\t\tko: "-"
\t\t}
\t}}

function fillStats(stat){
    $("#numberOfRequests").append(stat.numberOfRequests.total);
}
"""


def test_it_reads_the_stats_js_of_earlier_gatling_versions() -> None:
    report = read_report(GATLING_3_0, "stats.js")
    assert report.labels() == [ALL, 'request_0 {"id": 1} : see']  # a brace or a colon inside a string is text
    assert report.value(Metric.ERROR_RATE) == pytest.approx(100 / 55)
    assert report.value(Metric.RESPONSE_TIME_P95, 'request_0 {"id": 1} : see') == 331
    old = read_report(GATLING_1, "stats.js")
    assert (old.value(Metric.SAMPLES), old.value(Metric.RESPONSE_TIME_MEAN)) == (3000, 2374)
    assert old.value(Metric.ERROR_RATE) == pytest.approx(1.0)


def test_it_never_runs_the_javascript() -> None:
    # An expression where a value should be is not evaluated: the object is not JSON once its keys are quoted.
    hostile = b'var stats = {\n    type: "GROUP",\nstats: {"numberOfRequests": {"total": require("fs")}}\n}\n'
    with pytest.raises(FileFormatError) as caught:
        read_report(hostile, "stats.js")
    assert (caught.value.code, caught.value.line) == ("json_syntax", 3)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'var stats = {\n    type: "GROUP",\nstats: {"numberOfRequests": {"total": "3"}\n', "gatling_js"),
        (b'var stats = {\n    type: "GROUP",\nname: "unterminated string}\n', "gatling_js"),
        (b'var stats = {type: "GROUP", stats: {"name": "All"}}', "not_gatling"),
    ],
)
def test_it_says_what_is_wrong_with_a_damaged_stats_js(data: bytes, code: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(data, "stats.js")
    assert caught.value.code == code
    assert set(caught.value.params) == set(ERROR_CODES[code])


def test_it_refuses_a_stats_js_nested_to_exhaust_the_parser() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(b"var stats = {a: " + b"[" * 100_000 + b"]" * 100_000 + b"}", "stats.js")
    assert caught.value.code == "json_depth"


def test_a_stats_js_without_its_object_is_no_report() -> None:
    from oeuvre.interop.perfsec.gatling import read_gatling_js

    with pytest.raises(FileFormatError) as caught:
        read_gatling_js(b"function fillStats(stat){}\n", "stats.js")
    assert caught.value.code == "gatling_js"
    with pytest.raises(FileFormatError) as refused:
        read_report(b"var global = {}", "global_stats.js")
    assert refused.value.code == "unsupported_report"


# --- Locust user count -------------------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(read(name).decode())))


def test_it_reads_the_peak_user_count_and_totals_of_locusts_stats_history() -> None:
    report = read_report(read("locust-2.47-stats_history.csv"), "run_stats_history.csv")
    assert (report.tool, report.format) == ("locust", "locust-history")
    assert "locust-history" in FORMATS
    rows = _rows("locust-2.47-stats_history.csv")
    assert report.value(Metric.USERS) == max(int(r["User Count"]) for r in rows) == 12
    assert report.labels() == [ALL, "GET /", "GET /missing"]
    final = [r for r in rows if r["Name"] == "Aggregated"][-1]
    assert report.value(Metric.SAMPLES) == int(final["Total Request Count"]) > 0
    assert report.value(Metric.ERROR_RATE) == pytest.approx(
        100 * int(final["Total Failure Count"]) / int(final["Total Request Count"])
    )
    assert report.value(Metric.RESPONSE_TIME_MEAN) == pytest.approx(float(final["Total Average Response Time"]))
    assert report.value(Metric.RESPONSE_TIME_MAX) == pytest.approx(float(final["Total Max Response Time"]))
    assert report.value(Metric.ERROR_RATE, "GET /missing") == 100
    assert report.value(Metric.RESPONSE_TIME_P95) is None  # its percentiles are the last seconds', not the run's
    assert report.value(Metric.USERS, "GET /") is None


def test_the_stats_file_takes_its_users_from_the_history_beside_it(tmp_path: Path) -> None:
    shutil.copy(FILES / "locust-2.47-stats.csv", tmp_path / "run_stats.csv")
    alone = read_report_file(tmp_path / "run_stats.csv")
    assert alone.value(Metric.USERS) is None  # the stats file does not say it
    shutil.copy(FILES / "locust-2.47-stats_history.csv", tmp_path / "run_stats_history.csv")
    report = read_report_file(tmp_path / "run_stats.csv")
    assert report.value(Metric.USERS) == 12
    assert [m for m in report.measurements if m.metric != Metric.USERS] == alone.measurements
    # "p95 ≤ 2 s at 10 users": both halves are measured, and the load is checked like any criterion.
    assert evaluate(Criterion(Metric.USERS, ">=", 10, "users"), report.value(Metric.USERS), "users") is True
    assert evaluate(Criterion(Metric.USERS, ">=", 500, "users"), report.value(Metric.USERS), "users") is False
    assert evaluate(Criterion(Metric.RESPONSE_TIME_P95, "<=", 2, "s"), report.value(Metric.RESPONSE_TIME_P95),
                    "ms") is True  # fmt: skip


def test_a_damaged_history_beside_the_stats_file_is_named(tmp_path: Path) -> None:
    shutil.copy(FILES / "locust-2.47-stats.csv", tmp_path / "run_stats.csv")
    history = read("locust-2.47-stats_history.csv").replace(b",12,,Aggregated", b",douze,,Aggregated", 1)
    (tmp_path / "run_stats_history.csv").write_bytes(history)
    with pytest.raises(FileFormatError) as caught:
        read_report_file(tmp_path / "run_stats.csv")
    assert (caught.value.code, caught.value.source, caught.value.field) == (
        "not_number",
        "run_stats_history.csv",
        "User Count",
    )


HISTORY_HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,Total Request Count,Total Failure Count,"
    "Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size"
)


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        ("Timestamp,User Count,Name,Total Request Count\n1,2,Aggregated,3\n", "locust_history_header", 1),
        (HISTORY_HEADER + "\n1700000000,5,GET,/,1.0,0.0,4,9,10,0,4,4.5,1,20,17\n", "locust_no_aggregate", None),
        (HISTORY_HEADER + "\n1700000000,5,,Aggregated,1.0\n", "locust_columns", 2),
        (HISTORY_HEADER + "\n1700000000,0,,Aggregated,0.0,0.0,N/A,N/A,0,0,0,0.0,0,0,0\n", "no_samples", None),
    ],
)
def test_it_says_where_a_damaged_stats_history_is_wrong(data: str, code: str, line: int | None) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(data.encode(), "run_stats_history.csv")
    assert (caught.value.code, caught.value.line) == (code, line)
    assert set(caught.value.params) == set(ERROR_CODES[code])


def test_the_history_keeps_the_peak_not_the_last_user_count() -> None:
    data = (
        HISTORY_HEADER + "\n"
        "1700000000,0,,Aggregated,0.0,0.0,N/A,N/A,0,0,0,0.0,0,0,0\n"
        "1700000002,500,,Aggregated,80.0,0.0,40,900,160,0,40,60.5,3,1900,1024\n"
        "1700000004,120,,Aggregated,20.0,2.0,40,900,400,4,40,61.0,3,2100,1024\n"
    ).encode()
    report = read_report(data, "run_stats_history.csv")
    assert report.value(Metric.USERS) == 500
    assert (report.value(Metric.SAMPLES), report.value(Metric.ERROR_RATE)) == (400, 1.0)
    assert report.value(Metric.RESPONSE_TIME_MAX) == 2100


def test_the_stats_js_example_holds() -> None:
    import doctest

    from oeuvre.interop.perfsec import gatling

    assert doctest.testmod(gatling).failed == 0
