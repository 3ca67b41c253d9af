"""The pre-parse guard refuses hostile files with clear issues, in flat memory, and measures the
real used range and flagged cells of the files it lets through."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fundflow.catalogue import CATALOGUE
from fundflow.ingest.guard import Limits, check_file
from fundflow.issues import Issue
from tests import hostile

MB = 1024 * 1024


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def refused(path: Path, limits: Limits | None = None) -> list[str]:
    report, issues = check_file(path, limits)
    assert report is None, f"{path.name} was let through"
    assert issues and all(i.hint for i in issues)
    return codes(issues)


def test_every_guard_code_is_catalogued() -> None:
    for code in (
        "file-empty",
        "file-not-spreadsheet",
        "file-encrypted",
        "file-strict-ooxml",
        "file-corrupt",
        "zip-bomb",
        "zip-unsafe-name",
        "xml-doctype",
        "sheet-too-large",
        "limit-exceeded",
        "file-legacy-xls",
    ):
        assert code in CATALOGUE


def test_plain_workbook_passes_with_hash_and_range(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"C5": "1", "D7": "2.5"})
    report, issues = check_file(path)
    assert issues == [] and report is not None
    assert report.format == "xlsx" and len(report.sha256) == 64
    sheet = report.sheets[0]
    assert (sheet.first_row, sheet.first_col, sheet.last_row, sheet.last_col) == (4, 2, 6, 3)
    assert sheet.cells == 2


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert refused(tmp_path / "e.xlsx") == ["file-empty"]


def test_csv_pretending_to_be_xlsx(tmp_path: Path) -> None:
    (tmp_path / "fake.xlsx").write_text("funder,amount\nA,1\n")
    assert refused(tmp_path / "fake.xlsx") == ["file-not-spreadsheet"]


def test_csv_is_accepted_as_text(tmp_path: Path) -> None:
    (tmp_path / "ok.csv").write_text("funder,amount\nA,1\n")
    report, issues = check_file(tmp_path / "ok.csv")
    assert report is not None and report.format == "csv" and issues == []


def test_truncated_zip_is_corrupt(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "t.xlsx", {"A1": "1"})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert refused(path) == ["file-corrupt"]


def test_bit_flip_in_deflate_stream_is_corrupt(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "f.xlsx", {f"A{i}": str(i) for i in range(1, 400)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data[info.header_offset + 30 + len(info.filename) + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    assert refused(path) == ["file-corrupt"]


def test_encrypted_ooxml(tmp_path: Path) -> None:
    path = hostile.cfb_file(tmp_path / "enc.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    assert refused(path) == ["file-encrypted"]


def test_legacy_xls_is_named_and_let_through(tmp_path: Path) -> None:
    report, issues = check_file(hostile.cfb_file(tmp_path / "old.xls", ["Workbook"]))
    assert report is not None and report.format == "xls"
    assert codes(issues) == ["file-legacy-xls"]


def test_ole_file_without_workbook(tmp_path: Path) -> None:
    path = hostile.cfb_file(tmp_path / "memo.xls", ["WordDocument"])
    assert refused(path) == ["file-not-spreadsheet"]


def test_strict_ooxml(tmp_path: Path) -> None:
    path = hostile.write_xlsx(
        tmp_path / "s.xlsx",
        [("S", hostile.sheet_xml(""), "visible")],
        doc_rel=hostile.STRICT_DOC_REL,
    )
    assert refused(path) == ["file-strict-ooxml"]


def test_encrypted_ods(tmp_path: Path) -> None:
    assert refused(hostile.ods_file(tmp_path / "p.ods", "", encrypted=True)) == ["file-encrypted"]


@pytest.mark.parametrize("member", ["../../evil.txt", "/etc/passwd", "xl\\..\\x.xml"])
def test_unsafe_member_names(tmp_path: Path, member: str) -> None:
    path = hostile.simple_xlsx(tmp_path / "z.xlsx", {"A1": "1"}, extra={member: b"x"})
    assert refused(path) == ["zip-unsafe-name"]


def test_too_many_members(tmp_path: Path) -> None:
    extra = {f"junk/{i}.bin": b"" for i in range(30)}
    path = hostile.simple_xlsx(tmp_path / "m.xlsx", {"A1": "1"}, extra=extra)
    assert refused(path, Limits(max_members=20)) == ["limit-exceeded"]


def test_file_size_limit_names_its_option(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "big.xlsx", {"A1": "1"})
    _, issues = check_file(path, Limits(max_file_bytes=100))
    assert codes(issues) == ["limit-exceeded"] and "--max-file-mb" in (issues[0].hint or "")


@pytest.mark.parametrize("where", ["sheet", "workbook"])
@pytest.mark.parametrize("attack", [hostile.BILLION_LAUGHS, hostile.XXE])
def test_dtd_refused_anywhere(tmp_path: Path, where: str, attack: str) -> None:
    sheet = hostile.sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row>', prolog=attack if where == "sheet" else ""
    )
    path = hostile.write_xlsx(
        tmp_path / "x.xlsx",
        [("S", sheet, "visible")],
        workbook_prolog=attack if where == "workbook" else "",
    )
    assert refused(path) == ["xml-doctype"]


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", 24 * MB)
    assert path.stat().st_size < 200_000
    _, issues = check_file(path)
    assert codes(issues) == ["zip-bomb"] and "--max-ratio" in (issues[0].hint or "")


def test_zip_bomb_by_total_size(tmp_path: Path) -> None:
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", 6 * MB)
    _, issues = check_file(path, Limits(max_inflated_bytes=4 * MB))
    assert codes(issues) == ["zip-bomb"] and "--max-inflated-mb" in (issues[0].hint or "")


def test_lying_member_size_is_caught_by_real_inflation(tmp_path: Path) -> None:
    path = hostile.lying_size_xlsx(tmp_path / "lie.xlsx", real=3 * MB)
    assert refused(path) == ["file-corrupt"]


def test_sparse_corners_refused_naming_the_cell(tmp_path: Path) -> None:
    path = hostile.corners_xlsx(tmp_path / "corners.xlsx")
    assert path.stat().st_size < 4096
    _, issues = check_file(path)
    assert codes(issues) == ["sheet-too-large"]
    assert "XFD1048576" in issues[0].message and issues[0].sheet == "Data"


def test_cell_beyond_the_grid(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "beyond.xlsx", {"A1": "1", "XFE1": "2"})
    assert refused(path) == ["sheet-too-large"]


def test_declared_full_grid_with_two_real_cells_passes(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(
        tmp_path / "dim.xlsx", {"A1": "1", "B2": "2"}, dimension="A1:XFD1048576"
    )
    report, issues = check_file(path)
    assert issues == [] and report is not None
    assert report.sheets[0].declared == "A1:XFD1048576"
    assert report.sheets[0].span() == (2, 2)


def test_formatted_blank_cells_do_not_count(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"/></row>'
        '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    )
    path = hostile.write_xlsx(tmp_path / "fmt.xlsx", [("S", hostile.sheet_xml(rows), "visible")])
    report, issues = check_file(path)
    assert issues == [] and report is not None and report.sheets[0].span() == (1, 1)


def test_cells_without_r_are_counted_per_row(tmp_path: Path) -> None:
    path = hostile.no_ref_row_xlsx(tmp_path / "wide.xlsx", 20_000)
    _, issues = check_file(path)
    assert codes(issues) == ["sheet-too-large"] and "--max-columns" in (issues[0].hint or "")


def test_cells_without_r_get_positions(tmp_path: Path) -> None:
    rows = '<row><c><v>1</v></c><c t="e"><v>#N/A</v></c></row><row><c/><c><f>A1*2</f></c></row>'
    path = hostile.write_xlsx(tmp_path / "nor.xlsx", [("S", hostile.sheet_xml(rows), "visible")])
    report, issues = check_file(path)
    assert issues == [] and report is not None
    assert report.sheets[0].flags == {(0, 1): "error:#N/A", (1, 1): "formula-without-value"}


def test_error_cells_and_formulas_without_values_are_flagged(tmp_path: Path) -> None:
    errors = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
    rows = "".join(
        f'<row r="{i + 3}"><c r="C{i + 3}" t="e"><f>1/0</f><v>{e}</v></c></row>'
        for i, e in enumerate(errors)
    )
    rows += '<row r="20"><c r="B20"><f>1000+234.5</f></c><c r="C20"><f>1+1</f><v>2</v></c></row>'
    path = hostile.write_xlsx(tmp_path / "err.xlsx", [("S", hostile.sheet_xml(rows), "visible")])
    report, _ = check_file(path)
    assert report is not None
    flags = report.sheets[0].flags
    assert {flags[(i + 2, 2)] for i in range(7)} == {f"error:{e}" for e in errors}
    assert flags[(19, 1)] == "formula-without-value" and (19, 2) not in flags


def test_sheet_visibility(tmp_path: Path) -> None:
    xml = hostile.sheet_xml(hostile.cells_xml({"A1": "1"}))
    path = hostile.write_xlsx(
        tmp_path / "v.xlsx", [("A", xml, "visible"), ("B", xml, "hidden"), ("C", xml, "veryHidden")]
    )
    report, _ = check_file(path)
    assert report is not None
    assert [s.visibility for s in report.sheets] == ["visible", "hidden", "veryHidden"]


def test_long_shared_string_refused(tmp_path: Path) -> None:
    sst = (
        f'<sst xmlns="{hostile.MAIN_NS}" count="1" uniqueCount="1"><si><t>'
        + "x" * 40_000
        + "</t></si></sst>"
    )
    sheet = hostile.sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    path = hostile.write_xlsx(tmp_path / "long.xlsx", [("S", sheet, "visible")], shared_strings=sst)
    _, issues = check_file(path)
    assert codes(issues) == ["limit-exceeded"] and "--max-string-chars" in (issues[0].hint or "")


def test_long_inline_string_refused(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "long.xlsx", {"A1": "y" * 40_000})
    assert refused(path) == ["limit-exceeded"]


def test_ods_repeat_bomb(tmp_path: Path) -> None:
    path = hostile.ods_repeat_bomb(tmp_path / "bomb.ods", 9000, 11000)
    assert path.stat().st_size < 2048
    _, issues = check_file(path)
    assert codes(issues) == ["sheet-too-large"] and "99,000,000 cells" in issues[0].message


def test_ods_empty_padding_is_harmless(tmp_path: Path) -> None:
    body = (
        '<table:table table:name="T"><table:table-row><table:table-cell '
        'office:value-type="float" office:value="5"><text:p>5</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="1023"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row></table:table>'
    )
    report, issues = check_file(hostile.ods_file(tmp_path / "pad.ods", body))
    assert issues == [] and report is not None and report.sheets[0].span() == (1, 1)


def test_hostile_files_keep_memory_flat(tmp_path: Path) -> None:
    builders: list[Callable[[Path], Path]] = [
        lambda p: hostile.zip_bomb_xlsx(p, 40 * MB),
        hostile.corners_xlsx,
        lambda p: hostile.no_ref_row_xlsx(p, 20_000),
        lambda p: hostile.ods_repeat_bomb(p.with_suffix(".ods"), 9000, 11000),
        lambda p: hostile.lying_size_xlsx(p, real=20 * MB),
    ]
    proc = psutil.Process()
    paths = []
    for i, build in enumerate(builders):
        path = build(tmp_path / f"h{i}.xlsx")
        before = proc.memory_info().rss
        report, issues = check_file(path)
        assert report is None and issues
        assert proc.memory_info().rss - before < 100 * MB
        paths.append(path)
    assert hostile.peak_rss_mb("fundflow.ingest.guard:check_file", paths) < 500


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offset=st.integers(min_value=0), value=st.integers(min_value=1, max_value=255))
@example(offset=165467, value=64)  # a "version needed" of 8.4: zipfile's NotImplementedError
def test_random_byte_damage_never_raises(tmp_path: Path, offset: int, value: int) -> None:
    path = tmp_path / "fuzz.xlsx"
    if not path.exists():
        hostile.simple_xlsx(path, {f"A{i}": str(i) for i in range(1, 50)} | {"B2": "note"})
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= value
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    report, issues = check_file(damaged)
    assert (report is None) == bool(issues and any(i.severity == "error" for i in issues))
