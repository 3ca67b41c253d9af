"""The written workbook's structure, read back with openpyxl as a reviewer's Excel would:
money shown in pounds, every sheet printable with its headings repeated, text that fits its
column, and the Data sheet an Excel Table a Power Query user can refresh from."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fundflow.mapping.reference import Reference
from fundflow.returns.labels import plain, plain_list
from fundflow.returns.write import write_return
from fundflow.returns.xlsx_charts import value_axis
from tests.test_return import built, ledger, reference  # noqa: F401  (fixtures)

DEFAULT_WIDTH = 8.43
MONEY_HEADINGS = ("Award", "Amount", "Actual", "Forecast", "Spent", "Received", "Balance",
                  "Total in", "Difference", "unspent", "exposure", "Cost")


def _width(ws: Worksheet, col: int) -> float:
    """A column's width in characters (openpyxl keeps a run of equal columns as one entry)."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.max is not None and dim.min <= col <= dim.max:
            return float(dim.width) if dim.width else DEFAULT_WIDTH
    return DEFAULT_WIDTH


def _merged(ws: Worksheet) -> set[tuple[int, int]]:
    return {(r, c) for rng in ws.merged_cells.ranges
            for r in range(rng.min_row, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)}


def _fits(ws: Worksheet, cell: Any, merged: set[tuple[int, int]]) -> bool:
    """Whether a text cell shows whole, by a width estimate: one character of 10-point Arial
    is about one width unit. Unwrapped text may run on over empty cells to its right;
    wrapped text needs a row tall enough for its lines (Excel breaks a word too long for a
    line, so only the count of characters matters)."""
    text = str(cell.value)
    if (cell.row, cell.column) in merged:
        return True
    if cell.alignment is not None and cell.alignment.wrap_text:
        width = _width(ws, cell.column)
        lines = sum(max(1, math.ceil(len(part) / max(width * 1.15 - 1, 4)))
                    for part in text.split("\n"))
        height = ws.row_dimensions[cell.row].height or 15
        return lines <= 1 or height >= 12 * lines
    room, col = _width(ws, cell.column), cell.column + 1
    while len(text) > room and col <= _last_printed(ws) and ws.cell(cell.row, col).value is None:
        room += _width(ws, col)
        col += 1
    return len(text) <= room * 1.1


def _last_printed(ws: Worksheet) -> int:
    """The last column of the print area: text running on past it is cut on paper."""
    area = ws.print_area
    if not area:
        return ws.max_column + 5
    ranges = area if isinstance(area, list) else [area]
    return max(range_boundaries(str(r).split("!")[-1].replace("$", ""))[2] or 1
               for r in ranges)


def layout_problems(wb: Workbook) -> list[str]:
    """Every breach of the house layout, as 'Sheet!A1: what is wrong' (empty when none)."""
    problems: list[str] = []
    for ws in wb.worksheets:
        if not ws.print_area:
            problems.append(f"{ws.title}: no print area")
        if not ws.print_title_rows:
            problems.append(f"{ws.title}: no repeated header rows")
        fit = ws.sheet_properties.pageSetUpPr
        if fit is None or not fit.fitToPage or ws.page_setup.fitToWidth not in (None, 1):
            problems.append(f"{ws.title}: not fitted to one page wide")
        problems += _cell_problems(ws)
    return problems


def _cell_problems(ws: Worksheet) -> list[str]:
    """Text that does not fit, and money under a money heading not shown in pounds."""
    problems: list[str] = []
    merged = _merged(ws)
    headings: dict[int, str] = {}  # column -> the last white-on-navy heading above
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            if cell.data_type == "s":
                if str(cell.fill.fgColor.rgb).endswith("1F3864"):
                    headings[cell.column] = str(cell.value)
                if not _fits(ws, cell, merged):
                    problems.append(f"{ws.title}!{cell.coordinate}: {cell.value!r} is wider "
                                    "than its column shows")
            elif cell.data_type == "n" and not isinstance(cell.value, bool):
                heading = headings.get(cell.column, "")
                if any(word in heading for word in MONEY_HEADINGS) and \
                        "£" not in cell.number_format:
                    problems.append(f"{ws.title}!{cell.coordinate}: money under {heading!r} "
                                    f"shown as {cell.number_format!r}, not in pounds")
    return problems


def test_written_workbook_is_a_printable_return(ledger: Any, reference: Reference,  # noqa: F811
                                                tmp_path: Path) -> None:
    ret = built(ledger, reference, year="2025-26")
    write_return(ret, tmp_path / "r.xlsx")
    wb = load_workbook(tmp_path / "r.xlsx")
    assert layout_problems(wb) == []
    data = wb["Data"]
    assert "ReturnData" in data.tables
    assert data.tables["ReturnData"].ref == f"A1:{get_column_letter(data.max_column)}" \
        f"{data.max_row}"
    assert str(data.print_area).endswith("$1"), "the Data sheet prints only its headings"
    amounts = [c.number_format for c in next(data.iter_cols(
        min_col=[c.value for c in data[1]].index("amount") + 1, min_row=2))]
    assert amounts and all("£" in f for f in amounts)


def test_layout_check_catches_what_it_looks_for(tmp_path: Path) -> None:
    from openpyxl import Workbook as NewBook

    wb = NewBook()
    ws = wb.active
    ws.title = "S"
    ws.column_dimensions["A"].width = 5
    ws["A1"] = "a heading far wider than five"
    ws["B1"] = 1
    ws["A2"] = "Award"
    ws["A2"].fill = __import__("openpyxl").styles.PatternFill("solid", fgColor="1F3864")
    ws["A2"].font = __import__("openpyxl").styles.Font(color="FFFFFF")
    ws["A3"] = 1234.5
    ws["A3"].number_format = "#,##0.00"
    found = "\n".join(layout_problems(wb))
    for expected in ("no print area", "no repeated header rows", "S!A1:", "S!A3: money"):
        assert expected in found


CODE_WORD = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def code_words(wb: Workbook) -> list[str]:
    """Cells of the people-facing sheets that show a code ('half_yearly') or a Python word
    ('None', 'True') instead of plain words. The Data sheet is for machines: codes belong."""
    found: list[str] = []
    for ws in wb.worksheets:
        if ws.title.startswith("Data"):
            continue
        for row in ws.iter_rows():
            for cell in row:
                text = cell.value if isinstance(cell.value, str) else ""
                if CODE_WORD.match(text) or text in ("None", "True", "False"):
                    found.append(f"{ws.title}!{cell.coordinate}: {text!r}")
    return found


def test_people_facing_sheets_show_words_not_codes(ledger: Any,  # noqa: F811
                                                   reference: Reference,  # noqa: F811
                                                   tmp_path: Path) -> None:
    for funder in (None, "F-1"):
        ret = built(ledger, reference, year="2025-26", funder=funder)
        write_return(ret, tmp_path / "r.xlsx")
        assert code_words(load_workbook(tmp_path / "r.xlsx")) == []


def test_plain_words_for_codes() -> None:
    assert plain("half_yearly") == "Half-yearly"
    assert plain("restricted_charitable") == "Restricted (charitable)"
    assert plain("per_100k") == "per 100,000 people"
    assert plain("some_new_code") == "Some new code"
    assert plain(None) == "" and plain(True) == "Yes"
    assert plain_list("half_yearly, quarterly") == "Half-yearly, Quarterly"


def test_no_chart_of_a_single_bar(ledger: Any, reference: Reference,  # noqa: F811
                                  tmp_path: Path) -> None:
    import zipfile

    for funder in (None, "F-3"):
        ret = built(ledger, reference, year="2025-26", funder=funder)
        write_return(ret, tmp_path / "r.xlsx")
        with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
            drawn = sum(1 for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert drawn == 2 + sum(1 for c in ret.analysis.charts if len(c.categories) >= 2)
    assert any(len(c.categories) < 2 for c in ret.analysis.charts), "the case is exercised"


money = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False,
                    allow_infinity=False)


@given(st.lists(money, min_size=1, max_size=12), st.sampled_from(["GBP", "count", "hours"]))
def test_value_axis_labels_are_few_short_and_hold_every_bar(values: list[Decimal],
                                                           unit: str) -> None:
    axis = value_axis(values, unit)
    labels = axis.labels()
    assert 2 <= len(labels) <= 7
    # 700-pixel chart, ~8 px a character at the axis' 9-point font, a label's width apart
    assert all(len(label) * 8 * len(labels) < 520 for label in labels), labels
    assert axis.low <= min([Decimal(0), *values]) and axis.high >= max([Decimal(0), *values])
    assert (axis.high - axis.low) % axis.step == 0 and axis.low % axis.step == 0
    assert len(set(labels)) == len(labels), labels  # no two ticks read the same
    zero = next(i for i in range(len(labels)) if axis.low + i * axis.step == 0)
    assert labels[zero] in ("£0", "0")


def test_value_axis_reads_in_thousands_and_millions() -> None:
    big = value_axis([Decimal("3670000"), Decimal("1265000")], "GBP")
    assert big.labels() == ["£0", "£1m", "£2m", "£3m", "£4m"]
    assert big.num_format() == '£#,##0,,"m";-£#,##0,,"m";£0'
    assert value_axis([Decimal("1417934.15")], "GBP").labels()[-1] == "£1.5m"
    assert value_axis([Decimal("38264.21")], "GBP").labels()[-1] == "£40k"
    assert value_axis([Decimal("2500")], "GBP").labels()[-1] == "£2,500"
    assert value_axis([Decimal(0)], "GBP").labels() == ["£0", "£1"]


def test_every_chart_has_a_fixed_short_value_axis(ledger: Any, reference: Reference,  # noqa: F811
                                                  tmp_path: Path) -> None:
    import zipfile

    write_return(built(ledger, reference, year="2025-26"), tmp_path / "r.xlsx")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as z:
        charts = [z.read(n).decode() for n in z.namelist()
                  if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert charts
    for xml in charts:
        value = re.search(r"<c:valAx>.*?</c:valAx>", xml, re.S)
        assert value is not None
        assert "<c:majorUnit " in value.group() and "<c:max " in value.group()
        if "<c:barDir val=\"bar\"/>" in xml:  # horizontal: read top down, values below
            assert '<c:orientation val="maxMin"/>' in xml and '<c:crosses val="max"/>' in xml
