"""What is in a ledger: the figures `fundflow ledger summary` shows.

Only current submissions count towards totals, and of those only the figures the counting rule
keeps (the Book's, so the totals agree with every return); superseded submissions are counted
separately so an officer can see that history is kept. Money stays Decimal; amounts of
different measures, states and bases are never added together.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import BaseModel

from fundflow.ledger import read as ledger_read
from fundflow.ledger.read import Connection
from fundflow.mapping.book import Book, build_book
from fundflow.mapping.reference import Reference
from fundflow.money import pence_to_decimal
from fundflow.returns.scope import Period, parse_period


class MeasureTotal(BaseModel):
    """The counted total of one funder's entries for one measure, state and basis."""

    funder_id: str
    measure: str
    state: str
    basis: str
    entries: int
    amount: Decimal


class LedgerSummary(BaseModel):
    """Counts and totals of a ledger's current contents."""

    funders: int
    streams: int
    submissions_current: int
    submissions_superseded: int
    finance_entries: int
    indicator_values: int
    issues: int
    totals: list[MeasureTotal]


def summarise(con: Connection, reference: Reference) -> LedgerSummary:
    """Count what the ledger holds and total its counted money by funder, measure, state and
    basis: the figures the counting rule keeps (docs/ledger.md), so a quarter restated by a
    later return, or one stream's spend in two templates, is totalled once, as in a return.
    `reference` is loaded once by the caller (`bundled_reference(schemas)`)."""
    n = ledger_read.counts(con)
    book = build_book(con, reference, ledger_period(con, reference))
    return LedgerSummary(
        funders=n["funders"], streams=n["streams"],
        submissions_current=n["submissions_current"],
        submissions_superseded=n["submissions_all"] - n["submissions_current"],
        finance_entries=n["finance_entries"], indicator_values=n["indicator_values"],
        issues=n["issues"], totals=totals(book),
    )


def totals(book: Book) -> list[MeasureTotal]:
    """Counted money by funder, measure, state and basis, over the ledger's whole life."""
    keys = ["funder_id", "measure", "state", "basis"]
    counted = book.finance.filter(pl.col("counted")).group_by(
        *keys, "submission_id", "row_no").agg(pl.col("entries").first(),
                                              pl.col("amount_pence").sum())
    grouped = counted.group_by(keys).agg(
        entries=pl.col("entries").sum(), pence=pl.col("amount_pence").sum()).sort(keys)
    return [MeasureTotal(funder_id=f, measure=m, state=s, basis=b, entries=n,
                         amount=pence_to_decimal(p))
            for f, m, s, b, n, p in grouped.iter_rows()]


def ledger_period(con: Connection, reference: Reference) -> Period:
    """A period for a Book over the whole ledger: totals here are lifetime, so any year will
    do; the one holding the latest reported month keeps it tied to the data, not the clock."""
    last = ledger_read.latest_period_end(con)
    start_month = reference.calendars.get(reference.calendars.report)
    month = start_month.start_month if start_month and start_month.start_month else 4
    first = last.year if last.month >= month else last.year - 1
    return parse_period(f"{first}-{(first + 1) % 100:02d}", None, month)
