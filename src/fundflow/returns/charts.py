"""The figures behind the return's charts, computed once from the model for every writer.

Both charts use counted figures only (each on its stream's basis), so they agree with the summary:
actual spend to date by level-1 category, and actual against forecast spend by quarter of the
return's year (actuals after the period's end are left out, as in the finance section).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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


def spend_by_category(ret: Return) -> Chart:
    """Actual spend to date in the year, each stream on its basis, by level-1 category."""
    totals: dict[str, Decimal] = {}
    for row in ret.data:
        if (row.counted and row.year == ret.cover.year and row.measure == "spend"
                and row.state == "actual"
                and row.month is not None and row.month <= ret.cover.period_end):
            key = row.subjective.split(".")[0]
            totals[key] = totals.get(key, Decimal("0.00")) + row.amount
    bars = tuple(Bar(k, (v,)) for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))
    return Chart("Actual spend to date by category", ("Actual",), bars)


def actual_vs_forecast(ret: Return) -> Chart:
    """Actual (to the period's end) and forecast spend in each quarter of the year."""
    actual = dict.fromkeys(QUARTERS, Decimal("0.00"))
    forecast = dict.fromkeys(QUARTERS, Decimal("0.00"))
    for row in ret.data:
        if not (row.counted and row.year == ret.cover.year and row.measure in _SPEND
                and row.quarter in actual):
            continue
        quarter = row.quarter or ""
        if row.state == "forecast":
            forecast[quarter] += row.amount
        elif row.state == "actual" and row.month is not None and (
                row.month <= ret.cover.period_end):
            actual[quarter] += row.amount
    bars = tuple(Bar(q, (actual[q], forecast[q])) for q in QUARTERS)
    return Chart(f"Actual and forecast spend by quarter, {ret.cover.year}",
                 ("Actual", "Forecast"), bars)


def charts(ret: Return) -> tuple[Chart, Chart]:
    """Both charts, in the order the outputs show them."""
    return spend_by_category(ret), actual_vs_forecast(ret)
