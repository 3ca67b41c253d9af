"""The analysis sections of the HTML page: their tables and their inline SVG bar charts.

Tables are returned as plain specs (`Spec`) that `html.py` turns into escaped cells, so this
module holds only what to show. Charts are simple horizontal bars (stacked for ring-fenced vs
flexible money), whose geometry is computed here in whole pixels; the template draws them with
a `<title>` and a `<desc>` for screen readers and a `<title>` on every bar. No script, no
external asset: the page's Content-Security-Policy allows neither.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from fundflow.returns.analysis_facts import (
    Fact,
    burden_facts,
    burden_note,
    horizon_facts,
    percent,
    ring_fence_facts,
)
from fundflow.returns.analysis_model import AnalysisChart, AnalysisSections
from fundflow.returns.labels import ring_fence_name
from fundflow.returns.safe import safe_text

COLOURS = ("#1f3864", "#8faadc")
LABEL_H, SPAN, BAR, GAP, LABEL, WIDTH = 18, 270, 16, 10, 60, 400
"""Chart geometry in SVG units: each category's name on its own line above its bars (so a
long funder name is shown whole, not cut to fit a label column), bars up to `SPAN` wide with
the value after them, `WIDTH` in all. The page draws a chart at most 30rem wide, so 13-unit
text reads at 11 to 16 pixels from a phone to a desktop."""


@dataclass(frozen=True)
class Spec:
    """What one table shows: `html._table` makes it safe and escaped."""

    anchor: str
    title: str
    note: str | None
    headers: list[str]
    rows: list[tuple[Any, ...]]
    total: list[Any] | None = None


def ring_fencing_specs(a: AnalysisSections) -> list[Spec]:
    rows = [(r.stream_id, r.funder_id, ring_fence_name(r.ring_fence_type), r.award,
             r.restriction_index, r.spend_deadline, r.spent, r.unspent_balance,
             r.projected_unspent, r.clawback_exposure) for r in a.ring_fencing]
    specs = [
        *_facts("ring-fencing-figures", "Ring-fencing: key figures", a, ring_fence_facts(a)),
        Spec("ring-fencing", "Ring-fencing by stream", a.note if a.source != "analysis" else
             "Unspent, projected and exposure: ring-fenced streams started by as-at whose "
             "spend deadline (or end date) is not yet past.",
             ["Stream", "Funder", "Ring-fence", "Award", "Restriction index", "Deadline",
              "Spent to as-at", "Unspent now", "Projected unspent", "Clawback exposure"], rows),
    ]
    if a.source != "analysis":
        return specs
    deadlines = [(d.deadline, ", ".join(d.streams), d.projected_unspent, d.clawback_exposure)
                 for d in a.deadlines]
    funds = [(r.stream_id, r.brought_forward, r.received, r.spent, r.transfers,
              r.carried_forward, r.income_basis.replace("_", " ")) for r in a.roll_forward]
    count = a.ring_fence_figures.breaches if a.ring_fence_figures else 0
    breaches = [(b.stream_id, b.submission_id, b.sheet, b.cell, b.period_start, b.category,
                 b.eligible, b.amount) for b in a.breaches]
    return [*specs,
            Spec("clawback", "Clawback exposure at each spend deadline", None,
                 ["Deadline", "Streams", "Projected unspent", "Clawback exposure"], deadlines),
            Spec("roll-forward", f"Restricted-fund roll-forward, {a.year}",
                 "Brought forward + received - spent + transfers = carried forward. A blank "
                 "balance is unknown: receipts of earlier years were never reported.",
                 ["Stream", "Brought forward", "Received", "Spent", "Transfers",
                  "Carried forward", "Income basis"], funds),
            Spec("breaches", "Eligibility breaches",
                 f"Spend in categories the stream may not spend on: {len(breaches)} shown of "
                 f"{count}.", ["Stream", "Submission", "Sheet", "Cell", "Period from",
                               "Category", "Eligible", "Amount"], breaches)]


def horizon_specs(a: AnalysisSections) -> list[Spec]:
    edges = [(f"{c.horizon_months} months", c.until, c.streams, c.award,
              percent(c.share_of_live), c.no_successor_streams, c.no_successor_award,
              ", ".join(c.stream_ids)) for c in a.cliff_edges]
    missing = "No successor" if a.source == "analysis" else None
    rows = [(h.stream_id, h.funder_id, h.start_date, h.end_date, h.duration_months,
             h.remaining_months, h.award, h.successor_id or missing or h.successor_confirmed,
             h.gap_days) for h in a.horizon]
    specs = _facts("horizon-figures", "Funding horizon: key figures", a, horizon_facts(a))
    if a.source == "analysis":
        specs.append(Spec("cliff-edges", "Cliff edges", "Streams live at as-at ending within "
                          "3, 6 and 12 months, and the part with no successor.",
                          ["Within", "By", "Streams", "Award", "Share of live (%)",
                           "No successor", "No successor (£)", "Streams ending"], edges))
    specs.append(Spec("horizon", "Funding horizon by stream", None,
                      ["Stream", "Funder", "Start", "End", "Months", "Remaining", "Award",
                       "Successor", "Gap (days)"], rows))
    return specs


def burden_specs(a: AnalysisSections) -> list[Spec]:
    if a.burden is None:
        return []
    rows = [(b.stream_id, b.funder_id, b.tier, (b.frequency or "not stated").replace("_", " "),
             b.returns_per_year, b.data_items_per_year, b.hours, b.cost)
            for b in a.burden.by_stream]
    facts = _facts("burden-figures", "Reporting burden: key figures", a, burden_facts(a))
    note = burden_note(a)
    if note and facts:
        facts = [replace(facts[0], note=f"{facts[0].note} {note}")]
    return [*facts,
            Spec("burden", "Reporting burden by stream", "Assumptions: schemas/burden.yaml.",
                 ["Stream", "Funder", "Tier", "Frequency", "Returns a year", "Items a year",
                  "Hours", "Cost"], rows)]


def _facts(anchor: str, title: str, a: AnalysisSections, facts: list[Fact]) -> list[Spec]:
    if not facts:
        return []
    rows = [(f.label, _shown(f.value, f.kind)) for f in facts]
    return [Spec(anchor, title, a.note, ["Figure", "Value"], rows)]


def _shown(value: Decimal | int | None, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "money":
        return f"£{value:,}"
    return f"{value:,}%" if kind == "percent" else f"{value:,}"


def _value(value: Decimal, unit: str) -> str:
    return f"£{value:,}" if unit == "GBP" else f"{value:,}"


def svg_chart(chart: AnalysisChart) -> dict[str, Any]:
    """Bars in whole pixels: one row per category, plotted series side by side or stacked."""
    plotted = chart.series[:chart.plotted]
    totals = [sum((abs(s.values[i]) for s in plotted), Decimal(0)) if chart.stacked else
              max((abs(s.values[i]) for s in plotted), default=Decimal(0))
              for i in range(len(chart.categories))]
    peak = max(totals, default=Decimal(0)) or Decimal(1)
    per_row = 1 if chart.stacked else len(plotted)
    bars, y = [], 0
    for i, category in enumerate(chart.categories):
        label = safe_text(category)
        pieces, x = [], 0
        for j, series in enumerate(plotted):
            value = series.values[i]
            width = int(abs(value) * SPAN / peak)
            row_y = y + LABEL_H + (0 if chart.stacked else j * BAR)
            pieces.append({"x": x, "y": row_y, "height": BAR - 2, "width": width,
                           "colour": COLOURS[j % 2], "text": "", "text_x": 0,
                           "title": f"{label}, {safe_text(series.name)}: "
                                    f"{_value(value, series.unit)}"})
            x = x + width if chart.stacked else 0
            if not chart.stacked:
                pieces[-1].update(text=_value(value, series.unit), text_x=width + 4)
        if chart.stacked:
            total = sum((s.values[i] for s in plotted), Decimal(0))
            pieces[-1].update(text=_value(total, plotted[0].unit), text_x=x + 4)
        bars.append({"label": short_label(label), "full": label, "y": y, "pieces": pieces})
        y += LABEL_H + per_row * BAR + GAP
    legend = [(safe_text(s.name), COLOURS[j % 2]) for j, s in enumerate(plotted)]
    return {"title": safe_text(chart.title),
            "desc": _description(chart), "width": WIDTH, "height": max(y, 20),
            "bars": bars, "legend": legend if len(plotted) > 1 else []}


def short_label(label: str) -> str:
    """The label whole when it fits the chart's width (the full text is always in its title)."""
    return label if len(label) <= LABEL else label[:LABEL - 1] + "…"


def _description(chart: AnalysisChart) -> str:
    """The chart's figures as one sentence, for a screen reader."""
    plotted = chart.series[:chart.plotted]
    parts = [f"{category}: " + ", ".join(f"{s.name} {_value(s.values[i], s.unit)}"
                                         for s in plotted)
             for i, category in enumerate(chart.categories)]
    return safe_text("; ".join(parts) or "No figures.")
