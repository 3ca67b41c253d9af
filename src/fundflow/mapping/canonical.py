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
* `mark_counted` is the one counting rule (docs/ledger.md): per stream, measure, state, basis
  and month, the figures of the latest current submission that covers that month count. The
  latest is the one whose actual figures reach furthest (a return for a later period), then
  the one imported last; the others stay in the frame, not counted, so each submission still
  reconciles to its control total.

Pure frame-in, frame-out functions: reading the ledger is `ledger_read`'s, and putting the
pieces together for a scope is `book.build_book`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import polars as pl

from fundflow.issues import Issue, make_issue
from fundflow.mapping.apportion import apportion_frame, map_entries
from fundflow.mapping.periods import fy_label_expr, quarter_label_expr
from fundflow.mapping.reference import (
    UNMAPPED,
    Crosswalk,
    IndicatorSet,
    crosswalk_on,
    normalise_label,
)
from fundflow.money import format_gbp

UNCATEGORISED = "UNCATEGORISED"
"""Category of money that is not spending (receipts, awards, claims) when no label is given."""
CATEGORISED_MEASURES = ("spend", "forecast", "committed", "budget", "match")
"""Measures whose amounts are spending and so should carry a category."""
SPENDING = ("spend", "forecast")
"""Measures that are spend (actual or forecast): the ones a stream's basis applies to."""

_COUNT_KEYS = ("stream_id", "measure", "state", "basis", "month")


def map_finance(
    entries: pl.DataFrame, crosswalks: Iterable[Crosswalk], *, start_month: int = 4
) -> tuple[pl.DataFrame, list[Issue]]:
    """Map categories, apportion to months, label years and quarters.

    `entries` is `ledger_read.finance_figures`'s frame. Entries whose file already names a
    canonical subjective category and no funder label keep it; unlabelled receipts, awards,
    claims and other money that is not spending get `UNCATEGORISED` (no issue: they have no
    category to map); all others go through the crosswalk. Returns one row
    per (entry, target, month) with `subjective`, `subjective_l1`, `month`, `year`, `quarter`,
    `apportioned` and `crosswalk_version`; the pence of each entry's rows add up to
    its amount exactly.
    """
    if entries.height == 0:
        return _empty_mapped(entries), []
    keys = entries.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias(_SOURCE),
                          *(c for c in _MAPPING_COLUMNS if c in entries.columns))
    no_label = pl.col("funder_category").is_null()
    stated = no_label & (pl.col("stated_subjective").is_not_null()
                         | ~pl.col("measure").is_in(CATEGORISED_MEASURES))
    direct = keys.filter(stated).with_columns(
        subjective=pl.coalesce("stated_subjective", pl.lit(UNCATEGORISED)),
        crosswalk_version=pl.lit(None, pl.Int64))
    mapped, issues = map_entries(keys.filter(~stated), crosswalks)
    frame = pl.concat([mapped, direct.select(mapped.columns)], how="vertical_relaxed")
    frame, period_issues = apportion_frame(frame)
    frame = _label_periods(frame, start_month)
    return _widen(entries, frame), issues + period_issues


_SOURCE = "_source_row"
_MAPPING_COLUMNS = ("funder_id", "funder_category", "stated_subjective", "measure",
                    "period_start", "period_end", "amount_pence", "cap_rev", "objective")
"""The columns mapping reads or rewrites. Only these go through the joins, sorts and explodes
of mapping and apportioning; each of those copies every column it carries, and with every
column of a million-entry ledger's figures they made a transient of five times the result
(420 MB to map 356,000 figures into 78 MB). The rest are gathered once at the end."""


def _widen(entries: pl.DataFrame, mapped: pl.DataFrame) -> pl.DataFrame:
    """The mapped rows with the entry columns mapping did not touch, in the entries' column
    order then the new ones: the frame mapping every column through would have made."""
    rest = [c for c in entries.columns if c not in mapped.columns]
    carried = entries.select(rest).gather(mapped[_SOURCE])
    out = pl.concat([carried, mapped.drop(_SOURCE)], how="horizontal")
    new = [c for c in mapped.columns if c not in entries.columns and c != _SOURCE]
    return out.select(*entries.columns, *new)


def _label_periods(frame: pl.DataFrame, start_month: int) -> pl.DataFrame:
    month = pl.col("month")
    return frame.with_columns(
        year=fy_label_expr(month, start_month),
        quarter=quarter_label_expr(month, start_month),
        subjective_l1=pl.col("subjective").str.split(".").list.first(),
    )


def mark_counted(frame: pl.DataFrame, order: pl.DataFrame | None = None) -> pl.DataFrame:
    """Flag the rows the totals take: per stream, measure, state, basis and month, the rows of
    the latest submission covering it.

    Latest means the submission whose actual figures reach the latest period end (a return for
    a later period restates the earlier months), then the one imported last, then the highest
    id, so the choice never depends on import order alone. Rows without a month (open periods)
    are keyed by their period start. Needs `basis`, so it runs after bases are decided.

    `order` is `submission_order` of the whole scope when `frame` holds only some of its
    streams (`book.finance_blocks`): a submission's reach is over all the streams it covers.
    """
    order = submission_order(frame) if order is None else order
    ranked = frame.join(order, on="submission_id", how="left", maintain_order="left")
    ranked = ranked.with_columns(pl.coalesce("month", "period_start").alias("_at"))
    latest = pl.col("_rank").max().over([*_COUNT_KEYS[:-1], "_at"])
    return ranked.with_columns(counted=pl.col("_rank") == latest).drop("_rank", "_at")


def submission_order(frame: pl.DataFrame, state: str = "state") -> pl.DataFrame:
    """`submission_id` and `_rank`, higher for a later submission: the one whose actual
    figures reach the latest period end, then the one imported last, then the highest id.

    The one ranking for finance figures and indicator values alike (`state` names the column
    saying actual or not: `value_type` for indicators)."""
    actual = pl.col("period_end").filter(pl.col(state) == "actual")
    return rank_submissions(frame.group_by("submission_id")
                            .agg(_reach=actual.max(), _imported=pl.col("imported_at").max()))


def rank_submissions(reach: pl.DataFrame) -> pl.DataFrame:
    """`submission_order` from each submission's `_reach` (latest actual period end) and
    `_imported` (`ledger_read.submission_reach` gives them for a whole ledger)."""
    return (reach.sort("_reach", "_imported", "submission_id", nulls_last=False)
            .with_row_index("_rank").select("submission_id", "_rank"))


_FIGURE_KEYS = ("stream_id", "measure", "state", "stated_basis", "cap_rev", "funder_category",
                "stated_subjective", "objective", "funding_source")
"""What makes two cumulative figures the same figure at two dates."""


def to_period_figures(
    figures: pl.DataFrame, file_names: Mapping[str, str], order: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, list[Issue], dict[str, int]]:
    """Turn cumulative (to-date) figures into the figures for their periods.

    A figure to date less the previous figure to date of the same stream, measure, state,
    basis and category (the latest earlier period end, as stated by the latest submission that
    states it: the one the counting rule takes) is the figure for the days in between, so it
    then counts like any period figure and a return restating to-date totals never adds twice.
    The first figure to date is kept whole for its stated period. A fall gives a negative
    figure and a `cumulative-decreased` warning naming the file and cell. `figures` is
    `ledger_read.finance_figures`'s frame; the `cumulative` column is dropped. Also gives, per
    submission, the pence of earlier figures to date taken off its own: with its period
    figures they make the file's control total, so the reconciliation still ties.
    `order` is as for `mark_counted`.
    """
    if not figures.height or not figures["cumulative"].any():
        return figures.drop("cumulative"), [], {}
    key = pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in _FIGURE_KEYS],
                        separator="\x1f")
    ranked = (figures.with_row_index("_row")
              .join(submission_order(figures) if order is None else order,
                    on="submission_id", how="left")
              .with_columns(_key=key))
    to_date = ranked.filter(pl.col("cumulative"))
    stated = (to_date.group_by("_key", "period_end", "_rank").agg(pl.col("amount_pence").sum())
              .sort("_rank").group_by("_key", "period_end")
              .agg(_previous=pl.col("amount_pence").last(), _top=pl.col("_rank").last())
              .sort("period_end"))
    joined = to_date.sort("period_end").join_asof(
        stated.select("_key", pl.col("period_end").alias("_previous_end"), "_previous"),
        left_on="period_end", right_on="_previous_end", by="_key", strategy="backward",
        allow_exact_matches=False, check_sortedness=False)  # sorted above, by key too
    joined = joined.join(stated.select("_key", "period_end", "_top"),
                         on=["_key", "period_end"], how="left")
    issues = _falls(joined.filter((pl.col("amount_pence") < pl.col("_previous"))
                                  & (pl.col("_rank") == pl.col("_top"))), file_names)
    converted = joined.with_columns(
        amount_pence=pl.col("amount_pence") - pl.col("_previous").fill_null(0),
        period_start=pl.coalesce(pl.col("_previous_end") + pl.duration(days=1), "period_start"),
    ).select(ranked.columns)
    out = pl.concat([ranked.filter(~pl.col("cumulative")), converted]).sort("_row")
    earlier = joined.group_by("submission_id").agg(pl.col("_previous").fill_null(0).sum())
    return (out.drop("_row", "_rank", "_key", "cumulative"), issues,
            {sub: int(pence) for sub, pence in earlier.iter_rows()})


def _falls(rows: pl.DataFrame, file_names: Mapping[str, str]) -> list[Issue]:
    """A `cumulative-decreased` warning for each figure to date below the one before it."""
    return [
        make_issue(
            "cumulative-decreased", file=file_names.get(row["submission_id"]),
            sheet=row["source_sheet"], cell=row["source_cell"],
            value=f"{row['measure']} to {row['period_end']:%d/%m/%Y} for {row['stream_id']}",
            previous=format_gbp(row["_previous"]), current=format_gbp(row["amount_pence"]))
        for row in rows.iter_rows(named=True)
    ]




def _empty_mapped(entries: pl.DataFrame) -> pl.DataFrame:
    extra: dict[str, pl.DataType] = {
        "subjective": pl.String(), "crosswalk_version": pl.Int64(), "month": pl.Date(),
        "apportioned": pl.Boolean(), "year": pl.String(), "quarter": pl.String(),
        "subjective_l1": pl.String(),
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
