"""The analysis reports as the return's rows: copied figure for figure, never recomputed.

Each writer renders these rows, so the workbook, the page and the JSON show the analysis'
own Decimals. The only figure derived here is a stream's remaining months, with the analysis'
own month rule (`whole_months`), because the analysis reports remaining life only as an
award-weighted total.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from fundflow.analysis import Analysis, Chart
from fundflow.analysis.common import whole_months
from fundflow.analysis.cycles import CyclesReport
from fundflow.analysis.ringfence import RingFencingReport
from fundflow.returns.analysis_model import (
    AnalysisChart,
    AnalysisSections,
    BreachRow,
    BurdenFigures,
    BurdenRow,
    ChartSeries,
    CliffEdgeRow,
    DeadlineRow,
    HorizonFigures,
    HorizonRow,
    RingFenceFigures,
    RingFenceRow,
    RollForwardRow,
)

BREACHES_SHOWN = 10
"""Eligibility breaches listed in the return; all are counted, and `fundflow analyse
ring-fencing --json` lists every one."""

NOTE = (
    "Streams live in {year}, stock taken at {as_at:%d/%m/%Y} (the end of the return's "
    "period). Each figure is defined in fundflow's analysis guide."
)

PARTNERSHIP_ONLY = frozenset({"burden"})
"""Charts left out of a funder's report: hours today against one consolidated return compare
the funder's streams with a return made once for the whole partnership, which means nothing."""

# How each analysis chart is drawn: series plotted first (the rest only in its table), stacked
# or side by side, horizontal bars or columns.
_DRAWING: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "cliff_edge": (("Award ending",), False, False),
    "ring_fencing_by_funder": (("Ring-fenced", "Flexible"), True, True),
    "durations": (("Streams",), False, False),
    "burden": (("Hours",), False, False),
}


def sections_from(result: Analysis, funder_names: Mapping[str, str],
                  headline: dict[str, str], funder: str | None = None) -> AnalysisSections:
    """The return's analysis sections from one `Analysis` (one window, one scope)."""
    rf, cy = result.ring_fencing, result.cycles
    window = result.window
    return AnalysisSections(
        source="analysis", note=NOTE.format(year=window.year, as_at=window.as_at) + (
            f" Only {funder}'s streams are analysed." if funder else ""),
        ring_fencing=ring_rows(rf), horizon=horizon_rows(cy), headline=headline,
        year=window.year, as_at=window.as_at, ring_fence_figures=ring_figures(rf),
        deadlines=[DeadlineRow(deadline=d.deadline, streams=d.streams,
                               projected_unspent=d.projected_unspent,
                               clawback_exposure=d.clawback_exposure)
                   for d in rf.funds.deadlines],
        roll_forward=[RollForwardRow(
            stream_id=r.stream_id, funder_id=r.funder_id, brought_forward=r.brought_forward,
            received=r.received, spent=r.spent, transfers=r.transfers,
            carried_forward=r.carried_forward, income_basis=r.income_basis,
            missing_receipts=r.missing_receipts, overspent=r.overspent)
            for r in rf.funds.roll_forward],
        breaches=[BreachRow(
            stream_id=b.stream_id, submission_id=b.submission_id, sheet=b.source_sheet,
            cell=b.source_cell, period_start=b.period_start, period_end=b.period_end,
            state=b.state, category=b.subjective, funder_category=b.funder_category,
            eligible=b.eligible, amount=b.amount) for b in rf.breaches[:BREACHES_SHOWN]],
        horizon_figures=horizon_figures(cy),
        cliff_edges=[CliffEdgeRow(**c.model_dump()) for c in cy.cliff_edges],
        burden=burden_figures(result),
        charts=[chart(c, funder_names) for c in result.charts
                if not (funder and c.id in PARTNERSHIP_ONLY)],
        funder=funder,
    )


def ring_rows(rf: RingFencingReport) -> list[RingFenceRow]:
    """Per stream live in the year: restriction, and the exposure of unspent ring-fenced money."""
    exposure = {e.stream_id: e for e in rf.funds.exposures}
    breaches: dict[str, int] = {}
    for b in rf.breaches:
        breaches[b.stream_id] = breaches.get(b.stream_id, 0) + 1
    rows = []
    for s in rf.by_stream:
        e = exposure.get(s.stream_id)
        rows.append(RingFenceRow(
            stream_id=s.stream_id, funder_id=s.funder_id, ring_fence_type=s.ring_fence_type,
            ring_fenced=s.ring_fenced, spend_deadline=e.deadline if e else None, award=s.award,
            spent=e.spent_to_date if e else None, unspent_balance=e.unspent_now if e else None,
            restriction_index=s.restriction_index, virement_headroom=s.virement_headroom,
            forecast_to_deadline=e.forecast_to_deadline if e else None,
            projected_unspent=e.projected_unspent if e else None,
            clawback_exposure=e.clawback_exposure if e else None,
            breaches=breaches.get(s.stream_id, 0),
        ))
    return rows


def ring_figures(rf: RingFencingReport) -> RingFenceFigures:
    return RingFenceFigures(
        streams=rf.streams, award=rf.award, ring_fenced_award=rf.ring_fenced_award,
        ring_fenced_share=rf.ring_fenced_share, restriction_index=rf.restriction_index,
        unspent_ring_fenced=rf.funds.unspent_ring_fenced,
        clawback_exposure=rf.funds.clawback_exposure, breaches=len(rf.breaches),
        unmapped_spend_entries=rf.unmapped_spend_entries, unmapped_spend=rf.unmapped_spend,
    )


def horizon_rows(cy: CyclesReport) -> list[HorizonRow]:
    """Per stream live in the year, by end date: dates, months, successor and gap."""
    entries = {t.stream_id: t for t in cy.timeline}
    after = cy.window.as_at + timedelta(days=1)
    rows = []
    for s in cy.successions:
        t = entries[s.stream_id]
        rows.append(HorizonRow(
            stream_id=s.stream_id, funder_id=s.funder_id, start_date=t.start_date,
            end_date=s.end_date, duration_months=t.duration_months,
            remaining_months=whole_months(after, s.end_date),
            successor_confirmed=s.successor_id is not None, award=s.award,
            successor_id=s.successor_id, successor_start=s.successor_start,
            gap_days=s.gap_days,
        ))
    return rows


def horizon_figures(cy: CyclesReport) -> HorizonFigures:
    return HorizonFigures(
        streams=cy.streams, award=cy.award, short_term_award=cy.short_term_award,
        short_term_share=cy.short_term_share,
        award_weighted_duration=cy.award_weighted_duration, remaining_life=cy.remaining_life,
        live_at_as_at=cy.live_at_as_at, live_award=cy.live_award, churn=cy.churn.churn,
        competitive_share=cy.competitive_share,
    )


def burden_figures(result: Analysis) -> BurdenFigures:
    bu = result.burden
    return BurdenFigures(
        returns_per_year=bu.returns_per_year, data_items_per_year=bu.data_items_per_year,
        templates=len(bu.templates), distinct_due_dates=bu.distinct_due_dates,
        redundancy_ratio=bu.redundancy_ratio, returns_after=bu.after.returns_per_year,
        hours_before=bu.before.hours, hours_after=bu.after.hours, hours_saved=bu.hours_saved,
        cost_before=bu.before.cost, cost_after=bu.after.cost, cost_saved=bu.cost_saved,
        by_stream=[BurdenRow(
            stream_id=s.stream_id, funder_id=s.funder_id, tier=s.tier, frequency=s.frequency,
            returns_per_year=s.returns_per_year, data_items_per_year=s.data_items_per_year,
            hours=s.hours, cost=s.cost) for s in bu.by_stream],
    )


def chart(source: Chart, funder_names: Mapping[str, str]) -> AnalysisChart:
    """An analysis chart with the series to draw first; funders named as the register does."""
    drawn, stacked, horizontal = _DRAWING.get(source.id, ((), False, False))
    series = sorted(source.series, key=lambda s: s.name not in drawn)
    categories = source.categories
    if source.id == "ring_fencing_by_funder":
        categories = [funder_names.get(c, c) for c in categories]
    categories = [c[:1].upper() + c[1:] for c in categories]  # 'Over 36 months', as a label
    return AnalysisChart(
        id=source.id, title=source.title, categories=categories,
        series=[ChartSeries(name=s.name, unit=s.unit, values=s.values) for s in series],
        plotted=max(1, sum(s.name in drawn for s in series)), stacked=stacked,
        horizontal=horizontal,
    )
