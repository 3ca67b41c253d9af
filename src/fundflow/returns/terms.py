"""The return's `stream_terms` section: the streams' terms a receiving department needs.

A department runs the partnership's own analyses (clawback exposure, eligibility breaches, cliff
edges, burden) on the collected figures; they need each stream's conditions, dates and
reporting frequency, which the figures alone do not carry. So the return states them, from the
Book's register rows. Stock figures (unspent balances) also need the spend of earlier years
that the Data sheet leaves out when its file has no money in the return's year: those counted
figures travel as `other_data`. Both are hashed into the cover (`context_hash`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from fundflow.mapping.book import Book
from fundflow.returns.model import DataRow, StreamTerms
from fundflow.returns.sections import DATA_KEYS, data_rows

_FIELDS = tuple(StreamTerms.model_fields)


def register_terms(book: Book) -> list[StreamTerms]:
    """The terms of the streams in the Book's register (one funder's only, for its report)."""
    rows = book.all_streams
    if book.funder is not None:
        rows = rows.filter(pl.col("funder_id") == book.funder)
    rows = rows.filter(pl.col("start_date").is_not_null() & pl.col("end_date").is_not_null())
    reported = _reported(book)
    out = []
    for record in rows.sort("stream_id").iter_rows(named=True):
        values: dict[str, Any] = {k: record.get(k) for k in _FIELDS if k in record}
        values["award"] = Decimal(int(record["award_pence"])).scaleb(-2)
        values["funder_name"] = record.get("funder_name") or record["funder_id"]
        values["reporting_tier"] = record.get("reporting_tier")
        values["returns_reported"], values["items_reported"] = reported.get(
            record["stream_id"], (0, 0))
        out.append(StreamTerms.model_validate(values))
    return out


def _reported(book: Book) -> dict[str, tuple[int, int]]:
    """Per stream: the returns (every current submission but registers) holding its figures
    or values, and their data items, as `analysis.burden.items_per_return` counts them."""
    if book.items.is_empty():
        return {}
    returns = book.submissions.filter(pl.col("return_type") != "register").select(
        "submission_id")
    per = (book.items.join(returns, on="submission_id", how="semi").group_by("stream_id")
           .agg(pl.col("submission_id").n_unique().alias("n"), pl.col("items").sum()))
    return {sid: (int(n), int(items)) for sid, n, items in per.iter_rows()}


def other_figures(book: Book, frame: pl.DataFrame) -> list[DataRow]:
    """Counted figures of the submissions the Data frame (`sections.data_frame`) leaves out."""
    live = frame.select("submission_id").unique()
    rows = book.finance.join(live, on="submission_id", how="anti").filter(pl.col("on_basis"))
    grouped = rows.group_by(DATA_KEYS).agg(amount_pence=pl.col("amount_pence").sum())
    # Every key sorts, not just the leading ones: rows differing only in a later key (say
    # `funder_category`) would otherwise come in group_by's order, which varies between runs,
    # and the cover's context hash with it.
    return list(data_rows(book, grouped.sort(OTHER_ORDER, nulls_last=True)))


OTHER_ORDER = ["submission_id", "stream_id", "month", "measure", "state", "basis", "subjective"]
OTHER_ORDER += [key for key in DATA_KEYS if key not in OTHER_ORDER]
