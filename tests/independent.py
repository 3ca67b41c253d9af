"""Independent reads of each sample layout: totals per measure computed with openpyxl or the
csv module straight from the file, without any of fundflow's readers, adapters or parsers, so
the import can be checked against something it did not produce.

One function per adapter id: `(path) -> {measure: Decimal total}`.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl


def _pounds(value: object) -> Decimal:
    """A numeric cell as exact pounds (cells hold at most 2 decimals, or 3 in £000s)."""
    return Decimal(str(value))


def register(path: Path) -> dict[str, Decimal]:
    """The register holds streams: the sum of their awards (column G, rows with a stream id)."""
    ws = openpyxl.load_workbook(path, data_only=True)["Funding register"]
    assert ws["A4"].value == "Funder ID"
    total = sum((_pounds(ws.cell(r, 7).value) for r in range(5, ws.max_row + 1)
                 if ws.cell(r, 3).value), Decimal(0))
    return {"stream_award": total}


# --- pooled fund, skills claims, PbR claims, PCC exports, Safer Streets (one reader each) ---


def _sheet_table(ws: Any, first: str, stop: str) -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    """Header (text -> column index) of the row whose first cell is `first`, and the rows below
    it up to the one whose first cell starts with `stop`."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and str(r[0] or "").strip() == first)
    header = {str(v).strip(): j for j, v in enumerate(rows[at]) if v is not None}
    body = []
    for row in rows[at + 1:]:
        if str(row[0] or "").strip().lower().startswith(stop.lower()):
            break
        body.append(row)
    return header, body


def _column_sum(header: dict[str, int], rows: list[tuple[Any, ...]], name: str) -> Decimal:
    j = header[name]
    return sum((_pounds(r[j]) for r in rows if r[j] not in (None, "")), Decimal(0))


def icp_pooled_fund(path: Path) -> dict[str, Decimal]:
    """Income (planned, received to date) and Expenditure (planned, actual to date, forecast
    outturn) columns above their Total rows; the memorandum line under the Total is not spend."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ih, income = _sheet_table(wb["Income"], "Source", "Total")
    eh, spend = _sheet_table(wb["Expenditure"], "Scheme ID", "Total")
    return {"income": _column_sum(ih, income, "Planned £"),
            "receipt": _column_sum(ih, income, "Received to date £"),
            "budget": _column_sum(eh, spend, "Planned Expenditure £"),
            "spend": _column_sum(eh, spend, "Actual to date £"),
            "forecast": _column_sum(eh, spend, "Forecast outturn £")}


def icp_discharge(path: Path) -> dict[str, Decimal]:
    """Both spend-share columns of every fortnight row."""
    ws = openpyxl.load_workbook(path, data_only=True)["Discharge fund"]
    header, rows = _sheet_table(ws, "Fortnight", "Total")
    rows = [r for r in rows if r[0]]
    return {"spend": sum((_column_sum(header, rows, h) for h in header if h.startswith("Spend")),
                         Decimal(0))}


def _ods_rows(path: Path) -> list[list[str | None]]:
    """The first sheet of an .ods as rows of cell values (office:value for numbers), read from
    content.xml with repeated rows and cells expanded."""
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
          "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("content.xml"))
    sheet = root.find(".//table:table", ns)
    assert sheet is not None
    out: list[list[str | None]] = []
    for row in sheet.iter(f"{{{ns['table']}}}table-row"):
        cells: list[str | None] = []
        for cell in row:
            value = cell.get(f"{{{ns['office']}}}value")
            if value is None:
                value = "".join(cell.itertext()) or None
            cells += [value] * int(cell.get(f"{{{ns['table']}}}number-columns-repeated", "1"))
        out += [cells] * min(int(row.get(f"{{{ns['table']}}}number-rows-repeated", "1")), 50)
    return out


def sfa_funding_claim(path: Path) -> dict[str, Decimal]:
    """Funding-stream rows above Total: delivery (spend), forecast to year end, exceptional
    adjustment (claim) and allocation; the adapter leaves zero forecasts and adjustments out."""
    if path.suffix == ".ods":
        rows: list[Any] = [tuple(r) for r in _ods_rows(path)]
    else:
        rows = list(openpyxl.load_workbook(path, data_only=True).worksheets[0]
                    .iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == "Funding stream")
    header = {str(v): j for j, v in enumerate(rows[at]) if v}
    body = []
    for row in rows[at + 1:]:
        if not row or row[0] in (None, "Total"):
            break
        body.append(row)
    out = {"spend": _column_sum(header, body, "Delivery to date (from ILR)"),
           "allocation": _column_sum(header, body, "Allocation")}
    for measure, name in (("forecast", "Forecast to year end"),
                          ("claim", "Exceptional adjustment")):
        if any(_pounds(r[header[name]]) for r in body):
            out[measure] = _column_sum(header, body, name)
    return out


def dcf_families_claim(path: Path) -> dict[str, Decimal]:
    """Every family-outcome row's tariff amount (duplicates included: they were claimed)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if not r["family_id"].lower().startswith("total")]
    return {"claim": sum((Decimal(r["amount_gbp"]) for r in rows), Decimal(0))}


def _gbp_text(text: str) -> Decimal:
    """`"£5,096.74"` or `(£125.00)` as exact pounds."""
    t = text.strip().replace("£", "").replace(",", "")
    return -Decimal(t[1:-1]) if t.startswith("(") else Decimal(t)


def opcc_spend_export(path: Path) -> dict[str, Decimal]:
    """Every transaction's amount; their sum must equal the file's own Total line."""
    with path.open(encoding="cp1252", newline="") as f:
        rows = list(csv.DictReader(f))
    lines = [r for r in rows if r["Grant ref"] != "Total"]
    total = sum((_gbp_text(r["Amount"]) for r in lines), Decimal(0))
    assert [_gbp_text(r["Amount"]) for r in rows if r["Grant ref"] == "Total"] == [total]
    return {"spend": total}


def dhs_quarterly_monitoring(path: Path) -> dict[str, Decimal]:
    """Spend this quarter from every visible quarter sheet, budget from the last one; rows from
    the header to the notes, leaving out sub-totals, the Total and `< Select >` rows."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = [ws for ws in wb.worksheets
              if ws.sheet_state == "visible" and re.match(r"^Q[1-4] \w{3}-\w{3} \d{2}$", ws.title)]
    spend, budget = Decimal(0), Decimal(0)
    for ws in sheets:
        header, rows = _sheet_table(ws, "Intervention", "Notes")
        rows = [r for r in rows if r[0] and not re.match(r"(?i)^(sub-total|total|< select >)",
                                                         str(r[0]))]
        spend += _column_sum(header, rows, "Spend this quarter £")
        budget = _column_sum(header, rows, next(h for h in header if h.startswith("Budget")))
    return {"spend": spend, "budget": budget}


# --- DPC Towns Fund and LPF, LESF claims, lottery grant reports, DHI statements ----------------


def _add(totals: dict[str, Decimal], measure: str, value: object, scale: int = 1) -> None:
    """Add a numeric cell (float, int or bracketed text such as "(2.4)") to a measure."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        amount = -Decimal(text[1:-1]) if text.startswith("(") else Decimal(text)
    else:
        amount = _pounds(value)
    totals[measure] = totals.get(measure, Decimal(0)) + amount * scale


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def dpc_ttf_performance(path: Path) -> dict[str, Decimal]:
    """Tab 4a, every project block: pre-payment (receipt), CDEL/RDEL (spend in Actual and
    Before columns, forecast in Forecast and Beyond columns), the committed row, and the other
    funding sources with a Secured answer (match); the Total column and total rows left out."""
    ws = openpyxl.load_workbook(path, data_only=True)["4a - Funding Profiles"]
    totals: dict[str, Decimal] = {}
    header_rows = [r for r in range(1, ws.max_row + 1)
                   if _text(ws.cell(r, 3).value) == "Funding source"]
    for h in header_rows:
        cols: dict[int, str] = {}
        for c in range(6, ws.max_column + 1):
            top, state = _text(ws.cell(h, c).value), _text(ws.cell(h + 2, c).value)
            if top.startswith("Before") or state == "Actual":
                cols[c] = "actual"
            elif top.startswith("Beyond") or state == "Forecast":
                cols[c] = "forecast"
        r = h + 3
        while not _text(ws.cell(r, 3).value).startswith("Grand total"):
            label = _text(ws.cell(r, 3).value)
            for c, state in cols.items():
                value = ws.cell(r, c).value
                if label == "Town Deals 5% CDEL Pre-Payment":
                    _add(totals, "receipt", value)
                elif label.startswith(("Towns Fund CDEL", "Towns Fund RDEL")):
                    _add(totals, "spend" if state == "actual" else "forecast", value)
                elif label.startswith("How much of your RDEL forecast"):
                    _add(totals, "committed", value)
                elif _text(ws.cell(r, 5).value) and label != "< Select >":
                    _add(totals, "match", value)
            r += 1
    return totals


def dpc_lpf_quarterly(path: Path) -> dict[str, Decimal]:
    """Finances: spend lines by quarter (Actual: spend; Forecast and "April 2026 and after":
    forecast; the year Total column left out), the committed row, secured and unsecured match,
    the two year-end underspend cells (carry_forward) and each change-log amount (virement)."""
    ws = openpyxl.load_workbook(path, data_only=True)["Finances"]
    rows = {_text(ws.cell(r, 3).value): r for r in range(1, ws.max_row + 1)}
    h = rows["Spend line"]
    cols: dict[int, str] = {}
    for c in range(5, ws.max_column + 1):
        head = _text(ws.cell(h, c).value)
        if head.endswith(", Actual"):
            cols[c] = "spend"
        elif head.endswith(", Forecast") or head.endswith("and after, Total"):
            cols[c] = "forecast"
    totals: dict[str, Decimal] = {}
    for r in range(h + 1, rows["Total"]):
        for c, measure in cols.items():
            _add(totals, measure, ws.cell(r, c).value)
    lines = {"How much of your forecast is contractually committed?": "committed",
             "Secured match funding spend": "match", "Unsecured match funding": "match"}
    for label, measure in lines.items():
        for c in cols:
            _add(totals, measure, ws.cell(rows[label], c).value)
    for label in ("Forecast underspend at year end - capital",
                  "Forecast underspend at year end - revenue"):
        _add(totals, "carry_forward", ws.cell(rows[label], 5).value)
    c_head = rows["Change number"]
    amount_col = next(c for c in range(3, ws.max_column + 1)
                      if _text(ws.cell(c_head, c).value) == "Amount moved")
    for r in range(c_head + 1, ws.max_row + 1):
        number = _text(ws.cell(r, 3).value)
        status = _text(ws.cell(r, amount_col + 1).value).lower()
        if number.isdigit() and status != "cancelled":
            _add(totals, "virement", ws.cell(r, amount_col).value)
    return totals


def lesf_claim(path: Path) -> dict[str, Decimal]:
    """Spend: every transaction's amount claimed (sub-totals and total left out) plus the
    flat-rate indirect costs this claim; claim: ESF due this claim; forecast: the Forecast
    quarters of the Financial Forecast; match: every Match Funding row."""
    wb = openpyxl.load_workbook(path, data_only=True)
    totals: dict[str, Decimal] = {}
    header, body = _sheet_table(wb["Transaction List"], "Cost heading", "Total eligible")
    for row in body:
        heading = _text(row[0])
        if heading and not heading.startswith("Sub-total"):
            _add(totals, "spend", row[header["Amount claimed £"]])
    header, body = _sheet_table(wb["Claim Summary"], "Cost heading", "Intervention rate")
    for row in body:
        if _text(row[0]) == "Revenue - Indirect costs @15% flat rate":
            _add(totals, "spend", row[header["This claim £"]])
    summary = wb["Claim Summary"]
    for r in range(1, summary.max_row + 1):
        if _text(summary.cell(r, 1).value) == "ESF due this claim":
            _add(totals, "claim", summary.cell(r, 1 + header["This claim £"]).value)
    header, body = _sheet_table(wb["Financial Forecast"], "Cost heading", "\0")
    for row in body:
        for name, j in header.items():
            if name.endswith(" Forecast"):
                _add(totals, "forecast", row[j])
    header, body = _sheet_table(wb["Match Funding"], "Match type", "\0")
    for row in body:
        if _text(row[0]):
            _add(totals, "match", row[header["This claim £"]])
    return totals


def nclf_grant_report(path: Path) -> dict[str, Decimal]:
    """Section 3 lines above the typed Total: budget this year and actual spend this year."""
    ws = openpyxl.load_workbook(path, data_only=True)["Report"]
    header, body = _sheet_table(ws, "Budget heading", "Total")
    totals: dict[str, Decimal] = {}
    for row in body:
        _add(totals, "budget", row[header["Budget this year £"]])
        _add(totals, "spend", row[header["Actual spend this year £"]])
    return totals


def dhi_statement(path: Path) -> dict[str, Decimal]:
    """£000s x 1000. Statement lines above Total: grant-funded spend and income; Grant
    reconciliation: allocation, the four instalments (receipt), reserve brought and carried
    forward (carry_forward), returned to department (clawback)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    totals: dict[str, Decimal] = {}
    header, body = _sheet_table(wb["Statement"], "Service line", "Total")
    for row in body:
        if _text(row[0]):
            _add(totals, "spend", row[header["of which funded by grant"]], 1000)
            _add(totals, "income", row[header["Income"]], 1000)
    recon = wb["Grant reconciliation"]
    for r in range(1, recon.max_row + 1):
        label, value = _text(recon.cell(r, 1).value), recon.cell(r, 2).value
        if label == "Grant allocation":
            _add(totals, "allocation", value, 1000)
        elif re.fullmatch(r"Received Q[1-4]", label):
            _add(totals, "receipt", value, 1000)
        elif label.startswith(("Brought forward", "Carried forward")):
            _add(totals, "carry_forward", value, 1000)
        elif label == "Returned to department":
            _add(totals, "clawback", value, 1000)
    return totals


INDEPENDENT_TOTALS: dict[str, Callable[[Path], dict[str, Decimal]]] = {
    "dpc-ttf-performance": dpc_ttf_performance,
    "dpc-lpf-quarterly": dpc_lpf_quarterly,
    "lesf-claim": lesf_claim,
    "nclf-grant-report": nclf_grant_report,
    "dhi-statement": dhi_statement,
    "icp-pooled-fund": icp_pooled_fund,
    "icp-discharge": icp_discharge,
    "sfa-funding-claim": sfa_funding_claim,
    "dcf-families-claim": dcf_families_claim,
    "opcc-spend-export": opcc_spend_export,
    "dhs-quarterly-monitoring": dhs_quarterly_monitoring,
    "funding-register": register,
}
