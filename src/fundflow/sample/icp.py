"""L6: "Borough Integrated Care Pool" quarterly / year-end pooled fund template (BCF / s75-like).

Sheets `Guidance`, `Cover`, `Checklist`, `Income`, `Expenditure`, `Metrics`, `Narrative`. Yellow
cells are inputs and grey cells prepopulated; the Cover title reads "Incomplete Template" while a
checklist item is "No" (Q3) and "Complete Template" at year end (Q4). Expenditure quirks: a Joint
row whose % NHS + % LA is 105, one scheme split over two rows with the same Scheme ID, an enum with
a trailing space, a scheme typed "Other" (deliberately not in the crosswalk), and a host-partner
memorandum line that is not spend. Metrics use real `Apr-25`..`Mar-26` date headers. The
fortnightly discharge sub-return is in `icp_discharge`.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample import icp_discharge
from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, fy_months, split_pence, whole_pounds
from fundflow.sample.xlsxkit import (
    GBP,
    GREY,
    MMM_YY,
    YELLOW,
    new_workbook,
    put,
    put_row,
    save,
    widths,
)

STREAM = "S-ICP-25"
# (id, name, scheme type, sub-type, area, commissioner, %NHS, %LA, provider, source, weight, cap)
SCHEMES = (
    ("1", "Community navigators (A&E)", "Prevention / early intervention", "Social prescribing",
     "Community Health", "NHS", None, None, "NHS Community Provider", "ICB minimum contribution",
     20, False),
    ("1a", "Community navigators (police custody)", "Prevention / early intervention",
     "Risk stratification", "Mental Health", "Joint", 60, 45, "Charity / Voluntary Sector",
     "ICB minimum contribution", 10, False),
    ("2", "Home from hospital support", "Home care or domiciliary care",
     "Domiciliary care packages", "Social Care", "LA", None, None, "Private Sector",
     "Improved Care Grant", 25, False),
    ("3", "Discharge to assess beds", "Bed based intermediate care services", "Step down",
     "Community Health", "Joint", 50, 50, "NHS Community Provider",
     "Discharge fund - ICB share", 12, False),
    ("3", "Discharge to assess beds", "Bed based intermediate care services", "Step down",
     "Community Health", "Joint", 50, 50, "NHS Community Provider",
     "Discharge fund - LA share", 8, False),
    ("4", "Carers' breaks", "Carers services ", "Respite services", "Social Care", "LA", None,
     None, "Charity / Voluntary Sector", "Council additional contribution", 10, False),
    ("5", "Home adaptations", "Disabled Facilities Grant", "Adaptations", "Social Care", "LA",
     None, None, "Local Authority", "Disabled Adaptations Grant (capital)", 100, True),
    ("6", "Assistive technology (telecare)", "Assistive technologies and equipment", "Telecare",
     "Social Care", "LA", None, None, "Private Sector", "Council additional contribution", 8,
     False),
    ("7", "Night-time economy safe space", "Other", "Please specify: street triage", "Other",
     "Joint", 50, 50, "Charity / Voluntary Sector", "Carry-forward from 2024-25", 7, False),
)
UNMAPPED_LABEL = "Other"
CATEGORY_LABELS = tuple(dict.fromkeys(s[2].strip() for s in SCHEMES))
INCOME = (("ICB minimum contribution", 30), ("Council additional contribution", 18),
          ("Improved Care Grant", 25), ("Disabled Adaptations Grant (capital)", 0),
          ("Discharge fund - ICB share", 12), ("Discharge fund - LA share", 8),
          ("Carry-forward from 2024-25", 7))
METRICS = (("Avoidable admissions per 100,000 population", 190.0, -1.5),
           ("Discharge to usual place of residence (%)", 92.5, 0.1),
           ("Emergency admissions due to falls (65+) per 100,000", 170.0, -1.0),
           ("Permanent admissions to residential care (65+) per 100,000", 45.0, -0.3))
INDICATOR_LABELS = tuple(m[0] for m in METRICS)
EXP_HEADERS = ("Scheme ID", "Scheme Name", "Scheme Type", "Sub-type", "Area of Spend",
               "Commissioner", "% NHS (if Joint)", "% LA (if Joint)", "Provider",
               "Source of Funding", "Planned Expenditure £", "Actual to date £",
               "Forecast outturn £", "New/Existing")


def write_icp(p: Partnership, out_dir: Path) -> list[Path]:
    """Write the Q3 and Q4 (year-end) pooled fund returns and the fortnightly discharge file."""
    paths = [_write_quarter(p, q, out_dir) for q in (3, 4)]
    return [*paths, icp_discharge.write_discharge(p, out_dir)]


def _write_quarter(p: Partnership, quarter: int, out_dir: Path) -> Path:
    """One quarterly template."""
    stream = p.stream(STREAM)
    end = add_months(date(2025, 4, 1), 3 * quarter - 1)
    wb, guidance = new_workbook("Guidance")
    put(guidance, 1, 1, "Yellow cells are for input. Grey cells are prepopulated; do not edit.")
    put(guidance, 2, 1, "Complete the checklist: the template is complete when every item is Yes.")
    cover = wb.create_sheet("Cover")
    put(cover, 1, 2, "Complete Template" if quarter == 4 else "Incomplete Template", bold=True)
    for i, (label, value) in enumerate((("Health and Wellbeing Board", p.place),
                                        ("Pool reference", stream.ref),
                                        ("Partnership stream ID", stream.stream_id),
                                        ("Reporting period", f"Q{quarter} 2025-26"),
                                        ("Host partner", p.partners[0]))):
        put(cover, 3 + i, 2, label, fill=GREY)
        put(cover, 3 + i, 3, value, fill=YELLOW)
    _checklist(wb.create_sheet("Checklist"), quarter)
    _income(wb.create_sheet("Income"), p, end)
    _expenditure(wb.create_sheet("Expenditure"), p, end, p.rng(f"icp:{quarter}"))
    _metrics(wb.create_sheet("Metrics"), end)
    narrative = wb.create_sheet("Narrative")
    put(narrative, 1, 1, "Narrative: progress against the plan this quarter", bold=True)
    put(narrative, 2, 1, "Discharge to assess capacity rose; navigator posts fully recruited.")
    return save(wb, out_dir / "returns" / "icp" / f"ICP_Q{quarter}_2025-26_{p.place}.xlsx")


def _checklist(ws: Worksheet, quarter: int) -> None:
    """Items with a cell reference and a checker column; one item is "No" until year end."""
    put_row(ws, 1, 1, ["Item", "Cell", "Complete?"], bold=True)
    items = (("Cover complete", "Cover!C3"), ("Income complete", "Income!C10"),
             ("Expenditure complete", "Expenditure!K14"), ("Metrics complete", "Metrics!B3"))
    for i, (item, ref) in enumerate(items):
        done = quarter == 4 or i != 3
        put_row(ws, 2 + i, 1, [item, ref, "Yes" if done else "No"])


def _income(ws: Worksheet, p: Partnership, end: date) -> None:
    """Contributions by source: Planned £ and Received to date £ (whole pounds)."""
    stream = p.stream(STREAM)
    put_row(ws, 1, 1, ["Source", "Planned £", "Received to date £"], bold=True)
    planned = split_pence(stream.revenue, [w for _, w in INCOME])
    planned[3] = stream.capital
    quarters = (end.year * 12 + end.month - (2025 * 12 + 4) + 1) // 3  # instalments paid
    for i, ((source, _), pence) in enumerate(zip(INCOME, planned, strict=True)):
        received = split_pence(pence, [1, 1, 1, 1])[:quarters]
        put(ws, 2 + i, 1, source, fill=GREY)
        put(ws, 2 + i, 2, whole_pounds(pence), GBP, fill=YELLOW)
        put(ws, 2 + i, 3, whole_pounds(sum(received)), GBP, fill=YELLOW)
    put_row(ws, 3 + len(INCOME), 1, ["Total", whole_pounds(sum(planned))], GBP, bold=True)


def _expenditure(ws: Worksheet, p: Partnership, end: date, rng: random.Random) -> None:
    """One row per scheme (and funding source), totals, then the memorandum line."""
    stream = p.stream(STREAM)
    put_row(ws, 1, 1, list(EXP_HEADERS), bold=True)
    months = fy_months(2025)
    done = [m for m in months if m <= end]
    rev_w = [0 if s[11] else s[10] for s in SCHEMES]
    cap_w = [s[10] if s[11] else 0 for s in SCHEMES]
    planned = [a + b for a, b in zip(split_pence(stream.revenue, rev_w),
                                     split_pence(stream.capital, cap_w), strict=True)]
    actual = _split(p, done, rev_w, cap_w)
    full_year = _split(p, months, rev_w, cap_w)
    totals = [0, 0, 0]
    for i, scheme in enumerate(SCHEMES):
        forecast = full_year[i] if end.month == 3 else full_year[i] * rng.randint(96, 106) // 100
        money = [whole_pounds(x) for x in (planned[i], actual[i], forecast)]
        totals = [t + m for t, m in zip(totals, money, strict=True)]
        put_row(ws, 2 + i, 1, list(scheme[:10]))
        put_row(ws, 2 + i, 11, money, GBP)
        put(ws, 2 + i, 14, "Existing" if i % 3 else "New")
    row = 2 + len(SCHEMES)
    put(ws, row, 1, "Total", bold=True)
    put_row(ws, row, 11, totals, GBP, bold=True)
    put(ws, row + 2, 1, "Memo")
    put(ws, row + 2, 2, "Memorandum: host partner overspend risk share (council 50% / ICB 50%)")
    put(ws, row + 2, 11, 50_000, GBP)
    widths(ws, B=36, C=36, D=26, J=34)


def _split(p: Partnership, months: list[date], rev_w: list[int], cap_w: list[int]) -> list[int]:
    """Pence per scheme over `months`: revenue and capital each split by scheme weights."""
    rev = split_pence(sum(p.spend(STREAM, m, "revenue") for m in months), rev_w)
    cap = split_pence(sum(p.spend(STREAM, m, "capital") for m in months), cap_w)
    return [a + b for a, b in zip(rev, cap, strict=True)]


def _metrics(ws: Worksheet, end: date) -> None:
    """Monthly target and actual rows per metric, under `mmm-yy` date headers."""
    put(ws, 1, 1, "Metric", bold=True)
    put(ws, 1, 2, "Measure", bold=True)
    for j, month in enumerate(fy_months(2025)):
        put(ws, 1, 3 + j, month, MMM_YY, bold=True)
    for i, (name, base, step) in enumerate(METRICS):
        for k, kind in enumerate(("Target", "Actual")):
            row = 2 + 2 * i + k
            put_row(ws, row, 1, [name, kind])
            for j, month in enumerate(fy_months(2025)):
                if kind == "Target" or month <= end:
                    value = base + step * j + (0.0 if kind == "Target" else step * (j % 3))
                    put(ws, row, 3 + j, round(value, 1))
    ws.column_dimensions["A"].width = 58
