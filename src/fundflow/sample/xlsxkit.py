"""openpyxl helpers the layout modules share: title blocks, merged headers, reproducible saves.

Real templates open with a banner, an instruction paragraph merged across the sheet and a spacer
row; these helpers make that quick to reproduce. `save` writes byte-identical files for the same
content: openpyxl stamps the save time into `docProps/core.xml` and into every zip entry, so we
fix both.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

FIXED_TIME = datetime(2026, 4, 30, 9, 0, 0)
ZIP_TIME = (2026, 4, 30, 9, 0, 0)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
ITALIC = Font(italic=True)
WRAP = Alignment(wrap_text=True, vertical="top")
YELLOW = PatternFill("solid", fgColor="FFFF99")
GREY = PatternFill("solid", fgColor="D9D9D9")
GBP = "#,##0"
GBP_PENCE = "#,##0.00"
THOUSANDS = "#,##0.0;(#,##0.0)"
UK_DATE = "dd/mm/yyyy"
MMM_YY = "mmm-yy"


def new_workbook(first_sheet: str) -> tuple[Workbook, Worksheet]:
    """A workbook whose first sheet is called `first_sheet`, with fixed document dates."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = first_sheet
    wb.properties.creator = "fundflow sample generator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb, ws


def title_block(ws: Worksheet, title: str, instruction: str, *, first: int = 2, last: int = 13,
                ) -> None:
    """Rows 1-4: a banner, an instruction paragraph merged over rows 2-3, then a spacer row."""
    ws.cell(row=1, column=first, value=title).font = TITLE
    ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=last)
    ws.cell(row=2, column=first, value=instruction).alignment = WRAP
    ws.merge_cells(start_row=2, start_column=first, end_row=3, end_column=last)


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None,
        *, bold: bool = False, fill: PatternFill | None = None) -> None:
    """Write one cell with an optional number format, bold font and fill."""
    cell = ws.cell(row=row, column=col, value=value)
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    if fill is not None:
        cell.fill = fill


def put_row(ws: Worksheet, row: int, col: int, values: list[Any], fmt: str | None = None,
            *, bold: bool = False) -> None:
    """Write `values` across a row starting at `col`; numbers get `fmt`."""
    for i, value in enumerate(values):
        number = isinstance(value, int | float) or type(value).__name__ == "Decimal"
        put(ws, row, col + i, value, fmt if number else None, bold=bold)


def merged(ws: Worksheet, row: int, col: int, value: Any, *, rows: int = 1, cols: int = 1,
           bold: bool = True) -> None:
    """Write `value` and merge it over `rows` x `cols` cells, as template group headers are."""
    put(ws, row, col, value, bold=bold)
    ws.cell(row=row, column=col).alignment = Alignment(horizontal="center", wrap_text=True)
    if rows > 1 or cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1,
                       end_column=col + cols - 1)


def widths(ws: Worksheet, **by_letter: float) -> None:
    """Set column widths by letter, e.g. widths(ws, C=40, D=14)."""
    for letter, width in by_letter.items():
        ws.column_dimensions[letter].width = width


def width_range(ws: Worksheet, first: int, last: int, width: float) -> None:
    """Set the same width on columns first..last (1-based)."""
    for col in range(first, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def save(wb: Workbook, path: Path) -> Path:
    """Save `wb` to `path` reproducibly: same content, same bytes, on any day."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(restamp_zip(buffer.getvalue()))
    return path


def restamp_zip(data: bytes) -> bytes:
    """Rewrite a zip with every entry dated `ZIP_TIME`, keeping entry order and compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
