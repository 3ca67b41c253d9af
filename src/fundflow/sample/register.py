"""The partnership's own funding register: one row per stream, the way a finance team keeps it.

Quirks on purpose: a title and an "as at" row above the header, real date cells, one enum typed
with a trailing space, a Total row under the streams and a notes row under that.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from fundflow.sample.model import AS_AT, Partnership, Stream
from fundflow.sample.money import pounds
from fundflow.sample.xlsxkit import GBP, UK_DATE, new_workbook, put, put_row, save, widths

HEADERS = (
    "Funder ID", "Funder name", "Stream ID", "Stream name", "Funder reference", "Lead partner",
    "Award (£)", "Capital award (£)", "Revenue award (£)", "Start date", "End date",
    "Allocation method", "Ring-fence type", "Eligible categories", "Virement limit %",
    "Carry-forward rule", "Clawback rule", "Match required %", "Spend deadline",
    "Reporting frequency", "Year convention", "Accounting basis", "Risk rating",
    "Successor stream ID", "Funder type",
)
HEADER_ROW = 4
TRAILING_SPACE_STREAM = "S-NCLF-23"


def write_register(p: Partnership, out_dir: Path) -> Path:
    """Write `register/<Place>_funding_register.xlsx` and return its path."""
    wb, ws = new_workbook("Funding register")
    put(ws, 1, 1, f"{p.name} - funding register", bold=True)
    put(ws, 2, 1, f"As at {AS_AT:%d/%m/%Y}. Maintained by the partnership finance lead.")
    put_row(ws, HEADER_ROW, 1, list(HEADERS), bold=True)
    row = HEADER_ROW + 1
    for stream in p.streams:
        _stream_row(ws, row, p, stream)
        row += 1
    put(ws, row, 1, "Total", bold=True)
    for col, attr in ((7, "award"), (8, "capital")):
        put(ws, row, col, pounds(sum(getattr(s, attr) for s in p.streams)), GBP, bold=True)
    put(ws, row, 9, pounds(sum(s.revenue for s in p.streams)), GBP, bold=True)
    put(ws, row + 2, 1, "Notes: awards as per signed offer letters; eligible categories use the "
        "partnership's canonical subjective codes. Pooled fund shows the partnership's share only.")
    widths(ws, B=40, D=46, E=18, F=34, M=24, N=26, P=24, Y=22)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=4)
    return save(wb, out_dir / "register" / f"{p.place}_funding_register.xlsx")


def _stream_row(ws: Worksheet, row: int, p: Partnership, s: Stream) -> None:
    """One stream's register row; dates as real date cells, money in whole pounds."""
    ring_fence = s.ring_fence + (" " if s.stream_id.startswith(TRAILING_SPACE_STREAM) else "")
    values: list[object] = [
        s.funder_id, p.funder(s.funder_id).name, s.stream_id, s.name, s.ref, s.lead,
        pounds(s.award), pounds(s.capital), pounds(s.revenue), s.start, s.end, s.allocation,
        ring_fence, s.eligible, s.virement_pct, s.carry_forward, s.clawback, s.match_pct,
        s.spend_deadline, s.frequency, s.year_convention, s.basis, s.risk, s.successor or None,
        p.funder(s.funder_id).funder_type,
    ]
    for col, value in enumerate(values, start=1):
        fmt = UK_DATE if col in (10, 11, 19) else GBP if col in (7, 8, 9) else None
        put(ws, row, col, value, fmt)
