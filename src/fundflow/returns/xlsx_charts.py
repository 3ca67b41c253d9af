"""The Charts sheet: each chart's figures as a small table, and a native Excel chart of it.

Two charts of the return's own figures (`returns.charts`, shared with the HTML page) come
first, their tables side by side above them; then the analyses' four pictures
(`Return.analysis.charts`: funding ending by month, ring-fenced and flexible money by funder,
stream durations, reporting hours), each table directly above its chart. Every chart is an
xlsxwriter chart drawn from cells on the sheet, so a reviewer can see and check every number
behind each bar, and the sheet holds no formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from fundflow.returns.analysis_model import AnalysisChart
from fundflow.returns.charts import Chart, charts
from fundflow.returns.labels import category_name
from fundflow.returns.model import Return, basis_note
from fundflow.returns.xlsx_kit import NAVY, Book, Col, Kind, Sheet

_LIGHT = "#8FAADC"
_CATEGORY = [Col("Category", width=42), Col("Actual", "money", 15)]
_QUARTER = [Col("Quarter", width=10), Col("Actual", "money", 15), Col("Forecast", "money", 15)]
_CHART_ROWS = 21
_PAGE_ROWS = 56
"""Rows of this sheet that print on one A4 page at the scale that fits its width."""
"""Rows a 380-pixel chart covers (20-pixel rows), plus one blank row under it."""
_UNIT_KIND: dict[str, Kind] = {"GBP": "money", "count": "int", "hours": "fixed2"}
_UNIT_PREFIX = {"GBP": "£", "count": "", "hours": ""}
_TICKS = 5
"""At most this many steps on a value axis (six labels): 700 pixels hold six '£12.5m'."""
_NICE = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
_SCALES = ((Decimal(10) ** 6, Decimal(10) ** 6, ",,", "m"),
           (Decimal(10) ** 4, Decimal(1000), ",", "k"))
"""(from this size, divide by, the format's scaling commas, suffix): £2.5m, £40k, £900."""
_UNIT_TITLE = {"GBP": " (£)", "count": "", "hours": ""}
CATEGORY_TITLE = {"cliff_edge": "Month ending", "ring_fencing_by_funder": "Funder",
                  "durations": "Duration", "burden": "Reporting"}


@dataclass(frozen=True)
class Axis:
    """A value axis with few, short labels: a round step, and pounds in thousands or millions.

    Excel's own choice for £3,670,000 is a label every £500,000 written in full, and the
    labels run into each other ("£1,000,000£1,500,000"); this axis says "£0 £1m £2m £3m £4m".
    """

    low: Decimal
    high: Decimal
    step: Decimal
    prefix: str = ""
    divisor: Decimal = Decimal(1)
    commas: str = ""
    """The number format's scaling commas: one divides by a thousand, two by a million."""
    suffix: str = ""

    @property
    def places(self) -> int:
        """Decimal places the labels need (2.5m needs one; 2m none)."""
        exponent = (self.step / self.divisor).normalize().as_tuple().exponent
        return max(0, -int(exponent))

    def labels(self) -> list[str]:
        """The tick labels as Excel shows them with `num_format` (for the width check)."""
        count = int((self.high - self.low) / self.step)
        return [self._label(self.low + i * self.step) for i in range(count + 1)]

    def _label(self, value: Decimal) -> str:
        if value == 0:
            return f"{self.prefix}0"
        sign = "-" if value < 0 else ""
        return f"{sign}{self.prefix}{abs(value) / self.divisor:,.{self.places}f}{self.suffix}"

    def num_format(self) -> str:
        digits = "#,##0" + ("." + "0" * self.places if self.places else "") + self.commas
        quoted = f'"{self.suffix}"' if self.suffix else ""
        shown = f"{self.prefix}{digits}{quoted}"
        return f"{shown};-{shown};{self.prefix}0"

    def options(self) -> dict[str, Any]:
        """xlsxwriter axis options: fixed bounds and step, so Excel adds no label of its own."""
        return {"num_format": self.num_format(), "min": float(self.low),
                "max": float(self.high), "major_unit": float(self.step)}


def value_axis(values: Iterable[Decimal], unit: str) -> Axis:
    """The axis for `values` in `unit` (GBP, count or hours): 0 always shown, ≤ `_TICKS` steps."""
    found = list(values)
    low, high = min([Decimal(0), *found]), max([Decimal(0), *found])
    step = _nice((high - low) / _TICKS, whole=True)
    axis = Axis(low=_round(low, step, ROUND_FLOOR), high=_round(high, step, ROUND_CEILING),
                step=step, prefix=_UNIT_PREFIX.get(unit, ""))
    if axis.high == axis.low:
        return Axis(low=Decimal(0), high=Decimal(1), step=Decimal(1), prefix=axis.prefix)
    for size, divisor, commas, suffix in _SCALES:
        if max(-axis.low, axis.high) >= size:
            return Axis(axis.low, axis.high, step, axis.prefix, divisor, commas, suffix)
    return axis


def _nice(rough: Decimal, *, whole: bool) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at least `rough` (at least 1)."""
    if rough <= 1 and whole:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(rough))) - 1)
    return next(m * power for m in _NICE if m * power >= rough)


def _round(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).quantize(Decimal(1), rounding=rounding) * step


def write_charts(book: Book, ret: Return) -> None:
    by_category, by_quarter = charts(ret)
    sheet = book.sheet("Charts", header_rows=None, widths=[42, 15, 15, 10, 15, 15],
                       landscape=False)
    sheet.heading("Charts", f"Counted figures only, {basis_note(ret.cover)}.")
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
    sheet.row = at + 44
    page = _PAGE_ROWS  # the two charts above fill the first page
    for chart in ret.analysis.charts:
        block = len(chart.categories) + 3 + _CHART_ROWS
        if page + block > _PAGE_ROWS:
            sheet.ws.set_h_pagebreaks([*sheet.ws.hbreaks, sheet.row])
            page = 0
        page += block
        _analysis_chart(book, sheet, chart)


def _analysis_chart(book: Book, sheet: Sheet, chart: AnalysisChart) -> None:
    """The chart's table (categories down, one column per series), then the chart under it."""
    sheet.line((chart.title, "text", "heading"), height=18)
    cols = [Col(CATEGORY_TITLE.get(chart.id, ""), wrap=True),
            *(Col(s.name + _UNIT_TITLE[s.unit], _UNIT_KIND[s.unit]) for s in chart.series)]
    sheet.header(cols)
    first = sheet.row
    rows = [(label, *(s.values[i] for s in chart.series))
            for i, label in enumerate(chart.categories)]
    sheet.rows(cols, rows)
    sheet.skip()
    if len(rows) < 2:  # one bar compares nothing (a funder's own report): the table is enough
        sheet.line(("One figure only: no chart is drawn.", "text", "muted"))
        sheet.skip()
        return
    last = first + max(len(rows), 1) - 1
    native = book.wb.add_chart({"type": "bar" if chart.horizontal else "column",
                                **({"subtype": "stacked"} if chart.stacked else {})})
    assert native is not None
    plotted = chart.series[:chart.plotted]
    for i, (series, colour) in enumerate(zip(plotted, (NAVY, _LIGHT), strict=False)):
        native.add_series({
            "name": series.name, "categories": ["Charts", first, 0, last, 0],
            "values": ["Charts", first, 1 + i, last, 1 + i],
            "fill": {"color": colour}, "border": {"none": True}, "gap": 60,
            **({"overlap": 100} if chart.stacked else {}),
        })
    native.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
    unit = plotted[0].unit if plotted else "GBP"
    name = "Award" if chart.stacked else plotted[0].name if plotted else ""
    _axes(native, _plotted_values(chart), unit, chart.horizontal, name + _UNIT_TITLE[unit])
    native.set_legend({"none": True} if len(plotted) == 1 else {"position": "bottom"})
    native.set_size({"width": 700, "height": 380})
    sheet.ws.insert_chart(sheet.row, 0, native, {"object_position": 1})
    sheet.skip(_CHART_ROWS)


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
    _axes(native, [v for bar in chart.bars for v in bar.values], "GBP", horizontal, None)
    native.set_legend({"none": True} if len(chart.series) == 1 else {"position": "bottom"})
    native.set_size({"width": 700, "height": 400})
    sheet.ws.insert_chart(row, 0, native, {"object_position": 1})


def _plotted_values(chart: AnalysisChart) -> list[Decimal]:
    """The values the axis must hold: each bar's stack total when stacked."""
    plotted = chart.series[:chart.plotted]
    if chart.stacked:
        return [sum((s.values[i] for s in plotted), Decimal(0))
                for i in range(len(chart.categories))]
    return [v for s in plotted for v in s.values]


def _axes(native: Any, values: list[Decimal], unit: str, horizontal: bool,
          title: str | None) -> None:
    """Value axis from `value_axis`; horizontal bars read top down with the values below."""
    options: dict[str, Any] = {
        **value_axis(values, unit).options(),
        "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        **({"name": title} if title else {})}
    if horizontal:
        native.set_x_axis(options)
        native.set_y_axis({"reverse": True, "crossing": "max"})
    else:
        native.set_y_axis(options)
