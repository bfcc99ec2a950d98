"""JMeter results (JTL) as CSV, headerless CSV and XML, written by hand in JMeter 5.6.3's default shape (the
``jmeter.save.saveservice`` defaults: the 17 columns of the header, or the XML attributes t, it, lt, ct, ts, s, lb,
rc, rm, tn, dt, by, sby, ng, na), and generated runs for the percentiles and the streaming."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import ALL, ERROR_CODES, METRICS, Metric, read_report, read_report_file
from oeuvre.interop.perfsec._common import nearest_rank
from tests.interop.perfsec.helpers import jmeter_percentile, jtl_csv, read

# The eight top-level samples of the three files: (start, elapsed, label, success).
SAMPLES = [
    (1733565600000, 182, "01 Accueil", True),
    (1733565600250, 95, "02 Connexion", True),
    (1733565600400, 1204, "03 Recherche dossier", True),
    (1733565600900, 210, "01 Accueil", True),
    (1733565601100, 3012, "03 Recherche dossier", False),
    (1733565601300, 88, "02 Connexion", True),
    (1733565601500, 950, "03 Recherche dossier", True),
    (1733565602000, 170, "01 Accueil", True),
]


def _expected(label: str) -> dict[Metric, float]:
    rows = [s for s in SAMPLES if label == ALL or s[2] == label]
    times = [s[1] for s in rows]
    span = max(s[0] + s[1] for s in rows) - min(s[0] for s in rows)
    errors = 100.0 * sum(1 for s in rows if not s[3]) / len(rows)
    return {
        Metric.SAMPLES: len(rows),
        Metric.RESPONSE_TIME_MEAN: sum(times) / len(times),
        Metric.RESPONSE_TIME_P50: jmeter_percentile(times, 0.5),
        Metric.RESPONSE_TIME_P90: jmeter_percentile(times, 0.9),
        Metric.RESPONSE_TIME_P95: jmeter_percentile(times, 0.95),
        Metric.RESPONSE_TIME_P99: jmeter_percentile(times, 0.99),
        Metric.RESPONSE_TIME_MAX: max(times),
        Metric.THROUGHPUT: len(rows) * 1000 / span,
        Metric.ERROR_RATE: errors,
        Metric.AVAILABILITY: 100.0 - errors,
    }


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("jmeter-5.6.3.csv", "jtl-csv"), ("jmeter-5.6.3-noheader.csv", "jtl-csv"), ("jmeter-5.6.3.xml", "jtl-xml")],
)
def test_it_summarises_each_label_and_the_whole_run_as_jmeter_does(name: str, fmt: str) -> None:
    report = read_report(read(name), name)
    assert (report.tool, report.format) == ("jmeter", fmt)
    assert report.labels() == [ALL, "01 Accueil", "02 Connexion", "03 Recherche dossier"]
    for label in report.labels():
        for metric, value in _expected(label).items():
            assert report.value(metric, label) == pytest.approx(value), (label, metric)
    assert report.value(Metric.ERROR_RATE, "03 Recherche dossier") == pytest.approx(100 / 3)
    assert report.value(Metric.USERS) == 3  # the peak of allThreads / na
    assert report.value(Metric.RESPONSE_TIME_MAX) == 3012
    assert all(m.unit == METRICS[m.metric] for m in report.measurements)


def test_it_counts_a_transactions_children_as_parts_not_samples() -> None:
    report = read_report(read("jmeter-5.6.3.xml"), "jmeter-5.6.3.xml")
    assert "GET /dossiers" not in report.labels()
    assert report.value(Metric.SAMPLES) == 8


def test_it_uses_jmeters_nearest_rank_not_an_interpolation() -> None:
    times = list(range(10, 101, 10))  # 10, 20, … 100
    data = jtl_csv((1733565600000 + n, t, "page", True) for n, t in enumerate(times))
    report = read_report(data, "run.jtl")
    # round(10 × 0.5) = 5th → 50; round(9) = 9th → 90; round(9.5) = 10th (half up) → 100; round(9.9) → 100.
    metrics = (Metric.RESPONSE_TIME_P50, Metric.RESPONSE_TIME_P90, Metric.RESPONSE_TIME_P95, Metric.RESPONSE_TIME_P99)
    assert [report.value(m) for m in metrics] == [50, 90, 100, 100]
    # What an interpolating tool (numpy's default, pandas) would say instead:
    assert np.percentile(times, 95) == pytest.approx(95.5)


@pytest.mark.parametrize("n", [1, 2, 3, 19, 20, 21, 999, 1000, 10_001])
def test_it_matches_a_direct_computation_of_the_percentiles(n: int) -> None:
    rng = random.Random(n)
    samples = [(1733565600000 + i * 7, rng.randint(1, 30_000), rng.choice("ABC"), rng.random() > 0.05)
               for i in range(n)]  # fmt: skip
    report = read_report(jtl_csv(samples), "run.csv")
    for label in {s[2] for s in samples} | {ALL}:
        times = [s[1] for s in samples if label in (ALL, s[2])]
        for metric, fraction in ((Metric.RESPONSE_TIME_P50, 0.5), (Metric.RESPONSE_TIME_P90, 0.9),
                                 (Metric.RESPONSE_TIME_P95, 0.95), (Metric.RESPONSE_TIME_P99, 0.99)):  # fmt: skip
            assert report.value(metric, label) == jmeter_percentile(times, fraction), (label, metric)
        assert report.value(Metric.SAMPLES, label) == len(times)
        assert report.value(Metric.RESPONSE_TIME_MEAN, label) == pytest.approx(sum(times) / len(times))


def test_nearest_rank_is_javas_half_up_rounding() -> None:
    ordered = np.array([1, 2])
    assert nearest_rank(ordered, 0.25) == 1  # round(0.5) = 1 (half up), the first value
    assert nearest_rank(ordered, 0.24) == 1  # round(0.48) = 0: still the first value
    assert nearest_rank(ordered, 0.75) == 2  # round(1.5) = 2


def test_it_reads_timestamps_jmeter_wrote_as_dates() -> None:
    data = b"timeStamp,elapsed,label,success\n2026/12/07 09:00:00.000,100,a,true\n2026/12/07 09:00:01.900,100,a,true\n"
    report = read_report(data, "dates.jtl")
    assert report.value(Metric.THROUGHPUT) == pytest.approx(2 / 2.0)


def test_it_streams_a_large_jtl_from_disk_holding_only_the_response_times(tmp_path: Path) -> None:
    n = 200_000
    path = tmp_path / "big.jtl"
    rng = np.random.default_rng(7)
    elapsed = rng.integers(5, 5000, n)
    with path.open("w") as out:
        out.write("timeStamp,elapsed,label,responseCode,success,allThreads\n")
        out.writelines(f"{1733565600000 + i},{e},page {i % 20},200,true,50\n" for i, e in enumerate(elapsed))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        report = read_report_file(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.value(Metric.SAMPLES) == n
    assert report.value(Metric.RESPONSE_TIME_P95) == jmeter_percentile(elapsed.tolist(), 0.95)
    # 4 bytes per sample and a sorted copy of them, not the file (about 8 MB here).
    assert peak < size / 2, (peak, size)


def test_it_streams_the_xml_too(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    with path.open("w") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n')
        out.writelines(f'<httpSample t="{i % 997}" ts="{1733565600000 + i}" s="{"false" if i % 50 == 0 else "true"}" '
                       f'lb="p{i % 3}" na="7"><java.net.URL>https://x/</java.net.URL></httpSample>\n'
                       for i in range(50_000))  # fmt: skip
        out.write("</testResults>\n")
    report = read_report_file(path)
    assert report.format == "jtl-xml"
    assert report.value(Metric.SAMPLES) == 50_000
    assert report.value(Metric.ERROR_RATE) == pytest.approx(2.0)
    assert report.value(Metric.USERS) == 7


# --- Hostile and damaged files ----------------------------------------------------------------------------------


def test_it_refuses_an_entity_bomb() -> None:
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
            b'<testResults version="1.2"><httpSample t="1" ts="1" s="true" lb="&lol2;"/></testResults>')  # fmt: skip
    with pytest.raises(HostileFileError) as caught:
        read_report(data, "bomb.jtl")
    assert caught.value.code == "xml_entities"
    assert caught.value.line == 2


def test_it_refuses_a_doctype_past_the_first_chunk_of_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "late.xml"
    comment = b"<!-- " + b"x" * 3_000_000 + b" -->"
    body = b'<testResults version="1.2"><httpSample t="1" ts="1" s="true" lb="a"/></testResults>'
    path.write_bytes(b'<?xml version="1.0"?>\n' + comment + b'\n<!DOCTYPE t SYSTEM "file:///etc/passwd">\n' + body)
    with pytest.raises(HostileFileError) as caught:
        read_report_file(path)
    assert (caught.value.code, caught.value.line) == ("xml_entities", 3)


def test_it_refuses_a_binary_file_named_like_a_jtl() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(b"timeStamp,elapsed,label,success\n1,2,a,true\n\x00\x01\x02", "results.jtl")
    assert caught.value.code == "wrong_magic"


def test_it_refuses_a_file_over_the_size_limit() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(b"timeStamp,elapsed,label,success\n" + b"1,2,a,true\n" * (5 * 1024 * 1024), "big.jtl")
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("data", "code", "line", "field"),
    [
        (b"timeStamp,elapsed,label,success\n1,2,a,true\n1,2.5x,a,true\n", "not_number", 3, "elapsed"),
        (b"timeStamp,elapsed,label,success\n1,2,a,true\nyesterday,2,a,true\n", "not_number", 3, "timeStamp"),
        (b"timeStamp,elapsed,label,success\n1,2,a,true\n1,2\n", "jtl_columns", 3, None),
        (b"timeStamp,elapsed,label,success\n1,99999999999,a,true\n", "not_number", 2, "elapsed"),
        (b"timeStamp,label,success\n1,a,true\n", "unsupported_report", None, None),
        (b'timeStamp,elapsed,label,success\n1,2,"a,true\n', "csv_syntax", 2, None),
        (b"timeStamp,elapsed,label,success\n", "no_samples", None, None),
        (
            b'<testResults version="1.2">\n<httpSample t="1" ts="1" s="true" lb="a">\n</testResults>',
            "xml_syntax",
            3,
            None,
        ),
        (b'<testResults version="1.2">\n<httpSample ts="1" s="true" lb="a"/></testResults>', "missing_field", 2, "t"),
        (
            b'<testResults version="1.2">\n<httpSample t="x" ts="1" s="true" lb="a"/></testResults>',
            "not_number",
            2,
            "t",
        ),
        (b'<testResults version="1.2"></testResults>', "no_samples", None, None),
    ],
)
def test_it_names_where_a_damaged_jtl_is_wrong(data: bytes, code: str, line: int | None, field: str | None) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(data, "results.jtl")
    assert (caught.value.code, caught.value.line, caught.value.field) == (code, line, field)
    assert set(caught.value.params) == set(ERROR_CODES[code])  # what an edge needs to word it
    assert caught.value.source == "results.jtl"
    assert "results.jtl" in str(caught.value)


def test_it_refuses_a_run_with_a_label_per_url() -> None:
    data = jtl_csv((1733565600000 + i, 10, f"GET /dossiers/{i}", True) for i in range(10_001))
    with pytest.raises(FileFormatError) as caught:
        read_report(data, "results.jtl")
    assert (caught.value.code, caught.value.line) == ("too_many_labels", 10_002)


def test_it_reads_quoted_fields_across_lines_and_still_names_the_right_line() -> None:
    data = (
        b"timeStamp,elapsed,label,responseCode,responseMessage,success\r\n"
        b'1733565600000,100,"Recherche, avancee",500,"Erreur\r\nsur deux lignes, ""citee""",false\r\n'
        b"1733565600100,200,Accueil,200,OK,true\r\n"
        b"1733565600200,oops,Accueil,200,OK,true\r\n"
    )
    with pytest.raises(FileFormatError) as caught:
        read_report(data, "quoted.jtl")
    assert (caught.value.code, caught.value.line) == ("not_number", 5)  # the quoted record took lines 2 and 3
    report = read_report(data.rsplit(b"1733565600200", 1)[0], "quoted.jtl")
    assert report.labels() == [ALL, "Accueil", "Recherche, avancee"]
    assert report.value(Metric.ERROR_RATE, "Recherche, avancee") == 100
    assert report.value(Metric.ERROR_RATE, "Accueil") == 0  # "true\r\n" at the end of the line is true


def test_it_names_a_quote_never_closed() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(b'timeStamp,elapsed,label,success\n1,2,a,true\n1,2,"a,true\n1,2,a,true\n', "cut.jtl")
    assert (caught.value.code, caught.value.line) == ("csv_syntax", 3)
