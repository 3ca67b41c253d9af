"""A wide table's ledger rows, to the penny and the cell, against a model written in plain Python.

Extraction of wide tables is tuned for speed (amounts cast straight to pence when their text is
plain, header groups gathered by position, whole-table copies skipped when nothing is dropped),
so this holds what is stored to what a finance officer reading the sheet would write down:
one entry per non-blank amount cell, column after column and row after row within a column,
numbered from 1, with its cell, its text as read, its period and exact pounds; a missing marker
gives nothing; a rejected amount fails the file with an issue at its cell.
"""

from __future__ import annotations

import calendar
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ingest.grid import column_letters
from fundflow.ingest.importer import import_files
from fundflow.ingest.specs.registry import load_adapters

MONTHS = ["Apr-25", "May-25", "Jun-25", "Jan-26"]
STATES = {"Actual": ("actual", "spend"), "Forecast": ("forecast", "forecast")}
WHITESPACE = ["", " ", "  ", "\t", "\u00a0", " \u2009"]
# Texts the grammar reads that a plain Decimal cast does not: (text, pence).
TYPED = [("£1,234.50", 123450), ("(5.00)", -500), ("1,000", 100000), ("12.50-", -1250),
         (" 7 ", 700), ("GBP 3", 300), ("-£2.5", -250), (".5", 50), ("12.", 1200)]
MARKERS = ["n/a", "N/A", "-", "nil", " n/a "]
REJECTED = [("lots", "money-invalid"), ("1.234", "money-too-precise"),
            ("1e3", "money-invalid"), ("99999999999999999999", "money-too-large")]

# Up to 14 digits of pounds: 240 of them still total under the ledger's limit (the plain
# texts' own 16-digit edge is `tests/test_money.py`'s).
PLAIN = st.decimals(min_value=Decimal(-(10**14) + 1), max_value=Decimal(10**14 - 1),
                    places=2, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}")
WHOLE = st.integers(-(10**14) + 1, 10**14 - 1).map(str)
AMOUNT = st.one_of(
    PLAIN, PLAIN, WHOLE,
    st.sampled_from(WHITESPACE),
    st.sampled_from([t for t, _ in TYPED]),
    st.sampled_from(MARKERS),
)


@pytest.fixture(scope="module")
def adapters():  # type: ignore[no-untyped-def]
    return load_adapters()[0]


def _pence(text: str) -> int | None:
    """The model's reading of one amount: pence, or None for no entry (blank or a marker)."""
    stripped = text.strip(" \t\u00a0\u2009")
    if stripped == "" or stripped.casefold() in {m.strip().casefold() for m in MARKERS}:
        return None
    typed = dict(TYPED)
    if text in typed:
        return typed[text]
    pence = Decimal(stripped) * 100
    assert pence == pence.to_integral()
    return int(pence)


def _month_bounds(label: str) -> tuple[date, date]:
    month = list(calendar.month_abbr).index(label[:3])
    year = 2000 + int(label[4:])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _write(path: Path, headers: list[str], rows: list[tuple[str, str, str, list[str]]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Stream ID", "Category", "Cap/Rev", *headers])
        for stream, category, cap_rev, amounts in rows:
            out.writerow([stream, category, cap_rev, *amounts])


def _expected(headers: list[str], rows: list[tuple[str, str, str, list[str]]], sheet: str
              ) -> list[tuple[Any, ...]]:
    """Column-major, as the table is read: every column's cells from the top."""
    entries = []
    for j, header in enumerate(headers):
        month, state_word = header.split(" ")
        state, measure = STATES[state_word]
        start, end = _month_bounds(month)
        for i, (stream, category, cap_rev, amounts) in enumerate(rows):
            pence = _pence(amounts[j])
            if pence is None:
                continue
            cell = f"{column_letters(3 + j)}{i + 2}"
            entries.append((len(entries) + 1, sheet, cell, stream, "F-SYN", month, start, end,
                            measure, state, cap_rev, category, amounts[j], "GBP",
                            Decimal(pence).scaleb(-2)))
    return entries


STORED = ("row_no, source_sheet, source_cell, stream_id, funder_id, period_label, period_start, "
          "period_end, measure, state, cap_rev, funder_category, amount_raw, unit, amount_gbp")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([f"{m} {s}" for m in MONTHS for s in STATES]),
                min_size=1, max_size=6, unique=True),
       st.data())
def test_wide_entries_are_the_cells_as_a_person_reads_them(
    tmp_path_factory: pytest.TempPathFactory, adapters, headers: list[str],  # type: ignore[no-untyped-def]
    data: st.DataObject,
) -> None:
    row = st.tuples(st.sampled_from(["S-1", "S-2", "S-3"]),
                    st.sampled_from(["Staff salaries", "Travel", "Other"]),
                    st.sampled_from(["revenue", "capital"]),
                    st.lists(AMOUNT, min_size=len(headers), max_size=len(headers)))
    rows = data.draw(st.lists(row, min_size=1, max_size=40))
    folder = tmp_path_factory.mktemp("wide")
    path = folder / "synthetic_wide_model.csv"
    _write(path, headers, rows)
    ledger = folder / "l.duckdb"
    [result] = import_files([path], ledger, adapters)
    want = _expected(headers, rows, path.stem)
    assert result.status == ("added" if want else result.status), result.issues[:3]
    assert not [i for i in result.issues if i.severity.value == "error"]
    with duckdb.connect(str(ledger), read_only=True) as con:
        got = con.execute(f"SELECT {STORED} FROM finance_entry ORDER BY row_no").fetchall()
    assert got == want


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(AMOUNT, st.sampled_from([t for t, _ in REJECTED])),
                         min_size=2, max_size=2), min_size=1, max_size=30))
def test_each_rejected_amount_is_one_issue_at_its_cell(
    tmp_path_factory: pytest.TempPathFactory, adapters, amounts: list[list[str]],  # type: ignore[no-untyped-def]
) -> None:
    headers = ["Apr-25 Actual", "Apr-25 Forecast"]
    rows = [("S-1", "Travel", "revenue", a) for a in amounts]
    folder = tmp_path_factory.mktemp("wide")
    path = folder / "synthetic_wide_rejects.csv"
    _write(path, headers, rows)
    [result] = import_files([path], folder / "l.duckdb", adapters, dry_run=True)
    codes = dict(REJECTED)
    want = [(codes[a[j]], f"{column_letters(3 + j)}{i + 2}")
            for j in range(2) for i, a in enumerate(amounts) if a[j] in codes]
    got = [(i.code, i.cell) for i in result.issues if i.severity.value == "error"]
    assert got == want


def test_non_blank_is_what_strip_chars_would_keep() -> None:
    """Blank cells are found with `contains(r"\\S")` instead of stripping every text; the two
    agree on every code point, since both follow Unicode's White_Space."""
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    s = pl.Series([*points, *(f" {p} " for p in points[:0x3100]), None], dtype=pl.String)
    stripped = s.str.strip_chars().fill_null("") != ""
    assert (s.str.contains(r"\S").fill_null(False) == stripped).all()
