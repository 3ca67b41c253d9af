"""The Charts sheet: the two charts' figures as small tables, and native Excel charts of them.

The figures come from `returns.charts` (shared with the HTML page, so both show the same
bars). The charts are xlsxwriter charts drawn from the tables on the sheet, so a reviewer can
see and check every number behind each bar; they sit under the tables to print on one page.
"""

from __future__ import annotations

from fundflow.returns.charts import Chart, charts
from fundflow.returns.labels import category_name
from fundflow.returns.model import Return
from fundflow.returns.xlsx_kit import NAVY, Book, Col, Sheet

_LIGHT = "#8FAADC"
_CATEGORY = [Col("Category", width=34), Col("Actual", "money", 15)]
_QUARTER = [Col("Quarter", width=10), Col("Actual", "money", 15), Col("Forecast", "money", 15)]


def write_charts(book: Book, ret: Return) -> None:
    by_category, by_quarter = charts(ret)
    sheet = book.sheet("Charts", header_rows=None, widths=[34, 15, 4, 10, 15, 15],
                       landscape=False)
    sheet.heading("Charts", f"On the {ret.cover.basis} basis; counted figures only.")
    first = sheet.row + 1  # 0-based first data row, under the header
    cats = [(f"{b.label} {category_name(b.label)}".strip(), b.values[0])
            for b in by_category.bars]
    quarters = [(b.label, *b.values) for b in by_quarter.bars]
    for i, c in enumerate([*_CATEGORY, None, *_QUARTER]):
        if c is not None:
            sheet.put(i, c.title, "text", "header")
    sheet.row += 1
    for i in range(max(len(cats), len(quarters))):
        left = cats[i] if i < len(cats) else (None, None)
        right = quarters[i] if i < len(quarters) else (None, None, None)
        sheet.line((left[0], "text", "body"), (left[1], "money", "body"), None,
                   (right[0], "text", "body"), (right[1], "money", "body"),
                   (right[2], "money", "body"))
    sheet.skip()
    at = sheet.row
    _insert(book, sheet, by_category, at, (first, 0, len(cats)), horizontal=True)
    _insert(book, sheet, by_quarter, at + 22, (first, 3, len(quarters)), horizontal=False)


def _insert(book: Book, sheet: Sheet, chart: Chart, row: int,
            table: tuple[int, int, int], *, horizontal: bool) -> None:
    """A bar (horizontal) or column chart of the table at (first row, first column, rows)."""
    first, col, count = table
    last = first + max(count, 1) - 1
    native = book.wb.add_chart({"type": "bar" if horizontal else "column"})
    assert native is not None
    for i, (name, colour) in enumerate(zip(chart.series, (NAVY, _LIGHT), strict=False)):
        native.add_series({
            "name": name, "categories": ["Charts", first, col, last, col],
            "values": ["Charts", first, col + 1 + i, last, col + 1 + i],
            "fill": {"color": colour}, "border": {"none": True}, "gap": 60,
        })
    native.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
    money_axis = {"num_format": "£#,##0", "major_gridlines": {"visible": True,
                                                            "line": {"color": "#D9D9D9"}}}
    if horizontal:
        native.set_x_axis(money_axis)
        native.set_y_axis({"reverse": True})
    else:
        native.set_y_axis(money_axis)
    native.set_legend({"none": True} if len(chart.series) == 1 else {"position": "bottom"})
    native.set_size({"width": 700, "height": 400})
    sheet.ws.insert_chart(row, 0, native, {"object_position": 1})
