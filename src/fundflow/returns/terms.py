"""The return's `stream_terms` section: the streams' terms a receiving department needs.

A department runs the partnership's own analyses (clawback exposure, eligibility breaches, cliff
edges, burden) on the collected figures; they need each stream's conditions, dates and
reporting frequency, which the figures alone do not carry. So the return states them, from the
Book's register rows, and hashes them into the cover (`terms_hash`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from fundflow.book import Book
from fundflow.returns.model import StreamTerms

_FIELDS = tuple(StreamTerms.model_fields)


def register_terms(book: Book) -> list[StreamTerms]:
    """The terms of the streams in the Book's register (one funder's only, for its report)."""
    rows = book.all_streams
    if book.funder is not None:
        rows = rows.filter(pl.col("funder_id") == book.funder)
    rows = rows.filter(pl.col("start_date").is_not_null() & pl.col("end_date").is_not_null())
    out = []
    for record in rows.sort("stream_id").iter_rows(named=True):
        values: dict[str, Any] = {k: record.get(k) for k in _FIELDS if k in record}
        values["award"] = Decimal(int(record["award_pence"])).scaleb(-2)
        values["funder_name"] = record.get("funder_name") or record["funder_id"]
        values["reporting_tier"] = record.get("reporting_tier")
        out.append(StreamTerms.model_validate(values))
    return out
