"""The streaming sheet rewrite restyles exactly the marked cells and changes nothing else.

Property tests over generated sheets (rows and cells present or missing, empty-element rows,
any chunk size the stream is cut into): every marked cell ends with the style made from its
own, missing ones are inserted in order, every other cell, value and element is kept, and the
comments' drawing goes where the schema wants it.
"""

from __future__ import annotations

import io
from xml.parsers import expat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.annotate.sheet import UnsafeXml, rewrite_sheet
from fundflow.ingest.grid import cell_ref

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
Cells = dict[int, dict[int, int]]  # row (1-based) -> column -> style


def _style(old: int, rank: int) -> int:
    return 1000 + old * 3 + rank


def _xml(cells: Cells, empty_rows: set[int], tail: str) -> bytes:
    rows = []
    for r in sorted(set(cells) | empty_rows):
        if not cells.get(r):
            rows.append(f'<row r="{r}" spans="1:3"/>')
            continue
        body = "".join(f'<c r="{cell_ref(r - 1, c)}" s="{s}"><v>{r * 100 + c}</v></c>'
                       for c, s in sorted(cells[r].items()))
        rows.append(f'<row r="{r}" spans="1:3">{body}</row>')
    return (f'<worksheet xmlns="{MAIN}"><sheetPr/><sheetData>{"".join(rows)}</sheetData>'
            f"{tail}</worksheet>").encode()


def _read(xml: bytes) -> tuple[list[int], dict[tuple[int, int], tuple[int | None, str]], list[str]]:
    """Row numbers in order, (row, col) -> (style, value), and the worksheet's children."""
    rows: list[int] = []
    found: dict[tuple[int, int], tuple[int | None, str]] = {}
    children: list[str] = []
    state: dict[str, object] = {"depth": 0, "cell": None, "style": None, "text": ""}
    parser = expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        state["depth"] = int(str(state["depth"])) + 1
        if state["depth"] == 2:
            children.append(name)
        if name == "row":
            rows.append(int(attrs["r"]))
        if name == "c":
            ref = attrs["r"]
            col = ord(ref[0]) - 65
            state.update(cell=(int(ref[1:]), col), style=int(attrs["s"]) if "s" in attrs
                         else None, text="")

    def end(name: str) -> None:
        state["depth"] = int(str(state["depth"])) - 1
        if name == "c":
            key = state["cell"]
            assert isinstance(key, tuple) and key not in found, key
            found[key] = (state["style"], str(state["text"]))  # type: ignore[assignment]

    def chars(data: str) -> None:
        state["text"] = str(state["text"]) + data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.Parse(xml, True)
    return rows, found, children


cells_st = st.dictionaries(st.integers(1, 12), st.dictionaries(st.integers(0, 6),
                                                                 st.integers(0, 5)))
marks_st = st.dictionaries(st.integers(1, 14), st.dictionaries(st.integers(0, 7),
                                                                 st.integers(0, 2), min_size=1))


@settings(max_examples=150, deadline=None)
@given(cells=cells_st, empty=st.sets(st.integers(1, 12)), marks=marks_st,
       chunk=st.integers(1, 200), legacy=st.booleans())
def test_marked_cells_restyled_everything_else_kept(
    cells: Cells, empty: set[int], marks: dict[int, dict[int, int]], chunk: int, legacy: bool
) -> None:
    empty -= set(cells)
    source = _xml(cells, empty, "<tableParts/><extLst/>")
    out = io.BytesIO()
    rewrite_sheet(io.BytesIO(source), out, marks, _style,
                  (lambda p: b'<legacyDrawing r:id="x" xmlns:r="y"/>') if legacy else None,
                  chunk=chunk)
    rows, found, children = _read(out.getvalue())
    assert rows == sorted(set(rows)) and set(rows) == set(cells) | empty | set(marks)
    expected = {(r, c) for r, cols in cells.items() for c in cols}
    expected |= {(r, c) for r, cols in marks.items() for c in cols}
    assert set(found) == expected
    for (r, c), (style, value) in found.items():
        old = cells.get(r, {}).get(c)
        want = _style(old or 0, marks[r][c]) if c in marks.get(r, {}) else old
        assert style == want, (r, c)
        assert value == (str(r * 100 + c) if old is not None else "")
    wanted = ["sheetPr", "sheetData", "legacyDrawing", "tableParts", "extLst"]
    assert children == [w for w in wanted if legacy or w != "legacyDrawing"]


def test_unmarked_sheet_is_copied_byte_for_byte() -> None:
    source = _xml({3: {1: 2}}, {5}, "<extLst/>").replace(b"<sheetPr/>", b"<sheetPr />\n")
    out = io.BytesIO()
    rewrite_sheet(io.BytesIO(source), out, {}, _style, None, chunk=7)
    assert out.getvalue() == source


def test_empty_sheet_data_gets_its_marked_rows() -> None:
    out = io.BytesIO()
    rewrite_sheet(io.BytesIO(f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'.encode()),
                  out, {2: {0: 0}}, _style, None)
    assert _read(out.getvalue())[1] == {(2, 0): (_style(0, 0), "")}


@pytest.mark.parametrize("xml", [
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData>&a;</sheetData></worksheet>',
    b"<worksheet><sheetData><row></worksheet>",
])
def test_entities_and_broken_xml_are_refused(xml: bytes) -> None:
    with pytest.raises(UnsafeXml):
        rewrite_sheet(io.BytesIO(xml), io.BytesIO(), {1: {0: 0}}, _style, None)
