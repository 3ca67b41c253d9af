"""CSV returns: the PCC's quarterly spend export (cp1252) and the Families First PbR claim (L8).

OPCC files are what the PCC's finance system exports: Windows-1252 encoded, CRLF line ends,
amounts as text with a `£` sign and thousands commas (`"£1,234.50"`), negatives in brackets, UK
dates, accented supplier names, and a `Total` line at the bottom. Vehicle hire charged to the
Community Safety Fund is outside that stream's eligible categories (the eligibility-breach case).

The Families First claim is UTF-8 with a byte-order mark, one row per family outcome, a fixed
tariff per outcome code, a claim window written `2025-Q3` (a calendar quarter, unlike the UK
financial-year quarters elsewhere) and two families claimed twice (for duplicate controls).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from fundflow.sample.model import Partnership
from fundflow.sample.money import add_months, split_pence

OPCC_STREAMS = ("S-CSF-25", "S-SVD-24")
# (cost code, weight on Community Safety Fund, weight on Serious Violence Duty)
COST_CODES = (("Staff costs", 35, 40), ("Commissioned services", 40, 30),
              ("Training & materials", 12, 15), ("Venue hire", 5, 5), ("Vehicle hire", 8, 10))
SUPPLIERS = ("Café Nouveau Ltd", "Zoë's Community Kitchen", "Brightside Venues CIC",
             "Eastshire Fleet Hire", "Harbour Lane Women's Centre", "Wyke Training Services")
OPCC_HEADERS = ("Grant ref", "Stream ID", "Quarter", "Transaction date", "Supplier",
                "Description", "Cost code", "Amount")
CATEGORY_LABELS_OPCC = tuple(c[0] for c in COST_CODES)
TARIFF = {code: 800 if code <= 8 else (1000 if code == 9 else 400) for code in range(1, 11)}
FAMILY_HEADERS = ("family_id", "attachment_date", "outcome_code", "evidence_date",
                  "sustained_months", "claim_window", "amount_gbp", "validated_by_internal_audit")
CATEGORY_LABELS_FAMILIES = tuple(str(code) for code in range(1, 11))


def money_text(pence: int) -> str:
    """`£1,234.50`, or `(£1,234.50)` for a negative, as the finance system exports it."""
    text = f"£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
    return f"({text})" if pence < 0 else text


def write_opcc(p: Partnership, out_dir: Path) -> list[Path]:
    """One cp1252 CSV per quarter of 2025-26 for the PCC's two streams."""
    return [_opcc_quarter(p, q, out_dir) for q in range(1, 5)]


def _opcc_quarter(p: Partnership, quarter: int, out_dir: Path) -> Path:
    """Transactions for both streams in one quarter, then a Total line."""
    rng = p.rng(f"opcc:{quarter}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(OPCC_HEADERS)
    total = 0
    for key in OPCC_STREAMS:
        stream = p.stream(key)
        column = 1 if key == "S-CSF-25" else 2
        for i in range(3):
            month = add_months(date(2025, 4, 1), 3 * (quarter - 1) + i)
            weights = [c[1] if column == 1 else c[2] for c in COST_CODES]
            amounts = split_pence(p.spend(key, month), weights)
            for (code, *_), pence in zip(COST_CODES, amounts, strict=True):
                day = month + timedelta(days=rng.randint(0, 27))
                supplier = SUPPLIERS[rng.randrange(len(SUPPLIERS))]
                if code == "Staff costs":
                    supplier = "Payroll"
                writer.writerow([stream.ref, stream.stream_id, f"Q{quarter} 2025/26",
                                 f"{day:%d/%m/%Y}", supplier, f"{code} {month:%b %Y}", code,
                                 money_text(pence)])
                total += pence
    if quarter == 2:
        refund = -12_500
        writer.writerow([p.stream("S-CSF-25").ref, p.stream("S-CSF-25").stream_id,
                         "Q2 2025/26", "29/09/2025", "Brightside Venues CIC",
                         "Refund of venue deposit", "Venue hire", money_text(refund)])
        total += refund
    writer.writerow(["Total", "", "", "", "", "", "", money_text(total)])
    path = out_dir / "returns" / "opcc" / f"OPCC_grant_spend_Q{quarter}_2025-26.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def write_families(p: Partnership, out_dir: Path) -> list[Path]:
    """One PbR claim CSV per calendar-quarter claim window (2025-Q3, 2025-Q4)."""
    return [_families_window(p, year, q, out_dir) for year, q in ((2025, 3), (2025, 4))]


def _families_window(p: Partnership, year: int, q: int, out_dir: Path) -> Path:
    """Family outcome rows whose tariffs add up to about the stream's spend that quarter."""
    stream = p.stream("S-FFP-22")
    rng = p.rng(f"families:{year}Q{q}")
    first = date(year, 3 * q - 2, 1)
    budget = sum(p.spend("S-FFP-22", add_months(first, i)) for i in range(3)) // 100
    rows: list[list[str]] = []
    while budget > 0:
        rows.append(_family(rng, first, len(rows)))
        budget -= TARIFF[int(rows[-1][2])]
    rows += [list(rows[3]), list(rows[11])]  # two families claimed twice
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FAMILY_HEADERS)
    for row in rows:
        writer.writerow([*row[:5], f"{year}-Q{q}", *row[5:]])
    path = out_dir / "returns" / "dcf" / f"FF_claim_{stream.ref}_{year}-Q{q}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


def _family(rng: random.Random, window_start: date, n: int) -> list[str]:
    """One family outcome row (without the claim window column)."""
    code = rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 10))
    attached = window_start - timedelta(days=rng.randint(200, 700))
    evidence = window_start + timedelta(days=rng.randint(0, 88))
    return [f"FAM-{rng.randint(100000, 999999)}-{n:03d}", f"{attached:%d/%m/%Y}", str(code),
            f"{evidence:%d/%m/%Y}", str(rng.choice((3, 6, 6, 12))), f"{TARIFF[code]:.2f}",
            rng.choice(("Y", "Y", "Y", "N"))]
