"""A quicker cell writer for xlsxwriter's constant-memory worksheets, same bytes.

A return over 15,000 streams writes about two million cells on its people's sheets (Finance,
Summary, ring-fencing, ...). xlsxwriter turns each into XML through a general routine that
builds an attribute list and escapes every attribute with a regular expression; for the three
kinds of cell those sheets are made of (a number, a blank and a plain string, each with a
format) `FastSheet._write_cell` writes the same XML directly. Any other cell (rich strings,
formulas, booleans, cells without a format) goes through xlsxwriter's own routine. The sheet
XML is byte for byte what xlsxwriter writes (`tests/test_data_table.py` compares them).
"""

from __future__ import annotations

import re
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell_fast  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_XML = re.compile(r"[&<>]")


class FastSheet(Worksheet):  # type: ignore[misc]
    """An xlsxwriter worksheet with a direct writer for formatted numbers, blanks and text."""

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        kind = type(cell).__name__
        fmt = cell.format
        if fmt is None or not self.constant_memory or kind not in ("Number", "Blank", "String"):
            super()._write_cell(row, col, cell)
            return
        head = f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"'
        if kind == "Number":
            self.fh.write(f"{head}><v>{cell.number:.16G}</v></c>")
        elif kind == "Blank":
            self.fh.write(f"{head}/>")
        else:
            text = cell.string
            if (text.startswith("<r>") and text.endswith("</r>")) or _CONTROL.search(text) or (
                    "_x" in text and _ESCAPED.search(text)):
                super()._write_cell(row, col, cell)
                return
            if _XML.search(text):
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            self.fh.write(f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>')
