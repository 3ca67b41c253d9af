"""Outputs and outcomes by canonical indicator, combined as each indicator's definition says.

Three steps, each a rule a finance officer can check against the files:

1. Restatements: per stream, funder indicator, target-or-actual and period, only the latest
   submission's values count (the one reporting furthest, then imported last), as for money.
2. Activities: several values for one period in that submission are different activities or
   projects, so they add up (a rate, `aggregation: mean` or a `%` unit, is averaged; `max`
   takes the largest). An indicator no crosswalk maps cannot be combined safely: it keeps one
   row per activity (its source cell), so nothing collapses.
3. Periods: the period figures of a quarter or year combine by `aggregation` in
   `schemas/indicators.yaml`: `sum` adds them, `mean` averages, `max` takes the largest, and
   `latest` (a stock) or a cumulative figure takes the latest period's.

Values are Decimal from the ledger's text, so nothing is rounded on the way (a mean is rounded
to six places, half-even).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import polars as pl

from fundflow.mapping.book import Book
from fundflow.mapping.canonical import submission_order
from fundflow.mapping.reference import UNMAPPED
from fundflow.returns.model import OutputRow

_KEY = ("funder_id", "stream_id", "year", "quarter", "indicator_id", "label", "value_type",
        "activity")
_PLACES = Decimal("0.000001")


def output_rows(scope: Book) -> list[OutputRow]:
    """The year's indicator values per stream at its tier (quarters from Tier 2)."""
    values = _latest_submissions(scope.indicators)
    if values.height == 0:
        return []
    last = pl.coalesce("period_end", "period_start")
    values = values.join(scope.streams.select("stream_id", "tier"), on="stream_id", how="left",
                         maintain_order="left").with_columns(pl.col("tier").fill_null(3))
    unmapped = pl.col("indicator_id") == UNMAPPED
    values = values.filter(
        (pl.col("year") == scope.period.year)
        & ((pl.col("value_type") != "actual") | (last <= scope.period.end))
    ).with_columns(
        quarter=pl.when(pl.col("tier") >= 2).then("quarter"),
        label=pl.when(unmapped).then("funder_indicator").otherwise("indicator_id"),
        activity=pl.when(unmapped).then(pl.concat_str(
            pl.col("source_sheet").fill_null(""), pl.lit("!"),
            pl.col("source_cell").fill_null(""))),
        _last=last,
    ).sort("_last", "imported_at", "submission_id", "row_no", nulls_last=False)
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in values.iter_rows(named=True):
        groups.setdefault(tuple(row[k] for k in _KEY), []).append(row)
    names = {i.id: i.name for i in scope.reference.indicators.indicators}
    out = [_combine(key, rows, names) for key, rows in groups.items()]
    return sorted(out, key=lambda r: (r.funder_id, r.stream_id, r.indicator_id,
                                      r.indicator_name, r.value_type, r.quarter or ""))


def _latest_submissions(values: pl.DataFrame) -> pl.DataFrame:
    """Step 1: per stream, funder indicator, value type and period, the latest submission's."""
    if values.height == 0:
        return values
    order = submission_order(values, state="value_type")
    ranked = values.join(order, on="submission_id", how="left", maintain_order="left")
    keys = ["stream_id", "funder_indicator", "value_type", "period_start", "period_end"]
    latest = pl.col("_rank").max().over(keys)
    return ranked.filter(pl.col("_rank") == latest).drop("_rank")


def _combine(key: tuple[Any, ...], rows: list[dict[str, Any]],
             names: dict[str, str]) -> OutputRow:
    """Steps 2 and 3 for one output row; rows come oldest period first."""
    funder, stream, year, quarter, indicator, label, value_type, activity = key
    how = _how(rows[-1])
    periods: dict[tuple[Any, Any], list[Decimal]] = {}
    for r in rows:
        periods.setdefault((r["period_start"], r["period_end"]), []).append(Decimal(r["value"]))
    per_period = [_across_activities(v, how, rows[-1]["unit"]) for v in periods.values()]
    value = _across_periods(per_period, how)
    name = names.get(indicator, label)
    return OutputRow(
        funder_id=funder, stream_id=stream, year=year, quarter=quarter, indicator_id=indicator,
        indicator_name=f"{name} ({activity})" if activity else name, unit=rows[-1]["unit"],
        value_type=value_type, value=value, combined_by=how,
    )


def _how(row: dict[str, Any]) -> str:
    """How periods combine: the indicator's aggregation; a cumulative figure takes the latest."""
    if row["is_cumulative"]:
        return "latest"
    return str(row["aggregation"]) if row["aggregation"] in ("sum", "max", "mean") else "latest"


def _across_activities(values: Sequence[Decimal], how: str, unit: str | None) -> Decimal:
    if how == "mean" or (unit or "").strip() == "%":
        return _mean(values)
    return max(values) if how == "max" else sum(values, Decimal(0))


def _across_periods(values: Sequence[Decimal], how: str) -> Decimal:
    if how == "sum":
        return sum(values, Decimal(0))
    if how == "mean":
        return _mean(values)
    return max(values) if how == "max" else values[-1]


def _mean(values: Sequence[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(_PLACES, rounding=ROUND_HALF_EVEN)
