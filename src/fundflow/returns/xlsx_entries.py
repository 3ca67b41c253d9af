"""The workbook's Transactions sheet: the entry list in plain words, its rows made in bulk.

The 8-stream return of 1M entries shows 10,000 of them; written cell by cell through
`xlsx_kit.Sheet.rows` they were about 80% of its xlsx write (issue 10). The return's frame of
them (`entry_table`) is made a frame of the columns the sheet shows (names beside codes, each
worked out once per distinct value) and its rows are written by `xlsx_data`, the Data sheet's
bulk writer: the same bytes as cell by cell, but for money written exact
(`tests/test_xlsx_entries.py`).
"""

from __future__ import annotations

import polars as pl

from fundflow.money import pence_to_decimal_series
from fundflow.returns.data_table import mapped_text
from fundflow.returns.labels import cap_rev_name, category_name, measure_name
from fundflow.returns.model import Return
from fundflow.returns.xlsx_data import BulkSheet, sample_rows
from fundflow.returns.xlsx_kit import Book, Col, _fmt_kind, measure

COLUMNS = [Col("Stream"), Col("Date", "date", 11), Col("Period", wrap=True),
           Col("Description", wrap=True), Col("Funder category", wrap=True),
           Col("Category", wrap=True), Col("Capital or revenue", wrap=True),
           Col("Measure, state and basis", wrap=True),
           Col("Source file and cell", width=40, wrap=True), Col("Amount", "money", 14)]
_SAMPLE = 300
"""Rows measured for the columns' widths (evenly spread, and the last), as `measure` does."""


def write_entries(book: Book, ret: Return) -> None:
    """The transaction list: names beside codes, the source file's name (not its submission
    id) with the sheet and cell. The rows are made into XML when the workbook is saved."""
    frame = shown_entries(ret)
    cols = COLUMNS
    widths = measure(cols, sample_rows(frame, _SAMPLE), sample=_SAMPLE + 1, widest=30)
    note = "Each entry as imported, with the sheet and cell it came from."
    if ret.entries_total > frame.height:
        note += (f" The first {frame.height:,} of {ret.entries_total:,} entries are shown; all "
                 "of them are in the Finance and Data totals and in "
                 "`fundflow export --parquet`.")
    sheet = book.sheet("Transactions", header_rows=(3, 3), widths=widths,
                       worksheet_class=BulkSheet)
    sheet.heading("Transaction list (Tier 3 streams)", note)
    sheet.header(cols)
    ws = sheet.ws
    assert isinstance(ws, BulkSheet)
    formats = [book.fmt("wrap" if c.wrap else "body", _fmt_kind(c.kind)) for c in cols]
    ws.add_rows(frame, cols, formats, sheet.row, widths)
    sheet.row += frame.height


def shown_entries(ret: Return) -> pl.DataFrame:
    """The entries as the sheet shows them, one column per `COLUMNS` entry, read from the
    return's frame of them (`EntryTable`: no models are made); money exact, as Decimal."""
    files = {r.submission_id: r.file for r in ret.reconciliation}
    pence = ret.entries.frame.get_column("amount")
    entries = ret.entries.frame.with_columns(pence_to_decimal_series(pence))
    where = pl.concat_str([_present("sheet"), _present("cell")], separator="!",
                          ignore_nulls=True)
    file = pl.col("source").replace(files)
    return entries.select(
        pl.col("stream_id").alias("Stream"),
        pl.col("date").alias("Date"),
        pl.col("period_label").alias("Period"),
        pl.col("description").alias("Description"),
        pl.col("funder_category").alias("Funder category"),
        mapped_text(entries, "category", lambda c: f"{c} {category_name(c)}".strip(), None)
        .alias("Category"),
        mapped_text(entries, "cap_rev", cap_rev_name, cap_rev_name(None))
        .alias("Capital or revenue"),
        pl.concat_str([mapped_text(entries, "measure", measure_name, None), pl.col("state"),
                       pl.col("basis")], separator=", ").alias("Measure, state and basis"),
        pl.when(where != "").then(pl.concat_str([file, where], separator=", "))
        .otherwise(file).alias("Source file and cell"),
        pl.col("amount").alias("Amount"),
    )


def _present(column: str) -> pl.Expr:
    """A text column's value, null when it is empty (the source's sheet or cell)."""
    return pl.when(pl.col(column) != "").then(pl.col(column))
