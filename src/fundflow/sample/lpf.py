"""L2: DPC "Local Prosperity Fund" quarterly monitoring (UKSPF / Pathfinder-like).

Imitates the Pathfinder and UKSPF quarterly returns: a period drop-down (`Q2 2025/26: Jul 2025 -
Sep 2025`), long column headers (`Financial year 2025 to 2026, (Apr to Jun), Actual`), a dropped
`Financial year 2025 to 2026, Total` column, £ with pence, a "Type of spend" block, underspend and
reprofile cells, `Please select an option` placeholders, quarter labels in three styles, a tagged
table id and a change log. Q1 carries a negative forecast and 4 risks, Q3 has 6 risks and an
over-long narrative (validation should catch all three). `_v2` of Q2 corrects two actuals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample import lpf_sheets
from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, pounds, split_pence
from fundflow.sample.xlsxkit import GBP_PENCE, new_workbook, put, put_row, save, title_block, widths

STREAM = "S-LPF-25"
BANNER = "Local Prosperity Fund - quarterly monitoring return 2025-26"
TABLE_TAG = "LPF-USER_FORECAST-AND-ACTUAL-SPEND"
QUARTERS = ("Apr to Jun", "Jul to Sep", "Oct to Dec", "Jan to Mar")
# (label, capital weight, revenue weight): every label is a crosswalk entry.
LINES = (
    ("Communities & Place - capital", 60, 0),
    ("Communities & Place - revenue", 0, 25),
    ("Supporting Local Business - capital", 40, 0),
    ("Supporting Local Business - revenue", 0, 20),
    ("People & Skills - revenue", 0, 30),
    ("Multiply (ring-fenced) - revenue", 0, 17),
    ("Management & Administration - revenue", 0, 4),
)
SPEND_TYPES = (
    "How much of your forecast is contractually committed?",
    "How much of your forecast is not contractually committed?",
    "Secured match funding spend",
    "Unsecured match funding",
)
CATEGORY_LABELS = tuple(line[0] for line in LINES) + SPEND_TYPES
# Resubmission corrections: (line index, quarter index, pence added in the original error).
V1_ERRORS = ((4, 1, 123_456), (0, 1, -80_000))


@dataclass(frozen=True)
class Return:
    """One quarterly return: the quarter (1-4) and whether it is the corrected resubmission."""

    quarter: int
    v2: bool = False

    @property
    def slug(self) -> str:
        """File-name period part, e.g. `Q2_2025-26`."""
        return f"Q{self.quarter}_2025-26"

    @property
    def dropdown(self) -> str:
        """The Start sheet's period drop-down value."""
        first = add_months(date(2025, 4, 1), 3 * (self.quarter - 1))
        last = add_months(first, 2)
        return (f"Q{self.quarter} 2025/26: {first:%b %Y} - {last:%b %Y}")


RETURNS = (Return(1), Return(2), Return(2, v2=True), Return(3), Return(4))


def write_lpf(p: Partnership, out_dir: Path) -> list[Path]:
    """Write every quarterly return in `RETURNS` (including the Q2 `_v2` resubmission)."""
    return [_write_one(p, r, out_dir) for r in RETURNS]


def _write_one(p: Partnership, r: Return, out_dir: Path) -> Path:
    """One return workbook in template sheet order."""
    wb, start = new_workbook("Start")
    title_block(start, BANNER, "Select the reporting period, then complete each tab in order.")
    put(start, 5, 2, "Reporting period")
    put(start, 5, 3, r.dropdown)
    if r.v2:
        put(start, 6, 2, "Resubmission: v2 - corrects Q2 actuals (People & Skills revenue and "
            "Communities & Place capital) following the council's ledger reconciliation.")
    rng = p.rng(f"lpf:{r.slug}")
    lpf_sheets.admin(wb.create_sheet("Admin"), p, STREAM)
    lpf_sheets.progress(wb.create_sheet("Progress"), r.quarter)
    finances = wb.create_sheet("Finances")
    _finances(finances, p, r, rng)
    lpf_sheets.outputs(wb.create_sheet("Outputs"), r.quarter, rng)
    lpf_sheets.risks(wb.create_sheet("Risks"), {1: 4, 3: 6}.get(r.quarter, 5))
    lpf_sheets.sign_off(wb.create_sheet("Sign off"), r.quarter)
    lpf_sheets.dropdowns(wb.create_sheet("Dropdown Values"))
    suffix = "_v2" if r.v2 else ""
    return save(wb, out_dir / "returns" / "dpc" / f"LPF_{r.slug}_{p.place}{suffix}.xlsx")


def line_values(p: Partnership, r: Return, rng: random.Random) -> list[list[int]]:
    """Pence per finance line per quarter; actuals to date, noisy forecasts after.

    The original Q2 return carries the two errors in `V1_ERRORS`; the `_v2` resubmission and later
    quarters carry the true figures.
    """
    grid = [[0] * 4 for _ in LINES]
    for q in range(4):
        months = [add_months(date(2025, 4, 1), 3 * q + i) for i in range(3)]
        cap = sum(p.spend(STREAM, m, "capital") for m in months)
        rev = sum(p.spend(STREAM, m, "revenue") for m in months)
        caps = split_pence(cap, [line[1] for line in LINES])
        revs = split_pence(rev, [line[2] for line in LINES])
        for i in range(len(LINES)):
            value = caps[i] + revs[i]
            grid[i][q] = value if q < r.quarter else value * rng.randint(92, 110) // 100
    if r.quarter == 2 and not r.v2:
        for i, q, error in V1_ERRORS:
            grid[i][q] += error
    return grid


def _finances(ws: Worksheet, p: Partnership, r: Return, rng: random.Random) -> None:
    """Spend by priority x quarter, totals, type-of-spend block, underspend cells, change log."""
    title_block(ws, BANNER, "All figures in £ (pounds and pence). Do not enter negative "
                "forecasts. Quarter columns up to the reporting period are actuals.", last=12)
    put(ws, 5, 3, TABLE_TAG)
    headers = ["Spend line", "Capital/Revenue"]
    for q, months in enumerate(QUARTERS, start=1):
        state = "Actual" if q <= r.quarter else "Forecast"
        headers.append(f"Financial year 2025 to 2026, ({months}), {state}")
    headers += ["Financial year 2025 to 2026, Total", "April 2026 and after, Total"]
    put_row(ws, 6, 3, headers, bold=True)
    grid = line_values(p, r, rng)
    if r.quarter == 1:
        grid[6][3] = -25_000  # a negative forecast the template forbids
    for i, (label, _, _) in enumerate(LINES):
        kind = "Capital" if label.endswith("capital") else "Revenue"
        _money_row(ws, 7 + i, [label, kind], [*grid[i], sum(grid[i]), 0])
    totals = [sum(col) for col in zip(*grid, strict=True)]
    _money_row(ws, 7 + len(LINES), ["Total", ""], [*totals, sum(totals), 0])
    _spend_types(ws, 10 + len(LINES), grid, r.quarter)
    _underspend(ws, 17 + len(LINES), p, grid)
    lpf_sheets.change_log(ws, 22 + len(LINES), r.quarter)
    widths(ws, C=44, D=14)


def _money_row(ws: Worksheet, row: int, labels: list[str], pence: list[int]) -> None:
    """Labels from column C, then £ with pence."""
    put_row(ws, row, 3, labels)
    put_row(ws, row, 3 + len(labels), [pounds(x) for x in pence], GBP_PENCE)


def _spend_types(ws: Worksheet, top: int, grid: list[list[int]], quarter: int) -> None:
    """Committed / uncommitted forecast and match rows (not additive with the lines above)."""
    put(ws, top, 3, "Type of spend", bold=True)
    forecast = [sum(grid[i][q] for i in range(len(LINES))) if q >= quarter else 0
                for q in range(4)]
    committed = [x * 70 // 100 for x in forecast]
    spend = [sum(grid[i][q] for i in range(len(LINES))) for q in range(4)]
    rows = (committed, [f - c for f, c in zip(forecast, committed, strict=True)],
            [x // 10 for x in spend], [x // 25 if q >= quarter else 0 for q, x in enumerate(spend)])
    for i, values in enumerate(rows):
        _money_row(ws, top + 1 + i, [SPEND_TYPES[i], ""], [*values, sum(values), 0])
    _money_row(ws, top + 5, ["Total match", ""],
               [a + b for a, b in zip([*rows[2], sum(rows[2]), 0], [*rows[3], sum(rows[3]), 0],
                                      strict=True)])


def _underspend(ws: Worksheet, top: int, p: Partnership, grid: list[list[int]]) -> None:
    """Forecast year-end underspend split capital/revenue and the amount to reprofile."""
    stream = p.stream(STREAM)
    cap = sum(sum(g) for g, line in zip(grid, LINES, strict=True) if line[0].endswith("capital"))
    rev = sum(sum(g) for g, line in zip(grid, LINES, strict=True) if line[0].endswith("revenue"))
    under_cap, under_rev = max(0, stream.capital - cap), max(0, stream.revenue - rev)
    cells = (("Forecast underspend at year end - capital", under_cap),
             ("Forecast underspend at year end - revenue", under_rev),
             ("Amount to reprofile into 2026/27", under_cap + under_rev))
    for i, (label, pence) in enumerate(cells):
        put(ws, top + i, 3, label)
        put(ws, top + i, 5, pounds(pence), GBP_PENCE)
