"""L3: "Legacy European Structural Fund" quarterly claim and progress report (ERDF/ESF-like).

Calendar-quarter claims on defrayed expenditure at a 50% intervention rate. The workbook has the
five forms of a claim pack plus match funding: `Claim Summary`, `Transaction List`, `Financial
Forecast`, `Output Forecast`, `Results Forecast`, `Match Funding`. The annex budget is in EUR with
a conversion-rate cell. Claim 11 labels its period `Claim 11: 01/07/2025 - 30/09/2025` and uses
Excel serial dates; claim 12 labels it `2025 Q4` and uses `dd/mm/yyyy` text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample import lesf_txn
from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, month_starts, pounds, split_pence
from fundflow.sample.xlsxkit import GBP_PENCE, new_workbook, put, put_row, save, widths

STREAM = "S-LESF-23"
CAPITAL_HEADINGS = ("Capital - Land acquisition", "Capital - Works / Construction",
                    "Capital - Equipment (mobile assets)", "Capital - Fees",
                    "Capital - Contingency")
INDIRECT = "Revenue - Indirect costs @15% flat rate"
CATEGORY_LABELS = (*CAPITAL_HEADINGS, lesf_txn.STAFF, INDIRECT, lesf_txn.OTHER,
                   lesf_txn.ADJUSTMENT)
"""Cost headings; the `Match - ...` rows on `Match Funding` are funding sources, not categories."""
OUTPUTS = (("O1", "Participants (total)"), ("O2", "Unemployed participants"),
           ("O3", "Inactive participants"))
RESULTS = (("R1", "Participants in employment on leaving"),
           ("R2", "Participants in education or training on leaving"))
INDICATOR_LABELS = tuple(f"{c} {n}" for c, n in OUTPUTS + RESULTS)


@dataclass(frozen=True)
class Claim:
    """One quarterly claim: its number, calendar quarter start and labelling style."""

    number: int
    first: date
    label_style: str  # "claim" or "quarter"

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        nxt = add_months(self.first, 3)
        return date.fromordinal(nxt.toordinal() - 1)

    @property
    def label(self) -> str:
        """The period label in this claim's style."""
        if self.label_style == "claim":
            return f"Claim {self.number}: {self.first:%d/%m/%Y} - {self.end:%d/%m/%Y}"
        return f"{self.first.year} Q{(self.first.month - 1) // 3 + 1}"


CLAIMS = (Claim(11, date(2025, 7, 1), "claim"), Claim(12, date(2025, 10, 1), "quarter"))


def write_lesf(p: Partnership, out_dir: Path) -> list[Path]:
    """Write claims 11 and 12."""
    return [_write_one(p, claim, out_dir) for claim in CLAIMS]


def _write_one(p: Partnership, claim: Claim, out_dir: Path) -> Path:
    """One claim pack: summary, transactions, forecasts, match."""
    stream = p.stream(STREAM)
    wb, summary = new_workbook("Claim Summary")
    rng = p.rng(f"lesf:{claim.number}")
    months = month_starts(claim.first, claim.end)
    # The grant is 50% of eligible cost; direct costs leave room for the 15%-of-staff flat rate.
    eligible = {m: 2 * p.spend(STREAM, m) * 100 // 109 for m in months}
    txns = lesf_txn.transactions(eligible, claim.end, rng)
    if claim.number == 11:
        txns += lesf_txn.extras(stream.start, claim.end)
    txn_ws = wb.create_sheet("Transaction List")
    direct = lesf_txn.write_transactions(txn_ws, txns, serial_dates=claim.label_style == "claim")
    _summary(summary, p, claim, txns, direct)
    _forecast(wb.create_sheet("Financial Forecast"), p, claim)
    _indicators(wb.create_sheet("Output Forecast"), OUTPUTS, claim, 40)
    _indicators(wb.create_sheet("Results Forecast"), RESULTS, claim, 12)
    _match(wb.create_sheet("Match Funding"), direct, p.partners[0])
    name = f"LESF_Claim{claim.number}_OC-ref-{stream.ref}.xlsx"
    return save(wb, out_dir / "returns" / "lesf" / name)


def _summary(ws: Worksheet, p: Partnership, claim: Claim, txns: list[lesf_txn.Txn],
             direct: int) -> None:
    """Budget | This claim | Cumulative | Remaining by cost heading, then ESF due at 50%."""
    stream = p.stream(STREAM)
    put(ws, 1, 1, "Legacy European Structural Fund - Claim Summary", bold=True)
    put_row(ws, 2, 1, ["Operation", stream.name, None, "Reference", stream.ref])
    put_row(ws, 3, 1, ["Claim period", claim.label])
    put_row(ws, 4, 1, ["Annex budget (EUR)", None, None, "Conversion rate EUR/GBP"])
    put(ws, 4, 2, pounds(stream.award * 2 * 117 // 100), GBP_PENCE)
    put(ws, 4, 5, Decimal("0.8547"))
    put_row(ws, 6, 1, ["Cost heading", "Approved budget £", "This claim £",
                       "Cumulative to date £", "Remaining £"], bold=True)
    staff = sum(t.claimed for t in txns if t.heading == lesf_txn.STAFF)
    this_claim = {lesf_txn.STAFF: staff, INDIRECT: staff * 15 // 100,
                  lesf_txn.OTHER: sum(t.claimed for t in txns if t.heading == lesf_txn.OTHER),
                  lesf_txn.ADJUSTMENT: direct - staff - sum(
                      t.claimed for t in txns if t.heading == lesf_txn.OTHER)}
    budget_total = stream.award * 2
    budgets = split_pence(budget_total, [55, 8, 37])
    to_date = 2 * sum(p.spend(STREAM, m) for m in month_starts(stream.start, claim.end))
    cumulative = split_pence(to_date, [55, 8, 37])
    row = 7
    for heading in CAPITAL_HEADINGS:
        _summary_row(ws, row, heading, [0, 0, 0, 0])
        row += 1
    for i, heading in enumerate((lesf_txn.STAFF, INDIRECT, lesf_txn.OTHER)):
        _summary_row(ws, row, heading, [budgets[i], this_claim[heading], cumulative[i],
                                        budgets[i] - cumulative[i]])
        row += 1
    _summary_row(ws, row, lesf_txn.ADJUSTMENT, [0, this_claim[lesf_txn.ADJUSTMENT], 0, 0])
    total = sum(this_claim.values())
    _summary_row(ws, row + 1, "Total eligible expenditure",
                 [budget_total, total, to_date, budget_total - to_date])
    _summary_row(ws, row + 2, "Total direct costs (per transaction list)", [0, direct, 0, 0])
    put_row(ws, row + 4, 1, ["Intervention rate", Decimal("0.50")])
    _summary_row(ws, row + 5, "ESF due this claim", [0, (total + 1) // 2, 0, 0])
    widths(ws, A=48, B=18, C=18, D=20, E=18)


def _summary_row(ws: Worksheet, row: int, label: str, pence: list[int]) -> None:
    """A heading and four money columns."""
    put(ws, row, 1, label)
    put_row(ws, row, 2, [pounds(x) for x in pence], GBP_PENCE)


def _forecast(ws: Worksheet, p: Partnership, claim: Claim) -> None:
    """Eligible expenditure by calendar quarter, 2025 Q1 to 2026 Q2, actual then forecast."""
    put_row(ws, 1, 1, ["Financial Forecast (eligible expenditure, £)"], bold=True)
    put_row(ws, 3, 1, ["Cost heading"], bold=True)
    quarters = [add_months(date(2025, 1, 1), 3 * i) for i in range(6)]
    for j, first in enumerate(quarters):
        state = "Actual" if first <= claim.first else "Forecast"
        put(ws, 3, 2 + j, f"{first.year} Q{(first.month - 1) // 3 + 1} {state}", bold=True)
    for i, heading in enumerate((lesf_txn.STAFF, INDIRECT, lesf_txn.OTHER)):
        put(ws, 4 + i, 1, heading)
        for j, first in enumerate(quarters):
            pence = 2 * sum(p.spend(STREAM, add_months(first, k)) for k in range(3))
            put(ws, 4 + i, 2 + j, pounds(split_pence(pence, [55, 8, 37])[i]), GBP_PENCE)


def _indicators(ws: Worksheet, items: tuple[tuple[str, str], ...], claim: Claim,
                scale: int) -> None:
    """Cumulative-only indicator forecast: code, name, target, achieved to date."""
    put_row(ws, 1, 1, ["Code", "Indicator", "Lifetime target", "Achieved to date (cumulative)",
                       "Forecast at closure"], bold=True)
    for i, (code, name) in enumerate(items):
        target = scale * (10 - 3 * i)
        done = target * (claim.number * 7) // 100
        put_row(ws, 2 + i, 1, [code, f"{code} {name}", target, done, target])


def _match(ws: Worksheet, direct: int, council: str) -> None:
    """Match funding this claim by type; in-kind volunteer time shown but ineligible."""
    public, private = split_pence(direct // 2, [85, 15])
    put_row(ws, 1, 1, ["Match type", "Source", "This claim £"], bold=True)
    rows = (("Match - Public (cash)", council, public),
            ("Match - Private (cash)", "Wyke Employers Forum", private),
            ("Match - In-kind", "Volunteer mentors (ineligible)", 250_000))
    for i, (kind, source, pence) in enumerate(rows):
        put_row(ws, 2 + i, 1, [kind, source])
        put(ws, 2 + i, 3, pounds(pence), GBP_PENCE)
