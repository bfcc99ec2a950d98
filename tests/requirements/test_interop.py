"""File formats without Django: spreadsheets, CSV, ReqIF, XHTML, and the hostile-file checks."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from oeuvre.interop.errors import FileFormatError, HostileFileError
from oeuvre.interop.reqif_io import ReqifExportItem, ReqifRelation, read_reqif, write_reqif
from oeuvre.interop.safety import Limits, check_zip, sniff_format
from oeuvre.interop.sheets import SheetColumn, SheetRow, write_csv, write_xlsx
from oeuvre.interop.tabular import read_csv, read_table, read_xlsx
from oeuvre.interop.xhtml import markdown_to_html, sanitise_html, xhtml_to_markdown
from tests.requirements import reqif_samples
from tests.requirements.helpers import cdc_workbook, xlsx


def test_it_reads_a_cdc_sheet_with_merged_headers_empty_rows_and_dates() -> None:
    table = read_xlsx(cdc_workbook(3))
    assert table.columns == [
        "Référence",
        "Exigence / Titre",
        "Exigence / Description",
        "Classification / Type",
        "Classification / Priorité",
        "Date de création",
    ]
    assert table.header_row == 4
    assert [r.number for r in table.rows] == [5, 7, 8]  # row 6 is empty and skipped
    first = table.rows[0]
    assert first.cells[0] == "EX-001"
    assert first.cells[5] == date(2026, 1, 2)


def test_it_takes_the_header_row_the_user_names() -> None:
    data = xlsx([["Titre du document"], ["A", "B"], ["x", "y"]])
    table = read_xlsx(data, header_row=2)
    assert table.columns == ["A", "B"]
    assert [r.cells for r in table.rows] == [["x", "y"]]


def test_it_reads_french_excel_csv() -> None:
    text = "Référence;Titre;Priorité\r\nEX-001;Déposer une pièce;Must\r\n;;\r\nEX-002;Payer;Should\r\n"
    table = read_csv(text.encode("cp1252"))
    assert table.columns == ["Référence", "Titre", "Priorité"]
    assert [(r.number, r.cells[1]) for r in table.rows] == [(2, "Déposer une pièce"), (4, "Payer")]


def test_it_reads_a_doors_export() -> None:
    document = read_reqif(reqif_samples.DOORS.encode())
    table = document.table
    assert document.tool == "DOORS 9.7"
    records = [dict(zip(table.columns, r.cells, strict=True)) for r in table.rows]
    assert records[0]["ReqIF.ForeignID"] == "CCTP-12"
    assert records[0]["Priority"] == "High"  # the enumeration's label, not its identifier
    assert records[0]["Created On"] == date(2026, 1, 5)
    text = records[0]["ReqIF.Text"]
    assert "**doit**" in text
    assert "- la carte bancaire" in text
    assert "alert" not in text
    assert "steal" not in text
    assert [(r.source, r.target, r.kind, r.name) for r in document.relations] == [("_o2", "_o1", "refines", "Refines")]


def test_it_sanitises_xhtml() -> None:
    dirty = '<xhtml:p onmouseover="x()">Bonjour <xhtml:a href="javascript:alert(1)">ici</xhtml:a><xhtml:img src="http://evil/x.png"/></xhtml:p>'
    clean = sanitise_html(dirty)
    assert "onmouseover" not in clean
    assert "javascript" not in clean
    assert "<img" not in clean
    assert "Bonjour" in clean
    assert "<script" not in markdown_to_html("Texte <script>alert(1)</script> **gras**")
    assert xhtml_to_markdown("<div><p>Un</p><ol><li>a</li><li>b</li></ol></div>") == "Un\n\n1. a\n2. b"


def test_it_writes_reqif_that_it_reads_back() -> None:
    items = [
        ReqifExportItem("_a", "EX-001", "Payer <en ligne>", "Le **portail** accepte :\n\n- la carte\n- le prélèvement",
                        enums={"Type": "securite"}, strings={"Source": "§3.3"}),
        ReqifExportItem("_b", "EX-002", "Reçu", "Un reçu & un courriel."),
    ]  # fmt: skip
    data = write_reqif(
        items,
        [ReqifRelation("_b", "_a", "refines")],
        title="CDC",
        enum_values={"Type": [("fonctionnelle", "Fonctionnelle"), ("securite", "Sécurité")]},
        string_attributes=["Source"],
    )
    document = read_reqif(data)
    records = [dict(zip(document.table.columns, r.cells, strict=True)) for r in document.table.rows]
    assert [(r["ReqIF.ForeignID"], r["ReqIF.Name"]) for r in records] == [
        ("EX-001", "Payer <en ligne>"),
        ("EX-002", "Reçu"),
    ]
    assert records[0]["ReqIF.Text"] == items[0].text
    assert records[1]["ReqIF.Text"] == "Un reçu & un courriel."
    assert (records[0]["Type"], records[0]["Source"]) == ("Sécurité", "§3.3")
    assert [(r.source, r.target, r.kind) for r in document.relations] == [("_b", "_a", "refines")]


def test_it_reads_a_zipped_reqif() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.reqif", reqif_samples.POLARION)
    document = read_reqif(buffer.getvalue(), zipped=True)
    assert "ReqIF.Name" in document.table.columns


@pytest.mark.parametrize("sample", [reqif_samples.XXE, reqif_samples.BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_it_refuses_entities(sample: str) -> None:
    with pytest.raises(HostileFileError) as caught:
        read_reqif(sample.encode())
    assert caught.value.code == "xml_entities"


def test_it_refuses_entities_inside_a_workbook() -> None:
    data = xlsx([["Titre"], ["x"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/sharedStrings.xml" or info.filename == "xl/worksheets/sheet1.xml":
                body = content.split(b"?>", 1)[-1] if content.startswith(b"<?xml") else content
                content = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + body
            target.writestr(info, content)
    with pytest.raises(HostileFileError) as caught:
        read_xlsx(out.getvalue())
    assert caught.value.code == "xml_entities"


def test_it_refuses_a_zip_bomb() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    limits = Limits(max_unzipped_bytes=4 * 1024 * 1024)
    with pytest.raises(HostileFileError) as caught:
        check_zip(out.getvalue(), limits)
    assert caught.value.code == "zip_bomb"
    with pytest.raises(HostileFileError) as caught:
        read_xlsx(out.getvalue(), limits=Limits(max_ratio=50))
    assert caught.value.code == "zip_bomb"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cdc.xlsx", b"Reference;Titre\nEX-1;x\n"),
        ("cdc.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
        ("cdc.reqif", b"PK\x03\x04 not xml"),
        ("cdc.csv", b"PK\x03\x04\x14\x00binary"),
        ("cdc.reqifz", b"<REQ-IF/>"),
    ],
    ids=["csv-named-xlsx", "legacy-xls", "zip-named-reqif", "zip-named-csv", "xml-named-reqifz"],
)
def test_it_refuses_the_wrong_magic_bytes(name: str, data: bytes) -> None:
    with pytest.raises(HostileFileError) as caught:
        sniff_format(data, name)
    assert caught.value.code == "wrong_magic"


def test_it_refuses_a_huge_file() -> None:
    with pytest.raises(HostileFileError) as caught:
        sniff_format(b"a;b\n" * (13 * 1024 * 1024), "huge.csv")  # 52 MiB, over the 50 MiB default
    assert caught.value.code == "too_large"
    with pytest.raises(HostileFileError):
        read_table(b"a;b\n1;2\n" * 200, "csv", limits=Limits(max_bytes=1000))


def test_it_names_the_line_of_broken_xml() -> None:
    with pytest.raises(FileFormatError) as caught:
        read_reqif(b'<?xml version="1.0"?>\n<REQ-IF>\n<THE-HEADER>\n</REQ-IF>\n')
    assert caught.value.code == "xml_syntax"
    assert caught.value.line == 4


def test_it_protects_spreadsheets_against_formula_injection() -> None:
    columns = [SheetColumn("Titre")]
    rows = [
        SheetRow(['=HYPERLINK("http://evil","x")']),
        SheetRow(["+33 1 23"]),
        SheetRow(["@SUM(A1)"]),
        SheetRow(["-2"]),
    ]
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(columns, rows, title="t")))
    cells = [c.value for c in book.active["A"][1:]]
    assert all(isinstance(v, str) and v.startswith("'") for v in cells)
    assert all(c.data_type == "s" for c in book.active["A"][1:])
    csv_text = write_csv(["Titre"], [["=1+1"], ["ok"]]).decode("utf-8-sig")
    assert "'=1+1" in csv_text
    # What we write, we read back as it was.
    assert read_csv(write_csv(["Titre"], [["=1+1"]])).rows[0].cells == ["=1+1"]


def test_it_formats_the_sheet() -> None:
    data = write_xlsx([SheetColumn("A", 10), SheetColumn("B", 20)], [SheetRow(["x", "y"], {1: "FFC7CE"})], title="RTM")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B2"
    assert sheet["B2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["A1"].font.bold
