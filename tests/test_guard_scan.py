"""The guard's byte-count path measures a plain sheet as its cell-by-cell walk does.

`SheetScanner` judges a plain step (every cell and row with `r=`, values only) by byte counts
and a few searches instead of visiting each cell; these properties hold it to the walk's
answer on random sheets fed in random step sizes, and check that a hostile cell naming a far
row or column is seen wherever it hides.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.ingest.grid import cell_ref
from fundflow.ingest.guard import Limits, SheetScan, check_file
from fundflow.ingest.readers.scan import SheetScanner
from tests import hostile

# Columns from A to XFD, weighted towards the ones real sheets use, and rows up to 1,048,576.
COLUMNS = st.one_of(st.integers(0, 30), st.integers(0, 800), st.integers(0, 16_383))
ROW_NUMBERS = st.one_of(st.integers(1, 300), st.integers(1, 1_048_576))


@st.composite
def plain_rows(draw: st.DrawFn) -> list[tuple[int, list[int]]]:
    """Rows in ascending order, each with ascending distinct columns (as Excel writes)."""
    numbers = sorted(draw(st.sets(ROW_NUMBERS, min_size=1, max_size=40)))
    return [(n, sorted(draw(st.sets(COLUMNS, min_size=1, max_size=12)))) for n in numbers]


def _xml(rows: list[tuple[int, list[int]]]) -> bytes:
    body = "".join(
        f'<row r="{n}">'
        + "".join(f'<c r="{cell_ref(n - 1, c)}"><v>{c}</v></c>' for c in cols)
        + "</row>"
        for n, cols in rows
    )
    return hostile.sheet_xml(body).encode()


def _fed(xml: bytes, step: int) -> SheetScan:
    """The scan of `xml` fed in pieces of `step` bytes (the scanner cuts at row ends)."""
    sheet = SheetScan("S", "xl/worksheets/sheet1.xml")
    scanner = SheetScanner(sheet, Limits(), "f.xlsx")
    for at in range(0, len(xml), step):
        scanner.feed(xml[at : at + step], False)
    scanner.feed(b"", True)
    return sheet


def _walked(xml: bytes) -> SheetScan:
    """The scan of `xml` by the cell-by-cell walk alone."""
    sheet = SheetScan("S", "xl/worksheets/sheet1.xml")
    SheetScanner(sheet, Limits(), "f.xlsx")._walk(xml, b"")
    return sheet


@settings(max_examples=60, deadline=None)
@given(rows=plain_rows(), step=st.integers(64, 4096))
def test_byte_counts_measure_a_plain_sheet_as_the_walk_does(
    rows: list[tuple[int, list[int]]], step: int
) -> None:
    xml = _xml(rows)
    fast, exact = _fed(xml, step), _walked(xml)
    assert (fast.rows, fast.cells) == (exact.rows, exact.cells) == (
        len(rows), sum(len(c) for _, c in rows))
    assert (fast.first_row, fast.last_row, fast.first_col, fast.last_col) == (
        exact.first_row, exact.last_row, exact.first_col, exact.last_col)
    assert fast.span() == exact.span()


@settings(max_examples=40, deadline=None)
@given(rows=plain_rows(), where=st.integers(0, 10_000), far_row=st.integers(1_000_000, 9_999_999),
       far_col=st.integers(26, 16_383), step=st.integers(64, 4096))
def test_a_far_cell_is_seen_wherever_it_hides(
    rows: list[tuple[int, list[int]]], where: int, far_row: int, far_col: int, step: int
) -> None:
    """A cell naming a row past 999,999 or a wide column inside an ordinary row counts."""
    n, cols = rows[where % len(rows)]
    rows[where % len(rows)] = (n, [*cols, 16_384])  # placeholder, replaced below
    xml = _xml(rows).replace(
        f'<c r="{cell_ref(n - 1, 16_384)}"><v>16384</v></c>'.encode(),
        f'<c r="{cell_ref(far_row - 1, 0)}"><v>1</v></c>'
        f'<c r="{cell_ref(n - 1, far_col)}"><v>2</v></c>'.encode(),
    )
    fast = _fed(xml, step)
    assert fast.last_row is not None and fast.last_row >= far_row - 1
    assert fast.last_col is not None and fast.last_col >= far_col


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 999), st.sets(st.integers(0, 30), min_size=1,
                                                               max_size=6)),
                     min_size=1, max_size=40, unique_by=lambda r: r[0]),
       where=st.integers(0, 10_000), far_row=st.integers(1_000, 999_999),
       step=st.integers(64, 4096))
def test_a_cell_naming_a_row_longer_than_its_steps_rows_is_seen(
    rows: list[tuple[int, set[int]]], where: int, far_row: int, step: int
) -> None:
    """In a sheet of rows under 1,000, a cell claiming a row of four digits or more counts,
    wherever it sits (a reader allocates down to it)."""
    ordered = sorted((n, sorted(cols)) for n, cols in rows)
    n, cols = ordered[where % len(ordered)]
    ordered[where % len(ordered)] = (n, [*cols, 16_384])
    xml = _xml(ordered).replace(
        f'<c r="{cell_ref(n - 1, 16_384)}"><v>16384</v></c>'.encode(),
        f'<c r="{cell_ref(far_row - 1, 3)}"><v>1</v></c>'.encode(),
    )
    assert _fed(xml, step).last_row == far_row - 1


def test_a_shared_string_of_unclosed_tags_is_measured_in_one_pass(tmp_path: Path) -> None:
    """A long shared string of `<` with no `>` once went through `<[^>]*>`, which retries at
    every `<` to the end: hours for these 3 MB (the guard has no time limit of its own). It
    is now cut at each `<` once; the text around the tags is still measured and refused."""
    sst = (
        f'<sst xmlns="{hostile.MAIN_NS}" count="1" uniqueCount="1"><si><t>'
        + "<" * 3_000_000 + ">" + "x" * 40_000
        + "</t></si></sst>"
    )
    sheet = hostile.sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    path = hostile.write_xlsx(tmp_path / "tags.xlsx", [("S", sheet, "visible")],
                              shared_strings=sst)
    _, issues = check_file(path)
    assert [i.code for i in issues] == ["limit-exceeded"]
    assert "--max-string-chars" in (issues[0].hint or "")
