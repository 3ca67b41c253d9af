"""L1 Thriving Towns Fund return: the sheets other than Funding Profiles.

Quirks reproduced: Q/A pairs whose question is merged down its indicator rows; two header rows
with merged group labels; RAG scores 1-5 sometimes stored as text; dates as real dates in some rows
and `mmm/yy` text in others; header text with `\\r\\n`; output blocks every 38 rows with one hidden
row inside block 1 (later blocks shift by one); a monthly footfall block with `mmm-yy` date
headers; an impact enum with a trailing space; an extra blank row after project 3's risks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.model import Partnership
from fundflow.sample.money import fy_months
from fundflow.sample.xlsxkit import (
    GBP,
    MMM_YY,
    UK_DATE,
    merged,
    put,
    put_row,
    title_block,
)

BANNER = "Thriving Towns Fund - Performance Return"
NOTE = "Read the guidance tab before completing. Yellow cells are inputs; grey cells are fixed."
OUTPUT_STRIDE = 38
INDICATORS = (
    ("# of trees planted", "Number of trees"),
    ("Amount of public realm improved", "m2"),
    ("# of events held", "Number of events"),
    ("# of people supported", "Number of people"),
)
OUTCOMES = (
    ("Perception of safety in the town centre", "% of residents feeling safe after dark"),
    ("Vacancy rate in the town centre", "% of units vacant"),
)
FOOTFALL = ("Change in footfall", "Year-on-year % change in monthly footfall")
INDICATOR_LABELS = tuple(i[0] for i in INDICATORS) + tuple(o[0] for o in OUTCOMES) + FOOTFALL[:1]
IMPACT = ("1- Marginal impact", "2 - Minor impact", "3 - Moderate impact",
          "4 - Significant impact ", "5 - Major impact ", "6 - Critical impact")


@dataclass(frozen=True)
class Project:
    """A Town Deal project and its share of the stream's capital and revenue (percent)."""

    number: int
    name: str
    cap_share: int
    rev_share: int


def project_admin(ws: Worksheet, p: Partnership, projects: Sequence[Project]) -> None:
    """Section A place Q/A (question merged vertically) and Section B two-row project header."""
    title_block(ws, BANNER, NOTE)
    put(ws, 5, 3, "SECTION A: Place Details", bold=True)
    put_row(ws, 6, 3, ["Question", "Indicator", "Answer"], bold=True)
    merged(ws, 7, 3, "Are you filling this in for a Town Deal or Future High Street Fund?",
           rows=1, bold=False)
    put_row(ws, 7, 4, ["Fund type", "Town_Deal"])
    merged(ws, 8, 3, "Please select your place name", rows=2, bold=False)
    put_row(ws, 8, 4, ["Place name", p.place])
    put_row(ws, 9, 4, ["Lead council", p.partners[0]])
    put(ws, 11, 3, "SECTION B: Project Details", bold=True)
    merged(ws, 12, 4, "Single location", cols=2)
    merged(ws, 12, 6, "Multiple locations", cols=2)
    put_row(ws, 13, 3, ["Project Name", "Postcode", "Lat/Long (3.d.p e.g. 51.496, -0.129)",
                        "Postcodes", "GIS Provided"], bold=True)
    for i, project in enumerate(projects):
        row = 14 + i
        put(ws, row, 3, project.name)
        if project.number < 3:
            put_row(ws, row, 4, [f"EB{project.number} 4QT", f"51.{480 + project.number}, -0.12"])
        else:
            put_row(ws, row, 6, ["EB1 2AA; EB2 7LP; EB4 1XX", "No"])


def programme_progress(ws: Worksheet, p: Partnership, projects: Sequence[Project]) -> None:
    """Project progress table: mixed date types, RAG integers partly stored as text."""
    title_block(ws, BANNER, NOTE)
    headers = ["Project Name", "Start Date -\r\nmmm/yy (e.g. Dec-22)",
               "Completion Date -\r\nmmm/yy (e.g. Dec-22)", "Project status",
               "Delivery (RAG)", "Spend (RAG)", "Risk (RAG)", "Commentary on Status and RAG"]
    put_row(ws, 6, 3, headers, bold=True)
    statuses = ("2. Ongoing - on track", "3. Ongoing - delayed", "2. Ongoing - on track")
    for i, project in enumerate(projects):
        row = 7 + i
        put(ws, row, 3, project.name)
        if i % 2 == 0:
            put(ws, row, 4, date(2022, 6 + i, 1), "mmm-yy")
            put(ws, row, 5, date(2026, 12, 1), "mmm-yy")
        else:
            put(ws, row, 4, "Sep-22")
            put(ws, row, 5, "Mar-27")
        put(ws, row, 6, statuses[i])
        put_row(ws, row, 7, [2, str(3 - i % 2), 3] if i != 1 else ["4", 3, "3"])
        put(ws, row, 10, f"{project.name}: contractor on site; see risk register.")
    put(ws, 7 + len(projects), 3, "< Select >")


def psi(ws: Worksheet, p: Partnership, projects: Sequence[Project]) -> None:
    """Private sector investment per project (whole pounds), with a gap column."""
    title_block(ws, BANNER, NOTE)
    put_row(ws, 6, 3, ["Project name", "Total Project Value", "Townsfund Funding",
                       "Private Sector Funding Required", "Private Sector Funding Secured",
                       "Private Sector Funding Gap", "Additional Comments"], bold=True)
    for i, project in enumerate(projects):
        required = (3 - i) * 125_000
        secured = required * (60 + 15 * i) // 100
        put(ws, 7 + i, 3, project.name)
        put_row(ws, 7 + i, 4, [required * 6, required * 4, required, secured,
                               required - secured], GBP)


def outputs(ws: Worksheet, projects: Sequence[Project], period_end: date,
            rng: random.Random) -> None:
    """Output blocks every 38 rows; block 1 has a hidden stale row, shifting later blocks by one."""
    title_block(ws, BANNER, NOTE)
    for k, project in enumerate(projects):
        top = 6 + k * OUTPUT_STRIDE + (1 if k else 0)
        put(ws, top, 3, f"Project {project.number}: {project.name}", bold=True)
        merged(ws, top + 1, 3, "Indicator Name", rows=3)
        merged(ws, top + 1, 4, "Unit of Measurement", rows=3)
        merged(ws, top + 1, 5, "Financial Year 2025/26", cols=2)
        merged(ws, top + 2, 5, "H1 (Apr-Sep)")
        merged(ws, top + 2, 6, "H2 (Oct-Mar)")
        h1_state = "Actual" if period_end >= date(2025, 9, 30) else "Forecast"
        merged(ws, top + 3, 5, h1_state)
        merged(ws, top + 3, 6, "Forecast")
        merged(ws, top + 1, 7, "Total", rows=3)
        row = top + 4
        if k == 0:
            put_row(ws, row, 3, ["# of trees planted (old definition)", "Number", 99, 99, 198])
            ws.row_dimensions[row].hidden = True
            row += 1
        for name, unit in INDICATORS[k : k + 2]:
            values = [rng.randint(5, 60) * (k + 1), rng.randint(5, 60) * (k + 1)]
            put_row(ws, row, 3, [name, unit, *values, sum(values)])
            row += 1
        put_row(ws, row, 3, ["< Select >", "< Select >"])


def outcomes(ws: Worksheet, period_end: date, rng: random.Random) -> None:
    """Outcome table, then the footfall block with `Apr-25`..`Mar-26` date headers."""
    title_block(ws, BANNER, NOTE)
    put_row(ws, 6, 3, ["Indicator Name", "Unit of Measurement", "Baseline", "Latest actual"],
            bold=True)
    for i, (name, unit) in enumerate(OUTCOMES):
        put_row(ws, 7 + i, 3, [name, unit, 41 + 20 * i, 44 + 17 * i])
    top = 11
    put(ws, top, 3, "Footfall", bold=True)
    put_row(ws, top + 1, 3, ["Indicator Name", "Unit of Measurement"], bold=True)
    for j, month in enumerate(fy_months(2025)):
        put(ws, top + 1, 5 + j, month, MMM_YY, bold=True)
    put_row(ws, top + 2, 3, list(FOOTFALL))
    for j, month in enumerate(fy_months(2025)):
        if month <= period_end:
            put(ws, top + 2, 5 + j, rng.randint(-40, 90) / 10)


def risks(ws: Worksheet, projects: Sequence[Project]) -> None:
    """Five programme risks, then 8-row project blocks with an extra blank row after project 3."""
    title_block(ws, BANNER, NOTE)
    headers = ["Risk Name", "Risk Category", "Short Description", "Pre-mitigated Impact",
               "Pre-mitigated Likelihood", "Mitigations", "Post-mitigated Impact",
               "Proximity", "Risk Owner/Role"]
    put_row(ws, 6, 3, headers, bold=True)
    for i in range(5):
        put_row(ws, 7 + i, 3, [f"Programme risk {i + 1}", "Delivery", "Contractor capacity",
                               IMPACT[3 + i % 2], "2 - Medium", "Weekly progress meetings",
                               IMPACT[1], "3 - Medium term: 6-12 months", "Programme manager"])
    row = 13
    for project in projects:
        put(ws, row, 3, f"Project {project.number}: {project.name}", bold=True)
        put_row(ws, row + 1, 3, [f"{project.name} cost overrun", "Financial", "Inflation",
                                 IMPACT[4], "3 - High", "Value engineering", IMPACT[2],
                                 "4 - Close: next 3 months", "Project lead"])
        put_row(ws, row + 2, 3, ["< Select >"] * 2)
        row += 8 + (1 if project.number == 3 else 0)


def lookups(wb: Workbook, p: Partnership, projects: Sequence[Project]) -> None:
    """Hidden `Project Identifiers`, `Place Identifiers` and `Dropdown Values` sheets."""
    ref = p.stream("S-TTF-21").ref
    ids = wb.create_sheet("Project Identifiers")
    put_row(ids, 1, 1, ["Project Name", "Project ID", "Place"], bold=True)
    for i, project in enumerate(projects):
        put_row(ids, 2 + i, 1, [project.name, f"{ref}-0{project.number}", p.place])
    places = wb.create_sheet("Place Identifiers")
    put_row(places, 1, 1, ["Place", "Programme ID", "Organisation", "Stream ID"], bold=True)
    put_row(places, 2, 1, [p.place, ref, p.partners[0], p.stream("S-TTF-21").stream_id])
    lists = wb.create_sheet("Dropdown Values")
    for i, value in enumerate(IMPACT):
        put(lists, 1 + i, 1, value)
    put(lists, 1, 2, "< Select >")
    put(lists, 1, 3, date(2025, 9, 30), UK_DATE)
    for sheet in (ids, places, lists):
        sheet.sheet_state = "hidden"
