"""A quicker cell writer for xlsxwriter's constant-memory worksheets, same bytes.

A return over 15,000 streams writes about two million cells on its people's sheets (Finance,
Summary, ring-fencing, ...). xlsxwriter turns each into XML through a general routine that
builds an attribute list and escapes every attribute with a regular expression; for the three
kinds of cell those sheets are made of (a number, a blank and a plain string, each with a
format) `FastSheet` makes the same XML directly, and writes each row with one call to the
file (xlsxwriter makes two to four per cell). `store` takes a ready cell without the public
`write_*` methods' argument conversion and dispatch. Any other cell (rich strings, formulas,
booleans, cells without a format) goes through xlsxwriter's own routine. The sheet XML is
byte for byte what xlsxwriter writes (`tests/test_data_table.py` compares them).
"""

from __future__ import annotations

import math
import re
from collections import namedtuple
from collections.abc import Sequence
from io import StringIO
from typing import Any

from xlsxwriter.utility import (  # type: ignore[import-untyped]
    xl_col_to_name,
    xl_rowcol_to_cell_fast,
)
from xlsxwriter.worksheet import (  # type: ignore[import-untyped]
    CellBlankTuple,
    Worksheet,
)

_LETTERS = [xl_col_to_name(col) for col in range(64)]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_XML = re.compile(r"[&<>]")


_TEXTS: dict[tuple[str, int], str] = {}
"""A text cell's XML after its reference, by text and style: labels, categories and names
repeat on most rows. Empty for text that only xlsxwriter's own routine writes."""
_TEXTS_KEPT = 100_000


def _text_xml(text: str, style: int) -> str:
    """What follows a text cell's reference; empty if xlsxwriter must write it (rich-text
    look-alikes, control characters, text that reads as Excel's `_xHHHH_` escape)."""
    tail = text_tail(text)
    return f'" s="{style}"{tail}' if tail else ""


_TAILS: dict[str, str] = {}


def text_tail(text: str) -> str:
    """A text cell's XML after its style (remembered); empty if xlsxwriter must write it."""
    found = _TAILS.get(text)
    if found is None:
        found = ""
        if not ((text.startswith("<r>") and text.endswith("</r>")) or _CONTROL.search(text)
                or ("_x" in text and _ESCAPED.search(text))):
            shown = text
            if _XML.search(shown):
                shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            found = f' t="inlineStr"><is><t{space}>{shown}</t></is></c>'
        if len(_TAILS) >= _TEXTS_KEPT:
            _TAILS.clear()
        _TAILS[text] = found
    return found


_RawRow = namedtuple("_RawRow", "cells, format")
"""A row's cells made by `store_row`: (column, XML after the style, format) in column order."""


def _raw_xml(row: int, cell: Any, number: str | None) -> str:
    """The XML of cells made at once (`store_numbers`, `store_row`), each style's index
    given now, in column order, as xlsxwriter gives them when it writes the row."""
    if type(cell).__name__ == "_Raw":
        return str(cell.xml).replace("\x00", str(cell.format._get_xf_index()))
    at = str(row + 1) if number is None else number
    return "".join([f'<c r="{_LETTERS[col]}{at}" s="{fmt._get_xf_index()}"{tail}'
                    for col, tail, fmt in cell.cells])


_Raw = namedtuple("_Raw", "xml, format")
"""A run of cells of one row, as XML made by `store_numbers`, kept at its first column."""


class FastSheet(Worksheet):  # type: ignore[misc]
    """An xlsxwriter worksheet with a direct writer for formatted numbers, blanks and text."""

    def store_numbers(self, row: int, first_col: int, values: Sequence[float | None],
                      fmt: Any, *, blanks: bool) -> None:
        """A run of numbers with one format from `first_col` on (the Finance sheet's ten
        money columns, 80,000 rows at 15,000 streams), made into XML at once: the cells
        `store` would make one by one. None is no cell, or a formatted blank with `blanks`."""
        cols = [col for col, value in enumerate(values, first_col)
                if value is not None or blanks]
        if not cols:
            return
        self.store(row, cols[-1], CellBlankTuple(fmt))  # checks the range, flushes the row
        del self.table[row][cols[-1]]
        self.store(row, cols[0], CellBlankTuple(fmt))
        number = row + 1
        head = '" s="\x00"'  # the style's index is given at the flush, in xlsxwriter's order
        parts = []
        for col, value in enumerate(values, first_col):
            if value is None:
                if blanks:
                    parts.append(f'<c r="{_LETTERS[col]}{number}{head}/>')
            elif not math.isfinite(value):
                raise ValueError(f"{value} cannot be written to a cell")
            else:
                parts.append(f'<c r="{_LETTERS[col]}{number}{head}><v>{value:.16G}</v></c>')
        self.table[row][cols[0]] = _Raw("".join(parts), fmt)

    def store_row(self, row: int, cells: Sequence[tuple[int, str, Any]]) -> bool:
        """A whole row's cells at once (`Sheet.rows`: the Summary and analysis sheets), each
        (column, its XML after the style attribute, format), in column order: the cells
        `store` would keep one by one, made into XML when the row is flushed, each style's
        index given then in column order, as xlsxwriter gives them. False (nothing stored)
        if the row holds cells already or a column is past the sheet's quick letters."""
        if not cells or self.table.get(row) or cells[-1][0] >= len(_LETTERS):
            return False
        first, last = cells[0], cells[-1]
        self.store(row, last[0], CellBlankTuple(last[2]))  # checks the range, flushes the row
        del self.table[row][last[0]]
        self.store(row, first[0], CellBlankTuple(first[2]))
        self.table[row][first[0]] = _RawRow(tuple(cells), first[2])
        return True

    def store(self, row: int, col: int, cell: Any) -> None:
        """Keep one of xlsxwriter's cell tuples (`CellNumberTuple`, `CellStringTuple`,
        `CellBlankTuple`) at a cell, as its `_write_number` and friends do once they have
        checked the value: the caller has (a finite number; text made safe, shorter than
        Excel's limit). A cell above the row being written is refused, as xlsxwriter does."""
        state: Any = self  # xlsxwriter's attributes are untyped
        if self.constant_memory and row > state.previous_row:
            self._write_single_row(row)
        elif row == state.previous_row and state.dim_rowmax == row and col >= 0 \
                and state.dim_colmax is not None and state.dim_colmin <= col <= state.dim_colmax:
            # The row and this column were checked by an earlier cell of the row: what
            # `_check_dimensions` would do is nothing (two million cells at 15,000 streams).
            self.table[row][col] = cell
            return
        if self._check_dimensions(row, col):
            raise ValueError(f"cell ({row}, {col}) is outside the sheet or already written")
        self.table[row][col] = cell

    def _write_single_row(self, current_row_num: int = 0) -> None:
        """xlsxwriter's flush of the finished row in constant-memory mode, with the row's
        cells made into one string and written at once."""
        state: Any = self  # xlsxwriter's attributes are untyped
        row_num = state.previous_row
        line = self.table.get(row_num)
        if not line:
            super()._write_single_row(current_row_num)
            return
        state.previous_row = current_row_num
        self._write_row(row_num, None, self.row_info.get(row_num))
        number = str(row_num + 1)
        parts = [self._cell_xml(row_num, col, line[col], number) for col in sorted(line)]
        state.fh.write("".join(parts))
        self._xml_end_tag("row")
        self.table.clear()

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        self.fh.write(self._cell_xml(row, col, cell))

    def _cell_xml(self, row: int, col: int, cell: Any, number: str | None = None) -> str:
        """One cell's XML: made here for the common kinds, else by xlsxwriter (captured).
        `number` is the row's number as text, when the caller has it."""
        kind = type(cell).__name__
        if kind in ("_Raw", "_RawRow"):
            return _raw_xml(row, cell, number)
        fmt = cell.format
        if fmt is None or not self.constant_memory or kind not in ("Number", "Blank", "String"):
            return self._captured(row, col, cell)
        where = (_LETTERS[col] + number if number is not None and col < len(_LETTERS)
                 else xl_rowcol_to_cell_fast(row, col))
        style = fmt._get_xf_index()
        if kind == "Number":
            return f'<c r="{where}" s="{style}"><v>{cell.number:.16G}</v></c>'
        if kind == "Blank":
            return f'<c r="{where}" s="{style}"/>'
        key = (cell.string, style)
        rest = _TEXTS.get(key)
        if rest is None:
            rest = _text_xml(cell.string, style)
            if len(_TEXTS) >= _TEXTS_KEPT:
                _TEXTS.clear()
            _TEXTS[key] = rest
        if not rest:
            return self._captured(row, col, cell)
        return f'<c r="{where}{rest}'

    def _captured(self, row: int, col: int, cell: Any) -> str:
        """The XML xlsxwriter's own routine writes for a cell."""
        state: Any = self  # xlsxwriter's attributes are untyped
        out, state.fh = state.fh, StringIO()
        try:
            super()._write_cell(row, col, cell)
            return str(state.fh.getvalue())
        finally:
            state.fh = out
