"""L5: DHI "Ring-fenced Wellbeing Grant" annual Statement of Grant Usage (s31 public-health-like).

Three sheets: `Statement` (service lines in £000s to one decimal, negative income in brackets,
one of them typed as text `(3.2)`, a typed total that differs from the lines by rounding, footnote
rows under the table), `Grant reconciliation` (allocation, quarterly instalments with their dates,
reserve brought and carried forward) and `Certificate` (signature blocks). In 2025-26 the
Miscellaneous line is over 10% of the grant, which the ring-fence tests should flag.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.model import Partnership
from fundflow.sample.money import fy_months, split_pence, thousands
from fundflow.sample.xlsxkit import ITALIC, THOUSANDS, UK_DATE, new_workbook, put, put_row, save

LINES = (
    ("Sexual health - STI testing and treatment", 14),
    ("Sexual health - contraception", 8),
    ("NHS Health Check programme", 5),
    ("Substance misuse - adult drug treatment", 22),
    ("Substance misuse - alcohol treatment", 9),
    ("Substance misuse - young people", 6),
    ("Smoking and tobacco - stop smoking services", 5),
    ("Children 5-19 public health programmes", 10),
    ("Public mental health", 6),
    ("Physical activity - adults", 3),
    ("Miscellaneous public health services", 4),
)
CATEGORY_LABELS = tuple(line[0] for line in LINES)
YEARS = ((2024, "S-RWG-24", 4), (2025, "S-RWG-25", 16))  # (FY, stream, Miscellaneous weight)
RESERVE_BF_2024 = 3_500_000


def write_rwg(p: Partnership, out_dir: Path) -> list[Path]:
    """Write the 2024-25 and 2025-26 statements; the reserve carries from one to the next."""
    paths = []
    reserve = RESERVE_BF_2024
    for fy, key, misc_weight in YEARS:
        path, reserve = _write_year(p, fy, key, misc_weight=misc_weight, reserve_bf=reserve,
                                    out_dir=out_dir)
        paths.append(path)
    return paths


def _write_year(p: Partnership, fy: int, key: str, *, misc_weight: int, reserve_bf: int,
                out_dir: Path) -> tuple[Path, int]:
    """One statement; returns its path and the reserve carried forward."""
    stream = p.stream(key)
    label = f"{fy}-{(fy + 1) % 100:02d}"
    wb, ws = new_workbook("Statement")
    put(ws, 1, 1, f"Ring-fenced Wellbeing Grant: Statement of Grant Usage {label}", bold=True)
    put_row(ws, 2, 1, ["Local authority", p.partners[0]])
    put_row(ws, 3, 1, ["ONS code", f"E06000{900 + p.seed % 97:03d}"])
    put_row(ws, 4, 1, ["Grant reference", stream.ref])
    put(ws, 5, 1, "All figures £000s")
    ws.cell(row=5, column=1).font = ITALIC
    spend = sum(p.spend(key, m) for m in fy_months(fy))
    weights = [w for _, w in LINES[:-1]] + [misc_weight]
    _statement(ws, 7, split_pence(spend, weights), fy)
    reserve_cf = max(0, stream.award + reserve_bf - spend)
    _reconciliation(wb.create_sheet("Grant reconciliation"), fy, stream.award, reserve_bf, spend)
    _certificate(wb.create_sheet("Certificate"), p, fy)
    path = save(wb, out_dir / "returns" / "dhi" / f"RWG_SoGU_{label}_{p.place}.xlsx")
    return path, reserve_cf


def _statement(ws: Worksheet, top: int, grant: list[int], fy: int) -> None:
    """Service-line table in £000s; total typed from unrounded pence; footnotes below."""
    put_row(ws, top, 1, ["Service line", "Gross expenditure", "Income", "Net expenditure",
                         "of which funded by grant", "Notes"], bold=True)
    gross_total = income_total = 0
    for i, ((label, _), funded) in enumerate(zip(LINES, grant, strict=True)):
        income = -(funded * (i % 4) // 40)
        gross = funded * 108 // 100 - income
        gross_total += gross
        income_total += income
        row = top + 1 + i
        put(ws, row, 1, label)
        put_row(ws, row, 2, [thousands(gross), thousands(income), thousands(gross + income),
                             thousands(funded)], THOUSANDS)
        if i == 1 and fy == 2025:
            put(ws, row, 3, f"({-thousands(income)})")
    row = top + 1 + len(LINES)
    put(ws, row, 1, "Total", bold=True)
    put_row(ws, row, 2, [thousands(gross_total), thousands(income_total),
                         thousands(gross_total + income_total), thousands(sum(grant))], THOUSANDS)
    put(ws, row + 2, 1, "1. Figures are unaudited and subject to the council's final accounts.")
    put(ws, row + 3, 1, "2. Income is shown as a negative figure in brackets.")
    put(ws, row + 4, 1, "3. Totals may not sum because of rounding.")
    ws.column_dimensions["A"].width = 48


def _reconciliation(ws: Worksheet, fy: int, award: int, reserve_bf: int, spend: int) -> None:
    """Allocation, instalments received (dates in early Apr/Jul/Oct/Jan), reserve movements."""
    put(ws, 1, 1, "Grant reconciliation (£000s)", bold=True)
    put_row(ws, 2, 1, ["Grant allocation", thousands(award, 3)], THOUSANDS)
    instalments = split_pence(award, [1, 1, 1, 1])
    dates = (date(fy, 4, 4), date(fy, 7, 4), date(fy, 10, 3), date(fy + 1, 1, 5))
    for i, (pence, paid) in enumerate(zip(instalments, dates, strict=True)):
        put_row(ws, 3 + i, 1, [f"Received Q{i + 1}", thousands(pence, 3)], THOUSANDS)
        put(ws, 3 + i, 3, paid, UK_DATE)
    available = award + reserve_bf
    rows = (("Brought forward from public health reserve", reserve_bf),
            ("Total available", available), ("Total eligible spend", spend),
            ("Carried forward to public health reserve", max(0, available - spend)),
            ("Returned to department", 0))
    for i, (label, pence) in enumerate(rows):
        put_row(ws, 7 + i, 1, [label, thousands(pence, 3)], THOUSANDS)
    ws.column_dimensions["A"].width = 44


def _certificate(ws: Worksheet, p: Partnership, fy: int) -> None:
    """Signature blocks for the Chief Executive / S151 officer and Director of Public Health."""
    put(ws, 1, 1, "Certificate", bold=True)
    put(ws, 2, 1, "We certify that the grant was used in accordance with the conditions of grant.")
    signed = date(fy + 1, 7, 18)
    roles = ("Chief Executive / Section 151 Officer", "Director of Public Health")
    for i, role in enumerate(roles):
        put_row(ws, 4 + 3 * i, 1, [role, f"Signed for {p.partners[0]}"])
        put(ws, 5 + 3 * i, 1, "Date")
        put(ws, 5 + 3 * i, 2, signed, UK_DATE)
    put(ws, 11, 1, "Version")
    put(ws, 11, 2, Decimal("1.0"))
