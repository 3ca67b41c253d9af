"""L3 LESF claim: the transaction list, one row per payroll line or invoice.

Quirks reproduced from ERDF/ESF transaction lists: payroll lines apportioned (60%, 50%), an
invoice defrayed after the quarter end (ineligible this claim), an item defrayed before the
effective date for expenditure, a negative self-declared adjustment, sub-totals per cost heading
and a grand total the Claim Summary must equal. Dates are Excel serial numbers in one claim and
`dd/mm/yyyy` text in the other.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.money import pounds, split_pence
from fundflow.sample.xlsxkit import GBP_PENCE, put, put_row, widths

STAFF = "Revenue - Direct salaries (apportioned %)"
OTHER = "Revenue - Other direct costs"
ADJUSTMENT = "Self-declared adjustment"
POSTS = (("Employment coach (1.0 FTE)", 100, 45), ("Project manager", 60, 35),
         ("Data and compliance officer", 50, 20))
SUPPLIERS = ("Eastgate Print & Design Ltd", "Wyke Training Services", "Harbour Travel Cards",
             "Brightside Venues CIC")
EXCEL_EPOCH = date(1899, 12, 30)
HEADERS = ("Cost heading", "Supplier/Payee", "Description", "Invoice no", "Invoice date",
           "Date defrayed", "Net £", "VAT £", "Gross £", "VAT recoverable (Y/N)", "Full cost £",
           "% apportioned", "Amount claimed £", "Ledger ref")


@dataclass(frozen=True)
class Txn:
    """One transaction-list row; money in pence."""

    heading: str
    payee: str
    description: str
    invoice_no: str
    invoice_date: date
    defrayed: date
    net: int
    vat: int
    vat_recoverable: bool
    apportion: int
    claimed: int

    @property
    def gross(self) -> int:
        """Net plus VAT."""
        return self.net + self.vat


def transactions(month_amounts: dict[date, int], quarter_end: date, rng: random.Random,
                 ) -> list[Txn]:
    """Payroll and invoice rows whose claimed amounts come from each month's eligible pence.

    60% of each month goes to staff (split across posts then grossed up by the apportionment),
    the rest to invoices. The last invoice of the quarter is defrayed after `quarter_end`.
    """
    rows: list[Txn] = []
    for month, total in sorted(month_amounts.items()):
        staff, other = split_pence(total, [60, 40])
        rows += _payroll(month, staff)
        rows += _invoices(month, other, rng)
    last = rows[-1]
    rows[-1] = Txn(**{**last.__dict__, "defrayed": quarter_end + timedelta(days=9)})
    return rows


def _payroll(month: date, staff: int) -> list[Txn]:
    """One payroll row per post: full cost grossed up so the claimed share is `staff`'s part."""
    out = []
    for (post, pct, _), claimed in zip(POSTS, split_pence(staff, [p[2] for p in POSTS]),
                                            strict=True):
        full = claimed * 100 // pct
        paid = date(month.year, month.month, 25)
        out.append(Txn(STAFF, "Payroll", f"{post} salary {month:%b %Y}", f"PAY{month:%y%m}",
                       paid, paid, full, 0, True, pct, full * pct // 100))
    return out


def _invoices(month: date, other: int, rng: random.Random) -> list[Txn]:
    """Two or three supplier invoices; VAT recoverable ones claim net, others gross."""
    out = []
    count = rng.choice((2, 3))
    for i, claimed in enumerate(split_pence(other, [rng.randint(20, 80) for _ in range(count)])):
        recoverable = i % 2 == 0
        net = claimed if recoverable else claimed * 100 // 120
        vat = net // 5 if recoverable else claimed - net
        invoiced = date(month.year, month.month, rng.randint(2, 20))
        defrayed = invoiced + timedelta(days=rng.randint(5, 8))
        supplier = SUPPLIERS[(month.month + i) % len(SUPPLIERS)]
        out.append(Txn(OTHER, supplier, "Participant costs and materials",
                       f"INV-{month:%y%m}-{i + 1:02d}", invoiced, defrayed, net, vat,
                       recoverable, 100, claimed))
    return out


def extras(effective: date, quarter_end: date) -> list[Txn]:
    """An item defrayed before the effective date, and a negative self-declared adjustment."""
    early = effective - timedelta(days=17)
    sda_day = quarter_end - timedelta(days=3)
    return [
        Txn(OTHER, "Wyke Training Services", "Set-up workshop (pre-start)", "INV-2212-07", early,
            early, 48_000, 9_600, True, 100, 48_000),
        Txn(ADJUSTMENT, "n/a", "SDA: ineligible catering in claim 9", "SDA-09", sda_day, sda_day,
            -41_250, 0, True, 100, -41_250),
    ]


def write_transactions(ws: Worksheet, rows: list[Txn], *, serial_dates: bool) -> int:
    """Write the list grouped by heading with sub-totals and a grand total; returns its pence."""
    put_row(ws, 1, 1, ["Transaction List"], bold=True)
    put_row(ws, 3, 1, list(HEADERS), bold=True)
    r = 4
    grand = 0
    for heading in (STAFF, OTHER, ADJUSTMENT):
        group = [t for t in rows if t.heading == heading]
        for t in group:
            _txn_row(ws, r, t, serial_dates)
            r += 1
        subtotal = sum(t.claimed for t in group)
        put(ws, r, 1, f"Sub-total {heading}", bold=True)
        put(ws, r, 13, pounds(subtotal), GBP_PENCE, bold=True)
        grand += subtotal
        r += 2
    put(ws, r, 1, "Total eligible expenditure this claim", bold=True)
    put(ws, r, 13, pounds(grand), GBP_PENCE, bold=True)
    widths(ws, A=40, B=30, C=40)
    return grand


def _txn_row(ws: Worksheet, r: int, t: Txn, serial_dates: bool) -> None:
    """One transaction row; dates as serial numbers or as UK date text."""
    def when(d: date) -> int | str:
        return (d - EXCEL_EPOCH).days if serial_dates else f"{d:%d/%m/%Y}"

    put_row(ws, r, 1, [t.heading, t.payee, t.description, t.invoice_no,
                       when(t.invoice_date), when(t.defrayed)])
    put_row(ws, r, 7, [pounds(t.net), pounds(t.vat), pounds(t.gross)], GBP_PENCE)
    put_row(ws, r, 10, ["Y" if t.vat_recoverable else "N"])
    put(ws, r, 11, pounds(t.net if t.vat_recoverable else t.gross), GBP_PENCE)
    put(ws, r, 12, t.apportion)
    put(ws, r, 13, pounds(t.claimed), GBP_PENCE)
    put(ws, r, 14, f"GL{t.defrayed:%y%m%d}-{r:03d}")
