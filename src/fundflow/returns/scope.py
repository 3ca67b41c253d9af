"""What a return covers: its period, basis, streams (with their tiers) and mapped figures.

Built once per return from the ledger and the reference data, then handed to every section, so
all sections agree on which money is in and which is out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from fundflow.issues import Issue
from fundflow.mapping import (
    STREAMS_SQL,
    load_finance,
    load_indicators,
    map_finance,
    map_indicators,
    query_frame,
)
from fundflow.reference import Reference, Tiers

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^Q([1-4])$")
RING_FENCED = frozenset({"ringfenced_statutory", "ringfenced_conditions", "restricted_charitable"})
"""Ring-fence types whose money may only be spent as the funder says (specific-purpose and
unringfenced money may be moved)."""


@dataclass(frozen=True)
class Period:
    """A return's period: the report year's first day to the end of the quarter (or year)."""

    year: str
    quarter: str | None
    start: date
    end: date
    year_end: date


@dataclass(frozen=True)
class Scope:
    """Everything a return's sections read; frames hold money as Int64 pence."""

    period: Period
    basis: str
    partnership: str
    funder: str | None
    reference: Reference
    streams: pl.DataFrame
    finance: pl.DataFrame
    indicators: pl.DataFrame
    issues: list[Issue]


def parse_period(year: str, quarter: str | None, start_month: int = 4) -> Period:
    """'2025-26' (and 'Q2') as dates under a year starting in `start_month`.

    Raises:
        ValueError: for a year not written 'YYYY-YY' with consecutive years, or a quarter not
            Q1-Q4 (the CLI turns this into a usage error).
    """
    match = _YEAR.match(year)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"year '{year}' must be written like 2025-26")
    first = date(int(match[1]), start_month, 1)
    year_end = _add_months(first, 12) - timedelta(days=1)
    if quarter is None:
        return Period(year, None, first, year_end, year_end)
    q = _QUARTER.match(quarter.upper())
    if not q:
        raise ValueError(f"quarter '{quarter}' must be Q1, Q2, Q3 or Q4")
    end = _add_months(first, 3 * int(q[1])) - timedelta(days=1)
    return Period(year, quarter.upper(), first, end, year_end)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def stream_tier(award: Decimal, risk: str | None, method: str | None, tiers: Tiers) -> int:
    """A stream's proportionate reporting tier (tiers.yaml; research/domain.md §7).

    The value band by award, with formula allocations fixed at the `formula_public_body`
    override (the partnership's accountable body is a public body), then raised by the risk
    rule when the register rates the stream's risk high. Never above the top tier.
    """
    band = next(t.tier for t in reversed(tiers.tiers) if award >= t.value_band.min)
    override = next((o for o in tiers.risk_rule.overrides
                     if o.condition == "formula_public_body"), None)
    if method == "formula" and override is not None and override.tier is not None:
        band = override.tier
    if (risk or "").strip().lower() == "high":
        band += tiers.risk_rule.raise_by
    return min(band, len(tiers.tiers) - 1)


def load_streams(con: Any, tiers: Tiers, funder: str | None) -> pl.DataFrame:
    """Current streams with funder names, award in pence and the tier each is reported at.

    A tier the register states is kept; otherwise it is computed from award and risk.
    """
    sql = (f"SELECT s.*, coalesce(f.name, s.funder_id) AS funder_name, "
           f"CAST(CAST(s.award AS DECIMAL(38,2)) * 100 AS BIGINT) AS award_pence "
           f"FROM ({STREAMS_SQL}) s LEFT JOIN funder f USING (funder_id) "
           f"WHERE (CAST(? AS VARCHAR) IS NULL OR s.funder_id = ?) ORDER BY funder_id, stream_id")
    streams = query_frame(con, sql, [funder, funder])
    computed = [
        stream_tier(Decimal(award) / 100, risk, method, tiers) if stated is None else int(stated)
        for award, risk, method, stated in streams.select(
            "award_pence", "risk_rating", "allocation_method", "reporting_tier").iter_rows()
    ]
    return streams.with_columns(tier=pl.Series(computed, dtype=pl.Int64))


def build_scope(
    con: Any, reference: Reference, period: Period, *, funder: str | None, basis: str | None
) -> Scope:
    """Load, map and cut the ledger to the submissions with money in the return's year."""
    start_month = period.start.month
    streams = load_streams(con, reference.tiers, funder)
    finance, issues = map_finance(load_finance(con, funder=funder), reference.crosswalks,
                                  start_month=start_month)
    finance = finance.with_columns(at=pl.coalesce("month", "period_start", "period_end"))
    in_year = (pl.col("at") >= period.start) & (pl.col("at") <= period.year_end)
    live = finance.filter(in_year).select("submission_id").unique()
    finance = finance.join(live, on="submission_id", how="semi", maintain_order="left")
    unknown = finance.filter(~pl.col("stream_id").is_in(streams["stream_id"].implode()))
    streams = pl.concat([streams, _unregistered(unknown, streams)], how="diagonal_relaxed")
    finance = finance.join(streams.select("stream_id", "tier"), on="stream_id", how="left",
                           maintain_order="left")
    values, more = map_indicators(load_indicators(con, funder=funder), reference.crosswalks,
                                  reference.indicators, start_month=start_month)
    return Scope(period, basis or reference.reporting.default_basis, _partnership(con),
                 funder, reference, streams, finance, values, issues + more)


def _unregistered(unknown: pl.DataFrame, streams: pl.DataFrame) -> pl.DataFrame:
    """Streams with money but no register row still appear (award 0, tier 3: most detail)."""
    ids = unknown.select("stream_id", "funder_id").unique().sort("stream_id")
    return ids.with_columns(
        name=pl.col("stream_id") + pl.lit(" (not in the funding register)"),
        funder_name=pl.col("funder_id"), award_pence=pl.lit(0, pl.Int64),
        tier=pl.lit(3, pl.Int64), ring_fence_type=pl.lit("unknown"),
    ).cast({name: streams.schema[name] for name in ids.columns if name in streams.columns})


def _partnership(con: Any) -> str:
    row = con.execute("SELECT name FROM partnership ORDER BY partnership_id LIMIT 1").fetchall()
    return str(row[0][0]) if row else "Partnership"
