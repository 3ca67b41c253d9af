"""The return's workbook: deflated at the fast level, its zip written from deflate streams made
beforehand (`xlsx_zip`), the Data sheet's rows made in a thread of their own, and every part
byte for byte what xlsxwriter's own close makes."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileSizeError

from fundflow.returns import xlsx, xlsx_kit, xlsx_zip
from fundflow.returns.model import DATA_COLUMNS
from fundflow.returns.xlsx_data import BulkBody
from fundflow.returns.xlsx_kit import ZIP_LEVEL, Book

texts = st.binary(max_size=3000) | st.builds(
    lambda word, n: word * n, st.binary(min_size=1, max_size=20), st.integers(0, 4000))


def test_parts_are_deflated_at_the_fast_level(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    book = Book(path, "Title")
    sheet = book.sheet("Notes", header_rows=None, widths=[30, 30])
    for n in range(200):
        sheet.line((f"label {n}", "text", "label"), (n * 1.5, "number", "body"))
    book.save()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.compress_type == zipfile.ZIP_DEFLATED
    fast = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    assert info.compress_size == len(fast.compress(sheet_xml) + fast.flush())
    default = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert info.compress_size != len(default.compress(sheet_xml) + default.flush())
    assert load_workbook(path)["Notes"]["A200"].value == "label 199"


@given(first=texts, second=texts)
def test_crc32_combine_is_the_crc_of_the_two_together(first: bytes, second: bytes) -> None:
    combined = xlsx_zip.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


@settings(max_examples=25)
@given(contents=st.lists(texts, min_size=1, max_size=5))
def test_the_container_is_what_zipfile_writes(contents: list[bytes], tmp_path_factory:
                                              pytest.TempPathFactory) -> None:
    """One stream a part: the archive is byte for byte `ZipFile.write`'s at the same level."""
    folder = tmp_path_factory.mktemp("parts")
    files = []
    for n, content in enumerate(contents):
        path = folder / f"part{n}"
        path.write_bytes(content)
        files.append((str(path), f"xl/part{n}.xml", False))
    xlsx_zip.write_package(str(folder / "ours.zip"), files, ZIP_LEVEL, {})
    assert not any(Path(path).exists() for path, _n, _b in files)  # as xlsxwriter does
    for n, content in enumerate(contents):
        (folder / f"part{n}").write_bytes(content)
        xlsx_zip.os.utime(folder / f"part{n}", (xlsx_zip._XLSX_TIME, xlsx_zip._XLSX_TIME))
    with zipfile.ZipFile(folder / "theirs.zip", "w", zipfile.ZIP_DEFLATED,
                         allowZip64=False, compresslevel=ZIP_LEVEL) as theirs:
        for path, name, _binary in files:
            theirs.write(path, name)
    assert (folder / "ours.zip").read_bytes() == (folder / "theirs.zip").read_bytes()


@settings(max_examples=25)
@given(head=texts, body=st.lists(texts, max_size=4), tail=texts)
def test_a_part_made_of_streams_reads_back_whole(head: bytes, body: list[bytes], tail: bytes,
                                                 tmp_path_factory: pytest.TempPathFactory
                                                 ) -> None:
    """Head, rows deflated elsewhere, tail: one part that zipfile reads and checks."""
    folder = tmp_path_factory.mktemp("splice")
    marker = b"<!--here-->"
    part = folder / "sheet"
    part.write_bytes(head + marker + tail)
    writer = xlsx_zip.DeflateWriter(ZIP_LEVEL)
    for block in body:
        writer.write(block)
    xlsx_zip.write_package(str(folder / "x.zip"), [(str(part), "xl/sheet.xml", False)],
                           ZIP_LEVEL, {str(part): (marker, writer.finish(final=False))})
    with zipfile.ZipFile(folder / "x.zip") as archive:
        assert archive.testzip() is None
        assert archive.read("xl/sheet.xml") == head + b"".join(body) + tail
    assert not part.exists()


def test_parts_past_the_zip64_limit_are_refused_as_xlsxwriter_refuses_them() -> None:
    stream = xlsx_zip.deflate(b"x" * 200, ZIP_LEVEL)
    with patch.object(zipfile, "ZIP64_LIMIT", 100), pytest.raises(FileSizeError):
        xlsx_zip.write_zip(io.BytesIO(), [xlsx_zip.Entry("a.xml", __file__, [stream])])


def test_rows_made_in_another_thread_hand_over_their_error_and_can_be_discarded() -> None:
    def broken():  # type: ignore[no-untyped-def]
        yield b"<row/>"
        raise ValueError("no such column")

    with pytest.raises(ValueError, match="no such column"):
        BulkBody(broken).result()
    endless = BulkBody(lambda: iter(lambda: b"<row/>" * 100, None))
    endless.discard()  # returns: the thread stops at its next part
    with pytest.raises(RuntimeError, match="discarded"):
        endless.result()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()
                if name != "docProps/core.xml"}  # the file's creation time


def test_the_return_is_the_workbook_xlsxwriter_closes_byte_for_byte(
        eastfold: Path, tmp_path: Path) -> None:
    """The Data rows made in their own thread from the Summary on, every part deflated here:
    each part is what xlsxwriter's own close writes with the rows written in its thread."""
    from fundflow.ledger.store import open_ledger
    from fundflow.mapping.reference import bundled_reference
    from fundflow.returns.build import build_return

    with open_ledger(eastfold, read_only=True) as con:
        ret = build_return(con, "2025-26", reference=bundled_reference(),
                           generated_at=datetime(2026, 1, 5, 9, 30))
    assert len(ret.data) > 2 and len(ret.summary) > 1
    started: list[list[str]] = []
    real = xlsx.BulkBody

    def spy(parts):  # type: ignore[no-untyped-def]
        started.append(list(book_sheets[-1]))
        return real(parts)

    book_sheets: list[list[str]] = []
    real_book = xlsx.Book

    def book(*args, **kwargs):  # type: ignore[no-untyped-def]
        made = real_book(*args, **kwargs)
        book_sheets.append(made.sheets)
        return made

    with patch.object(xlsx, "BulkBody", spy), patch.object(xlsx, "Book", book):
        xlsx.write_xlsx(ret, tmp_path / "threaded.xlsx")
    assert started and "Summary" in started[0] and "Data" not in started[0]
    with patch.object(xlsx, "IN_THREAD", False), \
            patch.object(xlsx_kit._Workbook, "_store_workbook", Workbook._store_workbook):
        xlsx.write_xlsx(ret, tmp_path / "xlsxwriter.xlsx")
    ours, theirs = _parts(tmp_path / "threaded.xlsx"), _parts(tmp_path / "xlsxwriter.xlsx")
    assert list(ours) == list(theirs)
    for name in ours:
        assert ours[name] == theirs[name], name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_data_sheet(eastfold: Path, tmp_path: Path) -> None:
    from fundflow.ledger.store import open_ledger
    from fundflow.mapping.reference import bundled_reference
    from fundflow.returns.build import build_return

    with open_ledger(eastfold, read_only=True) as con:
        ret = build_return(con, "2025-26", reference=bundled_reference(),
                           generated_at=datetime(2026, 1, 5, 9, 30))
    path = tmp_path / "r.xlsx"
    xlsx.write_xlsx(ret, path)
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    done = subprocess.run(["soffice", profile, "--headless", "--convert-to",
                           "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,"
                           "false,false,-1", "--outdir", str(tmp_path / "out"), str(path)],
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    data = (tmp_path / "out" / "r-Data.csv").read_text(encoding="utf-8").splitlines()
    assert len(data) == len(ret.data) + 1
    assert data[0].split(",")[:len(DATA_COLUMNS)] == list(DATA_COLUMNS)
    assert data[-1].split(",")[DATA_COLUMNS.index("stream_id")] == ret.data[-1].stream_id


def test_a_row_begun_by_its_height_then_cells_is_checked_as_xlsxwriter_checks_it(
        tmp_path: Path) -> None:
    """`FastSheet.store` skips the dimension check for a row and column already checked;
    a row whose height was set first (its columns never checked) is checked in full."""
    from xlsxwriter.worksheet import CellNumberTuple

    book = Book(tmp_path / "x.xlsx", "t")
    ws = book.wb.add_worksheet("Bare", worksheet_class=xlsx_kit.FastSheet)
    ws.set_row(0, 20)
    fmt = book.fmt("body", "number")
    ws.store(0, 2, CellNumberTuple(1.0, fmt))
    ws.store(0, 1, CellNumberTuple(2.0, fmt))
    ws.store(0, 4, CellNumberTuple(3.0, fmt))
    ws.store(1, 0, CellNumberTuple(4.0, fmt))
    with pytest.raises(ValueError, match="outside"):
        ws.store(0, 0, CellNumberTuple(5.0, fmt))
    book.save()
    with zipfile.ZipFile(tmp_path / "x.xlsx") as archive:
        assert b'<dimension ref="A1:E2"/>' in archive.read("xl/worksheets/sheet1.xml")


_KINDS = [xlsx_kit.Col("a", wrap=True), xlsx_kit.Col("b", "money"), xlsx_kit.Col("c", "int"),
          xlsx_kit.Col("d", "date"), xlsx_kit.Col("e", "datetime"), xlsx_kit.Col("f", "yesno"),
          xlsx_kit.Col("g", "fixed2"), xlsx_kit.Col("h", "ratio"), xlsx_kit.Col("i", "bool")]
_VALUES = st.tuples(
    st.none() | st.text(max_size=30) | st.sampled_from(["<r>x</r>", "_x0041_", " pad ", "a&b"]),
    st.none() | st.decimals(-10**9, 10**9, places=2) | st.just("n/a"),
    st.none() | st.integers(-10**6, 10**6),
    st.none() | st.dates(),
    st.none() | st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)),
    st.none() | st.booleans(),
    st.none() | st.decimals(-10**6, 10**6, places=2),
    st.none() | st.floats(-1e6, 1e6) | st.just(float("inf")),
    st.none() | st.booleans(),
)


def _rows_xml(path: Path, fast: bool, blocks: list[list[tuple[object, ...]]]) -> bytes:
    from xlsxwriter.worksheet import Worksheet

    book = Book(path, "t")
    if not fast:
        book.wb.worksheet_class = Worksheet
    sheet = book.sheet("S", header_rows=(0, 0), widths=[12] * len(_KINDS))
    sheet.header(_KINDS)
    for n, rows in enumerate(blocks):
        sheet.put(0, f"block {n}", "text", "band")  # a row begun before `rows` writes it
        sheet.rows(_KINDS, rows, style="body" if n % 2 else "subtotal")
    book.save()
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml") + archive.read("xl/styles.xml")


@settings(max_examples=40)
@given(blocks=st.lists(st.lists(_VALUES, max_size=5), max_size=3))
def test_rows_made_at_once_are_the_cells_xlsxwriter_writes(
        blocks: list[list[tuple[object, ...]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`Sheet.rows` on a `FastSheet` (a row's cells made at once, or cell by cell where a
    row has a boolean, odd text or a number that is not finite): xlsxwriter's sheet and
    styles, byte for byte, for every kind of column."""
    folder = tmp_path_factory.mktemp("rows")
    try:
        plain = _rows_xml(folder / "plain.xlsx", False, blocks)
    except TypeError:  # xlsxwriter refuses a value (an infinite number): so must we
        with pytest.raises(TypeError):
            _rows_xml(folder / "fast.xlsx", True, blocks)
        return
    assert _rows_xml(folder / "fast.xlsx", True, blocks) == plain


def _finance_like_xml(path: Path, fast: bool,
                      rows: list[tuple[str | None, str | None, list[float | None]]]) -> bytes:
    from xlsxwriter.worksheet import Worksheet

    book = Book(path, "t")
    if not fast:
        book.wb.worksheet_class = Worksheet
    sheet = book.sheet("S", header_rows=None, widths=[10] * 6)
    for n, (code, cap_rev, values) in enumerate(rows):
        style = "subtotal" if n % 3 == 2 else "body"
        sheet.line_and_numbers([(code, "text", style), (cap_rev, "text",
                                                        "body" if cap_rev else "muted")],
                               values, "money", style)
    book.save()
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml") + archive.read("xl/styles.xml")


@settings(max_examples=40)
@given(rows=st.lists(st.tuples(
    st.none() | st.text(max_size=12) | st.just("_x0041_"), st.none() | st.just("Revenue"),
    st.lists(st.none() | st.integers(-10**12, 10**12).map(lambda p: p / 100), max_size=4)),
    max_size=6))
def test_a_line_and_its_numbers_made_at_once_are_the_cells_put_writes(
        rows: list[tuple[str | None, str | None, list[float | None]]],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """`Sheet.line_and_numbers` (the Finance sheet's rows) on a `FastSheet`: the bytes of
    `put` and `numbers` cell by cell on xlsxwriter's own worksheet."""
    folder = tmp_path_factory.mktemp("finance")
    assert (_finance_like_xml(folder / "fast.xlsx", True, rows)
            == _finance_like_xml(folder / "plain.xlsx", False, rows))
