"""Find a table's rows in a sheet: sheets, repeated blocks, the header, the end marker.

Everything here works on absolute 0-based row and column indexes of the sheet, so that a
value found later can always name its cell. Merged header cells come back from the readers as
a value in the top-left cell and blanks elsewhere, so upper header rows are forward-filled
across columns (within their parent's span) before the header path is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from fundflow.ingest.grid import Sheet, Workbook, cell_ref, column_letters, parse_cell_ref
from fundflow.ingest.specs.patterns import compile_pattern
from fundflow.ingest.specs.spec import TableSpec

PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class Region:
    """Rows [start, stop) of one sheet that hold one table (or one block of it)."""

    sheet: Sheet
    start: int
    stop: int
    block_title: str | None = None
    block_cell: str | None = None  # where the block's label is ('C40'), for messages


@dataclass(frozen=True)
class Located:
    """A table found in a region: its header path per absolute column and its data rows."""

    region: Region
    header_row: int | None  # absolute row of the first header row (None: no header)
    columns: dict[int, str]  # absolute column -> header path (or letters when no header)
    data: pl.DataFrame  # columns `_row` (absolute) and `c<abs col>` String, data rows only
    end_row: pl.DataFrame | None = None  # the row that ended the table (a 'Total' row, often)


def normalise(text: str | None) -> str:
    """Header text for comparison: line breaks and runs of spaces as one space, trimmed."""
    return re.sub(r"\s+", " ", text or "").strip()


def column_index(letters: str) -> int:
    """Column letters to a 0-based index."""
    return parse_cell_ref(f"{letters}1")[1]


def sheets_for(table: TableSpec, workbook: Workbook) -> list[Sheet]:
    """The sheets a table reads: one by name, every match of a pattern, or the only sheet."""
    visible = [s for s in workbook.sheets if s.visible or table.include_hidden]
    if table.sheet is not None:
        return [s for s in workbook.sheets if s.name == table.sheet]
    if table.sheet_pattern is not None:
        rx = compile_pattern(table.sheet_pattern)
        found = [s for s in visible if rx.search(s.name)]
        if table.sheet_choice == "first":
            return found[:1]
        return found[-1:] if table.sheet_choice == "last" else found
    return visible[:1]


def regions_for(table: TableSpec, sheet: Sheet) -> list[Region]:
    """The whole sheet, or one region per repeated block."""
    stop = sheet.row0 + sheet.cells.height
    if table.blocks is None:
        return [Region(sheet, sheet.row0, stop)]
    rx = compile_pattern(table.blocks.anchor)
    cols = _columns(sheet)
    if table.blocks.column is not None:
        want = f"c{column_index(table.blocks.column) - sheet.col0}"
        cols = [c for c in cols if c == want]
    starts: list[tuple[int, str, str]] = []
    for i, row in enumerate(sheet.cells.select(cols).iter_rows()):
        hit = next((j for j, v in enumerate(row) if v is not None and rx.search(v)), None)
        if hit is not None:
            col = int(cols[hit][1:]) + sheet.col0
            starts.append((sheet.row0 + i, normalise(row[hit]), cell_ref(sheet.row0 + i, col)))
    bounds = [s for s, _, _ in starts[1:]] + [stop]
    return [Region(sheet, s, e, title, ref)
            for (s, title, ref), e in zip(starts, bounds, strict=True)]


def locate(table: TableSpec, region: Region) -> Located | str:
    """Find the header and data rows of `table` in `region`, or say what was not found."""
    sheet = region.sheet
    header = table.header
    if header.none:
        header_row = None
        first_data = region.start
    elif header.row is not None:
        header_row = header.row - 1
        first_data = header_row + header.rows
    else:
        found = _find_anchor(sheet, region, header.anchor or "")
        if found is None:
            return f"no cell matching '{header.anchor}'"
        header_row = found + header.offset
        first_data = header_row + header.rows
    cols = _column_range(table, sheet)
    columns = (
        {c: column_letters(c) for c in cols}
        if header_row is None
        else _header_paths(sheet, header_row, header.rows, cols)
    )
    data = _rows(sheet, max(first_data, region.start), region.stop, cols)
    kept = _cut_at_end(table, data, cols)
    end_row = data.slice(kept.height, 1) if kept.height < data.height else None
    return Located(region, header_row, columns, kept, end_row)


def _columns(sheet: Sheet) -> list[str]:
    return list(sheet.cells.columns)


def _column_range(table: TableSpec, sheet: Sheet) -> list[int]:
    first = sheet.col0
    last = sheet.col0 + sheet.cells.width - 1
    if table.header.first_column:
        first = max(first, column_index(table.header.first_column))
    if table.header.last_column:
        last = min(last, column_index(table.header.last_column))
    return list(range(first, last + 1))


def _find_anchor(sheet: Sheet, region: Region, pattern: str) -> int | None:
    rx = compile_pattern(pattern)
    lo = region.start - sheet.row0
    part = sheet.cells.slice(lo, region.stop - region.start)
    for i, row in enumerate(part.iter_rows()):
        if any(v is not None and rx.search(v) for v in row):
            return region.start + i
    return None


def _cell(sheet: Sheet, row: int, col: int) -> str | None:
    i, j = row - sheet.row0, col - sheet.col0
    if 0 <= i < sheet.cells.height and 0 <= j < sheet.cells.width:
        value = sheet.cells[i, j]
        return None if value is None else str(value)
    return None


def _header_paths(sheet: Sheet, first: int, depth: int, cols: list[int]) -> dict[int, str]:
    """Header path per column, forward-filling merged upper rows within their parent span."""
    levels: list[list[str]] = []
    for level in range(depth):
        texts = [normalise(_cell(sheet, first + level, c)) for c in cols]
        if level < depth - 1:
            parent = levels[-1] if levels else None
            texts = _fill_right(texts, parent)
        levels.append(texts)
    paths = {}
    for j, col in enumerate(cols):
        parts = [lv[j] for lv in levels if lv[j]]
        paths[col] = PATH_SEPARATOR.join(dict.fromkeys(parts))
    return paths


def _fill_right(texts: list[str], parent: list[str] | None) -> list[str]:
    filled: list[str] = []
    for j, text in enumerate(texts):
        new_parent = parent is not None and j > 0 and parent[j] != parent[j - 1]
        inherit = not text and filled and not new_parent
        filled.append(filled[-1] if inherit else text)
    return filled


def _rows(sheet: Sheet, start: int, stop: int, cols: list[int]) -> pl.DataFrame:
    lo = start - sheet.row0
    part = sheet.cells.slice(lo, max(0, stop - start))
    names = {f"c{c - sheet.col0}": f"c{c}" for c in cols}
    part = part.select([pl.col(k).alias(v) for k, v in names.items()])
    return part.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + start).alias("_row")
    ).select(["_row", *names.values()])


def _cut_at_end(table: TableSpec, data: pl.DataFrame, cols: list[int]) -> pl.DataFrame:
    """Keep rows up to the end marker: a pattern in the first non-empty cell, or N blank rows."""
    end = table.end
    if data.height == 0 or (end.pattern is None and end.blank_rows is None):
        return data
    value_cols = [f"c{c}" for c in cols]
    first = pl.coalesce([pl.col(c).str.strip_chars() for c in value_cols]).replace("", None)
    marks = data.select(
        first.alias("first"),
        first.is_null().alias("blank"),
    )
    stop = data.height
    if end.pattern is not None:
        hit = marks.with_row_index().filter(
            pl.col("first").str.contains(f"(?i){end.pattern}")
        )
        if hit.height:
            stop = min(stop, int(hit["index"][0]))
    if end.blank_rows is not None:
        run = _first_blank_run(marks["blank"], end.blank_rows)
        if run is not None:
            stop = min(stop, run)
    return data.head(stop)


def _first_blank_run(blank: pl.Series, length: int) -> int | None:
    """Index where the first run of `length` blank rows starts, if any."""
    run_start, count = 0, 0
    for i, is_blank in enumerate(blank.to_list()):
        if is_blank:
            if count == 0:
                run_start = i
            count += 1
            if count >= length:
                return run_start
        else:
            count = 0
    return None
