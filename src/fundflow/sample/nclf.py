"""L4: Northmoor Community Lottery Fund "Reaching Communities" annual grant report (lottery-like).

A Word form turned into one sheet, `Report`: labels in column A, answers merged across C:H, bold
merged section headings. The grant year runs from the award anniversary (Year 2 = 1 November 2024
to 31 October 2025), dates are written `1st November 2024`, money has pence, the Total row is
typed (not a formula) and is a few pence to a few pounds off the sum of the lines, and the variance
sign flips between years (Year 1: actual minus budget; Year 2: budget minus actual). A free-text
note records a budget move agreed by email.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, pounds, split_pence
from fundflow.sample.xlsxkit import GBP_PENCE, WRAP, merged, new_workbook, put, put_row, save

STREAM = "S-NCLF-23"
# (heading, revenue weight); "Capital" takes the capital spend.
HEADINGS = (
    ("Staff salaries (incl. NI & pension)", 60),
    ("Volunteer expenses", 5),
    ("Project activities", 20),
    ("Equipment", 5),
    ("Overheads", 10),
    ("Capital", 0),
)
CATEGORY_LABELS = tuple(h[0] for h in HEADINGS)
OUTCOMES = (
    ("Young people feel safer in their neighbourhood", "Number of young people mentored", 120),
    ("Young people feel safer in their neighbourhood", "Number of mentoring sessions", 900),
    ("More young people volunteer locally", "Number of volunteers", 30),
)
INDICATOR_LABELS = tuple(o[1] for o in OUTCOMES)
TYPED_TOTAL_ERROR = {1: 250, 2: -3}
"""Pence by which the typed Total of actual spend misses the sum of the lines, per grant year."""


def ordinal_date(d: date) -> str:
    """`1st November 2024`: the long form the lottery's Word template uses."""
    suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    return f"{d.day}{suffix} {d:%B %Y}"


def write_nclf(p: Partnership, out_dir: Path) -> list[Path]:
    """Write the Year 1 and Year 2 grant reports."""
    return [_write_year(p, year, out_dir) for year in (1, 2)]


def _write_year(p: Partnership, year: int, out_dir: Path) -> Path:
    """One annual report for grant year `year` (anniversary of the award start)."""
    stream = p.stream(STREAM)
    first = add_months(stream.start, 12 * (year - 1))
    last = date.fromordinal(add_months(first, 12).toordinal() - 1)
    wb, ws = new_workbook("Report")
    put(ws, 1, 1, "Northmoor Community Lottery Fund - Reaching Communities: annual grant report",
        bold=True)
    _section(ws, 3, "Section 1 - About your project")
    answers = (("Organisation name", stream.lead), ("Grant reference", stream.ref),
               ("Project title", stream.name), ("Grant year", f"Year {year}"),
               ("Reporting period start", ordinal_date(first)),
               ("Reporting period end", ordinal_date(last)),
               ("Total grant awarded", f"£{pounds(stream.award):,}"))
    for i, (label, answer) in enumerate(answers):
        _answer(ws, 4 + i, label, answer)
    _section(ws, 12, "Section 3 - Money")
    _money(ws, 13, p, first, year=year)
    _section(ws, 24, "Section 4 - Outcomes")
    _outcomes(ws, 25, year)
    _section(ws, 31, "Section 5 - Declaration")
    _answer(ws, 32, "Signed", "Chair of Trustees")
    _answer(ws, 33, "Date", ordinal_date(add_months(last, 1).replace(day=21)))
    ws.column_dimensions["A"].width = 38
    name = f"NCLF_GrantReport_Yr{year}_{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return save(wb, out_dir / "returns" / "nclf" / name)


def _section(ws: Worksheet, row: int, title: str) -> None:
    """A bold heading merged across A:H."""
    merged(ws, row, 1, title, cols=8)


def _answer(ws: Worksheet, row: int, label: str, answer: str) -> None:
    """Label in A, answer merged over C:H."""
    put(ws, row, 1, label, bold=True)
    put(ws, row, 3, answer)
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=8)


def _money(ws: Worksheet, top: int, p: Partnership, first: date, *, year: int) -> None:
    """Budget vs actual by heading; typed total a little off; variance sign depends on year."""
    stream = p.stream(STREAM)
    months = [add_months(first, i) for i in range(12)]
    weights = [h[1] for h in HEADINGS]
    actual = split_pence(sum(p.spend(STREAM, m, "revenue") for m in months), weights)
    actual[-1] = sum(p.spend(STREAM, m, "capital") for m in months)
    budget = split_pence(stream.revenue // 3, weights)
    budget[-1] = stream.capital // 3
    put_row(ws, top, 1, ["Budget heading", None, "Budget this year £", "Actual spend this year £",
                         "Variance £", "Explanation"], bold=True)
    for i, (heading, _) in enumerate(HEADINGS):
        variance = actual[i] - budget[i] if year == 1 else budget[i] - actual[i]
        put(ws, top + 1 + i, 1, heading)
        put_row(ws, top + 1 + i, 3, [pounds(budget[i]), pounds(actual[i]), pounds(variance)],
                GBP_PENCE)
    typed_error = TYPED_TOTAL_ERROR[year]
    row = top + 1 + len(HEADINGS)
    put(ws, row, 1, "Total", bold=True)
    put_row(ws, row, 3, [pounds(sum(budget)), pounds(sum(actual) + typed_error)], GBP_PENCE)
    note = ("We moved £1,200 from Equipment to Project activities, agreed with our funding "
            "officer by email on 14th March.")
    put(ws, row + 2, 1, "Changes to your budget", bold=True)
    put(ws, row + 2, 3, note if year == 2 else "None this year.")
    ws.cell(row=row + 2, column=3).alignment = WRAP


def _outcomes(ws: Worksheet, top: int, year: int) -> None:
    """Outcome | Indicator | Target | Achieved, then beneficiary counts."""
    put_row(ws, top, 1, ["Outcome", None, "Indicator", None, "Target", "Achieved"], bold=True)
    for i, (outcome, indicator, target) in enumerate(OUTCOMES):
        achieved = target * (70 + 15 * year + 3 * i) // 300
        put_row(ws, top + 1 + i, 1, [outcome, None, indicator, None, target // 3, achieved])
    put_row(ws, top + 4, 1, ["Beneficiaries: aged 11-15", None, 48 + year * 5])
    put_row(ws, top + 5, 1, ["Beneficiaries: aged 16-19", None, 31 + year * 4])
