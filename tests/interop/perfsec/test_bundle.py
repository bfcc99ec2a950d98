"""Reports in several files: Gatling's report folder or its zip, Locust's stats with their history (uploaded
together, zipped, or in their folder), one report zipped; and the archives a reader must refuse.

The Gatling zips are built here in the layout Gatling 3.11 writes its report folder (``index.html``, ``js/stats.json``,
``js/stats.js``, ``js/global_stats.json``, ``style/``), from the sample files of ``test_gatling_js_locust_users``."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.perfsec import (
    ERROR_CODES,
    Metric,
    bundle,
    detect_format,
    read_report,
    read_report_file,
    read_reports,
)
from tests.interop.perfsec.helpers import jtl_csv, read

GATLING_JSON = read("gatling-3.11-stats.json")
GATLING_JS = read("gatling-3.11-stats.js")
LOCUST_STATS = read("locust-2.47-stats.csv")
LOCUST_HISTORY = read("locust-2.47-stats_history.csv")


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _gatling_folder(stats_json: bytes | None = GATLING_JSON, stats_js: bytes | None = GATLING_JS) -> dict[str, bytes]:
    members = {
        "paiement-20261207T101500/index.html": b"<!DOCTYPE html><html><body>Gatling</body></html>",
        "paiement-20261207T101500/style/style.css": b"body { margin: 0 }",
        "paiement-20261207T101500/req_accueil-b3c8f.html": b"<html></html>",
    }
    if stats_json is not None:
        members["paiement-20261207T101500/js/stats.json"] = stats_json
    if stats_js is not None:
        members["paiement-20261207T101500/js/stats.js"] = stats_js
    return members


# --- Good archives ---------------------------------------------------------------------------------------------


def test_a_zipped_gatling_report_is_read_from_its_stats_json_first() -> None:
    # The stats.js of this report is broken: read, it would be refused; stats.json is preferred, so it is not read.
    data = _zip(_gatling_folder(stats_js=b"var stats = {"))
    assert detect_format(data, "report.zip") == "zip"
    report = read_report(data, "report.zip")
    assert (report.tool, report.format) == ("gatling", "gatling-stats")
    assert report.value(Metric.RESPONSE_TIME_P95) == 1240
    assert report.value(Metric.RESPONSE_TIME_P95, "Paiement / Valider le panier") == 1980


def test_a_zipped_gatling_report_without_stats_json_is_read_from_stats_js() -> None:
    report = read_report(_zip(_gatling_folder(stats_json=None)), "report.zip")
    assert report.format == "gatling-js"
    assert report.value(Metric.RESPONSE_TIME_P99) == 2980


def test_locusts_stats_and_history_zipped_together_measure_the_users() -> None:
    data = _zip({"run_stats.csv": LOCUST_STATS, "run_stats_history.csv": LOCUST_HISTORY, "run_failures.csv": b"x"})
    report = read_report(data, "locust.zip")
    assert report.format == "locust-csv"
    assert report.value(Metric.USERS) == 12
    assert report.value(Metric.RESPONSE_TIME_P95) is not None


def test_one_report_zipped_is_read_as_it_is() -> None:
    report = read_report(_zip({"tir.jtl": jtl_csv([(1_700_000_000_000, 120, "Home", True)])}), "tir.zip")
    assert (report.tool, report.value(Metric.RESPONSE_TIME_MAX)) == ("jmeter", 120)


def test_a_zip_is_read_from_the_disk_without_being_read_whole_first(tmp_path: Path) -> None:
    (tmp_path / "report.zip").write_bytes(_zip(_gatling_folder()))
    assert read_report_file(tmp_path / "report.zip").value(Metric.SAMPLES) == 1200


def test_stats_and_history_uploaded_together_are_one_run_in_either_order() -> None:
    for parts in ([(LOCUST_STATS, "run_stats.csv"), (LOCUST_HISTORY, "run_stats_history.csv")],
                  [(LOCUST_HISTORY, "b.csv"), (LOCUST_STATS, "a.csv")]):  # fmt: skip
        report = read_reports(parts)
        assert (report.format, report.value(Metric.USERS)) == ("locust-csv", 12)


def test_files_of_two_tools_uploaded_together_are_refused() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_reports([(LOCUST_STATS, "run_stats.csv"), (GATLING_JSON, "stats.json")])
    assert caught.value.code == "bundle_mixed"
    assert caught.value.params == {"formats": "gatling-stats, locust-csv"}


# --- Archives refused ------------------------------------------------------------------------------------------


def test_a_zip_without_stats_names_what_it_looked_for() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report(_zip(_gatling_folder(stats_json=None, stats_js=None)), "report.zip")
    assert caught.value.code == "bundle_no_report"
    assert "js/stats.json" in str(caught.value)
    assert "report.zip" in str(caught.value)


def test_two_gatling_reports_in_one_zip_are_refused_rather_than_one_chosen() -> None:
    members = _gatling_folder() | {"autre-run/js/stats.json": GATLING_JSON}
    with pytest.raises(FileFormatError) as caught:
        read_report(_zip(members), "reports.zip")
    assert caught.value.code == "bundle_ambiguous"


@pytest.mark.parametrize(
    "name", ["../../etc/js/stats.json", "/var/js/stats.json", "C:/Users/js/stats.json", "a\\..\\..\\stats.json"]
)
def test_a_member_named_outside_the_archive_is_refused(name: str) -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(_zip({name: GATLING_JSON}), "evil.zip")
    assert caught.value.code == "zip_name"
    assert caught.value.params == {"member": name}


def test_a_bomb_that_declares_its_size_is_refused_before_reading() -> None:
    data = _zip(_gatling_folder() | {"paiement-20261207T101500/js/stats.json": b" " * (60 * 1024 * 1024)})
    assert len(data) < 1024 * 1024
    with pytest.raises(HostileFileError) as caught:
        read_report(data, "bomb.zip")
    assert caught.value.code == "zip_bomb"


def _lie_about_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """The archive with ``name``'s uncompressed size rewritten to ``size`` in its local and central headers."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if out[name_at : name_at + len(name)] == name:
                out[at + offset : at + offset + 4] = struct.pack("<I", size)
            start = at + 4
    return bytes(out)


def test_a_bomb_that_lies_about_its_size_is_refused() -> None:
    name = "paiement-20261207T101500/js/stats.json"
    data = _lie_about_sizes(_zip(_gatling_folder() | {name: b" " * (60 * 1024 * 1024)}), name.encode(), 900)
    with pytest.raises(HostileFileError) as caught:
        read_report(data, "bomb.zip")
    assert caught.value.code in {"zip_damaged", "zip_bomb"}


def test_a_member_is_refused_by_the_bytes_it_expands_to(monkeypatch: pytest.MonkeyPatch) -> None:
    # Declared honestly, compressed little (random bytes): the declared checks pass; the bytes read are counted.
    member = b"[" + os.urandom(3 * 1024 * 1024).hex().encode() + b"]"
    data = _zip({"run/js/stats.json": member})
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", 2 * 1024 * 1024)
    with pytest.raises(HostileFileError) as caught:
        read_report(data, "big.zip")
    assert caught.value.code == "zip_bomb"
    assert caught.value.params == {"member": "run/js/stats.json"}


def test_an_archive_of_too_many_members_is_refused() -> None:
    members = {f"paiement/req_{i}.html": b"" for i in range(bundle.ZIP_LIMITS.max_members + 1)}
    with pytest.raises(HostileFileError) as caught:
        read_report(_zip(members | {"paiement/js/stats.json": GATLING_JSON}, zipfile.ZIP_STORED), "many.zip")
    assert caught.value.code == "zip_bomb"


def test_an_archive_in_the_archive_is_refused() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(_zip({"inner.zip": _zip({"tir.jtl": b"x"})}), "outer.zip")
    assert caught.value.code == "zip_nested"


def test_a_damaged_zip_is_refused_with_its_own_code() -> None:
    with pytest.raises(HostileFileError) as caught:
        read_report(b"PK\x03\x04" + b"\x00" * 200, "broken.zip")
    assert caught.value.code == "zip_damaged"
    assert "broken.zip" in str(caught.value)


def test_every_new_code_is_declared_with_its_parameters() -> None:
    for code in ("zip_bomb", "zip_damaged", "zip_name", "zip_nested", "bundle_no_report", "bundle_ambiguous",
                 "bundle_mixed", "too_many_files"):  # fmt: skip
        assert code in ERROR_CODES


# --- Folders (the terminal) ------------------------------------------------------------------------------------


def _write(root: Path, members: dict[str, bytes]) -> None:
    for name, data in members.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def test_a_gatling_report_folder_is_read(tmp_path: Path) -> None:
    _write(tmp_path, _gatling_folder())
    report = read_report_file(tmp_path / "paiement-20261207T101500")
    assert report.format == "gatling-stats"
    assert report.value(Metric.RESPONSE_TIME_P95) == 1240
    # The results folder above it holds one report: it is found there too.
    assert read_report_file(tmp_path).value(Metric.SAMPLES) == 1200


def test_a_locust_output_folder_gives_the_users(tmp_path: Path) -> None:
    _write(tmp_path, {"run_stats.csv": LOCUST_STATS, "run_stats_history.csv": LOCUST_HISTORY})
    assert read_report_file(tmp_path).value(Metric.USERS) == 12


def test_a_folders_link_out_of_it_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    _write(outside, {"stats.json": GATLING_JSON})
    report = tmp_path / "report"
    (report / "js").mkdir(parents=True)
    (report / "js" / "stats.json").symlink_to(outside / "stats.json")
    with pytest.raises(HostileFileError) as caught:
        read_report_file(report)
    assert caught.value.code == "zip_name"


def test_an_empty_folder_says_what_it_looked_for(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError) as caught:
        read_report_file(tmp_path)
    assert caught.value.code == "bundle_no_report"
