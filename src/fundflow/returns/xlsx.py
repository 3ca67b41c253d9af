"""The return as a government-style workbook: a cover, one sheet per section, charts, Data.

Sheets appear in the order a reviewer reads them. The `Data` sheet is flat (one header row, one
figure per row, columns as `DATA_COLUMNS`) so a machine can read the return back; the other
sheets are for people. Every cell is written by `xlsx_kit.Book.cell`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from fundflow.returns.charts import Chart, charts
from fundflow.returns.model import DATA_COLUMNS, DataRow, Return
from fundflow.returns.xlsx_kit import Book, Col, Kind

_DATA_KINDS: dict[str, Kind] = {
    "tier": "int", "month": "date", "amount": "money", "amount_pence": "int",
    "apportioned": "bool", "counted": "bool",
}


def write_xlsx(ret: Return, path: Path) -> None:
    """Write the workbook to `path` (the caller makes the write atomic)."""
    book = Book(ret.cover.title)
    _cover(book, ret)
    if ret.funder_context is not None:
        _funder(book, ret)
    _summary(book, ret)
    _finance(book, ret)
    if ret.entries:
        _entries(book, ret)
    _outputs(book, ret)
    _analysis(book, ret)
    _reconciliation(book, ret)
    _issues(book, ret)
    _charts(book, ret)
    _data(book, ret.data)
    book.save(path)


def _cover(book: Book, ret: Return) -> None:
    c = ret.cover
    ws = book.sheet("Cover", header_row=None, widths=[30, 90], landscape=False)
    ws.append([book.cell(ws, c.title, font=book.title_font)])
    ws.append([])
    facts: list[tuple[str, Any, Kind]] = [
        ("Partnership", c.partnership, "text"), ("Financial year", c.year, "text"),
        ("Quarter", c.quarter or "Whole year", "text"), ("Period from", c.period_start, "date"),
        ("Period to", c.period_end, "date"), ("Basis", c.basis, "text"),
        ("Funder", c.funder_id or "All funders", "text"), ("Streams", c.streams, "int"),
        ("Source files", c.submissions, "int"), ("Generated", c.generated_at, "datetime"),
        ("Content hash (SHA-256)", c.content_hash, "text"),
    ]
    for label, value, kind in facts:
        ws.append([book.cell(ws, label, font=book.bold), book.cell(ws, value, kind)])
    ws.append([])
    ws.append([book.cell(ws, "Sign-off", font=book.title_font)])
    ws.append([book.cell(ws, c.sign_off.statement, wrap=True)])
    for label, value in (("Name", c.sign_off.name), ("Role", c.sign_off.role),
                         ("Signature", c.sign_off.signature), ("Date", c.sign_off.date)):
        ws.append([book.cell(ws, label, font=book.bold), book.cell(ws, value, border=book.box)])
    ws.append([])
    ws.append([book.cell(ws, "Contents", font=book.title_font)])
    for name, what in _CONTENTS:
        ws.append([book.cell(ws, name, font=book.bold), book.cell(ws, what)])


_CONTENTS = (
    ("Summary", "Each stream's award, receipts, spend, forecast and balance."),
    ("Finance", "Actual and forecast by canonical category at each stream's reporting tier."),
    ("Transactions", "The entry list of Tier 3 streams (when there are any)."),
    ("Outputs", "Outputs and outcomes by canonical indicator."),
    ("Ring-fencing", "Ring-fenced money, deadlines and unspent balances."),
    ("Funding horizon", "When each stream ends and whether a successor is confirmed."),
    ("Reconciliation", "Each source file's total against this return: every difference is 0.00."),
    ("Issues", "Open issues from the imported files and from building this return."),
    ("Charts", "Spend by category; actual against forecast by quarter."),
    ("Data", "Every figure, one per row, for machines."),
)

_MONEY5 = ("Award", "Received to date", "Spent to date", "Forecast to end",
           "Balance (award less spent and forecast)")


def _funder(book: Book, ret: Return) -> None:
    ctx = ret.funder_context
    assert ctx is not None  # only called for a funder's report
    cols = [Col("Condition", width=30), Col(ctx.funder_name, width=40),
            Col("Other funders", width=40)]
    rows = [(c.condition, c.funder, c.others) for c in ctx.conditions]
    note = (f"{ctx.funder_name} provides £{ctx.funder_award:,} of the partnership's "
            f"£{ctx.partnership_award:,} of awards ({ctx.share_pct}%).")
    book.table_sheet("Funder", "Funder's share and conditions", note, cols, rows)


def _summary(book: Book, ret: Return) -> None:
    cols = [Col("Funder"), Col("Funder name"), Col("Stream"), Col("Stream name"),
            Col("Tier", "int"), Col("Ring-fenced", "bool"), Col("Ring-fence type"),
            *(Col(t, "money", 16) for t in _MONEY5), Col("End date", "date", 12)]
    rows = [(s.funder_id, s.funder_name, s.stream_id, s.stream_name, s.tier, s.ring_fenced,
             s.ring_fence_type, s.award, s.received, s.spent, s.forecast, s.balance, s.end_date)
            for s in ret.summary]
    sums = [sum((getattr(s, f) for s in ret.summary), Decimal("0.00"))
            for f in ("award", "received", "spent", "forecast", "balance")]
    note = (f"Lifetime figures to {ret.cover.period_end:%d/%m/%Y} on the {ret.cover.basis} "
            "basis; amounts on other bases are listed below and not included.")
    ws = book.table_sheet("Summary", "Summary by funder and stream", note, cols, rows,
                          total=["Total", *[None] * 6, *sums, None])
    gap_cols = [Col("Funder"), Col("Stream"), Col("Measure"), Col("State"), Col("Basis"),
                Col("Amount", "money")]
    ws.append([])
    ws.append([book.cell(ws, "Amounts on other bases (not in the totals above)",
                         font=book.bold)])
    book.header(ws, gap_cols)
    book.rows(ws, gap_cols, [(g.funder_id, g.stream_id, g.measure, g.state, g.basis, g.amount)
                             for g in ret.basis_gaps])


def _finance(book: Book, ret: Return) -> None:
    cols = [Col("Funder"), Col("Stream"), Col("Tier", "int"), Col("Year"), Col("Quarter"),
            Col("Measure"), Col("Basis"), Col("Category"), Col("Capital or revenue"),
            Col("Actual", "money", 16), Col("Forecast", "money", 16)]
    rows = [(f.funder_id, f.stream_id, f.tier, f.year, f.quarter, f.measure, f.basis,
             f.category, f.cap_rev, f.actual, f.forecast) for f in ret.finance]
    note = ("Tier 0-1: level-1 headings only; Tier 2: heading x capital/revenue x quarter; "
            "Tier 3: detailed category x capital/revenue x quarter. Bases are never added up.")
    book.table_sheet("Finance", "Finance by category", note, cols, rows)


def _entries(book: Book, ret: Return) -> None:
    cols = [Col("Stream"), Col("Date", "date", 12), Col("Period"), Col("Description"),
            Col("Funder category"), Col("Category"), Col("Capital or revenue"), Col("Measure"),
            Col("State"), Col("Basis"), Col("Amount", "money", 16), Col("Source"),
            Col("Sheet"), Col("Cell")]
    rows = [(e.stream_id, e.date, e.period_label, e.description, e.funder_category, e.category,
             e.cap_rev, e.measure, e.state, e.basis, e.amount, e.source, e.sheet, e.cell)
            for e in ret.entries]
    book.table_sheet("Transactions", "Transaction list (Tier 3 streams)",
                     "Each entry as imported, with the sheet and cell it came from.", cols, rows)


def _outputs(book: Book, ret: Return) -> None:
    cols = [Col("Funder"), Col("Stream"), Col("Year"), Col("Quarter"), Col("Indicator"),
            Col("Indicator name"), Col("Unit"), Col("Target or actual"),
            Col("Value", "number", 14), Col("Combined by")]
    rows = [(o.funder_id, o.stream_id, o.year, o.quarter, o.indicator_id, o.indicator_name,
             o.unit, o.value_type, o.value, o.combined_by) for o in ret.outputs]
    book.table_sheet("Outputs", "Outputs and outcomes", "Cumulative indicators show the latest "
                     "value, never a sum across periods.", cols, rows)


def _analysis(book: Book, ret: Return) -> None:
    a = ret.analysis
    cols = [Col("Stream"), Col("Ring-fence type"), Col("Ring-fenced", "bool"),
            Col("Spend deadline", "date", 14), Col("Award", "money", 16),
            Col("Spent to date", "money", 16), Col("Unspent balance", "money", 16)]
    rows = [(r.stream_id, r.ring_fence_type, r.ring_fenced, r.spend_deadline, r.award, r.spent,
             r.unspent_balance) for r in a.ring_fencing]
    ws = book.table_sheet("Ring-fencing", "Ring-fencing", a.note, cols, rows)
    if a.headline:
        ws.append([])
        ws.append([book.cell(ws, "Headline figures (fundflow.analysis)", font=book.bold)])
        for key, value in a.headline.items():
            ws.append([book.cell(ws, key), book.cell(ws, value)])
    cols = [Col("Stream"), Col("Start", "date", 12), Col("End", "date", 12),
            Col("Duration (months)", "int"), Col("Remaining (months)", "int"),
            Col("Successor confirmed", "bool")]
    horizon = [(h.stream_id, h.start_date, h.end_date, h.duration_months,
                h.remaining_months, h.successor_confirmed) for h in a.horizon]
    book.table_sheet("Funding horizon", "Funding horizon", a.note, cols, horizon)


def _reconciliation(book: Book, ret: Return) -> None:
    cols = [Col("Source file"), Col("Submission"), Col("SHA-256", width=66), Col("Adapter"),
            Col("Funder period"), Col("Total in file", "money", 16),
            Col("Total in return", "money", 16), Col("Difference", "money", 14)]
    rows = [(r.file, r.submission_id, r.sha256, r.adapter_id, r.funder_period, r.file_total,
             r.return_total, r.difference) for r in ret.reconciliation]
    sums = [sum((getattr(r, f) for r in ret.reconciliation), Decimal("0.00"))
            for f in ("file_total", "return_total", "difference")]
    book.table_sheet("Reconciliation", "Reconciliation to source files",
                     "Every difference must be 0.00.", cols, rows,
                     total=["Total", *[None] * 4, *sums])


def _issues(book: Book, ret: Return) -> None:
    cols = [Col("Code"), Col("Severity"), Col("Where"), Col("Problem", width=70),
            Col("What to do", width=70)]
    rows = [(i.code, i.severity, i.location, i.message, i.hint) for i in ret.issues]
    book.table_sheet("Issues", "Open issues", None, cols, rows)


def _charts(book: Book, ret: Return) -> None:
    by_category, by_quarter = charts(ret)
    ws = book.sheet("Charts", header_row=None, widths=[22, 16, 4, 12, 16, 16])
    ws.append([book.cell(ws, "Charts", font=book.title_font)])
    ws.append([book.cell(ws, f"On the {ret.cover.basis} basis; counted figures only.",
                         font=book.note_font)])
    ws.append([])
    header = [book.cell(ws, t, font=book.header_font, fill=book.header_fill)
              for t in ("Category", "Actual", None, "Quarter", "Actual", "Forecast")]
    ws.append(header)
    cats, quarters = list(by_category.bars), list(by_quarter.bars)
    for i in range(max(len(cats), len(quarters))):
        left = [cats[i].label, cats[i].values[0]] if i < len(cats) else [None, None]
        right = ([quarters[i].label, *quarters[i].values] if i < len(quarters)
                 else [None, None, None])
        kinds: list[Kind] = ["text", "money", "text", "text", "money", "money"]
        ws.append([book.cell(ws, v, k) for v, k in zip([*left, None, *right], kinds,
                                                       strict=True)])
    ws.add_chart(_bar(ws, by_category, 1, len(cats), horizontal=True), "H2")
    ws.add_chart(_bar(ws, by_quarter, 4, len(quarters), horizontal=False), "H20")


def _bar(ws: Any, chart: Chart, first_col: int, n: int, *, horizontal: bool) -> BarChart:
    bar = BarChart()
    bar.type = "bar" if horizontal else "col"
    bar.title = chart.title
    bar.y_axis.title = "£"
    bar.y_axis.numFmt = "#,##0"
    bar.height, bar.width = 8, 16
    last = 4 + max(n, 1)
    data = Reference(ws, min_col=first_col + 1, max_col=first_col + len(chart.series),
                     min_row=4, max_row=last)
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(ws, min_col=first_col, min_row=5, max_row=last))
    return bar


def _data(book: Book, data: Sequence[DataRow]) -> None:
    cols = [Col(name, _DATA_KINDS.get(name, "text")) for name in DATA_COLUMNS]
    widths = [12 if c.kind != "text" else 18 for c in cols]
    ws = book.sheet("Data", header_row=1, widths=widths)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(data) + 1}"
    ws.append([book.cell(ws, c.title, font=book.bold) for c in cols])
    book.rows(ws, cols, ([getattr(row, name) for name in DATA_COLUMNS] for row in data))
