"""The Ring-fencing, Funding horizon and Reporting burden sheets of the return workbook.

Each sheet stacks a few small tables under one title: key figures first (a label across the
first columns, the value beside it), then the tables a reviewer checks them against. Stacked
tables share the sheet's column widths, so each table's columns are ordered to fit them: the
wide second column takes the text that needs room (ring-fence type, stream lists). Every
figure is the analysis' own (`returns.analysis_rows`); the only sums here are total rows of
money the analysis lists, added in Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from fundflow.returns.analysis_model import AnalysisSections
from fundflow.returns.labels import plain, ring_fence_name
from fundflow.returns.model import Return
from fundflow.returns.xlsx_kit import Book, Col, Kind, Sheet

_M = 14  # money columns: '-2,492,863.00'
_RING_WIDTHS = [13, 28, 11, _M, 11, _M, 11, _M, _M, _M, _M, _M, 9]
_HORIZON_WIDTHS = [13, 28, 11, 12, _M, 12, 12, _M, 12, 9]
_BURDEN_WIDTHS = [13, 28, 11, 9, 11, 11, 11, _M]
_FACT_KIND: dict[str, Kind] = {"money": "money", "int": "int", "percent": "fixed2",
                               "ratio": "ratio", "hours": "fixed2"}


def write_analysis(book: Book, ret: Return) -> None:
    """The three analysis sheets, in reading order."""
    _ring_fencing(book, ret)
    _horizon(book, ret)
    _burden(book, ret)


def _start(book: Book, name: str, title: str, a: AnalysisSections,
           widths: Sequence[float]) -> Sheet:
    sheet = book.sheet(name, header_rows=None, widths=widths)
    sheet.heading(title, a.note)
    return sheet


def _facts(sheet: Sheet, facts: Sequence[Fact]) -> None:
    """Key figures: the label runs across the first columns, the value sits in column D."""
    if not facts:
        return
    sheet.line(("Key figures", "text", "heading"), height=18)
    for fact in facts:
        sheet.line((fact.label, "text", "body"), None, None,
                   (fact.value if fact.value is not None else "n/a",
                    _FACT_KIND[fact.kind] if fact.value is not None else "text", "body"))
    sheet.skip()


def _table(sheet: Sheet, title: str, cols: Sequence[Col], rows: Sequence[Sequence[Any]],
           *, total: Sequence[Any] | None = None, note: str | None = None) -> None:
    """A titled table inside a sheet: heading, header row, rows (or 'None.'), total."""
    sheet.line((title, "text", "heading"), height=18)
    if note:
        sheet.line((note, "text", "note"))
    sheet.header(cols)
    if not sheet.rows(cols, rows):
        sheet.line(("None.", "text", "muted"))
    elif total is not None:
        sheet.total(cols, total)
    sheet.skip()


def _sum(values: Sequence[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal("0.00"))


def _ring_fencing(book: Book, ret: Return) -> None:
    a = ret.analysis
    sheet = _start(book, "Ring-fencing", "Ring-fencing", a, _RING_WIDTHS)
    _facts(sheet, ring_fence_facts(a))
    cols = [Col("Stream"), Col("Ring-fence type", wrap=True), Col("Funder"),
            Col("Award", "money"), Col("Restriction index", "ratio"),
            Col("Virement headroom", "money"), Col("Spend deadline", "date"),
            Col("Spent to as-at", "money"), Col("Unspent now", "money"),
            Col("Forecast to deadline", "money"), Col("Projected unspent", "money"),
            Col("Clawback exposure", "money"), Col("Breaches", "int")]
    rows = [(r.stream_id, ring_fence_name(r.ring_fence_type), r.funder_id, r.award,
             r.restriction_index, r.virement_headroom, r.spend_deadline, r.spent,
             r.unspent_balance, r.forecast_to_deadline, r.projected_unspent,
             r.clawback_exposure, r.breaches if a.source == "analysis" else None)
            for r in a.ring_fencing]
    total = ["Total", None, None, _sum([r.award for r in a.ring_fencing]), None, None, None,
             None, None, None, _sum([r.projected_unspent for r in a.ring_fencing]),
             _sum([r.clawback_exposure for r in a.ring_fencing]),
             sum(r.breaches for r in a.ring_fencing)]
    _table(sheet, "By stream", cols, rows, total=total if a.source == "analysis" else None,
           note="Unspent, forecast and exposure: ring-fenced streams started by as-at whose "
                "spend deadline (or end date) is not yet past." if a.source == "analysis"
           else None)
    if a.source != "analysis":
        return
    cols = [Col("Spend deadline", "date"), Col("Streams", wrap=True), Col("Streams", "int"),
            Col("Projected unspent", "money"), Col("Clawback exposure", "money")]
    sheet.ws.set_h_pagebreaks([sheet.row])  # the fund tables print together on page two
    deadlines = [(d.deadline, ", ".join(d.streams), len(d.streams), d.projected_unspent,
                  d.clawback_exposure) for d in a.deadlines]
    _table(sheet, "Clawback exposure at each spend deadline", cols, deadlines,
           total=[None, "Total", None, _sum([d.projected_unspent for d in a.deadlines]),
                  _sum([d.clawback_exposure for d in a.deadlines])])
    _roll_forward(sheet, a)
    _breaches(sheet, ret)


def _roll_forward(sheet: Sheet, a: AnalysisSections) -> None:
    cols = [Col("Stream"), Col("Income basis", wrap=True), Col("Funder"),
            Col("Brought forward", "money"), Col("Received", "money"), Col("Spent", "money"),
            Col("Transfers", "money"), Col("Carried forward", "money")]
    rows = [(r.stream_id, plain(r.income_basis), r.funder_id,
             r.brought_forward, r.received, r.spent, r.transfers, r.carried_forward)
            for r in a.roll_forward]
    fields = ("brought_forward", "received", "spent", "transfers", "carried_forward")
    total = ["Total", None, None,
             *(_sum_known([getattr(r, f) for r in a.roll_forward]) for f in fields)]
    _table(sheet, f"Restricted-fund roll-forward, {a.year}", cols, rows, total=total,
           note="Brought forward + received - spent + transfers = carried forward. A blank "
                "balance is unknown: receipts of earlier years were never reported (see "
                "Issues).")


def _sum_known(values: Sequence[Decimal | None]) -> Decimal | None:
    """The total, or None (blank) when any value is unknown: a part-sum would mislead."""
    return None if any(v is None for v in values) else _sum(values)


def _breaches(sheet: Sheet, ret: Return) -> None:
    a = ret.analysis
    count = a.ring_fence_figures.breaches if a.ring_fence_figures else 0
    files = {r.submission_id: r.file for r in ret.reconciliation}
    cols = [Col("Stream"), Col("Source file", wrap=True), Col("Cell"),
            Col("Period from", "date"), Col("Period to", "date"), Col("State"),
            Col("Category"), Col("Funder category", wrap=True),
            Col("Eligible categories", wrap=True),
            Col("Amount", "money")]
    rows = [(b.stream_id, f"{files.get(b.submission_id, b.submission_id)} › {b.sheet or ''}",
             b.cell, b.period_start, b.period_end, plain(b.state), b.category, b.funder_category,
             b.eligible.replace(";", ", "), b.amount) for b in a.breaches]
    shown = f"the first {len(rows)} of {count}" if count > len(rows) else f"all {count}"
    _table(sheet, "Eligibility breaches", cols, rows,
           note=f"Spend in categories the stream may not spend on: {shown}.")


def _horizon(book: Book, ret: Return) -> None:
    a = ret.analysis
    sheet = _start(book, "Funding horizon", "Funding horizon", a, _HORIZON_WIDTHS)
    _facts(sheet, horizon_facts(a))
    if a.source == "analysis":
        cols = [Col("Ending within"), Col("Streams ending", wrap=True), Col("By", "date"),
                Col("Streams", "int"), Col("Award ending", "money"),
                Col("Share of live award (%)", "fixed2"),
                Col("No successor (streams)", "int"), Col("No successor (award)", "money")]
        edges = [(f"{c.horizon_months} months", ", ".join(c.stream_ids) or "No streams", c.until,
                 c.streams, c.award, percent(c.share_of_live), c.no_successor_streams,
                 c.no_successor_award) for c in a.cliff_edges]
        _table(sheet, "Cliff edges: streams live at as-at ending within", cols, edges)
    cols = [Col("Stream"), Col("Successor", wrap=True), Col("Funder"), Col("Start", "date"),
            Col("End", "date"), Col("Duration (months)", "int"),
            Col("Remaining (months)", "int"), Col("Award", "money"),
            Col("Successor starts", "date"), Col("Gap (days)", "int")]
    rows = [(h.stream_id, h.successor_id or ("No successor" if a.source == "analysis" else
                                             ("Yes" if h.successor_confirmed else "No")),
             h.funder_id, h.start_date, h.end_date, h.duration_months, h.remaining_months,
             h.award, h.successor_start, h.gap_days) for h in a.horizon]
    _table(sheet, "By stream, in order of end date", cols, rows,
           note="Gap: days between the end and the successor's start (0 = continuous).")


def _burden(book: Book, ret: Return) -> None:
    a = ret.analysis
    sheet = _start(book, "Reporting burden", "Reporting burden", a, _BURDEN_WIDTHS)
    _facts(sheet, burden_facts(a))
    note = burden_note(a)
    if note:
        sheet.note(note)  # wrapped across the sheet: a long sentence is not cut at the margin
        sheet.skip()
    if a.burden is None:
        sheet.line(("Not computed for this return.", "text", "muted"))
        return
    cols = [Col("Stream"), Col("Reporting frequency", wrap=True), Col("Funder"),
            Col("Tier", "int"), Col("Returns a year", "int"), Col("Data items a year", "int"),
            Col("Hours a year", "fixed2"), Col("Cost a year", "money")]
    rows = [(b.stream_id, plain(b.frequency or "None"), b.funder_id,
             b.tier, b.returns_per_year, b.data_items_per_year, b.hours, b.cost)
            for b in a.burden.by_stream]
    _table(sheet, "By stream, now", cols, rows,
           note="Assumptions (hours per return, minutes per item, hourly cost): "
                "schemas/burden.yaml.")
