"""The analysis part of the return's model: ring-fencing, funding horizon, burden, charts.

Converted from `fundflow.analysis` reports by `returns.analysis_hook`, so the writers never
import the analysis module and every format shows the same figures. Money is Decimal pounds as
the analysis gives it; ratios are the analysis' Decimals (four places), never recomputed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from fundflow.analysis.cycles import CliffEdge
from fundflow.analysis.funds import RollForward

# The analysis' own models, carried into the return unchanged (one definition of each).
CliffEdgeRow = CliffEdge
RollForwardRow = RollForward


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RingFenceRow(_Model):
    """One stream's restriction and, for ring-fenced money still to spend, its exposure.

    The exposure figures (spent to as-at onwards) are None where the analysis gives none: a
    stream that is not ring-fenced, has not started, or whose spend deadline has passed.
    Placeholder rows (analysis off or failed) fill only award, spent and unspent balance.
    """

    stream_id: str
    funder_id: str = ""
    ring_fence_type: str
    ring_fenced: bool
    spend_deadline: date | None
    award: Decimal
    spent: Decimal | None
    unspent_balance: Decimal | None
    restriction_index: Decimal | None = None
    virement_headroom: Decimal | None = None
    forecast_to_deadline: Decimal | None = None
    projected_unspent: Decimal | None = None
    clawback_exposure: Decimal | None = None
    breaches: int = 0


class HorizonRow(_Model):
    """When a stream ends and what follows it (successor, and the gap in days before it)."""

    stream_id: str
    funder_id: str = ""
    start_date: date
    end_date: date
    duration_months: int
    remaining_months: int
    successor_confirmed: bool
    award: Decimal | None = None
    successor_id: str | None = None
    successor_start: date | None = None
    gap_days: int | None = None


class RingFenceFigures(_Model):
    """The ring-fencing analysis' totals over the streams live in the year, at as-at."""

    streams: int
    award: Decimal
    ring_fenced_award: Decimal
    ring_fenced_share: Decimal | None
    restriction_index: Decimal | None
    unspent_ring_fenced: Decimal
    clawback_exposure: Decimal
    breaches: int
    unmapped_spend_entries: int
    unmapped_spend: Decimal


class DeadlineRow(_Model):
    """Ring-fenced money projected unspent at one spend deadline, and what may be clawed back."""

    deadline: date
    streams: list[str]
    projected_unspent: Decimal
    clawback_exposure: Decimal


class BreachRow(_Model):
    """A spend entry in a category its stream may not spend on, with the cell it came from."""

    stream_id: str
    submission_id: str
    sheet: str | None
    cell: str | None
    period_start: date
    period_end: date
    state: str
    category: str
    funder_category: str | None
    eligible: str
    amount: Decimal


class HorizonFigures(_Model):
    """The funding-cycle analysis' totals over the streams live in the year, at as-at."""

    streams: int
    award: Decimal
    short_term_award: Decimal
    short_term_share: Decimal | None
    award_weighted_duration: Decimal | None
    remaining_life: Decimal | None
    live_at_as_at: int
    live_award: Decimal
    churn: Decimal | None
    competitive_share: Decimal | None


class BurdenRow(_Model):
    """One stream's reporting load in the year."""

    stream_id: str
    funder_id: str
    tier: int
    frequency: str | None
    returns_per_year: int
    data_items_per_year: int
    hours: Decimal
    cost: Decimal


class BurdenFigures(_Model):
    """Reporting burden now and with one consolidated return a quarter."""

    returns_per_year: int
    data_items_per_year: int
    templates: int
    distinct_due_dates: int
    redundancy_ratio: Decimal | None
    returns_after: int
    hours_before: Decimal
    hours_after: Decimal
    hours_saved: Decimal
    cost_before: Decimal
    cost_after: Decimal
    cost_saved: Decimal
    by_stream: list[BurdenRow]


class ChartSeries(_Model):
    name: str
    unit: Literal["GBP", "count", "hours"]
    values: list[Decimal]


class AnalysisChart(_Model):
    """One analysis picture's data, drawn the same way by the xlsx and HTML writers.

    The first `plotted` series are drawn (stacked when `stacked`); the others (another unit,
    such as a count beside money) appear only in the chart's table, so no axis mixes units.
    """

    id: str
    title: str
    categories: list[str]
    series: list[ChartSeries]
    plotted: int = 1
    stacked: bool = False
    horizontal: bool = False


class AnalysisSections(_Model):
    """Ring-fencing, funding horizon and reporting burden, from `fundflow.analysis`.

    `source` is 'placeholder' when the analysis is switched off or failed (the return's issues
    say why): the rows are then simple figures straight from the register and ledger, and the
    figures, tables and charts below them are empty. `year` and `as_at` are the analysis
    window: the return's year and the end of its period.
    """

    source: Literal["placeholder", "analysis"]
    note: str
    ring_fencing: list[RingFenceRow]
    horizon: list[HorizonRow]
    headline: dict[str, str] = {}
    year: str | None = None
    as_at: date | None = None
    ring_fence_figures: RingFenceFigures | None = None
    deadlines: list[DeadlineRow] = []
    roll_forward: list[RollForwardRow] = []
    breaches: list[BreachRow] = []
    horizon_figures: HorizonFigures | None = None
    cliff_edges: list[CliffEdgeRow] = []
    burden: BurdenFigures | None = None
    charts: list[AnalysisChart] = []
    funder: str | None = None
    """The funder whose streams alone were analysed (a funder's report), else None."""
