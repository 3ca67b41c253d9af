"""Ledger entries onto the canonical schema: the frames every return and report is built from.

A funder reports money under its own labels, for its own periods, on its own basis. A return
needs canonical categories, UK financial years and quarters, and one basis at a time. This stage
does that translation and nothing else, conserving every penny:

* categories map by the funder's crosswalk in force on the period's start, split by share with
  largest-remainder rounding (`apportion.map_entries`); a label no crosswalk maps stays under
  `UNMAPPED` with a `category-unmapped` issue, so money is never dropped;
* periods are apportioned to calendar months by days (`apportion.apportion_frame`), then labelled
  with the report calendar's year and quarter; open periods ("Beyond 25/26") keep a null month;
* measure, state and basis are kept as columns, never merged: a return groups by them, so
  defrayed, accrued, committed and claimed amounts are never summed together;
* `counted` marks the figures a return should total. When two current submissions report the
  same stream, measure, state, basis and month (a later quarter restating an earlier one, or a
  rolling forecast), only the later submission's figures count; the earlier ones stay in the
  frame so each submission still reconciles to its control total.

Pure frame-in, frame-out functions, plus `load_*` readers that only run SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import polars as pl

from fundflow.apportion import apportion_frame, map_entries
from fundflow.issues import Issue, make_issue
from fundflow.periods import fy_label_expr, quarter_label_expr
from fundflow.reference import UNMAPPED, Crosswalk, IndicatorSet, crosswalk_on, normalise_label

# Finance entries in pence (DECIMAL(18,2) widened first: x100 overflows DECIMAL(18)).
_FINANCE_SQL = """
SELECT f.submission_id, f.row_no, f.stream_id, f.funder_id, f.period_label,
       f.period_start, f.period_end, f.measure, f.state,
       coalesce(f.basis, s.accounting_basis, 'unknown') AS basis,
       f.cap_rev, f.funder_category, f.subjective AS stated_subjective, f.objective,
       coalesce(f.funding_source, 'funder') AS funding_source, f.project, f.description,
       f.txn_date, f.source_sheet, f.source_cell,
       CAST(CAST(f.amount_gbp AS DECIMAL(38,2)) * 100 AS BIGINT) AS amount_pence,
       c.imported_at
FROM current_finance f
JOIN current_submission c USING (submission_id)
LEFT JOIN ({streams}) s USING (stream_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR f.funder_id = ?)
ORDER BY f.submission_id, f.row_no
"""

STREAMS_SQL = """
SELECT * EXCLUDE (rank) FROM (
    SELECT t.*, row_number() OVER (
        PARTITION BY t.stream_id ORDER BY c.imported_at DESC, t.submission_id DESC) AS rank
    FROM current_stream t JOIN current_submission c USING (submission_id)
) WHERE rank = 1
"""
"""One row per stream: the most recently imported register's statement of it."""

_INDICATOR_SQL = """
SELECT i.submission_id, i.row_no, i.stream_id, i.funder_id, i.funder_indicator,
       i.period_label, i.period_start, i.period_end, i.value_type,
       CAST(i.value AS VARCHAR) AS value, i.unit, i.cumulative, c.imported_at
FROM current_indicator i JOIN current_submission c USING (submission_id)
WHERE (CAST(? AS VARCHAR) IS NULL OR i.funder_id = ?)
ORDER BY i.submission_id, i.row_no
"""

UNCATEGORISED = "UNCATEGORISED"
"""Category of money that is not spending (receipts, awards, claims) when no label is given."""
CATEGORISED_MEASURES = ("spend", "forecast", "committed", "budget", "match")
"""Measures whose amounts are spending and so should carry a category."""

_COUNT_KEYS = ("stream_id", "measure", "state", "basis", "month")


def load_finance(con: Any, *, funder: str | None = None) -> pl.DataFrame:
    """Current finance entries (superseded submissions left out), money as Int64 pence."""
    frame = query_frame(con, _FINANCE_SQL.format(streams=STREAMS_SQL), [funder, funder])
    return frame.with_columns(pl.col("amount_pence").cast(pl.Int64))


def load_indicators(con: Any, *, funder: str | None = None) -> pl.DataFrame:
    """Current indicator values; `value` stays text so Decimal precision survives the trip."""
    return query_frame(con, _INDICATOR_SQL, [funder, funder])


def query_frame(con: Any, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """A query's rows as a polars frame, on a cursor of its own.

    DuckDB 2 refuses relation queries while an earlier `execute` result on the same connection
    is unfinished (the ledger's `fetchone` checks leave one), so reads use a fresh cursor.
    """
    cursor = con.cursor()
    try:
        frame: pl.DataFrame = cursor.sql(sql, params=params or []).pl()
        return frame
    finally:
        cursor.close()


def map_finance(
    entries: pl.DataFrame, crosswalks: Iterable[Crosswalk], *, start_month: int = 4
) -> tuple[pl.DataFrame, list[Issue]]:
    """Map categories, apportion to months, label years and quarters, mark counted figures.

    `entries` is `load_finance`'s frame. Entries whose file already names a canonical subjective
    category and no funder label keep it; unlabelled receipts, awards, claims and other money
    that is not spending get `UNCATEGORISED` (no issue: they have no category to map); all
    others go through the crosswalk. Returns one row
    per (entry, target, month) with `subjective`, `subjective_l1`, `month`, `year`, `quarter`,
    `apportioned`, `crosswalk_version` and `counted`; the pence of each entry's rows add up to
    its amount exactly.
    """
    if entries.height == 0:
        return _empty_mapped(entries), []
    no_label = pl.col("funder_category").is_null()
    stated = no_label & (pl.col("stated_subjective").is_not_null()
                         | ~pl.col("measure").is_in(CATEGORISED_MEASURES))
    direct = entries.filter(stated).with_columns(
        subjective=pl.coalesce("stated_subjective", pl.lit(UNCATEGORISED)),
        crosswalk_version=pl.lit(None, pl.Int64))
    mapped, issues = map_entries(entries.filter(~stated), crosswalks)
    frame = pl.concat([mapped, direct.select(mapped.columns)], how="vertical_relaxed")
    frame, period_issues = apportion_frame(frame)
    frame = _label_periods(frame, start_month)
    return mark_counted(frame), issues + period_issues


def _label_periods(frame: pl.DataFrame, start_month: int) -> pl.DataFrame:
    month = pl.col("month")
    return frame.with_columns(
        year=fy_label_expr(month, start_month),
        quarter=quarter_label_expr(month, start_month),
        subjective_l1=pl.col("subjective").str.split(".").list.first(),
    )


def mark_counted(frame: pl.DataFrame) -> pl.DataFrame:
    """Flag the rows a return totals: per stream, measure, state, basis and month, the latest
    submission's (by import time, then id) rows only."""
    order = (frame.select("imported_at", "submission_id").unique()
             .sort("imported_at", "submission_id").with_row_index("_rank"))
    ranked = frame.join(order, on=["imported_at", "submission_id"], how="left",
                        maintain_order="left")
    latest = pl.col("_rank").max().over(list(_COUNT_KEYS))
    return ranked.with_columns(counted=pl.col("_rank") == latest).drop("_rank")


def _empty_mapped(entries: pl.DataFrame) -> pl.DataFrame:
    extra: dict[str, pl.DataType] = {
        "subjective": pl.String(), "crosswalk_version": pl.Int64(), "month": pl.Date(),
        "apportioned": pl.Boolean(), "year": pl.String(), "quarter": pl.String(),
        "subjective_l1": pl.String(), "counted": pl.Boolean(),
    }
    return entries.with_columns([pl.lit(None, dtype=t).alias(n) for n, t in extra.items()])


def map_indicators(
    values: pl.DataFrame, crosswalks: Iterable[Crosswalk], indicators: IndicatorSet,
    *, start_month: int = 4,
) -> tuple[pl.DataFrame, list[Issue]]:
    """Funder indicators to canonical ones by the crosswalk in force on the period's start.

    Adds `indicator_id` (`UNMAPPED` when no crosswalk maps the label, with one
    `indicator-unmapped` issue per funder and label), `aggregation`, `is_cumulative` (the value's
    own flag or the canonical indicator's), `year` and `quarter` of the period's last month.
    """
    walks = list(crosswalks)
    known = {i.id: i for i in indicators.indicators}
    keys = values.select("funder_id", "funder_indicator", "period_start", "period_end").unique()
    rows, issues, missing = [], [], set()
    for funder, label, start, end in keys.iter_rows():
        target = _indicator_target(walks, funder, label, start or end)
        if target is None:
            missing.add((funder, label))
        rows.append((funder, label, start, end, target or UNMAPPED))
    for funder, label in sorted(missing):
        issues.append(make_issue("indicator-unmapped", value=label, funder=funder))
    lookup = pl.DataFrame(
        rows, orient="row",
        schema={"funder_id": pl.String, "funder_indicator": pl.String,
                "period_start": pl.Date, "period_end": pl.Date, "indicator_id": pl.String})
    meta = pl.DataFrame(
        {"indicator_id": list(known), "aggregation": [i.aggregation for i in known.values()],
         "canonical_cumulative": [i.cumulative for i in known.values()]},
        schema={"indicator_id": pl.String, "aggregation": pl.String,
                "canonical_cumulative": pl.Boolean})
    on = ["funder_id", "funder_indicator", "period_start", "period_end"]
    out = values.join(lookup, on=on, how="left", nulls_equal=True, maintain_order="left")
    out = out.join(meta, on="indicator_id", how="left", maintain_order="left")
    last = pl.coalesce("period_end", "period_start")
    out = out.with_columns(
        aggregation=pl.col("aggregation").fill_null("none"),
        is_cumulative=pl.col("cumulative") | pl.col("canonical_cumulative").fill_null(False),
        year=fy_label_expr(last, start_month), quarter=quarter_label_expr(last, start_month),
    )
    return out.drop("canonical_cumulative"), issues


def _indicator_target(
    walks: list[Crosswalk], funder: str, label: str, on: date | None
) -> str | None:
    if on is None:
        return None
    walk = crosswalk_on(walks, funder, on)
    if walk is None:
        return None
    wanted = normalise_label(label)
    return next((m.to for m in walk.indicators if normalise_label(m.label) == wanted), None)
