"""The sheet around a problem cell, as a small grid the Problems page draws like Excel.

Column letters across the top, real row numbers down the side, the problem cell marked, a few
rows and columns either side, and the sheet's first row always shown (it is usually the
headings), so the officer finds the cell in Excel at once (the 360Giving checker's mini-grid,
with the exact row numbers its users asked for). Cells are text; the template escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fundflow.ingest.grid import Sheet, Workbook, column_letters, parse_cell_ref
from fundflow.ingest.guard import Limits
from fundflow.ingest.readers import read_workbook
from fundflow.issues import Issue

AROUND = 3  # rows and columns shown either side of the cell
MAX_EXCERPTS = 60  # grids on one page; every issue is still listed
MAX_TEXT = 40  # characters of a cell shown in the grid


@dataclass(frozen=True)
class Excerpt:
    """A grid: `columns` letters, `rows` of (row number, cell texts); `mark` = (row, letters)."""

    sheet: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    mark: tuple[int, str]


def excerpts(path: Path, issues: list[Issue], limits: Limits) -> dict[int, Excerpt]:
    """The grid around each located issue (by its index in `issues`), up to `MAX_EXCERPTS`.

    The file is read again through the same guarded reader as the import; a file it cannot
    read gives no grids (its issues already say why)."""
    located = [(n, i) for n, i in enumerate(issues) if i.sheet and i.cell]
    if not located:
        return {}
    workbook, _ = read_workbook(path, limits)
    if workbook is None:
        return {}
    out: dict[int, Excerpt] = {}
    for n, issue in located[:MAX_EXCERPTS]:
        grid = around(workbook, str(issue.sheet), str(issue.cell))
        if grid is not None:
            out[n] = grid
    return out


def around(workbook: Workbook, sheet_name: str, ref: str) -> Excerpt | None:
    """The grid around `ref` on `sheet_name`; None when either is not in the workbook."""
    sheet = workbook.sheet(sheet_name)
    first = ref.split(":", maxsplit=1)[0].split(",", maxsplit=1)[0].strip()
    try:
        row, col = parse_cell_ref(first)
    except ValueError:
        return None
    if sheet is None:
        return None
    top, left = max(0, row - AROUND), max(0, col - AROUND)
    wanted = list(range(top, row + AROUND + 1))
    if sheet.row0 < top:
        wanted.insert(0, sheet.row0)  # the headings row
    cols = list(range(left, col + AROUND + 1))
    rows = [(r + 1, [_text(sheet, r, c) for c in cols]) for r in wanted]
    return Excerpt(sheet.name, [column_letters(c) for c in cols], rows,
                   (row + 1, column_letters(col)))


def _text(sheet: Sheet, row: int, col: int) -> str:
    i, j = row - sheet.row0, col - sheet.col0
    if not (0 <= i < sheet.cells.height and 0 <= j < sheet.cells.width):
        return ""
    value = sheet.cells.item(i, j)
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
