"""Outputs and outcomes by canonical indicator, combined the way each indicator allows.

Counts for separate periods add up; a figure reported to date (cumulative, or an indicator whose
`aggregation` is latest, mean or none) never does: the latest value in the period is taken.
Values are Decimal from the ledger's text, so nothing is rounded on the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import polars as pl

from fundflow.book import Book
from fundflow.reference import UNMAPPED
from fundflow.returns.model import OutputRow

_KEY = ("funder_id", "stream_id", "year", "quarter", "indicator_id", "label", "value_type")


def output_rows(scope: Book) -> list[OutputRow]:
    """The year's indicator values per stream at its tier (quarters from Tier 2)."""
    values = scope.indicators
    if values.height == 0:
        return []
    last = pl.coalesce("period_end", "period_start")
    values = values.join(scope.streams.select("stream_id", "tier"), on="stream_id", how="left",
                         maintain_order="left").with_columns(pl.col("tier").fill_null(3))
    values = values.filter(
        (pl.col("year") == scope.period.year)
        & ((pl.col("value_type") != "actual") | (last <= scope.period.end))
    ).with_columns(
        quarter=pl.when(pl.col("tier") >= 2).then("quarter"),
        label=pl.when(pl.col("indicator_id") == UNMAPPED).then("funder_indicator")
        .otherwise("indicator_id"),
        _last=last,
    ).sort("_last", "imported_at", "submission_id", "row_no", nulls_last=False)
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in values.iter_rows(named=True):
        groups.setdefault(tuple(row[k] for k in _KEY), []).append(row)
    names = {i.id: i.name for i in scope.reference.indicators.indicators}
    out = [_combine(key, rows, names) for key, rows in groups.items()]
    return sorted(out, key=lambda r: (r.funder_id, r.stream_id, r.indicator_id,
                                      r.indicator_name, r.value_type, r.quarter or ""))


def _combine(key: tuple[Any, ...], rows: list[dict[str, Any]],
             names: dict[str, str]) -> OutputRow:
    """Rows come oldest first, so the last one is the latest report."""
    funder, stream, year, quarter, indicator, label, value_type = key
    first = rows[-1]
    how = _how(first)
    values = [Decimal(r["value"]) for r in rows]
    value = {"sum": _sum(values), "max": max(values)}.get(how, values[-1])
    return OutputRow(
        funder_id=funder, stream_id=stream, year=year, quarter=quarter, indicator_id=indicator,
        indicator_name=names.get(indicator, label), unit=first["unit"], value_type=value_type,
        value=value, combined_by=how,
    )


def _how(row: dict[str, Any]) -> str:
    if row["is_cumulative"]:
        return "latest"
    return row["aggregation"] if row["aggregation"] in ("sum", "max") else "latest"


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))
