"""L7 (extra): Skills Funding Agency academic-year funding claim (ESFA-like).

The funding year runs 1 August to 31 July and is labelled `2024 to 2025`. Two claim points: the
R14 final claim for 2024 to 2025 (an .xlsx, signed by the head of institution) and the R06
mid-year forecast claim for 2025 to 2026, saved by the provider as an OpenDocument `.ods` (money
as GBP currency cells). Columns: funding stream | Delivery to date (from ILR) | Forecast to year
end | Exceptional adjustment | Total | Allocation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, month_starts, pounds, split_pence
from fundflow.sample.ods import Cell, write_ods
from fundflow.sample.xlsxkit import GBP_PENCE, new_workbook, put, put_row, save, widths

LINES = (("Adult skills", 70), ("Tailored learning", 20), ("Learner support", 10))
CATEGORY_LABELS = tuple(line[0] for line in LINES)
HEADERS = ("Funding stream", "Delivery to date (from ILR)", "Forecast to year end",
           "Exceptional adjustment", "Total", "Allocation")


def write_sfa(p: Partnership, out_dir: Path) -> list[Path]:
    """Write the R14 2024 to 2025 final claim (.xlsx) and the R06 2025 to 2026 claim (.ods)."""
    return [_r14(p, out_dir), _r06(p, out_dir)]


def ukprn(p: Partnership) -> str:
    """The provider's UK provider reference number: one per provider, across funding years."""
    return f"1009{p.rng('sfa:ukprn').randint(1000, 9999)}"


def claim_rows(p: Partnership, key: str, cutoff: date, adjustment: int) -> list[list[Cell]]:
    """Rows of the claim table for stream `key`, delivery up to the month `cutoff`."""
    stream = p.stream(key)
    months = month_starts(stream.start, stream.end)
    weights = [w for _, w in LINES]
    done = split_pence(sum(p.spend(key, m) for m in months if m <= cutoff), weights)
    ahead = split_pence(sum(p.spend(key, m) for m in months if m > cutoff), weights)
    allocation = split_pence(stream.award, weights)
    adjust = [0, 0, adjustment]
    rows: list[list[Cell]] = [list(HEADERS)]
    for i, (label, _) in enumerate(LINES):
        total = done[i] + ahead[i] + adjust[i]
        rows.append([label, pounds(done[i]), pounds(ahead[i]), pounds(adjust[i]), pounds(total),
                     pounds(allocation[i])])
    sums = [sum(x) for x in (done, ahead, adjust)]
    rows.append(["Total", *(pounds(s) for s in sums), pounds(sum(sums)),
                 pounds(stream.award)])
    return rows


def _r14(p: Partnership, out_dir: Path) -> Path:
    """Final claim after year end, with the head of institution's declaration."""
    stream = p.stream("S-SFA-24")
    wb, ws = new_workbook("R14 Final claim")
    put(ws, 1, 1, "Adult Skills Fund: final funding claim 2024 to 2025 (R14)", bold=True)
    put_row(ws, 2, 1, ["Provider", stream.lead])
    put_row(ws, 3, 1, ["Contract allocation reference", stream.ref])
    put_row(ws, 5, 1, ["UKPRN", ukprn(p)])
    put_row(ws, 4, 1, ["Funding year", "2024 to 2025"])
    rows = claim_rows(p, "S-SFA-24", date(2025, 7, 1), -35_000)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            put(ws, 7 + i, 1 + j, value, GBP_PENCE if isinstance(value, Decimal) else None,
                bold=i == 0)
    put(ws, 13, 1, "Declaration: I confirm this claim is accurate and complete.")
    put_row(ws, 14, 1, ["Head of institution", "Chief Executive"])
    put(ws, 15, 1, "Date")
    put(ws, 15, 2, date(2025, 10, 17), "dd/mm/yyyy")
    widths(ws, A=28, B=28, C=22, D=24, E=14, F=14)
    return save(wb, out_dir / "returns" / "sfa" / f"SFA_R14_2024-25_{ukprn(p)}.xlsx")


def _r06(p: Partnership, out_dir: Path) -> Path:
    """Mid-year forecast claim: delivery August to January, forecast February to July."""
    stream = p.stream("S-SFA-25")
    cutoff = add_months(date(2025, 8, 1), 5)
    head: list[list[Cell]] = [
        ["Adult Skills Fund: mid-year funding claim 2025 to 2026 (R06)"],
        ["Provider", stream.lead],
        ["Contract allocation reference", stream.ref],
        ["Funding year", "2025 to 2026"],
        ["Data collection date", date(2026, 2, 6)],
        ["UKPRN", ukprn(p)],
    ]
    rows = head + claim_rows(p, "S-SFA-25", cutoff, 0)
    rows += [[], ["Forecasts are the provider's own estimate and are not paid until R14."]]
    name = f"SFA_R06_2025-26_{ukprn(p)}.ods"
    return write_ods(out_dir / "returns" / "sfa" / name, [("R06 Claim", rows)])
