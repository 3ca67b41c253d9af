"""The Data rows as a frame (`returns.data_table`): every writer made from the frame gives what
the row-by-row writers gave, for any text a file can hold.

The references here are the definitions the frame writers replaced, written row by row from
`DataRow`s: the content hash as canonical JSON of each row's `model_dump`, the CSV through
`csv.writer` with `safe_text`, the JSON through pydantic; the xlsx Data sheet is read back by
openpyxl and compared with the rows' values.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from fundflow.returns import data_table, xlsx_data
from fundflow.returns.cover_columns import COVER_COLUMNS, cover_fields, cover_of
from fundflow.returns.csvout import read_csv_return, write_csv
from fundflow.returns.data_table import DATA_COLUMNS, DataRow, DataTable, content_hash
from fundflow.returns.jsonout import read_json, render_json
from fundflow.returns.safe import safe_text

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_AWKWARD = st.sampled_from(["=SUM(A1)", "-5", "'quoted", " lead", "trail ", "a\"b", "a\\b",
                            "<r><t>x</t></r>", "_x0041_", "tab\tin", "line\nbreak", "£ €",
                            "\x00nul", "\x1fus", "cr\rlf", "", "\u2028sep", "\ufffe"])
_NAME = st.one_of(_TEXT, _AWKWARD)


@st.composite
def data_rows(draw: st.DrawFn) -> DataRow:
    pence = draw(st.integers(-10**12, 10**12))
    return DataRow(
        partnership=draw(_NAME), funder_id=draw(_NAME), stream_id=draw(_NAME),
        tier=draw(st.integers(0, 3)),
        month=draw(st.none() | st.dates(date(1990, 1, 1), date(2090, 12, 1))),
        year=draw(st.none() | _NAME), quarter=draw(st.none() | st.sampled_from(["Q1", "Q4"])),
        measure=draw(_NAME), state=draw(_NAME), basis=draw(_NAME), subjective=draw(_NAME),
        objective=draw(st.none() | _NAME), cap_rev=draw(_NAME), funding_source=draw(_NAME),
        funder_category=draw(st.none() | _NAME), amount=Decimal(pence).scaleb(-2),
        amount_pence=pence, apportioned=draw(st.booleans()), counted=draw(st.booleans()),
        source=draw(_NAME),
    )


ROWS = st.lists(data_rows(), max_size=12)
KEY = st.fixed_dictionaries({"partnership": _NAME, "year": _NAME,
                             "quarter": st.none() | _NAME, "basis": _NAME,
                             "funder": st.none() | _NAME})


def reference_hash(cover_key: dict[str, Any], rows: list[DataRow]) -> str:
    figures = [row.model_dump(mode="json") for row in rows]
    text = json.dumps({"return": cover_key, "figures": figures}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@settings(max_examples=60, deadline=None)
@given(rows=ROWS, key=KEY)
def test_content_hash_is_the_canonical_json_of_the_rows(rows: list[DataRow],
                                                        key: dict[str, Any]) -> None:
    table = DataTable.from_rows(rows)
    assert content_hash(key, table) == reference_hash(key, rows)


@settings(max_examples=30, deadline=None)
@given(rows=ROWS, key=KEY, part=st.integers(1, 4))
def test_content_hash_does_not_depend_on_the_parts_it_is_made_in(
        rows: list[DataRow], key: dict[str, Any], part: int) -> None:
    table = DataTable.from_rows(rows)
    with patch.object(data_table, "CHUNK", part):
        assert content_hash(key, table) == reference_hash(key, rows)


@settings(max_examples=60, deadline=None)
@given(rows=ROWS)
def test_table_reads_back_the_rows_it_was_made_from(rows: list[DataRow]) -> None:
    table = DataTable.from_rows(rows)
    assert len(table) == len(rows)
    assert list(table) == rows and table == rows and rows == table
    assert table[:3] == rows[:3]
    if rows:
        assert table[-1] == rows[-1]
    assert sum(r.amount for r in table) == sum((r.amount for r in rows), Decimal(0))


COVER = ("2", "=cmd|' /C calc'!A0", "2025-26", "", "each", "", "Section 151 officer",
         "@Ann O'Neil", "x", "ref")
"""The cover values `_return_with` gives, as their text, in `COVER_COLUMNS` order: the
partnership id and signer are ones a spreadsheet would run if they were not neutralised."""


def _reference_csv(rows: list[DataRow]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*DATA_COLUMNS, *COVER_COLUMNS])
    for row in rows:
        cells = []
        for name in DATA_COLUMNS:
            value = getattr(row, name)
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, int | Decimal | date):
                cells.append(str(value))
            else:
                cells.append(safe_text(value))
        writer.writerow([*cells, COVER[0], *map(safe_text, COVER[1:])])
    return out.getvalue()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_csv_from_the_frame_equals_the_row_by_row_csv(rows: list[DataRow],
                                                      tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    write_csv(_return_with(rows), path)
    text = path.read_bytes().decode("utf-8-sig")
    reader = list(csv.reader(io.StringIO(text, newline="")))
    assert reader == list(csv.reader(io.StringIO(_reference_csv(rows), newline="")))
    back, covers = read_csv_return(path)
    assert [r.amount for r in back] == [r.amount for r in rows]
    if rows:  # the cover comes back as written, neutralising undone
        assert [tuple(c.values()) for c in covers] == [COVER]
        assert cover_of(covers)[0] == cover_fields(_return_with(rows))


def _return_with(rows: list[DataRow]) -> Any:
    from fundflow.returns.analysis_model import AnalysisSections
    from fundflow.returns.model import Cover, Return, SignOff

    cover = Cover(title="t", partnership="p", year="2025-26", quarter=None,
                  period_start=date(2025, 4, 1), period_end=date(2026, 3, 31),
                  basis="each", funder_id=None, generated_at=datetime(2026, 1, 2, 3, 4),
                  streams=0, submissions=0, content_hash="x", reference_hash="ref",
                  partnership_id=COVER[1],
                  sign_off=SignOff(name=COVER[7], role=COVER[6]))
    return Return(cover=cover, summary=[], basis_gaps=[], finance=[], entries=[], outputs=[],
                  analysis=AnalysisSections(source="placeholder", note="", ring_fencing=[],
                                            horizon=[]),
                  reconciliation=[], issues=[], data=rows)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_json_from_the_frame_reads_back_equal(rows: list[DataRow], tmp_path: Path) -> None:
    ret = _return_with(rows)
    text = render_json(ret)
    assert json.loads(text) == json.loads(ret.model_dump_json())
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    assert read_json(path) == ret


def _reference_xlsx(rows: list[DataRow], path: Path) -> None:
    """The Data sheet as the cell-by-cell writer (`xlsx_kit`) writes it, same columns."""
    from fundflow.returns.xlsx import _DATA_KINDS
    from fundflow.returns.xlsx_kit import Book, Col, measure

    book = Book(path, "t")
    cols = [Col(name, _DATA_KINDS.get(name, "text")) for name in (*DATA_COLUMNS, *COVER_COLUMNS)]
    cover = (int(COVER[0]), *(v or None for v in COVER[1:]))
    values = [(*(getattr(r, name) for name in DATA_COLUMNS), *cover) for r in rows]
    widths = measure(cols, values, sample=20_000, widest=60)
    cols = [Col(c.title, c.kind, wrap=c.kind == "text" and w >= 60)
            for c, w in zip(cols, widths, strict=True)]
    sheet = book.sheet("Data", header_rows=(0, 0), widths=widths)
    for i, c in enumerate(cols):
        sheet.put(i, c.title, "text", "bold")
    sheet.row += 1
    sheet.rows(cols, values)
    book.save()


def _cells(path: Path) -> list[list[tuple[Any, str]]]:
    sheet = load_workbook(path)["Data"]
    return [[(c.value, c.number_format if c.value is not None else "") for c in row]
            for row in sheet.iter_rows()]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(data_rows(), min_size=1, max_size=8), part=st.integers(1, 9))
def test_xlsx_data_sheet_equals_the_cell_by_cell_sheet(rows: list[DataRow], part: int,
                                                       tmp_path: Path) -> None:
    """Also when the rows are made into XML in parts of any size (`XML_ROWS`)."""
    from fundflow.returns.xlsx import write_xlsx

    with patch.object(xlsx_data, "XML_ROWS", part):
        write_xlsx(_return_with(rows), tmp_path / "bulk.xlsx")
    _reference_xlsx(rows, tmp_path / "cells.xlsx")
    bulk, cells = _cells(tmp_path / "bulk.xlsx"), _cells(tmp_path / "cells.xlsx")
    assert len(bulk) == len(rows) + 1
    assert bulk == cells
    for row, got in zip(rows, bulk[1:], strict=True):  # typed, not text
        assert got[DATA_COLUMNS.index("amount")][0] == float(row.amount)
        assert got[DATA_COLUMNS.index("counted")][0] is row.counted


def test_text_that_looks_like_rich_text_markup_stays_text(tmp_path: Path) -> None:
    """xlsxwriter copies `<r>...</r>` strings into the XML as markup in constant-memory mode:
    a label from a file must not close the cell and write a formula of its own."""
    from fundflow.returns.xlsx_kit import Book, Col

    attack = '<r><t>x</t></r></is></c><c r="B1"><f>HYPERLINK("http://x","y")</f></c><r></r>'
    book = Book(tmp_path / "a.xlsx", "t")
    sheet = book.sheet("S", header_rows=None, widths=[10, 10])
    sheet.rows([Col("a"), Col("b", "money")], [(attack, attack)])
    book.save()
    ws = load_workbook(tmp_path / "a.xlsx")["S"]
    assert ws["A1"].value == attack
    assert ws["B1"].value == attack


def _sheet_xml(path: Path, fast: bool, rows: list[tuple[Any, ...]]) -> bytes:
    import zipfile

    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    from fundflow.returns.xlsx_kit import Book, Col

    book = Book(path, "t")
    if not fast:
        book.wb.worksheet_class = Worksheet
    cols = [Col("a", wrap=True), Col("b", "money"), Col("c", "int"), Col("d", "date"),
            Col("e", "bool")]
    sheet = book.sheet("S", header_rows=(0, 0), widths=[10, 10, 10, 10, 10])
    sheet.header(cols)
    sheet.rows(cols, rows)
    sheet.total(cols, ["Total", Decimal("1.50"), None, None, None])
    book.save()
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_NAME, st.none() | st.decimals(-10**9, 10**9, places=2),
                               st.none() | st.integers(-10**6, 10**6),
                               st.none() | st.dates(date(1990, 1, 1), date(2090, 1, 1)),
                               st.none() | st.booleans()), max_size=6))
def test_fast_cell_writer_writes_the_bytes_xlsxwriter_writes(
        rows: list[tuple[Any, ...]], tmp_path: Path) -> None:
    assert (_sheet_xml(tmp_path / "fast.xlsx", True, rows)
            == _sheet_xml(tmp_path / "plain.xlsx", False, rows))


def _numbers_xml(path: Path, fast: bool, rows: list[list[Decimal | None]]) -> bytes:
    import zipfile

    from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

    from fundflow.returns.xlsx_kit import Book

    book = Book(path, "t")
    if not fast:
        book.wb.worksheet_class = Worksheet
    sheet = book.sheet("S", header_rows=None, widths=[10] * 6)
    for i, values in enumerate(rows):
        style = "subtotal" if i % 2 else "body"
        sheet.put(0, f"row {i}", "text", style)
        sheet.numbers(1, values, "money", style)
        sheet.row += 1
    book.save()
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml") + z.read("xl/styles.xml")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.none() | st.decimals(-10**12, 10**12, places=2),
                              min_size=1, max_size=5), max_size=6))
def test_runs_of_numbers_are_the_cells_put_would_write(
        rows: list[list[Decimal | None]], tmp_path: Path) -> None:
    """The Finance sheet's money columns, made as one run per row, are the cells (and the
    style indices) xlsxwriter writes one by one: blanks on styled rows, none on body rows."""
    assert (_numbers_xml(tmp_path / "fast.xlsx", True, rows)
            == _numbers_xml(tmp_path / "plain.xlsx", False, rows))


@settings(max_examples=30, deadline=None)
@given(values=st.tuples(_NAME, _NAME, st.integers(0, 3), _NAME, st.none() | _NAME, _NAME,
                        _NAME, _NAME, st.none() | _NAME,
                        st.decimals(-10**9, 10**9, places=2),
                        st.decimals(-10**9, 10**9, places=2)))
def test_trusted_rows_are_the_models_validation_makes(values: tuple[Any, ...]) -> None:
    """Finance rows made without validation equal the validated ones, dump and pickle alike."""
    import pickle

    import pytest

    from fundflow.returns.model import FinanceRow, trusted

    names = list(FinanceRow.model_fields)
    (made,) = trusted(FinanceRow, names, [values])
    checked = FinanceRow.model_validate(dict(zip(names, values, strict=True)))
    assert made == checked
    assert made.model_dump_json() == checked.model_dump_json()
    assert pickle.loads(pickle.dumps(made)) == checked
    with pytest.raises(ValueError, match="fields"):
        trusted(FinanceRow, names[:-1], [values[:-1]])


def test_json_written_in_parts_is_pydantics_own_json(eastfold: Path) -> None:
    """The JSON writer dumps the return a field at a time and its frame tables a chunk at a
    time (to keep the large return's memory down): every field but the Data rows (written
    one compact row a line, by design) must be exactly pydantic's own indented dump of the
    whole model, whatever the chunk size (one and two rows test the joins)."""
    from fundflow.ledger.store import open_ledger
    from fundflow.mapping.reference import bundled_reference
    from fundflow.returns import jsonout
    from fundflow.returns.build import build_return

    with open_ledger(eastfold, read_only=True) as con:
        ret = build_return(con, "2025-26", reference=bundled_reference(),
                           generated_at=datetime(2026, 1, 5, 9, 30))
    assert len(ret.finance) > 2 and len(ret.data) > 2  # the chunked tables have rows
    whole = ret.model_dump_json(indent=2)

    def without_data(text: str) -> str:
        start = text.index('\n  "data": [')
        end = text.index("\n  ]", start) if '"data": []' not in text else start
        return text[:start] + text[end:]

    texts = set()
    for chunk in (1, 2, data_table.CHUNK):
        with patch.object(jsonout, "CHUNK", chunk):
            texts.add(render_json(ret))
    assert len(texts) == 1
    text = texts.pop()
    assert json.loads(text) == json.loads(whole)
    assert without_data(text) == without_data(whole) + "\n"
