"""read_workbook: every format to the text grid, positions right, nothing typed, nothing dropped,
and a dying parser reported as an issue. Also pins the library behaviour the guard relies on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ingest.guard import Limits
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.readers.delimited import DELIMITERS, sniff_delimiter
from fundflow.ingest.readers.excel import shortest_numbers
from fundflow.ingest.readers.sandbox import run_sandboxed
from fundflow.issues import Issue
from tests import hostile

MB = 1024 * 1024


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


# --- library behaviour the readers rely on (fails loudly on upgrade) ------------------------------


def test_pin_openpyxl_uses_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


@pytest.fixture(scope="module")
def odd_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = (
        '<row r="5"><c r="C5" t="inlineStr"><is><t xml:space="preserve"> 12 </t></is></c>'
        '<c r="D5" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="6"><c r="C6"><v>12345678901.23</v></c><c r="D6"><f>1+1</f></c></row>'
    )
    return hostile.write_xlsx(
        tmp_path_factory.mktemp("pin") / "odd.xlsx", [("S", hostile.sheet_xml(rows), "visible")]
    )


def test_pin_fastexcel_behaviour(odd_book: Path) -> None:
    sheet = fastexcel.read_excel(odd_book).load_sheet(
        0, header_row=None, dtypes="string", skip_rows=0
    )
    columns = sheet.available_columns()
    assert columns[0].absolute_index == 2  # col0 comes from here
    values = pl.DataFrame(pl.from_arrow(sheet.to_arrow()))
    assert values.height == 6  # skip_rows=0 pads from absolute row 0: row0 is exact
    assert values.row(4) == (" 12 ", None)  # whitespace kept; error cell -> null (relsec F2)
    assert values.row(5) == ("12345678901.229999542", None)  # float noise; formula -> null


# --- workbooks -------------------------------------------------------------------------------


def test_positions_when_data_starts_at_c5(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "c5.xlsx", {"C5": "hdr", "D5": "x", "C6": "1"})
    book, issues = read_workbook(path)
    assert issues == [] and book is not None
    sheet = book.sheets[0]
    assert (sheet.row0, sheet.col0) == (4, 2)
    assert sheet.cells.columns == ["c0", "c1"]
    assert sheet.cells.rows() == [("hdr", "x"), ("1", None)]


def test_openpyxl_workbook_numbers_dates_and_flags(tmp_path: Path) -> None:
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    values = [
        0.1,
        1234.5,
        1e-7,
        12345678901.23,
        True,
        dt.date(2025, 4, 1),
        dt.datetime(2025, 4, 1, 13, 5, 7),
        "012",
        -1.5,
    ]
    for i, v in enumerate(values):
        ws.cell(row=i + 1, column=1, value=v)
    ws["B2"] = "=A1*2"
    wb.save(tmp_path / "o.xlsx")
    book, _ = read_workbook(tmp_path / "o.xlsx")
    assert book is not None
    sheet = book.sheets[0]
    assert sheet.cells["c0"].to_list() == [
        "0.1",
        "1234.5",
        "0.0000001",
        "12345678901.23",
        "true",
        "2025-04-01 00:00:00",
        "2025-04-01 13:05:07",
        "012",
        "-1.5",
    ]
    assert sheet.flags == {(1, 1): "formula-without-value"}
    assert len(book.sha256) == 64 and book.format == "xlsx"


def test_type_drift_past_row_1000_stays_text(tmp_path: Path) -> None:
    cells = {f"A{i}": str(i) for i in range(1, 1501)} | {"A1501": "1,234.00", "A1502": "7"}
    book, _ = read_workbook(hostile.simple_xlsx(tmp_path / "drift.xlsx", cells))
    assert book is not None
    column = book.sheets[0].cells["c0"]
    assert column[1500] == "1,234.00" and column.null_count() == 0 and len(column) == 1502


def test_lying_dimension_reads_every_row(tmp_path: Path) -> None:
    cells = {f"A{i}": str(i) for i in range(1, 101)}
    book, _ = read_workbook(hostile.simple_xlsx(tmp_path / "dim.xlsx", cells, dimension="A1:B2"))
    assert book is not None
    assert book.sheets[0].cells.height == 100
    assert sum(int(v) for v in book.sheets[0].cells["c0"]) == 5050


def test_error_cells_are_flagged_inside_the_grid(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><v>3</v></c></row>'
    )
    path = hostile.write_xlsx(tmp_path / "e.xlsx", [("S", hostile.sheet_xml(rows), "visible")])
    book, _ = read_workbook(path)
    assert book is not None
    sheet = book.sheets[0]
    assert sheet.cells.row(0) == ("1", None) and sheet.flags == {(0, 1): "error:#DIV/0!"}


def test_hidden_sheets(tmp_path: Path) -> None:
    xml = hostile.sheet_xml(hostile.cells_xml({"A1": "1"}))
    path = hostile.write_xlsx(
        tmp_path / "h.xlsx", [("A", xml, "visible"), ("B", xml, "hidden"), ("C", xml, "veryHidden")]
    )
    book, _ = read_workbook(path)
    assert book is not None and [s.visible for s in book.sheets] == [True, False, False]
    book, issues = read_workbook(path, include_hidden=False)
    assert book is not None and [s.name for s in book.sheets] == ["A"]
    assert codes(issues) == ["sheet-hidden-skipped"] * 2


def test_refused_files_never_reach_the_reader(tmp_path: Path) -> None:
    book, issues = read_workbook(hostile.corners_xlsx(tmp_path / "c.xlsx"))
    assert book is None and codes(issues) == ["sheet-too-large"]


def test_sandbox_survives_the_corners_abort(tmp_path: Path) -> None:
    """Without the guard, calamine asks for 550 GB and aborts: only the child dies."""
    out = tmp_path / "out"
    out.mkdir()
    result = run_sandboxed(
        hostile.corners_xlsx(tmp_path / "c.xlsx"),
        out,
        memory_bytes=2 * 1024 * MB,
        cpu_s=30,
        timeout_s=60,
    )
    assert result.crash is not None and result.sheets == []


def test_parser_out_of_memory_is_an_issue(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"A1": "1"})
    book, issues = read_workbook(path, Limits(parse_memory_bytes=48 * MB))
    assert book is None and codes(issues) == ["parser-crashed"]
    assert "ok.xlsx" == issues[0].file and issues[0].value  # names the file and its hash


def test_parser_timeout_is_an_issue(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"A1": "1"})
    book, issues = read_workbook(path, Limits(parse_timeout_s=0.001))
    assert book is None and codes(issues) == ["parse-timeout"]
    assert "0.001 seconds" in issues[0].message and "--parse-timeout" in issues[0].hint
    assert "longer than" in issues[0].message


def test_fake_xls_fails_cleanly(tmp_path: Path) -> None:
    book, issues = read_workbook(hostile.cfb_file(tmp_path / "x.xls", ["Workbook"]))
    assert book is None and codes(issues) == ["file-legacy-xls", "parser-failed"]


def test_ods_reads(tmp_path: Path) -> None:
    body = (
        '<table:table table:name="T"><table:table-row><table:table-cell/>'
        '<table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell>'
        "</table:table-row><table:table-row><table:table-cell/><table:table-cell "
        'office:value-type="float" office:value="2.5"><text:p>2.5</text:p>'
        "</table:table-cell></table:table-row></table:table>"
    )
    book, issues = read_workbook(hostile.ods_file(tmp_path / "t.ods", body))
    assert issues == [] and book is not None and book.format == "ods"
    assert book.sheets[0].col0 == 1 and book.sheets[0].cells.rows() == [("a",), ("2.5",)]


def test_main_process_memory_stays_low(tmp_path: Path) -> None:
    builders: list[Callable[[Path], Path]] = [
        hostile.corners_xlsx,
        lambda p: hostile.zip_bomb_xlsx(p, 30 * MB),
        lambda p: hostile.ods_repeat_bomb(p.with_suffix(".ods"), 9000, 11000),
    ]
    paths = [build(tmp_path / f"h{i}.xlsx") for i, build in enumerate(builders)]
    assert hostile.peak_rss_mb("fundflow.ingest.readers:read_workbook", paths) < 500


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_shortest_numbers_read_back_as_the_same_double(x: float) -> None:
    noisy = f"{x:.9f}".rstrip("0").rstrip(".")  # how fastexcel prints a number cell
    fixed = shortest_numbers(pl.DataFrame({"c0": [noisy]}))["c0"][0]
    assert float(fixed) == float(noisy) and len(fixed) <= len(noisy)


def test_shortest_numbers_leave_text_alone() -> None:
    texts = ["012", "1,234.00", "1234.50", "ID-1234567890123456", "1234567890123456789"]
    assert shortest_numbers(pl.DataFrame({"c0": texts}))["c0"].to_list() == texts


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_header_is_a_row_and_blank_lines_stay(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"funder,amount\r\nA,1\r\n\r\nB,2\r\n")
    book, issues = read_workbook(tmp_path / "a.csv")
    assert issues == [] and book is not None and book.format == "csv"
    assert book.sheets[0].cells.rows() == [
        ("funder", "amount"),
        ("A", "1"),
        (None, None),
        ("B", "2"),
    ]


def test_csv_bom_and_cp1252(tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_bytes("\ufefffunder;amount\nA;£1\n".encode())
    book, issues = read_workbook(tmp_path / "bom.csv")
    assert book is not None and issues == []
    assert book.sheets[0].cells.row(0) == ("funder", "amount")
    (tmp_path / "win.csv").write_bytes("name,amount\ncafé,£5\n".encode("cp1252"))
    book, issues = read_workbook(tmp_path / "win.csv")
    assert book is not None and codes(issues) == ["csv-encoding-guessed"]
    assert book.sheets[0].cells.row(1) == ("café", "£5")


def test_csv_utf16_needs_an_encoding(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_bytes("a\tb\n1\t2\n".encode("utf-16"))
    book, issues = read_workbook(tmp_path / "u.csv")
    assert book is None and codes(issues) == ["csv-encoding"]
    book, issues = read_workbook(tmp_path / "u.csv", encoding="utf-16")
    assert book is not None and book.sheets[0].cells.rows() == [("a", "b"), ("1", "2")]


def test_csv_ragged_rows_are_padded_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("a,b\n1,2,3\n4\n")
    book, _ = read_workbook(tmp_path / "r.csv")
    assert book is not None
    assert book.sheets[0].cells.rows() == [("a", "b", None), ("1", "2", "3"), ("4", None, None)]


def test_csv_classic_mac_line_endings(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_bytes(b"a,b\r1,2\r")
    book, _ = read_workbook(tmp_path / "m.csv")
    assert book is not None and book.sheets[0].cells.height == 2


# Rectangular grids of cells without outer spaces, built rather than filtered (filtering for
# equal row lengths threw away most draws and tripped hypothesis' health check now and then).
_cell = st.text(alphabet="abc XYZ0123456789.£-", min_size=1, max_size=6).map(
    lambda s: s.strip() or "x")
grid = st.integers(2, 5).flatmap(
    lambda width: st.lists(st.lists(_cell, min_size=width, max_size=width),
                           min_size=2, max_size=8))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=grid, sep=st.sampled_from(DELIMITERS))
def test_csv_round_trip_with_sniffed_delimiter(
    tmp_path: Path, rows: list[list[str]], sep: str
) -> None:
    text = "\n".join(sep.join(r) for r in rows) + "\n"
    assert sniff_delimiter(text) == sep
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    book, _ = read_workbook(path)
    assert book is not None
    assert [list(r) for r in book.sheets[0].cells.rows()] == rows
