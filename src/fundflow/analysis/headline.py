"""The analyses run from a ledger connection: each report, the headline figures and chart data.

This is the entry point for the CLI and the demo: read the ledger once (a `book.Book`, via
`ledger_inputs`), run the pure analyses over it, and hand back pydantic models whose
money is Decimal pounds and whose ratios are Decimal rounded half-even to four places.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from fundflow.analysis.burden import BurdenConfig, BurdenReport, burden, load_burden_config
from fundflow.analysis.common import Window, make_window
from fundflow.analysis.cycles import CliffEdge, CyclesReport, cycles
from fundflow.analysis.ringfence import RingFencingReport, ring_fencing
from fundflow.analysis.sources import Inputs, inputs_from_parts
from fundflow.ledger.read import Connection
from fundflow.mapping.book import BLOCK_ENTRIES, finance_blocks
from fundflow.mapping.reference import Reference
from fundflow.returns.scope import parse_period

Unit = Literal["GBP", "count", "hours"]


class Series(BaseModel):
    """One series of a chart: a value per category, in `unit`."""

    name: str
    unit: Unit
    values: list[Decimal]


class Chart(BaseModel):
    """Chart-ready data: category labels along one axis and one or more series."""

    id: str
    title: str
    categories: list[str]
    series: list[Series]


class Headline(BaseModel):
    """The few figures the demo prints and the consolidated return's front page shows."""

    year: str
    as_at: date
    streams: int
    award: Decimal
    ring_fenced_share: Decimal | None
    short_term_share: Decimal | None
    cliff_edge: list[CliffEdge]
    unspent_ring_fenced: Decimal
    returns_per_year: int
    hours_before: Decimal
    hours_after: Decimal
    hours_saved: Decimal


class Analysis(BaseModel):
    """All three analyses of one window, with the headline and the charts drawn from them."""

    window: Window
    ring_fencing: RingFencingReport
    cycles: CyclesReport
    burden: BurdenReport
    headline: Headline
    charts: list[Chart]


def _config(config: BurdenConfig | None) -> BurdenConfig:
    if config is not None:
        return config
    loaded, issues = load_burden_config()
    if loaded is None:  # the bundled file is part of the package: broken means a packaging bug
        raise RuntimeError(issues[0].message)
    return loaded


def analyse_ring_fencing(
    con: Connection, window: Window, *, reference: Reference
) -> RingFencingReport:
    """Ring-fencing over the ledger's Book for the window's year."""
    return ring_fencing(ledger_inputs(con, window, reference), window)


def analyse_cycles(
    con: Connection, window: Window, *, reference: Reference
) -> CyclesReport:
    """Short-term funding cycles over the ledger's current streams."""
    return cycles(ledger_inputs(con, window, reference).streams, window)


def analyse_burden(
    con: Connection, window: Window, config: BurdenConfig | None = None, *,
    reference: Reference,
) -> BurdenReport:
    """Reporting burden over the ledger, with the bundled assumptions unless `config` is given."""
    return burden(ledger_inputs(con, window, reference), window, _config(config))


def analyse_all(
    con: Connection, window: Window, *, config: BurdenConfig | None = None,
    reference: Reference,
) -> Analysis:
    """Every analysis from one Book of the ledger: what the demo and `analyse` call."""
    return analysis_of(ledger_inputs(con, window, reference), window, _config(config))


def ledger_inputs(
    con: Connection, window: Window, reference: Reference, *, entries: int = BLOCK_ENTRIES
) -> Inputs:
    """The analyses' inputs from the Book for the window's year, with the reference data the
    caller loaded once at its edge (`bundled_reference(schemas)`).

    The Book's finance is read, mapped and reduced `entries` ledger entries (whole streams) at
    a time (`book.finance_blocks`), so `analyse` holds one block's figures, not the ledger's:
    the inputs are those of the whole Book (`inputs_from_book`) for any block size."""
    period = parse_period(window.year, None, window.start.month)
    parts = finance_blocks(con, reference, period, entries=entries)
    return inputs_from_parts(parts.all_streams, parts.submissions, parts.items, parts.finance)


def analysis_of(inputs: Inputs, window: Window, config: BurdenConfig) -> Analysis:
    """The pure core of `analyse_all`, for inputs built by hand."""
    rf = ring_fencing(inputs, window)
    cy = cycles(inputs.streams, window)
    bu = burden(inputs, window, config)
    head = headline_of(rf, cy, bu)
    return Analysis(window=window, ring_fencing=rf, cycles=cy, burden=bu, headline=head,
                    charts=charts_of(rf, cy, bu))


def headline(
    con: Connection, year: str | None, as_at: date | None, *, today: date | None = None,
    reference: Reference,
) -> Headline:
    """The headline figures for a year (default: the one containing as-at) at a date.

    Raises:
        ValueError: when `year` is not a financial year label such as '2025-26'.
    """
    window = make_window(year, as_at, today or date.today())
    return analyse_all(con, window, reference=reference).headline


def headline_of(rf: RingFencingReport, cy: CyclesReport, bu: BurdenReport) -> Headline:
    """The headline drawn from the three reports of one window."""
    return Headline(
        year=rf.window.year, as_at=rf.window.as_at, streams=rf.streams, award=rf.award,
        ring_fenced_share=rf.ring_fenced_share, short_term_share=cy.short_term_share,
        cliff_edge=cy.cliff_edges, unspent_ring_fenced=rf.funds.unspent_ring_fenced,
        returns_per_year=bu.returns_per_year, hours_before=bu.before.hours,
        hours_after=bu.after.hours, hours_saved=bu.hours_saved,
    )


def charts_of(rf: RingFencingReport, cy: CyclesReport, bu: BurdenReport) -> list[Chart]:
    """Chart data: cliff-edge timeline, ring-fenced vs flexible by funder, durations, burden."""
    return [_cliff_chart(cy), _funder_chart(rf), _duration_chart(cy), _burden_chart(bu)]


def _count(values: list[int]) -> list[Decimal]:
    return [Decimal(v) for v in values]


def _cliff_chart(cy: CyclesReport) -> Chart:
    months = cy.cliff_timeline
    return Chart(
        id="cliff_edge", title="Funding ending in each of the next 12 months",
        categories=[f"{m.month:%b %Y}" for m in months],
        series=[
            Series(name="Award ending", unit="GBP", values=[m.award for m in months]),
            Series(name="Streams ending", unit="count", values=_count([m.streams for m in months])),
        ],
    )


def _funder_chart(rf: RingFencingReport) -> Chart:
    funders = rf.by_funder
    return Chart(
        id="ring_fencing_by_funder", title="Ring-fenced and flexible money by funder",
        categories=[f.funder_id for f in funders],
        series=[
            Series(name="Ring-fenced", unit="GBP", values=[f.ring_fenced for f in funders]),
            Series(name="Flexible", unit="GBP", values=[f.flexible for f in funders]),
        ],
    )


def _duration_chart(cy: CyclesReport) -> Chart:
    bins = cy.durations
    return Chart(
        id="durations", title="Streams live in the year by duration",
        categories=[b.label for b in bins],
        series=[
            Series(name="Streams", unit="count", values=_count([b.streams for b in bins])),
            Series(name="Award", unit="GBP", values=[b.award for b in bins]),
        ],
    )


def _burden_chart(bu: BurdenReport) -> Chart:
    sides = (bu.before, bu.after)
    return Chart(
        id="burden", title="Reporting burden a year: today and with one consolidated return",
        categories=["Status quo", "Consolidated return"],
        series=[
            Series(name="Hours", unit="hours", values=[side.hours for side in sides]),
            Series(name="Returns", unit="count",
                   values=_count([side.returns_per_year for side in sides])),
        ],
    )
