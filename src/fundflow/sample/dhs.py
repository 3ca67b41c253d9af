"""DHS "Safer Streets Fund Round 6" quarterly monitoring: one sheet per quarter.

A single year-end workbook holds one sheet per quarter of 2025-26 (`Q1 Apr-Jun 25` ...), each with
the same table: intervention | spend type | budget 2025-26 | spend this quarter | spend to date |
forecast remaining | comments. Quirks: the spend type `Capital ` typed with a trailing space on
one row, `< Select >` in unused rows, sub-total rows per spend type and a Total row, notes rows
under the table, and a hidden sheet `Q4 Jan-Mar 25 (old)` left over from last year with stale
figures that must not be imported.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, month_starts, pounds, split_pence
from fundflow.sample.xlsxkit import GBP_PENCE, new_workbook, put, put_row, save, widths

STREAM = "S-SSF-6"
# (intervention, spend type, weight within its spend type)
INTERVENTIONS = (
    ("CCTV installation and upgrades", "Capital", 45),
    ("Street lighting improvements", "Capital", 35),
    ("Target hardening (locks, gates, alley-gates)", "Capital", 20),
    ("Community engagement and events", "Revenue", 25),
    ("Youth diversion activities", "Revenue", 50),
    ("Project management", "Revenue", 25),
)
CATEGORY_LABELS = tuple(i[0] for i in INTERVENTIONS)
HEADERS = ("Intervention", "Spend type", "Budget 2025-26 £", "Spend this quarter £",
           "Spend to date (2025-26) £", "Forecast remaining 2025-26 £", "Comments")
SHEETS = ("Q1 Apr-Jun 25", "Q2 Jul-Sep 25", "Q3 Oct-Dec 25", "Q4 Jan-Mar 26")


def write_dhs(p: Partnership, out_dir: Path) -> list[Path]:
    """Write the 2025-26 workbook with four quarter sheets and the stale hidden sheet."""
    stream = p.stream(STREAM)
    wb, first = new_workbook(SHEETS[0])
    for q, name in enumerate(SHEETS, start=1):
        ws = first if q == 1 else wb.create_sheet(name)
        _quarter(ws, p, 2025, q)
    stale = wb.create_sheet("Q4 Jan-Mar 25 (old)")
    _quarter(stale, p, 2024, 4, stale=True)
    stale.sheet_state = "hidden"
    name = f"SSF6_Quarterly_Monitoring_2025-26_{stream.ref}.xlsx"
    return [save(wb, out_dir / "returns" / "dhs" / name)]


def _amounts(p: Partnership, months: list[date]) -> list[int]:
    """Pence per intervention over `months`: capital and revenue split by weights."""
    cap = sum(p.spend(STREAM, m, "capital") for m in months)
    rev = sum(p.spend(STREAM, m, "revenue") for m in months)
    caps = split_pence(cap, [w if t == "Capital" else 0 for _, t, w in INTERVENTIONS])
    revs = split_pence(rev, [w if t == "Revenue" else 0 for _, t, w in INTERVENTIONS])
    return [a + b for a, b in zip(caps, revs, strict=True)]


def _budget(p: Partnership) -> list[int]:
    """The year's budget: half of the two-year award, split like the spend."""
    stream = p.stream(STREAM)
    cap_w = [w if t == "Capital" else 0 for _, t, w in INTERVENTIONS]
    rev_w = [w if t == "Revenue" else 0 for _, t, w in INTERVENTIONS]
    caps = split_pence(stream.capital // 2, cap_w)
    revs = split_pence(stream.revenue // 2, rev_w)
    return [a + b for a, b in zip(caps, revs, strict=True)]


def _quarter(ws: Worksheet, p: Partnership, fy: int, q: int, *, stale: bool = False) -> None:
    """One quarter's sheet: header block, intervention rows, sub-totals, total, notes."""
    stream = p.stream(STREAM)
    put(ws, 1, 1, "Safer Streets Fund Round 6 - quarterly monitoring", bold=True)
    put_row(ws, 2, 1, ["Grant reference", stream.ref])
    put_row(ws, 3, 1, ["Recipient", stream.lead])
    put_row(ws, 4, 1, ["Quarter", f"Q{q} {fy}/{(fy + 1) % 100:02d}"])
    put_row(ws, 6, 1, list(HEADERS), bold=True)
    year = month_starts(date(fy, 4, 1), date(fy + 1, 3, 1))
    quarter = [add_months(date(fy, 4, 1), 3 * (q - 1) + i) for i in range(3)]
    budget = _budget(p)
    this_q = _amounts(p, quarter)
    to_date = _amounts(p, [m for m in year if m <= quarter[-1]])
    if stale:
        this_q = [x * 3 // 2 for x in this_q]
    row = 7
    subtotals: dict[str, list[int]] = {}
    for i, (label, kind, _) in enumerate(INTERVENTIONS):
        values = [budget[i], this_q[i], to_date[i], budget[i] - to_date[i]]
        typed_kind = kind + " " if i == 1 else kind
        put_row(ws, row, 1, [label, typed_kind])
        put_row(ws, row, 3, [pounds(v) for v in values], GBP_PENCE)
        sub = subtotals.setdefault(kind, [0, 0, 0, 0])
        subtotals[kind] = [a + b for a, b in zip(sub, values, strict=True)]
        row += 1
        if i in (2, 5):
            put_row(ws, row, 1, ["< Select >", "< Select >"])
            put(ws, row + 1, 1, f"Sub-total {kind.lower()}", bold=True)
            put_row(ws, row + 1, 3, [pounds(v) for v in subtotals[kind]], GBP_PENCE)
            row += 2
    total = [a + b for a, b in zip(subtotals["Capital"], subtotals["Revenue"], strict=True)]
    put(ws, row, 1, "Total", bold=True)
    put_row(ws, row, 3, [pounds(v) for v in total], GBP_PENCE)
    put(ws, row + 2, 1, "Notes: spend is defrayed spend; forecast remaining is budget less "
        "spend to date.")
    put(ws, row + 3, 1, "Capital items over £5,000 must be recorded on the asset register.")
    widths(ws, A=46, B=12, C=18, D=20, E=24, F=26, G=30)
