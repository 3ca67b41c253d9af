"""L6 extra: the fortnightly discharge-fund sub-return `ICP_Discharge_FN14.xlsx`.

One row per fortnight (FN1 from 1 April 2025 to FN14), with start and end dates as real date
cells, discharges supported and spend split ICB share / LA share in whole pounds. The spend is
the discharge-to-assess scheme's share of the pool, apportioned to fortnights by days.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fundflow.sample.model import Partnership
from fundflow.sample.money import month_starts, split_pence, whole_pounds
from fundflow.sample.xlsxkit import GBP, UK_DATE, new_workbook, put, put_row, save

STREAM = "S-ICP-25"
FORTNIGHTS = 14
FIRST_DAY = date(2025, 4, 1)
DISCHARGE_SHARE = 20  # percent of the pool's revenue spent on discharge to assess
HEADERS = ("Fortnight", "Start date", "End date", "Discharges supported",
           "Spend - ICB share £", "Spend - LA share £")


def write_discharge(p: Partnership, out_dir: Path) -> Path:
    """Write the sub-return covering fortnights 1 to 14 of 2025-26."""
    wb, ws = new_workbook("Discharge fund")
    put(ws, 1, 1, "Integrated Care Pool - discharge fund fortnightly return", bold=True)
    put_row(ws, 2, 1, ["Pool reference", p.stream(STREAM).ref])
    put_row(ws, 4, 1, list(HEADERS), bold=True)
    rng = p.rng("icp:discharge")
    for n in range(FORTNIGHTS):
        start = FIRST_DAY + timedelta(days=14 * n)
        end = start + timedelta(days=13)
        spend = _fortnight_spend(p, start, end)
        icb, la = split_pence(spend, [60, 40])
        put(ws, 5 + n, 1, f"FN{n + 1}")
        put(ws, 5 + n, 2, start, UK_DATE)
        put(ws, 5 + n, 3, end, UK_DATE)
        put(ws, 5 + n, 4, rng.randint(18, 41))
        put_row(ws, 5 + n, 5, [whole_pounds(icb), whole_pounds(la)], GBP)
    return save(wb, out_dir / "returns" / "icp" / f"ICP_Discharge_FN{FORTNIGHTS}.xlsx")


def _fortnight_spend(p: Partnership, start: date, end: date) -> int:
    """Discharge share of the pool's revenue, apportioned from months to days."""
    total = 0
    for month in month_starts(start, end):
        nxt = month_starts(month, month + timedelta(days=31))[-1]
        days_in_month = (nxt - month).days or 31
        first, last = max(start, month), min(end, nxt - timedelta(days=1))
        days = (last - first).days + 1
        monthly = p.spend(STREAM, month, "revenue") * DISCHARGE_SHARE // 100
        total += monthly * days // days_in_month
    return total
