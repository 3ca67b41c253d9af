"""The return as a government-style workbook: a cover, one sheet per section, charts, Data.

Sheets appear in the order a reviewer reads them. The `Data` sheet is flat (one header row, one
figure per row, columns as `DATA_COLUMNS` then `COVER_COLUMNS`, booleans as booleans) so a
machine can read the return back; the other sheets are for people, with names beside codes.
Every cell is written through `xlsx_kit` (typed write calls, text made safe), in row order
(constant-memory mode), but the rows of the Data and Transactions sheets, which polars makes
in bulk (`xlsx_data`), as the same cells.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from fundflow.returns.cover_columns import with_cover
from fundflow.returns.labels import (
    measure_name,
    plain,
    ring_fence_name,
)
from fundflow.returns.model import (
    DATA_COLUMNS,
    MONEY_FIELDS,
    Return,
    SummaryRow,
    basis_note,
    basis_subtotals,
)
from fundflow.returns.safe import safe_text
from fundflow.returns.xlsx_analysis import write_analysis
from fundflow.returns.xlsx_charts import write_charts
from fundflow.returns.xlsx_data import (
    BulkBody,
    BulkSheet,
    bulk_rows,
    bulk_xml,
    sample_rows,
)
from fundflow.returns.xlsx_entries import write_entries
from fundflow.returns.xlsx_finance import write_finance
from fundflow.returns.xlsx_kit import (
    EXCEL_ROWS,
    Book,
    Col,
    Kind,
    Sheet,
    _fmt_kind,
    measure,
    table_sheet,
)
from fundflow.returns.xlsx_outputs import write_outputs

"""Longest transaction list the workbook shows. A bigger one is cut here (the sheet says so):
its figures are all in Finance and Data, and every entry is in the JSON return and in
`fundflow export --parquet`. It keeps a million-entry return quick to write and to open."""
_DATA_KINDS: dict[str, Kind] = {
    "tier": "int", "month": "date", "amount": "money", "amount_pence": "int",
    "apportioned": "bool", "counted": "bool", "return_schema_version": "int",
}
_MONEY5 = ("Award", "Received to date", "Spent to date", "Forecast to end",
           "Balance (award less spent and forecast)")


def write_xlsx(ret: Return, path: Path) -> None:
    """Write the workbook to `path` (the caller makes the write atomic)."""
    c = ret.cover
    book = Book(path, c.title, footer=(
        f"fundflow, {c.generated_at:%d/%m/%Y %H:%M}", f"SHA-256 {c.content_hash[:12]}…"))
    book.wb.set_properties({
        "title": c.title, "subject": "Consolidated funding return", "author": "fundflow",
        "company": c.partnership, "comments": f"Content hash (SHA-256) {c.content_hash}",
    })
    data = _DataPlan(book, ret)
    try:
        _cover(book, ret)
        if ret.funder_context is not None:
            _funder(book, ret)
        _summary(book, ret)
        data.start_when_known()  # usually here: the Summary's cells use the Data's styles
        write_finance(book, ret)
        data.start_when_known()
        if ret.entries:
            write_entries(book, ret)
        write_outputs(book, ret)
        write_analysis(book, ret)
        _reconciliation(book, ret)
        _issues(book, ret)
        write_charts(book, ret)
        _data(book, data)
        book.save()
    finally:
        data.discard()


def _contents(ret: Return) -> list[tuple[str, str]]:
    """The sheets this workbook has, in order, with what each holds."""
    found = [
        ("Funder", "This funder's share of the partnership's funding and how its conditions "
                   "compare.") if ret.funder_context else None,
        ("Summary", "Each stream's award, receipts, spend, forecast and balance."),
        ("Finance", "Actual and forecast by category and quarter, at each stream's tier."),
        ("Transactions", "The entry list of Tier 3 streams.") if ret.entries else None,
        ("Outputs", "Outputs and outcomes, each indicator by period."),
        ("Ring-fencing", "Restriction, unspent money, clawback exposure, funds, breaches."),
        ("Funding horizon", "Funding ending in 3, 6 and 12 months; each stream's end."),
        ("Reporting burden", "Returns, data items and hours a year, now and with one "
                             "consolidated return."),
        ("Reconciliation", "Each source file's total against this return: every difference "
                           "is 0.00."),
        ("Issues", "Open issues from the imported files and from building this return."),
        ("Charts", "Spend, quarters, funding ending, ring-fencing, durations, hours."),
        ("Data", "Every figure, one per row, as an Excel Table for Power Query (not "
                 "printed)."),
    ]
    return [item for item in found if item is not None]


_COVER_TITLE_CHARS = 62
"""Characters of the 14-point bold title that fit across the cover's two columns (96 wide)."""


def _cover(book: Book, ret: Return) -> None:
    c = ret.cover
    sheet = book.sheet("Cover", header_rows=None, widths=[26, 70], landscape=False)
    sheet.ws.hide_gridlines(2)
    # A funder's report has a long title: wrapped across the page, never cut at its edge.
    lines = math.ceil(len(c.title) / _COVER_TITLE_CHARS)
    sheet.ws.set_row(0, 20 * lines + 4)
    sheet.ws.merge_range(0, 0, 0, 1, safe_text(c.title), book.fmt("title_wrap"))
    sheet.row += 1
    sheet.skip()
    facts: list[tuple[str, Any, Kind]] = [
        ("Partnership", c.partnership, "text"), ("Financial year", c.year, "text"),
        ("Quarter", c.quarter or "Whole year", "text"), ("Period from", c.period_start, "date"),
        ("Period to", c.period_end, "date"), ("Basis", c.basis, "text"),
        ("Funder", c.funder_id or "All funders", "text"), ("Streams", c.streams, "int"),
        ("Source files", c.submissions, "int"), ("Generated", c.generated_at, "datetime"),
        ("Content hash (SHA-256)", c.content_hash, "text"),
        ("Reference data hash (SHA-256)", c.reference_hash, "text"),
    ]
    for label, value, kind in facts:
        if label.startswith("Content hash"):
            book.wb.define_name("ContentHash", f"=Cover!$B${sheet.row + 1}")
        sheet.line((label, "text", "label"), (value, kind, "left" if kind != "text" else "body"))
    sheet.skip()
    _headlines(sheet, ret)
    sheet.line(("Sign-off", "text", "heading"), height=20)
    sheet.note(c.sign_off.statement, "para")
    sheet.skip()
    for label, value, height in (("Name", c.sign_off.name, 24), ("Role", c.sign_off.role, 24),
                                 ("Signature", c.sign_off.signature, 40),
                                 ("Date", c.sign_off.date, 24)):
        sheet.line((label, "text", "label"), (value, "text", "box"), height=height)
    sheet.skip()
    sheet.line(("Contents", "text", "heading"), height=20)
    for name, what in _contents(ret):
        sheet.ws.write_url(sheet.row, 0, f"internal:'{name}'!A1", book.fmt("link"),
                           string=name)
        sheet.put(1, what, "text", "para")
        sheet.row += 1


def _headlines(sheet: Sheet, ret: Return) -> None:
    """The Summary sheet's total row, on the cover: what a reviewer looks for first."""
    sheet.line(("Headline totals", "text", "heading"), height=20)
    sums = [sum((getattr(s, f) for s in ret.summary), Decimal("0.00")) for f in MONEY_FIELDS]
    titles = ("Award", "Received to date", "Spent to date", "Forecast to end", "Balance")
    for title, value in zip(titles, sums, strict=True):
        sheet.line((title, "text", "label"), (value, "money", "left"))
    sheet.line(("Each stream on its own basis; see Summary for the subtotals by basis.",
                "text", "note"))
    sheet.skip()


def _funder(book: Book, ret: Return) -> None:
    ctx = ret.funder_context
    assert ctx is not None  # only called for a funder's report
    cols = [Col("Condition", width=28, wrap=True), Col(ctx.funder_name, width=48, wrap=True),
            Col("Other funders", width=48, wrap=True)]
    rows = [(c.condition, c.funder, c.others) for c in ctx.conditions]
    note = (f"{ctx.funder_name} provides £{ctx.funder_award:,} of the partnership's "
            f"£{ctx.partnership_award:,} of awards ({ctx.share_pct}%).")
    table_sheet(book, "Funder", "Funder's share and conditions", note, cols, rows,
                landscape=False)


def _summary(book: Book, ret: Return) -> None:
    cols = [Col("Funder", width=9), Col("Funder name", width=26, wrap=True),
            Col("Stream", width=12), Col("Stream name", width=32, wrap=True),
            Col("Tier", "int", 5), Col("Ring-fenced", "yesno", 9),
            Col("Ring-fence type", width=16, wrap=True), Col("Basis", width=12, wrap=True),
            *(Col(t, "money", 16) for t in _MONEY5), Col("End date", "date", 11)]
    rows = [(s.funder_id, s.funder_name, s.stream_id, s.stream_name, s.tier, s.ring_fenced,
             ring_fence_name(s.ring_fence_type), _basis(s), s.award, s.received, s.spent,
             s.forecast, s.balance, s.end_date) for s in ret.summary]
    sums = [sum((getattr(s, f) for s in ret.summary), Decimal("0.00")) for f in MONEY_FIELDS]
    note = (f"Lifetime figures to {ret.cover.period_end:%d/%m/%Y}, {basis_note(ret.cover)}; "
            "amounts on other bases are listed below and not included.")
    sheet = table_sheet(book, "Summary", "Summary by funder and stream", note, cols, rows,
                        total=["Total (each stream's basis)", *[None] * 7, *sums, None])
    for basis, subtotal in basis_subtotals(ret.summary) if ret.summary else []:
        sheet.rows(cols, [[f"Subtotal, {basis} basis", *[None] * 7, *subtotal, None]])
    sheet.skip()
    sheet.line(("Amounts on other bases (not in the totals above)", "text", "heading"))
    # Under the summary's own columns: the amount sits in the Award column's width.
    gap_cols = [Col("Funder"), Col("Measure"), Col("Stream"), Col("State and basis"),
                Col("", "int"), Col(""), Col("Why not counted", wrap=True), Col(""),
                Col("Amount", "money")]
    for col in (0, 1, 2, 3, 6, 8):
        sheet.put(col, gap_cols[col].title, "text", "header")
    sheet.row += 1
    gaps = [(g.funder_id, measure_name(g.measure), g.stream_id, f"{g.state}, {g.basis}", None,
             None, g.reason, None, g.amount) for g in ret.basis_gaps]
    if not sheet.rows(gap_cols, gaps):
        sheet.line(("None.", "text", "muted"))


def _basis(row: SummaryRow) -> str:
    return f"{plain(row.basis)} (assumed)" if row.basis_assumed else plain(row.basis)


def _reconciliation(book: Book, ret: Return) -> None:
    cols = [Col("Source file", width=30, wrap=True), Col("Submission", width=21),
            Col("SHA-256", width=34, wrap=True), Col("Adapter", width=20, wrap=True),
            Col("Funder period", width=14, wrap=True), Col("Total in file", "money", 14),
            Col("Total in return", "money", 14), Col("Difference", "money", 11)]
    rows = [(r.file, r.submission_id, r.sha256, r.adapter_id, r.funder_period, r.file_total,
             r.return_total, r.difference) for r in ret.reconciliation]
    sums = [sum((getattr(r, f) for r in ret.reconciliation), Decimal("0.00"))
            for f in ("file_total", "return_total", "difference")]
    table_sheet(book, "Reconciliation", "Reconciliation to source files",
                "Every difference must be 0.00.", cols, rows, total=["Total", *[None] * 4, *sums])


def _issues(book: Book, ret: Return) -> None:
    cols = [Col("Code", width=24), Col("Severity", width=9),
            Col("Where", width=30, wrap=True), Col("Problem", width=60, wrap=True),
            Col("What to do", width=48, wrap=True)]
    rows = [(i.code, i.severity, i.location, i.message, i.hint) for i in ret.issues]
    table_sheet(book, "Issues", "Open issues", None, cols, rows)


IN_THREAD = True
"""Make the Data sheets' rows in a thread of their own (`_DataPlan`); False writes them in
the closing workbook's thread, as before (the tests compare the two workbooks)."""


class _DataPlan:
    """The Data sheets' frame, columns, widths and styles, worked out before the other sheets,
    so each sheet's bulk rows can be made and deflated in a thread of their own
    (`xlsx_data.BulkBody`) while the people's sheets are written. A row's XML names its
    cells' style indices, which xlsxwriter gives formats in the order cells first use them:
    the rows start once every style they use has its index (`start_when_known`; the Summary
    sheet uses them all), or else when the Data sheet is written, giving the indices then as
    before. Either way the workbook is the same, byte for byte."""

    def __init__(self, book: Book, ret: Return) -> None:
        self.book = book
        frame = with_cover(ret.data.frame, ret)  # each row says which return it is of
        cols = [Col(name, _DATA_KINDS.get(name, "text")) for name in frame.columns]
        widths = measure(cols, sample_rows(frame, 20_000), sample=20_000, widest=60)
        widths[len(DATA_COLUMNS):] = [max(w, len(c.title) + 2)  # the cover's headings show whole
                                      for c, w in zip(cols[len(DATA_COLUMNS):],
                                                      widths[len(DATA_COLUMNS):], strict=True)]
        # A text column held to the widest width has longer values: they wrap, never hide.
        self.cols = [Col(c.title, c.kind, wrap=c.kind == "text" and w >= 60) for c, w in zip(
            cols, widths, strict=True)]
        self.widths = widths
        self.styles = [("wrap" if c.wrap else "body", _fmt_kind(c.kind)) for c in self.cols]
        per_sheet = EXCEL_ROWS - 1
        self.chunks = [frame.slice(start, per_sheet)
                       for start in range(0, max(frame.height, 1), per_sheet)]
        self.bodies: list[BulkBody] | None = None
        self.started_with: list[int] | None = None

    def start_when_known(self) -> None:
        """Start making the rows if every style they use has its index already."""
        if self.bodies is not None or not IN_THREAD:
            return
        known = [self.book.known_xf_index(*style) for style in self.styles]
        if all(index is not None for index in known):
            self._start([int(index) for index in known if index is not None])

    def _start(self, indices: list[int]) -> None:
        self.started_with = indices
        self.bodies = [BulkBody(bulk_xml(chunk, self.cols, indices, 1, self.widths))
                       for chunk in self.chunks if chunk.height]

    def indices(self) -> list[int]:
        """The styles' indices, given now where a style has none yet (the order of old)."""
        return [self.book.fmt(*style)._get_xf_index() for style in self.styles]

    def discard(self) -> None:
        for body in self.bodies or []:
            body.discard()


def _data(book: Book, plan: _DataPlan) -> None:
    """The flat sheet: one header row, every figure, as an Excel Table (`ReturnData`, so Power
    Query can refresh from it); continued on 'Data 2'... past Excel's row limit, so nothing a
    machine reads back is ever cut. Only its header row prints: 60 pages of figures that the
    other sheets already show would bury the return. The rows are made in bulk from the
    frame (`xlsx_data`), in a thread of their own (`_DataPlan`)."""
    cols, widths = plan.cols, plan.widths
    styles = plan.indices()
    if not IN_THREAD:
        plan.started_with = styles
    elif plan.bodies is None:
        plan._start(styles)
    if plan.started_with != styles:  # cannot happen: a format's index never changes
        raise RuntimeError("the Data sheet's styles changed after its rows were made")
    bodies = iter(plan.bodies or [])
    for part, chunk in enumerate(plan.chunks, start=1):
        name = "Data" if part == 1 else f"Data {part}"
        sheet: Sheet = book.sheet(name, header_rows=(0, 0), widths=widths,
                                  worksheet_class=BulkSheet)
        ws = sheet.ws
        assert isinstance(ws, BulkSheet)
        ws.add_bulk_table(0, chunk.height, len(cols) - 1, {
            "name": "ReturnData" if part == 1 else f"ReturnData{part}",
            "style": "Table Style Light 9", "columns": [{"header": c.title} for c in cols]})
        for i, c in enumerate(cols):
            sheet.put(i, c.title, "text", "bold")
        sheet.row += 1
        if chunk.height and IN_THREAD:
            ws.body = next(bodies)
        elif chunk.height:
            ws.bulk = bulk_rows(chunk, cols, styles, 1, widths)
        ws.bulk_last = (chunk.height, len(cols) - 1)
        sheet.row += chunk.height
        sheet.print_rows = 1
