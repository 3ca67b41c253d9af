"""The Finance sheet: per stream, categories down and quarters across, as finance officers lay
out a grant's monitoring return.

One block per stream, at the grain its tier asks for: a band with the stream and funder, then
one table per measure and basis (bases are never added together), categories as rows, Q1-Q4
actual and forecast then the full year as columns, and a total. Tier 0-1 streams report the
year only, so their quarter cells stay empty. Every total is summed here in whole pence (the
table's own exact integers; a Decimal per figure cost seconds at 15,000 streams) and becomes
pounds only as the cell's double, the same double the exact Decimal would give. The flat
version of the same figures, for machines, is the Data sheet.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fundflow.returns.labels import cap_rev_name, category_name, measure_name, measure_rank
from fundflow.returns.model import Return
from fundflow.returns.xlsx_kit import Book, Sheet

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
_WIDTHS = [17, 34, 11, *[12.5] * 8, 13.5, 13.5]
_GRAIN = {
    0: "the year's totals by level-1 heading",
    1: "the year's totals by level-1 heading",
    2: "level-1 headings by capital/revenue and quarter",
    3: "detailed categories by capital/revenue and quarter (entries on the Transactions sheet)",
}
_APPORTIONED = (" · Note: some figures were reported for a period longer than a month and are "
                "spread over its months (the Data sheet marks each one): a quarter made from "
                "a longer return is an estimate, not that quarter's actual.")
Figures = dict[str, list[int]]  # quarter (or 'year') -> [actual, forecast] in pence
Group = dict[tuple[str, str | None], Figures]  # (category, cap/rev) -> figures


def write_finance(book: Book, ret: Return) -> None:
    """The Finance sheet (frozen two-row heading, repeated on every printed page)."""
    categories = ret.finance.frame.get_column("category").unique().to_list()
    longest = max((len(category_name(c)) for c in categories), default=0)
    widths = [_WIDTHS[0], max(_WIDTHS[1], min(longest + 2, 48)), *_WIDTHS[2:]]
    sheet = book.sheet("Finance", header_rows=(3, 4), widths=widths)
    sheet.heading("Finance by category, at each stream's tier",
                  f"Actual to {ret.cover.period_end:%d/%m/%Y} and the latest forecast, on "
                  "each figure's own basis; different bases and measures are never added up.")
    _header(sheet, ret.cover.period_start)
    names = {s.stream_id: (s.stream_name, s.funder_name, s.funder_id, s.tier)
             for s in ret.summary}
    # One stream's rows at a time: 260,000 rows at 15,000 streams held at once were
    # hundreds of MB (`FinanceTable`).
    by_stream = ret.finance.by_stream(_COLUMNS)
    data = ret.data.frame
    apportioned = set(data.filter(data["apportioned"])["stream_id"].unique().to_list())
    order = [s.stream_id for s in ret.summary]
    order += sorted(set(by_stream) - set(order))
    if not order:
        sheet.line(("None.", "text", "muted"))
    for stream_id in order:
        rows = by_stream[stream_id]() if stream_id in by_stream else []
        name, funder, funder_id, tier = names.get(
            stream_id, (stream_id, rows[0][0] if rows else "", "", rows[0][1] if rows else 3))
        _band(sheet, f"{stream_id}   {name}",
              f"{funder} ({funder_id}) · Tier {tier}: {_GRAIN.get(tier, _GRAIN[3])}"
              + (_APPORTIONED if stream_id in apportioned and tier >= 2 else ""))
        if not rows:
            sheet.line(None, ("No finance figures in this return's year.", "text", "muted"))
        for (measure, basis, year), group in _groups(rows).items():
            title = f"{measure_name(measure)} ({basis})"
            if year != ret.cover.year:
                title += f", {year}"
            _table(sheet, title, group, quarterly=tier >= 2)
        sheet.skip()


def _header(sheet: Sheet, start: date) -> None:
    months = [date(2000, (start.month - 1 + i) % 12 + 1, 1).strftime("%b") for i in range(12)]
    sheet.ws.set_row(sheet.row, 16)
    for col in range(3):
        sheet.put(col, None, "text", "header")
    spans = [f"{q} ({months[3 * i]}-{months[3 * i + 2]})" for i, q in enumerate(QUARTERS)]
    for i, label in enumerate([*spans, "Full year"]):
        sheet.put(3 + 2 * i, label, "text", "header_across")
        sheet.put(4 + 2 * i, None, "text", "header_across")
    sheet.row += 1
    sheet.ws.set_row(sheet.row, 28)
    for col, label in enumerate(["Category", "Name", "Capital or revenue",
                                 *["Actual", "Forecast"] * 5]):
        sheet.put(col, label, "text", "header")
    sheet.row += 1


def _band(sheet: Sheet, title: str, note: str) -> None:
    sheet.ws.set_row(sheet.row, 18)
    sheet.put(0, title, "text", "band")
    for col in range(1, len(_WIDTHS)):
        sheet.put(col, None, "text", "band")
    sheet.row += 1
    sheet.note(note)


_COLUMNS = ("funder_id", "tier", "measure", "basis", "year", "category", "cap_rev", "quarter",
            "actual", "forecast")
"""The Finance table's columns this sheet reads, in the order `_groups` unpacks them."""


def _groups(rows: list[tuple[Any, ...]]) -> dict[tuple[str, str, str], Group]:
    """Rows (`_COLUMNS`) by (measure, basis, year), in reading order, each summed by
    category."""
    groups: dict[tuple[str, str, str], Group] = {}
    for _, _, measure, basis, year, category, cap_rev, quarter, actual, forecast in sorted(
            rows, key=lambda r: (measure_rank(r[2]), r[3], r[4])):
        group = groups.setdefault((measure, basis, year), {})
        figures = group.setdefault((category, cap_rev), {})
        for key in (quarter if quarter in QUARTERS else None, "year"):
            if key is not None:
                cell = figures.setdefault(key, [0, 0])
                cell[0] += actual
                cell[1] += forecast
    return groups


def _table(sheet: Sheet, title: str, group: Group, *, quarterly: bool) -> None:
    sheet.line((title, "text", "subhead"))
    totals: Figures = {}
    for (category, cap_rev), figures in sorted(group.items(),
                                               key=lambda kv: (kv[0][0], kv[0][1] or "")):
        sheet.line_and_numbers(
            [(category, "text", "body"), (category_name(category), "text", "body"),
             (cap_rev_name(cap_rev), "text", "body" if cap_rev else "muted")],
            _figures(figures, quarterly), "money", "body")
        for key, (actual, forecast) in figures.items():
            cell = totals.setdefault(key, [0, 0])
            cell[0] += actual
            cell[1] += forecast
    if len(group) > 1:
        sheet.line_and_numbers([("Total", "text", "subtotal"), (None, "text", "subtotal"),
                                (None, "text", "subtotal")],
                               _figures(totals, quarterly), "money", "subtotal")


def _figures(figures: Figures, quarterly: bool) -> list[float | None]:
    """Q1-Q4 then the year, actual and forecast, for the row's money columns."""
    keys = [*(QUARTERS if quarterly else (None,) * 4), "year"]
    none = [None, None]
    # pence / 100 is the double nearest the exact amount, as float(Decimal) is (both round
    # the same exact fraction once).
    return [None if pence is None else pence / 100 for key in keys
            for pence in (figures.get(key, _ZEROS) if key is not None else none)]


_ZEROS = [0, 0]
