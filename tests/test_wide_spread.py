"""A wide table's repeated columns interpreted once per row or column give what interpreting
every record does.

An unpivoted wide table repeats each row label once per period column and each header group
once per row; extraction interprets the rows' and columns' texts and gathers the results
(`interpret(..., spread_from=...)`). These tests hold that path to the one it replaced, which
interpreted every record's text: the same values, rejections, lookup misses, blanks and texts
per record, and end to end the same records, cells and issues on generated wide tables.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.ingest.grid import Sheet, Workbook
from fundflow.ingest.specs import extract
from fundflow.ingest.specs.extract import FileContext, extract_tables
from fundflow.ingest.specs.interpret import Interpreted, interpret
from fundflow.ingest.specs.spec import AdapterSpec, Source
from tests.test_interpret import BOOK, SOURCES, TEXTS


def _parts(read: Interpreted) -> list[list[object]]:
    return [s.to_list() for s in (read.values, read.reasons, read.missed, read.blank,
                                  read.text)]


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=400), st.data(), st.sampled_from(SOURCES))
def test_gathered_from_a_base_equals_each_record(
    base: list[str | None], data: st.DataObject, src: Source
) -> None:
    codes = data.draw(st.lists(st.integers(0, len(base) - 1), max_size=900))
    base_s = pl.Series("b", base, dtype=pl.String)
    codes_s = pl.Series("i", codes, dtype=pl.UInt32)
    raw = base_s.gather(codes_s).rename("f")
    spread = interpret(src, raw, BOOK, spread_from=(base_s, codes_s))
    assert _parts(spread) == _parts(interpret(src, raw, BOOK))
    assert spread.values.name == raw.name


LABELS = st.sampled_from(["S-1", "S-2", " S-3 ", "", None, "S-1"])
CATEGORIES = st.sampled_from(["staff", "Travel", "other", "", None, "n/a"])
HEADERS = st.sampled_from(["2025-04 A", "2025-05 A", "2025-04 F", "2025-13 A", "2025-06 Q",
                           "Notes"])
AMOUNTS = st.sampled_from(["1.00", "-2.50", "£3", "", None, "n/a", "lots", "0", "1e3",
                           "12345678.99"])


def _spec() -> AdapterSpec:
    return AdapterSpec.model_validate({
        "id": "t", "version": "1", "name": "t", "funder": "F-T", "return_type": "finance",
        "match": {},
        "tables": [{
            "name": "months", "kind": "finance", "header": {"row": 1}, "shape": "wide",
            "wide": {"pattern": r"^(?P<month>\d{4}-\d{2}) (?P<state>\w)$"},
            "unique": ["stream_id", "period", "measure"],
            "fields": {
                "stream_id": {"column": "Stream"},
                "category": {"column": "Category", "lookup": {"staff": "Staff",
                                                              "travel": "Travel"}},
                "period": {"header": "month"},
                "measure": {"header": "state", "lookup": {"A": "spend", "F": "forecast"}},
                "amount": {"header": "value", "parser": "gbp_amount"},
            },
        }],
    })


def _book(headers: list[str], rows: list[tuple[Any, ...]]) -> Workbook:
    cells = {"c0": ["Stream", *(r[0] for r in rows)],
             "c1": ["Category", *(r[1] for r in rows)],
             **{f"c{i + 2}": [h, *(r[2][i] for r in rows)] for i, h in enumerate(headers)}}
    frame = pl.DataFrame(cells, schema=dict.fromkeys(cells, pl.String))
    return Workbook("t.xlsx", "0", "xlsx", [Sheet("Data", frame)])


def _extracted(book: Workbook) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    ctx = FileContext(book, "t.xlsx", _spec())
    records = [row for part in extract_tables(ctx)
               for row in part.frame.select(sorted(part.frame.columns)).rows()]
    issues = [(i.code, i.severity.value, i.sheet, i.cell, i.value, i.message)
              for i in ctx.issues]
    return records, issues


@settings(max_examples=30, deadline=None)
@given(st.lists(HEADERS, min_size=1, max_size=5), st.data(),
       st.sampled_from([3, 40, extract.CHUNK_RECORDS]))
def test_wide_tables_extract_as_record_by_record(
    headers: list[str], data: st.DataObject, chunk: int
) -> None:
    row = st.tuples(LABELS, CATEGORIES, st.lists(AMOUNTS, min_size=len(headers),
                                                  max_size=len(headers)))
    rows = data.draw(st.lists(row, max_size=120))
    book = _book(headers, rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extract, "CHUNK_RECORDS", chunk)
        new = _extracted(book)
        # The path this replaced: every record's text interpreted as it is.
        mp.setattr(extract, "interpret",
                   lambda src, raw, workbook, spread_from=None: interpret(src, raw, workbook))
        old = _extracted(book)
    assert new == old
