"""Spread money over calendar months and canonical categories without losing a penny.

Two splits share one rule. A quarter's spend becomes three monthly amounts in proportion to the
days of the period in each month; a funder category mapped 80/20 becomes two canonical amounts.
Both use largest-remainder rounding in integer pence: every piece is the exact pro-rata share
rounded down, and the pennies left over go to the pieces with the largest remainders (the earliest
month or first target on a tie). So the pieces always add up to the amount, each differs from
the exact share by less than a penny, and the result is deterministic. The split is made on the
amount's magnitude and the sign put back, so a reversal (-x) splits into exactly the negated
pieces of x and cancels month by month.

The frame functions are vectorised (explode, integer arithmetic, rank within entry) because a
year of a large partnership's entries is millions of rows; they carry every other column through.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from fundflow.issues import Issue, make_issue
from fundflow.mapping.periods import month_days
from fundflow.mapping.reference import UNMAPPED, Crosswalk, Target, crosswalk_on, normalise_label
from fundflow.money import format_gbp


@dataclass(frozen=True, slots=True)
class MonthAmount:
    """One month's piece of an amount; `apportioned` when the period spans several months."""

    month: date
    amount_pence: int
    days: int
    apportioned: bool


def largest_remainder(amount: int, weights: Sequence[int]) -> list[int]:
    """Split integer `amount` in proportion to non-negative integer `weights`, exactly.

    Raises:
        ValueError: when the weights are negative or all zero (a caller's bug, not bad data).
    """
    total = sum(weights)
    if total <= 0 or min(weights) < 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {weights}")
    sign, magnitude = (-1 if amount < 0 else 1), abs(amount)
    pieces = [magnitude * w // total for w in weights]
    remainders = [magnitude * w % total for w in weights]
    left = magnitude - sum(pieces)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        pieces[i] += 1
    return [sign * piece for piece in pieces]


def apportion(amount_pence: int, start: date, end: date) -> list[MonthAmount]:
    """Apportion an amount for the period [start, end] to its calendar months by days.

    Raises:
        ValueError: when `end` is before `start`; `apportion_frame` reports that as an issue.
    """
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    months = month_days(start, end)
    pieces = largest_remainder(amount_pence, [days for _, days in months])
    several = len(months) > 1
    return [
        MonthAmount(month, piece, days, several)
        for (month, days), piece in zip(months, pieces, strict=True)
    ]


def distribute(
    frame: pl.DataFrame, *, group: str, amount: str, weight: str, order: str
) -> pl.DataFrame:
    """Vectorised `largest_remainder`: rows of one `group` share the group's `amount`.

    Rows must come sorted by `group` (ascending) and, within a group, by `order`; every row of a
    group holds the whole amount (the same value) and its own integer `weight`, and the weights
    of a group must sum to a positive number. Returns the frame in the same row order with each
    row's piece in `amount`. Integer arithmetic only: the amount is split as quotient and
    remainder of the total weight first, so nothing overflows Int64.
    """
    frame = frame.with_columns(pl.col(group).set_sorted())
    frame = frame.with_columns(_total=pl.col(weight).sum().over(group))
    total, weights, magnitude = pl.col("_total"), pl.col(weight), pl.col(amount).abs()
    frame = frame.with_columns(_quotient=magnitude // total, _rest=magnitude % total)
    frame = frame.with_columns(
        _base=pl.col("_quotient") * weights + (pl.col("_rest") * weights) // total,
        _rem=(pl.col("_rest") * weights) % total,
    ).with_columns(_left=magnitude - pl.col("_base").sum().over(group))
    bonus = _bonus(frame.select(group, order, "_rem", "_left"), group, order)
    sign = pl.when(pl.col(amount) < 0).then(-1).otherwise(1)
    return frame.with_columns(((pl.col("_base") + bonus) * sign).cast(pl.Int64).alias(amount)).drop(
        "_total", "_quotient", "_rest", "_base", "_rem", "_left"
    )


def _bonus(keys: pl.DataFrame, group: str, order: str) -> pl.Series:
    """1 for the rows that get a leftover penny: the group's `_left` largest remainders.

    Only the four key columns are sorted (not the whole frame); the winners' row numbers are
    scattered back, so the caller's rows never move.
    """
    ranked = keys.with_row_index("_row").sort(
        [group, "_rem", order], descending=[False, True, False]
    )
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    first = (pl.col(group) != pl.col(group).shift(1)).fill_null(True)
    rank = row - pl.when(first).then(row).otherwise(None).forward_fill()
    winners = ranked.filter(rank < pl.col("_left"))["_row"]
    return pl.zeros(keys.height, pl.Int64, eager=True).scatter(winners, 1)


def apportion_frame(
    entries: pl.DataFrame,
    *,
    start: str = "period_start",
    end: str = "period_end",
    amount: str = "amount_pence",
) -> tuple[pl.DataFrame, list[Issue]]:
    """Apportion every entry to calendar months; other columns are carried through.

    Adds `month` (first day, Date) and `apportioned` (Boolean) and replaces `amount` (Int64
    pence) by each month's piece. Entries whose period is open ("Beyond 25/26") or reversed are
    kept whole with a null `month`, and reported once per distinct period: money is never dropped.
    """
    frame = entries.with_columns(pl.col(amount).cast(pl.Int64)).with_row_index("_entry")
    ok = pl.col(start).is_not_null() & pl.col(end).is_not_null() & (pl.col(end) >= pl.col(start))
    good = (
        frame.filter(ok)
        .with_columns(
            _month=pl.int_ranges(_month_index(start), _month_index(end) + 1, dtype=pl.Int32)
        )
        .explode("_month")
    )
    good = good.join(_month_table(good["_month"]), on="_month", how="left", maintain_order="left")
    first_day, last_day = pl.col(start).cast(pl.Int32), pl.col(end).cast(pl.Int32)
    days = pl.min_horizontal(last_day + 1, "_next") - pl.max_horizontal(first_day, "_first")
    good = good.with_columns(_days=days.cast(pl.Int64))
    good = distribute(good, group="_entry", amount=amount, weight="_days", order="_month")
    good = good.with_columns(apportioned=pl.len().over("_entry") > 1)
    good = good.drop("_month", "_first", "_next", "_days")
    bad = frame.filter(~ok)
    if bad.is_empty():
        return good.drop("_entry"), []
    bad = bad.with_columns(month=pl.lit(None, pl.Date), apportioned=pl.lit(False))
    out = pl.concat([good, bad.select(good.columns)]).sort("_entry", "month", nulls_last=True)
    return out.drop("_entry"), _period_issues(bad, start, end)


def _month_index(column: str) -> pl.Expr:
    """Months since year 0, so a month range is an integer range."""
    return pl.col(column).dt.year().cast(pl.Int32) * 12 + pl.col(column).dt.month() - 1


def _month_table(months: pl.Series) -> pl.DataFrame:
    """Each distinct month index with its first day and the next month's (as day numbers).

    A few hundred distinct months at most, so Python builds it and a join spreads it.
    """
    keys = months.unique().drop_nulls().sort().to_list()
    firsts = [date(k // 12, k % 12 + 1, 1) for k in keys]
    nexts = [date((k + 1) // 12, (k + 1) % 12 + 1, 1) for k in keys]
    return pl.DataFrame(
        {
            "_month": pl.Series(keys, dtype=pl.Int32),
            "month": pl.Series(firsts, dtype=pl.Date),
            "_first": pl.Series(firsts, dtype=pl.Date).cast(pl.Int32),
            "_next": pl.Series(nexts, dtype=pl.Date).cast(pl.Int32),
        }
    )


def map_entries(
    entries: pl.DataFrame, crosswalks: Iterable[Crosswalk]
) -> tuple[pl.DataFrame, list[Issue]]:
    """Map funder categories to canonical ones, splitting amounts by share.

    Needs columns funder_id, funder_category, period_start (falls back to period_end, for
    "Before ..." periods), amount_pence and cap_rev; `objective` is used when present. The
    crosswalk version in force on the period's start applies. Adds `subjective`, `objective`,
    `crosswalk_version`; a target's cap_rev or objective replaces the entry's when given. Each
    entry's pieces add up exactly to its amount. Labels no crosswalk maps keep their money under
    `UNMAPPED`, with one `category-unmapped` issue per funder and label.
    """
    walks = list(crosswalks)
    frame = entries.with_columns(pl.col("amount_pence").cast(pl.Int64)).with_row_index("_entry")
    if "objective" not in frame.columns:
        frame = frame.with_columns(objective=pl.lit(None, pl.String))
    on = (
        pl.coalesce("period_start", "period_end")
        if "period_end" in frame.columns
        else pl.col("period_start")
    )
    frame = frame.with_columns(_on=on)
    frame = frame.join(_versions(frame, walks), on=["funder_id", "_on"], how="left")
    lookup = _targets(frame, walks)
    joined = frame.join(
        lookup, on=["funder_id", "crosswalk_version", "funder_category"], how="left"
    ).sort("_entry", "_index", nulls_last=True)
    joined = joined.with_columns(
        subjective=pl.coalesce("_subjective", pl.lit(UNMAPPED)),
        objective=pl.coalesce("_objective", "objective"),
        cap_rev=pl.coalesce("_cap_rev", "cap_rev"),
        _weight=pl.col("_weight").fill_null(1),
        _index=pl.col("_index").fill_null(0),
    )
    unmapped = joined.filter(pl.col("_subjective").is_null())
    mapped = distribute(
        joined, group="_entry", amount="amount_pence", weight="_weight", order="_index"
    )
    drop = ["_entry", "_on", "_subjective", "_objective", "_cap_rev", "_weight", "_index"]
    return mapped.drop(drop), _unmapped_issues(unmapped)


def cumulative_to_period(
    frame: pl.DataFrame,
    keys: Sequence[str],
    *,
    order_by: str = "period_start",
    value: str = "amount_pence",
) -> tuple[pl.DataFrame, list[Issue]]:
    """Turn figures reported to date into figures for each period.

    Within each `keys` group (say stream and category), ordered by `order_by`, a period's figure
    is its cumulative value less the previous period's; the first period is kept as is. Give one
    row per group and period, with no period missing (a gap would merge two periods' figures).
    A fall in a cumulative figure gives a negative period figure and a `cumulative-decreased`
    warning, because it usually means a restatement.
    """
    ordered = frame.sort([*keys, order_by])
    previous = pl.col(value).shift(1).over(keys) if keys else pl.col(value).shift(1)
    position = pl.int_range(pl.len()).over(keys) if keys else pl.int_range(pl.len())
    ordered = ordered.with_columns(_previous=previous, _first=position == 0)
    falls = ordered.filter(~pl.col("_first") & (pl.col(value) < pl.col("_previous")))
    issues = [
        make_issue(
            "cumulative-decreased",
            value=_describe(row, [*keys, order_by]),
            previous=row["_previous"],
            current=row[value],
        )
        for row in falls.iter_rows(named=True)
    ]
    result = ordered.with_columns(
        pl.when(pl.col("_first"))
        .then(pl.col(value))
        .otherwise(pl.col(value) - pl.col("_previous"))
        .alias(value)
    )
    return result.drop("_previous", "_first"), issues


def _versions(frame: pl.DataFrame, walks: list[Crosswalk]) -> pl.DataFrame:
    """The crosswalk version in force for each distinct (funder, date): a small Python loop."""
    pairs = frame.select("funder_id", "_on").unique()
    versions = []
    for funder, on in pairs.iter_rows():
        walk = crosswalk_on(walks, funder, on) if funder is not None and on is not None else None
        versions.append(None if walk is None else walk.version)
    return pairs.with_columns(crosswalk_version=pl.Series(versions, dtype=pl.Int64))


def _targets(frame: pl.DataFrame, walks: list[Crosswalk]) -> pl.DataFrame:
    """One row per target of each distinct (funder, version, label), with integer weights."""
    index = {(w.funder, w.version): w for w in walks}
    rows = []
    distinct = frame.select("funder_id", "crosswalk_version", "funder_category").unique()
    for funder, version, label in distinct.iter_rows():
        walk = index.get((funder, version))
        targets = walk.category_index.get(normalise_label(label)) if walk and label else None
        for i, (target, weight) in enumerate(
            zip(targets or (), _weights(targets or ()), strict=True)
        ):
            rows.append(
                (
                    funder,
                    version,
                    label,
                    i,
                    target.subjective,
                    target.objective,
                    target.cap_rev,
                    weight,
                )
            )
    text, number = pl.String(), pl.Int64()
    schema: dict[str, pl.DataType] = {
        "funder_id": frame.schema["funder_id"],
        "crosswalk_version": number,
        "funder_category": frame.schema["funder_category"],
        "_index": number,
        "_subjective": text,
        "_objective": text,
        "_cap_rev": text,
        "_weight": number,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _weights(targets: Iterable[Target]) -> list[int]:
    """Decimal shares as integers on a common scale ("33.5", "66.5" -> 335, 665)."""
    shares = [t.share for t in targets]
    places = max((max(0, -int(s.as_tuple().exponent)) for s in shares), default=0)
    return [int(s.scaleb(places)) for s in shares]


def _unmapped_issues(unmapped: pl.DataFrame) -> list[Issue]:
    summary = (
        unmapped.group_by("funder_id", "funder_category")
        .agg(count=pl.len(), pence=pl.col("amount_pence").sum())
        .sort("funder_id", "funder_category", nulls_last=True)
    )
    return [
        make_issue(
            "category-unmapped",
            value=label or "(blank)",
            funder=funder,
            count=count,
            amount=format_gbp(pence),
        )
        for funder, label, count, pence in summary.iter_rows()
    ]


def _period_issues(bad: pl.DataFrame, start: str, end: str) -> list[Issue]:
    periods = bad.select(start, end).unique().sort(start, end, nulls_last=True)
    issues = []
    for first, last in periods.iter_rows():
        shown = f"{first or '…'} to {last or '…'}"
        reversed_ = first is not None and last is not None
        issues.append(make_issue("period-reversed" if reversed_ else "period-open", value=shown))
    return issues


def _describe(row: dict[str, object], columns: Sequence[str]) -> str:
    return ", ".join(f"{column} {row[column]}" for column in columns)


