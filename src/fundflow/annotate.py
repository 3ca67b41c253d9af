"""Problems shown in the officer's own workbook: `fundflow validate --annotate DIR`.

A finance officer fixes a return where they work, in the spreadsheet. So each checked file is
copied with every problem cell filled in the colour of its severity and a comment saying what
is wrong and what to do, plus an `Issues` sheet listing every problem with a link to its
cell. The original file is never touched. CSV and ODS files are copied into a new workbook
laid out cell for cell as read, since neither can carry comments.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook as XlWorkbook
from openpyxl.worksheet.hyperlink import Hyperlink

from fundflow.grid import Workbook, cell_ref
from fundflow.issues import Issue, Severity
from fundflow.returns.safe import safe_text

FILLS = {
    Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    Severity.WARNING: PatternFill("solid", fgColor="FFEB9C"),
    Severity.INFO: PatternFill("solid", fgColor="DDEBF7"),
}
ISSUES_SHEET = "Issues"
HEADERS = ("Severity", "Code", "Sheet", "Cell", "Value found", "Expected", "Problem",
           "What to do")
WIDTHS = (10, 22, 22, 8, 24, 24, 60, 60)


def annotate(source: Path, issues: list[Issue], out_dir: Path,
             grid: Workbook | None = None) -> Path:
    """Write the annotated copy of `source` into `out_dir` and return its path.

    `grid` is the file as fundflow read it; it is needed for CSV and ODS files, which are
    rebuilt as a workbook. xlsx and xlsm files are copied with their formatting (and macros,
    which are kept but never run).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = source.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        book = openpyxl.load_workbook(source, keep_vba=suffix == ".xlsm")
        target = out_dir / f"{source.stem}.checked{suffix}"
    else:
        book = _from_grid(grid, source)
        target = out_dir / f"{source.stem}.checked.xlsx"
    _mark_cells(book, issues)
    _issues_sheet(book, issues)
    _save_atomically(book, target)
    return target


def _from_grid(grid: Workbook | None, source: Path) -> XlWorkbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in grid.sheets if grid else []:
        ws = book.create_sheet(_sheet_title(sheet.name))
        for i, row in enumerate(sheet.cells.iter_rows()):
            for j, value in enumerate(row):
                if value is not None:
                    cell = ws.cell(sheet.row0 + i + 1, sheet.col0 + j + 1)
                    cell.value = safe_text(value)
                    cell.data_type = "s"
    if not book.sheetnames:
        book.create_sheet(_sheet_title(source.stem))
    return book


def _sheet_title(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, "_")
    return name[:31] or "Sheet"


def _mark_cells(book: XlWorkbook, issues: list[Issue]) -> None:
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet and issue.cell and _sheet_title(issue.sheet) in book.sheetnames:
            by_cell[(_sheet_title(issue.sheet), issue.cell)].append(issue)
    rank = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    for (sheet, ref), found in by_cell.items():
        try:
            cell = book[sheet][ref]
        except (ValueError, KeyError):
            continue
        worst = min((i.severity for i in found), key=rank.index)
        cell.fill = FILLS[worst]
        text = "\n\n".join(
            f"{i.severity.value.upper()} ({i.code}): {i.message}"
            + (f"\nWhat to do: {i.hint}" if i.hint else "")
            for i in found
        )
        comment = Comment(safe_text(text), "fundflow")
        comment.width, comment.height = 320, 40 + 18 * text.count("\n") + len(text) // 3
        cell.comment = comment


def _issues_sheet(book: XlWorkbook, issues: list[Issue]) -> None:
    if ISSUES_SHEET in book.sheetnames:
        del book[ISSUES_SHEET]
    ws = book.create_sheet(ISSUES_SHEET, 0)
    for col, (title, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = ws.cell(1, col, title)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, issue in enumerate(issues, start=2):
        values = (issue.severity.value, issue.code, issue.sheet, issue.cell, issue.value,
                  issue.expected, issue.message, issue.hint)
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            cell.value = safe_text(value) if value is not None else None
            cell.data_type = "s"
        ws.cell(r, 1).fill = FILLS[issue.severity]
        if issue.sheet and issue.cell and _sheet_title(issue.sheet) in book.sheetnames:
            link = ws.cell(r, 4)
            quoted = _sheet_title(issue.sheet).replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{issue.cell}")
            link.font = Font(color="0563C1", underline="single")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.alignment = Alignment(vertical="top")
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=len(HEADERS)):
        lines = 1
        for cell, width in zip(row, WIDTHS[4:], strict=True):
            cell.alignment = wrap
            lines = max(lines, -(-len(str(cell.value or "")) // int(width * 1.1)))
        ws.row_dimensions[row[0].row].height = 15 * lines
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(1, len(issues) + 1)}"
    book.active = 0


def _save_atomically(book: XlWorkbook, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=target.suffix)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


__all__ = ["annotate", "cell_ref"]
