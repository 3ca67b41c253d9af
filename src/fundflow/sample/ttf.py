"""L1: DPC "Thriving Towns Fund" six-monthly Performance Return (Towns-Fund-like).

Imitates the Towns Fund performance return: a banner and instruction paragraph on every sheet,
data from column C, project blocks every 28 rows on `4a - Funding Profiles` with a three-row
merged header (`Financial Year 2025/26 (£s)` > `H1 (Apr-Sep)` > `Actual`), whole pounds,
`Before`/`Beyond`/`Total` columns, `< Select >` left in unused drop-downs, and hidden lookup sheets
mapping the place to its programme reference. The other sheets live in `ttf_sheets`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample import ttf_sheets
from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, month_starts, split_pence, whole_pounds
from fundflow.sample.ttf_sheets import Project
from fundflow.sample.xlsxkit import GBP, merged, new_workbook, put, save, title_block, widths

STREAM = "S-TTF-21"
BANNER = "Thriving Towns Fund - Performance Return"
INSTRUCTION = (
    "Complete every yellow cell for each project. Report spend in whole pounds (£s) on a "
    "defrayed basis. Periods before the reporting period end are actuals; later periods are "
    "forecasts. Do not add or delete rows or columns: the return is read automatically."
)
BLOCK_STRIDE = 28
FIRST_BLOCK = 6
FIRST_FY, LAST_FY = 2022, 2026
TF_ROWS = (
    "Town Deals 5% CDEL Pre-Payment",
    "Towns Fund CDEL which is being utilised on TF project related activity",
    "Towns Fund RDEL Payment which is being utilised on TF project related activity",
)
COMMITTED_ROW = "How much of your RDEL forecast is contractually committed?"
SOURCE_TYPES = ("Local Authority", "Third Sector Funding", "Other Public Funding",
                "Private Funding")


PROJECTS = (
    Project(1, "Market Hall Refurbishment", 50, 20),
    Project(2, "Station Quarter Public Realm", 35, 15),
    Project(3, "Safer Streets Wardens and CCTV", 15, 65),
)
CATEGORY_LABELS = (*TF_ROWS, COMMITTED_ROW)
"""Funder category labels this layout uses (each must be in the DPC crosswalk)."""


@dataclass(frozen=True)
class Period:
    """One reporting period of this template: a half year, with its label."""

    label: str
    slug: str
    end: date


PERIODS = (
    Period("1 October 2024 to 31 March 2025", "H2-2024-25", date(2025, 3, 31)),
    Period("1 April 2025 to 30 September 2025", "H1-2025-26", date(2025, 9, 30)),
)


def write_ttf(p: Partnership, out_dir: Path) -> list[Path]:
    """Write one Performance Return per half year in `PERIODS`."""
    return [_write_one(p, period, out_dir) for period in PERIODS]


def _write_one(p: Partnership, period: Period, out_dir: Path) -> Path:
    """One return: every sheet in template order, then the hidden lookups."""
    wb, start = new_workbook("1 - Start Here")
    title_block(start, BANNER, INSTRUCTION)
    put(start, 5, 2, period.label)
    put(start, 5, 3, "< Reporting period: select from list")
    put(start, 7, 2, "Programme ID")
    put(start, 7, 3, p.stream(STREAM).ref)
    ttf_sheets.project_admin(wb.create_sheet("2 - Project Admin"), p, PROJECTS)
    ttf_sheets.programme_progress(wb.create_sheet("3 - Programme Progress"), p, PROJECTS)
    funding = wb.create_sheet("4a - Funding Profiles")
    title_block(funding, BANNER, INSTRUCTION, last=22)
    rng = p.rng(f"ttf:{period.slug}")
    for i, project in enumerate(PROJECTS):
        _funding_block(funding, FIRST_BLOCK + i * BLOCK_STRIDE, p, project, period=period,
                       rng=rng)
    widths(funding, C=62, D=30, E=10)
    ttf_sheets.psi(wb.create_sheet("4b - PSI"), p, PROJECTS)
    ttf_sheets.outputs(wb.create_sheet("5 - Project Outputs"), PROJECTS, period.end, rng)
    ttf_sheets.outcomes(wb.create_sheet("6 - Outcomes"), period.end, rng)
    ttf_sheets.risks(wb.create_sheet("7 - Risk Register"), PROJECTS)
    ttf_sheets.lookups(wb, p, PROJECTS)
    name = f"TTF_Performance_Return_{p.place}_{period.slug}_v3.xlsx"
    return save(wb, out_dir / "returns" / "dpc" / name)


def _columns(period_end: date) -> list[tuple[str, str, str, list[date]]]:
    """(year header, half header, state, months) for every half-year column, in order."""
    cols = []
    for fy in range(FIRST_FY, LAST_FY + 1):
        year = f"Financial Year {fy}/{(fy + 1) % 100:02d} (£s)"
        for half, first in (("H1 (Apr-Sep)", date(fy, 4, 1)), ("H2 (Oct-Mar)", date(fy, 10, 1))):
            months = [add_months(first, i) for i in range(6)]
            state = "Actual" if months[-1] <= period_end else "Forecast"
            cols.append((year, half, state, months))
    return cols


def _header(ws: Worksheet, top: int, period_end: date) -> int:
    """The three merged header rows; returns the number of period columns."""
    merged(ws, top, 3, "Funding source", rows=3)
    merged(ws, top, 4, "Funding Source\r\nName", rows=3)
    merged(ws, top, 5, "Secured\r\n(Yes/No)", rows=3)
    merged(ws, top, 6, f"Before {FIRST_FY % 100}/{(FIRST_FY + 1) % 100}", rows=3)
    cols = _columns(period_end)
    for i, (year, half, state, _) in enumerate(cols):
        col = 7 + i
        if i % 2 == 0:
            merged(ws, top, col, year, cols=2)
        merged(ws, top + 1, col, half)
        merged(ws, top + 2, col, state)
    merged(ws, top, 7 + len(cols), f"Beyond {LAST_FY % 100}/{(LAST_FY + 1) % 100}", rows=3)
    merged(ws, top, 8 + len(cols), "Total", rows=3)
    return len(cols)


def _funding_block(ws: Worksheet, top: int, p: Partnership, project: Project, *,
                   period: Period, rng: random.Random) -> None:
    """One `Project N: name` block: Towns Fund rows, other sources, totals, 28 rows tall."""
    put(ws, top, 3, f"Project {project.number}: {project.name}", bold=True)
    ncols = _header(ws, top + 2, period.end)
    body = top + 5
    put(ws, body, 3, "Towns Fund", bold=True)
    tf_rows = _tf_values(p, project, period.end, rng)
    for i, (label, values) in enumerate(tf_rows):
        _money_row(ws, body + 1 + i, label, values)
    spend = [a + b for a, b in zip(tf_rows[1][1], tf_rows[2][1], strict=True)]
    _money_row(ws, body + 5, "Total Towns Fund spend", spend, bold=True)
    put(ws, body + 7, 3, "Other Funding Sources", bold=True)
    other_total = [0] * (ncols + 3)
    for i in range(4):
        values = _other_source(ws, body + 8 + i, i, project, rng=rng, ncols=ncols)
        other_total = [a + b for a, b in zip(other_total, values, strict=True)]
    _money_row(ws, body + 12, "Total other funding", other_total, bold=True)
    grand = [a + b for a, b in zip(spend, other_total, strict=True)]
    _money_row(ws, body + 14, "Grand total", grand, bold=True)


def _tf_values(p: Partnership, project: Project, period_end: date, rng: random.Random,
               ) -> list[tuple[str, list[int]]]:
    """Whole-pound rows for the pre-payment, CDEL, RDEL and committed lines of one project.

    Each list is [before, half-years..., beyond, total]; forecasts carry a little noise so a
    later return's actuals differ from an earlier return's forecasts, as in life.
    """
    stream = p.stream(STREAM)
    before = month_starts(stream.start, date(FIRST_FY, 3, 1))
    rows: dict[str, list[int]] = {}
    for cap_rev, label, share in (("capital", TF_ROWS[1], project.cap_share),
                                  ("revenue", TF_ROWS[2], project.rev_share)):
        first = _project_part(p, before, cap_rev, share)
        halves = []
        for _, _, state, months in _columns(period_end):
            pence = _project_part(p, months, cap_rev, share)
            if state == "Forecast":
                pence = pence * rng.randint(94, 108) // 100
            halves.append(pence)
        rows[label] = [whole_pounds(x) for x in (first, *halves, 0)]
    prepay = whole_pounds(stream.capital * project.cap_share // 100 * 5 // 100)
    rows[TF_ROWS[0]] = [prepay] + [0] * (len(rows[TF_ROWS[1]]) - 1)
    committed = [0] * len(rows[TF_ROWS[2]])
    for i, (_, _, state, _) in enumerate(_columns(period_end), start=1):
        if state == "Forecast":
            committed[i] = rows[TF_ROWS[2]][i] * 60 // 100
    rows[COMMITTED_ROW] = committed
    order = (*TF_ROWS, COMMITTED_ROW)
    return [(label, [*rows[label], sum(rows[label])]) for label in order]


def _project_part(p: Partnership, months: list[date], cap_rev: str, share: int) -> int:
    """The project's `share` percent of the stream's spend over `months`."""
    total = sum(p.spend(STREAM, m, cap_rev) for m in months)
    return split_pence(total, [share, 100 - share])[0]


def _money_row(ws: Worksheet, row: int, label: str, values: list[int], *, bold: bool = False,
               ) -> None:
    """Label in column C, whole-pound values from column F (Before ... Beyond, Total)."""
    put(ws, row, 3, label, bold=bold)
    for i, value in enumerate(values):
        put(ws, row, 6 + i, value, GBP, bold=bold)


def _other_source(ws: Worksheet, row: int, i: int, project: Project, *, rng: random.Random,
                  ncols: int) -> list[int]:
    """A match-funding row; the fourth is an unused row left at `< Select >`."""
    if i == 3:
        for col in (3, 4, 5):
            put(ws, row, col, "< Select >")
        return [0] * (ncols + 3)
    names = ("Borough capital programme", "Market traders' contributions", "Police estates")
    kinds = (SOURCE_TYPES[0], SOURCE_TYPES[3], SOURCE_TYPES[2])
    put(ws, row, 3, kinds[i])
    put(ws, row, 4, names[i])
    put(ws, row, 5, "Yes" if i != 1 else "No")
    values = [0] * (ncols + 2)
    for col in range(1, ncols + 1, 3):
        values[col] = rng.randint(0, 40) * 500 * project.cap_share // 10
    values.append(sum(values))
    for j, value in enumerate(values):
        put(ws, row, 6 + j, value, GBP)
    return values
