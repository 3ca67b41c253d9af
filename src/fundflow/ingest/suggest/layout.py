"""Where the table is: its header block, its data rows and what ends it.

Funders' templates put a title block, a reference or two and an instruction paragraph above
the table, and totals and footnotes below it. The first *dense data row* (most columns filled,
at least one number) anchors the guess: the header is the run of mostly-text rows directly
above it (several rows when the header is merged), and the data runs down to a footnote or
two blank rows. The sheet whose table holds the most figures is the one a draft reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from fundflow.ingest.grid import Sheet, Workbook
from fundflow.ingest.specs.regions import PATH_SEPARATOR, normalise
from fundflow.ingest.suggest.cells import Kind, kind_of

MAX_DEPTH = 4
TOTAL = re.compile(r"^\s*(?:sub[-\s]?total|grand\s+total|total)\b", re.IGNORECASE)
GRAND_TOTAL = re.compile(r"^\s*(?:grand\s+)?total\b", re.IGNORECASE)
PLACEHOLDER = re.compile(r"^\s*(?:<\s*select\s*>|please\s+select\b)", re.IGNORECASE)
BLOCK_PREFIX = re.compile(r"^(\w+(?: \w+)? ?\d+\s*[:.\-–])")  # 'Project 1:', 'Scheme 12 -'
TAG = re.compile(r"^[A-Z0-9]+(?:[-_][A-Z0-9]+){2,}$")
NOTE = re.compile(r"^\s*(?:notes?\b|\d{1,2}\.\s|\*|source:|memo)", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """One sheet row as the guesser sees it: absolute index, cell texts and their kinds."""

    index: int
    cells: dict[int, str]  # absolute column -> text, non-empty cells only
    kinds: dict[int, Kind]

    @property
    def filled(self) -> int:
        """How many cells hold something."""
        return len(self.cells)

    @property
    def numbers(self) -> int:
        """How many cells hold a number."""
        return sum(k is Kind.NUMBER for k in self.kinds.values())

    @property
    def first(self) -> str:
        """The first non-empty cell's text ('' for a blank row)."""
        return self.cells[min(self.cells)] if self.cells else ""


@dataclass(frozen=True)
class TableGuess:
    """A table found in a sheet (all rows and columns absolute, 0-based)."""

    sheet: Sheet
    header_row: int
    depth: int
    first_col: int
    last_col: int
    rows: list[Row]  # data rows, totals and placeholders included, up to the end
    paths: dict[int, str]  # column -> header path (merged upper rows forward-filled)
    end_pattern: str | None = None
    end_blank_rows: int | None = None
    above: list[Row] = field(default_factory=list)  # title rows above the header
    below: list[Row] = field(default_factory=list)  # rows after the end (notes, memos)
    blocks: tuple[str, int] | None = None  # label pattern and column of repeated blocks

    @property
    def figures(self) -> int:
        """Numeric cells in the data rows: how much data the table holds."""
        return sum(r.numbers for r in self.rows)


def total_end(labels: list[str]) -> int | None:
    """Index of the grand total that ends the table, when other rows follow it (a second
    section below), else None: the rows after it belong to something else."""
    grand = [i for i, t in enumerate(labels) if GRAND_TOTAL.match(t)]
    after = labels[grand[-1] + 1:] if grand else []
    if after and not any(TOTAL.match(t) for t in after):
        return grand[-1]
    return None


def sheet_rows(sheet: Sheet) -> list[Row]:
    """Every row of a sheet with its non-empty cells, in order (blank rows kept)."""
    out = []
    for i, values in enumerate(sheet.cells.iter_rows()):
        cells = {sheet.col0 + j: v for j, v in enumerate(values)
                 if v is not None and v.strip()}
        out.append(Row(sheet.row0 + i, cells, {c: kind_of(v) for c, v in cells.items()}))
    return out


def guess_table(sheet: Sheet) -> TableGuess | None:
    """The first table of a sheet with a header above dense data rows, or None."""
    rows = sheet_rows(sheet)
    used = {c for r in rows for c in r.cells}
    if not used:
        return None
    # 'Label | value' lines above a table are not one: a table row fills three cells or more
    dense = max(min(3, len(used)), math.ceil(0.4 * len(used)))
    for pos, row in enumerate(rows):
        if row.filled < dense or row.numbers == 0:
            continue
        header = _header_above(rows, pos)
        if header:
            table = _build(sheet, rows, header, pos)
            return replace(table, blocks=find_blocks(rows, header[0]))
    return None


def find_blocks(rows: list[Row], header: Row) -> tuple[str, int] | None:
    """A pattern for the labels of repeated blocks ('Project 1: Market Hall', 'Project 2:
    ...') and their column, when the header repeats further down, each time under such a label.
    """
    again = [i for i, r in enumerate(rows) if r.cells == header.cells]
    if len(again) < 2:
        return None
    labels = [_block_label(rows, i) for i in again]
    if any(label is None for label in labels):
        return None
    found = [label for label in labels if label is not None]
    prefix = BLOCK_PREFIX.match(found[0][1])
    if prefix is None or len({col for col, _ in found}) != 1:
        return None
    anchor = "^" + re.sub(r"\\d|\d+", r"\\d+", re.escape(prefix.group(1))).replace("\\ ", " ")
    if not all(re.match(anchor, text) for _, text in found):
        return None
    return anchor, found[0][0]


def _block_label(rows: list[Row], at: int) -> tuple[int, str] | None:
    """The one-cell text line at most three rows above a header, as (column, text)."""
    for row in reversed(rows[max(0, at - 3):at]):
        if row.cells:
            return (min(row.cells), row.first) if row.filled == 1 and not row.numbers else None
    return None


def choose_table(workbook: Workbook) -> tuple[TableGuess | None, list[TableGuess]]:
    """The visible sheet's table with the most figures, and every sheet's table found."""
    found = [t for s in workbook.sheets if s.visible and (t := guess_table(s)) is not None]
    if not found:
        return None, []
    return max(found, key=lambda t: t.figures), found


def _header_above(rows: list[Row], pos: int) -> list[Row]:
    """Header rows above data row `pos`, top first: text rows, one section label skipped."""
    i = pos - 1
    if i >= 0 and rows[i].filled == 1 and rows[i].numbers == 0:
        i -= 1  # a section label ("Towns Fund") between the header and the data
    found: list[Row] = []
    while i >= 0 and len(found) < MAX_DEPTH:
        row = rows[i]
        if not row.cells and found and i > 0 and len(found) + 2 <= MAX_DEPTH \
                and _unlabelled(found, rows[pos]) \
                and _labels(rows[i - 1], rows[pos]):
            found.insert(0, row)  # a spacer row inside the header: the labels are above it
            i -= 1
            continue
        if row.filled < 2 or row.numbers:
            break
        if found and _label_value_pair(row, found[0]):
            break
        found.insert(0, row)
        i -= 1
    return found


def _text_columns(data: Row) -> list[int]:
    """The data row's columns of words (names, units): where a header must say what they are."""
    return [c for c, k in data.kinds.items() if k is Kind.TEXT]


def _unlabelled(header: list[Row], data: Row) -> bool:
    """No header row found so far names any of the data's text columns (the period headers
    of a wide table sit lower than the 'Indicator name | Unit' labels)."""
    labelled = {c for r in header for c in r.cells}
    text = _text_columns(data)
    return bool(text) and not labelled & set(text)


def _labels(row: Row, data: Row) -> bool:
    """A row of words over the data's text columns: the labels a spacer row kept apart."""
    return row.numbers == 0 and row.filled >= 2 and bool(set(row.cells) & set(_text_columns(data)))


def _label_value_pair(row: Row, below: Row) -> bool:
    """A 'Grant reference | ABC-123' line sitting right on top of a wider header."""
    return row.filled == 2 and below.filled >= 4 and min(row.cells) <= min(below.cells)


def _build(sheet: Sheet, rows: list[Row], header: list[Row], pos: int) -> TableGuess:
    top = header[0].index - sheet.row0
    cols = sorted({c for r in header for c in r.cells})
    first = min([*cols, *rows[pos].cells])
    last = max(cols)
    body, stop, end_pattern, blank_run = _data_rows(rows, pos, first, last)
    return TableGuess(
        sheet=sheet, header_row=header[0].index, depth=len(header), first_col=first,
        last_col=last, rows=body, paths=header_paths(header, first, last),
        end_pattern=end_pattern, end_blank_rows=blank_run,
        above=[r for r in rows[:top] if r.cells], below=[r for r in rows[stop:] if r.cells],
    )


def _data_rows(
    rows: list[Row], pos: int, first: int, last: int
) -> tuple[list[Row], int, str | None, int | None]:
    """Data rows from `pos` to the end marker, where they stop, and the marker found."""
    body: list[Row] = []
    blanks = 0
    for k in range(pos, len(rows)):
        row = rows[k]
        inside = {c: v for c, v in row.cells.items() if first <= c <= last}
        if not inside:
            blanks += 1
            if blanks >= 2 and any(r.cells for r in rows[k:]):
                return body, k, None, 2
            continue
        blanks = 0
        if _is_note(row):
            return body, k, note_pattern(row.first), None
        body.append(row)
    return body, len(rows), None, None


def _is_note(row: Row) -> bool:
    """A footnote or memorandum line: one long text, a template's section tag
    ('PF-USER_BESPOKE-OUTPUTS-START'), or a 'Notes:' / '1.' / 'Memo' start."""
    if row.numbers == 0 and row.filled == 1 and (len(row.first) > 50 or TAG.match(row.first)):
        return True
    return bool(NOTE.match(row.first)) and not TOTAL.match(row.first)


def note_pattern(text: str) -> str:
    """An end pattern for a notes row: its marker, or its first word."""
    t = text.strip()
    if re.match(r"^\d{1,2}\.\s", t):
        return r"^\d{1,2}\.\s"
    word = re.match(r"^[A-Za-z]+", t)
    return "^" + re.escape(word.group(0) if word else t[:20])


def header_paths(header: list[Row], first: int, last: int) -> dict[int, str]:
    """Header path per column, upper rows forward-filled right as merged cells read.

    Mirrors `fundflow.ingest.specs.regions` so that a pattern written against these paths
    matches what the engine builds from the same rows.
    """
    levels: list[list[str]] = []
    cols = list(range(first, last + 1))
    for depth, row in enumerate(header):
        texts = [normalise(row.cells.get(c)) for c in cols]
        if depth < len(header) - 1:
            parent = levels[-1] if levels else None
            filled: list[str] = []
            for j, text in enumerate(texts):
                new_parent = parent is not None and j > 0 and parent[j] != parent[j - 1]
                filled.append(filled[-1] if not text and filled and not new_parent else text)
            texts = filled
        levels.append(texts)
    return {c: PATH_SEPARATOR.join(dict.fromkeys(lv[j] for lv in levels if lv[j]))
            for j, c in enumerate(cols)}
