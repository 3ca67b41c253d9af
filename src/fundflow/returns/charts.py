"""The figures behind the return's charts, computed once from the model for every writer.

Both charts use counted figures only (each on its stream's basis), so they agree with the summary:
actual spend to date by level-1 category, and actual against forecast spend by quarter of the
return's year (actuals after the period's end are left out, as in the finance section).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from fundflow.money import pence_to_decimal
from fundflow.returns.model import Return

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
_SPEND = ("spend", "forecast")


@dataclass(frozen=True)
class Bar:
    """One labelled bar (or pair of bars) of a chart."""

    label: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]

    def peak(self) -> Decimal:
        """The largest magnitude on the chart (1 when empty), for scaling bars."""
        return max((abs(v) for bar in self.bars for v in bar.values), default=Decimal(1)) or (
            Decimal(1))


def _counted_spend(ret: Return) -> pl.DataFrame:
    """The Data rows every chart draws from: counted spend and forecasts of the return's year
    (a frame: a large return has hundreds of thousands of rows)."""
    data = ret.data.frame
    return data.filter(pl.col("counted") & (pl.col("year") == ret.cover.year)
                       & pl.col("measure").is_in(_SPEND))


def _sums(frame: pl.DataFrame, key: str) -> dict[str, Decimal]:
    """Exact sums of `amount_pence` by `key`, as two-place Decimals."""
    totals = frame.group_by(key).agg(pl.col("amount_pence").sum())
    return {k: pence_to_decimal(int(v)) for k, v in totals.iter_rows()}


def spend_by_category(ret: Return) -> Chart:
    """Actual spend to date in the year, each stream on its basis, by level-1 category."""
    rows = _counted_spend(ret).filter(
        (pl.col("measure") == "spend") & (pl.col("state") == "actual")
        & (pl.col("month") <= ret.cover.period_end))
    totals = _sums(rows.with_columns(key=pl.col("subjective").str.split(".").list.first()), "key")
    bars = tuple(Bar(k, (v,)) for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))
    return Chart("Actual spend to date by category", ("Actual",), bars)


def actual_vs_forecast(ret: Return) -> Chart:
    """Actual (to the period's end) and forecast spend in each quarter of the year."""
    rows = _counted_spend(ret).filter(pl.col("quarter").is_in(QUARTERS))
    forecast = _sums(rows.filter(pl.col("state") == "forecast"), "quarter")
    actual = _sums(rows.filter((pl.col("state") == "actual")
                               & (pl.col("month") <= ret.cover.period_end)), "quarter")
    zero = Decimal("0.00")
    bars = tuple(Bar(q, (actual.get(q, zero), forecast.get(q, zero))) for q in QUARTERS)
    return Chart(f"Actual and forecast spend by quarter, {ret.cover.year}",
                 ("Actual", "Forecast"), bars)


def charts(ret: Return) -> tuple[Chart, Chart]:
    """Both charts, in the order the outputs show them."""
    return spend_by_category(ret), actual_vs_forecast(ret)
