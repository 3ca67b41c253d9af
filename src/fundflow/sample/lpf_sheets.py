"""L2 Local Prosperity Fund return: the sheets around Finances.

Quirks: `Please select an option` placeholders; quarter labels written as `Q2 25/26` in the
narrative; a 5-level RAG text and a trend; a narrative over the 250-word limit in Q3; a risk table
that must have exactly five rows (Q1 has four, Q3 six); outputs with E-codes plus a bespoke one.
"""

from __future__ import annotations

import random
from datetime import date

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.model import Partnership
from fundflow.sample.money import pounds
from fundflow.sample.xlsxkit import GBP_PENCE, UK_DATE, WRAP, put, put_row, widths

PLACEHOLDER = "Please select an option"
OUTPUTS = (
    ("Communities & Place", "E3 - Number of people reached", "Number of people"),
    ("Communities & Place", "E6 - Number of events or participatory programmes", "Number"),
    ("Communities & Place", "E11 - Number of volunteering opportunities supported", "Number"),
    ("Supporting Local Business", "E23 - Number of businesses receiving non-financial support",
     "Number of businesses"),
    ("People & Skills", "Bespoke - Number of street marshals trained", "Number of people"),
)
INDICATOR_LABELS = tuple(o[1] for o in OUTPUTS)
RAG = ("Green", "Amber/Green", "Amber", "Amber/Red", "Red")


def admin(ws: Worksheet, p: Partnership, stream_key: str) -> None:
    """Lead local authority, fund reference and contact."""
    stream = p.stream(stream_key)
    rows = (("Lead local authority", p.partners[0]), ("Fund reference", stream.ref),
            ("Partnership stream ID", stream.stream_id), ("Contact name", "J. Okafor"),
            ("Contact email", "funding@example.org"), ("Organisation type", PLACEHOLDER))
    for i, (label, value) in enumerate(rows):
        put(ws, 2 + i, 1, label, bold=True)
        put(ws, 2 + i, 3, value)
    widths(ws, A=30, C=40)


def progress(ws: Worksheet, quarter: int) -> None:
    """Overall RAG, trend and narratives; the Q3 narrative runs over 250 words."""
    put_row(ws, 2, 1, ["Overall RAG", None, RAG[1 if quarter != 3 else 2]])
    trend = ("Stable", "Improving", "Worsening", "Stable")[quarter - 1]
    put_row(ws, 3, 1, ["Trend", None, trend])
    sentence = (f"In Q{quarter} 25/26 the street marshal scheme continued across the town centre "
                "and the business support offer reached new traders. ")
    repeats = 12 if quarter == 3 else 3
    put(ws, 4, 1, "Progress narrative (max 250 words)", bold=True)
    put(ws, 4, 3, sentence * repeats)
    ws.cell(row=4, column=3).alignment = WRAP
    put(ws, 5, 1, "Forward look (max 200 words)", bold=True)
    put(ws, 5, 3, "Year-end underspend expected on capital; reprofile requested.")
    put(ws, 6, 1, "Delivery RAG justification", bold=True)
    put(ws, 6, 3, PLACEHOLDER)
    widths(ws, A=34, C=90)


def outputs(ws: Worksheet, quarter: int, rng: random.Random) -> None:
    """Theme | Output | Unit | Q1..Q4 | `April 2026 and after, Total`; one placeholder row."""
    headers = ["Intervention theme", "Output", "Unit of measurement"]
    for q, span in enumerate(("Apr to Jun", "Jul to Sep", "Oct to Dec", "Jan to Mar"), start=1):
        state = "Actual" if q <= quarter else "Forecast"
        headers.append(f"Financial year 2025 to 2026, ({span}), {state}")
    headers.append("April 2026 and after, Total")
    put_row(ws, 2, 1, headers, bold=True)
    for i, (theme, output, unit) in enumerate(OUTPUTS):
        values = [rng.randint(3, 40) * (i + 1) for _ in range(4)]
        put_row(ws, 3 + i, 1, [theme, output, unit, *values, 0])
    put_row(ws, 3 + len(OUTPUTS), 1, [PLACEHOLDER, PLACEHOLDER])
    widths(ws, A=26, B=58, C=20)


def risks(ws: Worksheet, count: int) -> None:
    """The risk table: exactly five rows are required, `count` are written."""
    put_row(ws, 2, 1, ["Risk name", "Category", "Pre-mitigation likelihood",
                       "Pre-mitigation impact", "Mitigations", "Post-mitigation likelihood",
                       "Post-mitigation impact"], bold=True)
    categories = ("Slippage", "Subsidy Control", "Planning Permission / other consents",
                  "Capacity", "Procurement", "Reputation")
    for i in range(count):
        put_row(ws, 3 + i, 1, [f"Risk {i + 1}", categories[i], "3 - Medium", "4 - High",
                               "Monthly review", "2 - Low", "3 - Medium"])


def sign_off(ws: Worksheet, quarter: int) -> None:
    """Signatory name, role and date (a real date cell)."""
    put_row(ws, 2, 1, ["Signatory name", None, "A. Patel"])
    put_row(ws, 3, 1, ["Role", None, "Section 151 Officer"])
    signed = (date(2025, 7, 25), date(2025, 10, 24), date(2026, 1, 23), date(2026, 4, 24))
    put_row(ws, 4, 1, ["Date", None])
    put(ws, 4, 3, signed[quarter - 1], UK_DATE)


def dropdowns(ws: Worksheet) -> None:
    """Hidden list sheet feeding the drop-downs."""
    for i, value in enumerate((PLACEHOLDER, *RAG)):
        put(ws, 1 + i, 1, value)
    for i, value in enumerate(("Improving", "Stable", "Worsening")):
        put(ws, 1 + i, 2, value)
    ws.sheet_state = "hidden"


def change_log(ws: Worksheet, top: int, quarter: int) -> None:
    """`Project finance changes`: one virement moved between themes, from Q2 on."""
    put(ws, top, 3, "Project finance changes", bold=True)
    put_row(ws, top + 1, 3, ["Change number", "Project funding moved from",
                             "Intervention theme moved from", "Project funding moved to",
                             "Intervention theme moved to", "Amount moved",
                             "Actual, forecast or cancelled",
                             "Reporting period change takes place"], bold=True)
    if quarter >= 2:
        put_row(ws, top + 2, 3, [1, "Shopfront grants", "Supporting Local Business",
                                 "Street marshals", "Communities & Place"])
        put(ws, top + 2, 8, pounds(1_500_000), GBP_PENCE)
        put_row(ws, top + 2, 9, ["Actual", "Q2 2025/26: Jul 2025 - Sep 2025"])
    put(ws, top + 3, 3, "Summary of changes below change request threshold")
    put(ws, top + 3, 5, "None")
