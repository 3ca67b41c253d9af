"""Workbook plumbing for the xlsx return: house style, the safe cell writer, tables, print setup.

Built on xlsxwriter in `constant_memory` mode: each row goes to disk as soon as the next one
starts, so a return with a million figures needs little memory, and rows must be written in
order, top to bottom, on each sheet (`Sheet` keeps the current row for that reason).

Every cell's type comes from its column's kind, never from its value: text goes through
`safe_text` and `write_string` (xlsxwriter's `write()` would turn text starting with `=` into a
live formula, relsec.md F7), money through `write_number` with the return's number format
(the float conversion happens here, at the write, because Excel stores doubles; every total is
computed in Decimal before), dates through `write_datetime`. The workbook is also opened with
`strings_to_formulas` and friends off, so a slip elsewhere still cannot make a formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

# xlsxwriter 3.3 has type hints but no py.typed marker (and pyproject is not ours to change).
from xlsxwriter import Workbook  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import (  # type: ignore[import-untyped]
    CellBlankTuple,
    CellNumberTuple,
    CellStringTuple,
    Worksheet,
)

from fundflow.returns.safe import safe_text
from fundflow.returns.xlsx_fast import FastSheet, text_tail
from fundflow.returns.xlsx_zip import write_package

Kind = Literal["text", "money", "int", "number", "fixed2", "ratio", "date", "datetime", "bool",
               "yesno"]
"""How a column's values are written; `fixed2` (hours, percentages, months) and `ratio` (four
places) are numbers shown with a fixed count of decimals, so a column lines up."""
MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
"""Pounds and pence, negatives red with the sign before the £ (as departments print them)."""
NUMBER_FORMAT = "#,##0.######"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
EXCEL_ROWS = 1_048_576
"""Rows in an Excel sheet: a longer table continues on another sheet."""
NAVY = "#1F3864"
PALE = "#DCE6F1"
FONT = "Arial"
LINE_PT = 13.0
"""Height of one line of 10-point Arial, for rows holding wrapped text (xlsxwriter cannot
measure text, and LibreOffice and Excel do not grow rows written with a fixed height)."""

_FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT, "number": NUMBER_FORMAT, "int": "#,##0", "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT, "fixed2": "#,##0.00;[Red]-#,##0.00", "ratio": "0.0000",
}
_GREY = "#A6A6A6"
_STYLES: dict[str, dict[str, Any]] = {
    "body": {},
    "wrap": {"text_wrap": True},
    "title": {"bold": True, "font_size": 14, "font_color": NAVY, "valign": "vcenter"},
    "title_wrap": {"bold": True, "font_size": 14, "font_color": NAVY, "valign": "vcenter",
                   "text_wrap": True},
    "heading": {"bold": True, "font_size": 12, "font_color": NAVY},
    "note": {"italic": True, "font_color": "#595959"},
    "note_wrap": {"italic": True, "font_color": "#595959", "text_wrap": True},
    "para": {"text_wrap": True},
    "muted": {"italic": True, "font_color": "#7F7F7F"},
    "bold": {"bold": True},
    "left": {"align": "left"},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY, "text_wrap": True,
               "valign": "vcenter", "border": 1, "border_color": "#FFFFFF"},
    "header_across": {"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY,
                      "align": "center_across", "valign": "vcenter", "border": 1,
                      "border_color": "#FFFFFF"},
    "total": {"bold": True, "top": 1, "bottom": 6},
    "subtotal": {"bold": True, "top": 1},
    "band": {"bold": True, "font_color": NAVY, "bg_color": PALE, "font_size": 11,
             "valign": "vcenter"},
    "subhead": {"bold": True, "italic": True},
    "box": {"border": 1, "border_color": _GREY, "text_wrap": True},
    "label": {"bold": True, "text_wrap": True},
    "link": {"font_color": "#0563C1", "underline": 1},
}
_NUMERIC: frozenset[str] = frozenset({"money", "int", "number", "fixed2", "ratio", "date",
                                      "datetime"})


ZIP_LEVEL = 1
"""How hard the workbook's parts are deflated. xlsxwriter leaves zlib at its default (6),
which at 15,000 streams spent about 8 s of CPU deflating 815 MB of sheet XML into 62 MB;
level 1 takes about 2.5 s for 78 MB. Sheet XML is so repetitive that the fast level keeps
nearly all of the saving, and the parts inside are byte for byte the same."""


class _Workbook(Workbook):  # type: ignore[misc]
    """xlsxwriter's workbook, its zip written by `xlsx_zip` rather than `zipfile`: the parts
    deflated at `ZIP_LEVEL` two at a time, and a Data sheet's bulk rows (deflated in their
    own thread while the other sheets were written) spliced into its part. Everything up to
    the package's parts is `Workbook._store_workbook` as xlsxwriter 3.3 has it."""

    def _store_workbook(self) -> None:
        if self.in_memory:  # never for a return; xlsxwriter's own zip (at its level)
            super()._store_workbook()
            return
        packager = self._get_packager()
        if not self.worksheets():
            self.add_worksheet()
        if self.worksheet_meta.activesheet == 0:
            self.worksheets_objs[0].selected = 1
            self.worksheets_objs[0].hidden = 0
        for sheet in self.worksheets():
            if sheet.index == self.worksheet_meta.activesheet:
                sheet.active = 1
        if self.vba_project:
            for sheet in self.worksheets():
                if sheet.vba_codename is None:
                    sheet.set_vba_name()
        self._prepare_sst_string_data()
        self._prepare_vml()
        self._prepare_defined_names()
        self._prepare_drawings()
        self._add_chart_data()
        self._prepare_tables()
        self._prepare_metadata()
        packager._add_workbook(self)
        packager._set_tmpdir(self.tmpdir)
        packager._set_in_memory(False)
        parts = packager._create_package()
        spliced = {}
        for sheet in self.worksheets():
            body = getattr(sheet, "body", None)
            if body is not None:  # a Data sheet (`xlsx_data.BulkSheet`)
                spliced[sheet.part_file] = (sheet.marker.encode(), body.result())
        write_package(self.filename, parts, ZIP_LEVEL, spliced)


def _props(style: str, kind: str) -> dict[str, Any]:
    """A format's properties: the style's, and the number format and alignment of the kind."""
    props: dict[str, Any] = {"font_name": FONT, "font_size": 10, "valign": "top",
                             **_STYLES[style]}
    if kind in _FORMATS:
        props["num_format"] = _FORMATS[kind]
    if kind in ("bool", "yesno"):
        props.setdefault("align", "center")
    return props


@dataclass(frozen=True)
class Col:
    """A table column: its heading, how its values are typed, a width (None: measured), and
    whether long text wraps (the row then grows to show it)."""

    title: str
    kind: Kind = "text"
    width: int | None = None
    wrap: bool = False


@lru_cache(maxsize=65_536)
def _safe(value: str) -> str:
    """`safe_text`, remembered: labels, ids and categories repeat on nearly every row."""
    return safe_text(value)


def header_text(text: str) -> str:
    """Data-derived text for a page header: safe, `&` escaped (it starts a code), short."""
    return safe_text(text)[:110].replace("&", "&&")


class Book:
    """A constant-memory xlsxwriter workbook with the return's house style."""

    def __init__(self, path: Path, title: str, *, footer: tuple[str, str] = ("fundflow", "")
                 ) -> None:
        self.wb = _Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "default_date_format": DATE_FORMAT,
        })
        self.wb.worksheet_class = FastSheet  # same XML, written quicker (`xlsx_fast`)
        self.wb.formats[0].set_font_name(FONT)  # the default cell format: Arial 10
        self.wb.formats[0].set_font_size(10)
        self.title = title
        self.footer = footer
        self._formats: dict[tuple[str, str], Format] = {}
        self.sheets: list[str] = []
        self._written: list[Sheet] = []

    def fmt(self, style: str = "body", kind: str = "text") -> Format:
        """The format for a style and a value kind (numbers right, text top-left)."""
        key = (style, kind)
        found = self._formats.get(key)
        if found is None:
            found = self._formats[key] = self.wb.add_format(_props(style, kind))
        return found

    def known_xf_index(self, style: str = "body", kind: str = "text") -> int | None:
        """The style index `fmt(style, kind)` has in the workbook, if a cell has used that
        format already (indices are given in the order formats are first used, for good);
        None if not yet. Makes no format, so it changes nothing in the workbook."""
        probe = Format({**self.wb.default_format_properties, **_props(style, kind)})
        index = self.wb.xf_format_indices.get(probe._get_format_key())
        return int(index) if index is not None else None

    def sheet(self, name: str, *, header_rows: tuple[int, int] | None, widths: Sequence[float],
              landscape: bool = True, worksheet_class: type[Worksheet] | None = None) -> Sheet:
        """A new sheet with frozen headings (0-based first and last header row), column widths
        and print setup: A4, fit to one page wide, headings repeated, title and page numbers.
        A sheet of stacked tables (`header_rows` None) repeats its title row instead, so every
        printed page says what it is; the print area is set at `save`, from the rows written.
        `worksheet_class` is an xlsxwriter worksheet subclass (the bulk Data sheet)."""
        ws = self.wb.add_worksheet(name, worksheet_class=worksheet_class)
        self.sheets.append(name)
        if header_rows is not None:
            ws.freeze_panes(header_rows[1] + 1, 0)
            ws.repeat_rows(*header_rows)
        else:
            ws.repeat_rows(0, 0)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.set_header(f'&L&"{FONT},Bold"{header_text(self.title)}&R{header_text(name)}',
                      {"margin": 0.3})
        left, right = (header_text(text) for text in self.footer)
        ws.set_footer(f"&L{left}&CPage &P of &N&R{right}", {"margin": 0.3})
        sheet = Sheet(self, ws, [float(w) for w in widths])
        self._written.append(sheet)
        return sheet

    def save(self) -> None:
        """Set each sheet's print area (rows written, columns laid out) and close the file.
        A sheet that sets `print_rows` (the Data sheet) prints only those rows."""
        for sheet in self._written:
            last = sheet.print_rows if sheet.print_rows is not None else max(sheet.row, 1)
            sheet.ws.print_area(0, 0, last - 1, max(len(sheet.widths), 1) - 1)
        try:
            self.wb.close()
        finally:
            self.discard()

    def discard(self) -> None:
        """Stop and drop any Data sheet rows still being made in their own thread (a
        workbook not finished, or finished: then there is nothing left to drop)."""
        for ws in self.wb.worksheets():
            body = getattr(ws, "body", None)
            if body is not None:
                body.discard()


class Sheet:
    """One worksheet and the row being written (rows only ever move down)."""

    def __init__(self, book: Book, ws: Worksheet, widths: list[float]) -> None:
        self.book = book
        self.ws = ws
        self.widths = widths
        self.row = 0
        self.print_rows: int | None = None
        self._writers: dict[tuple[str, str], tuple[Callable[[int, int, Any], Any], Format]] = {}
        self._tails: dict[str, Callable[[Any], str | None]] = {}

    def table(self, name: str, columns: Sequence[Col], rows: int) -> None:
        """Make the next `rows` + 1 rows (headings, then data) an Excel Table. Call it before
        writing the heading row. xlsxwriter refuses tables in constant-memory mode only
        because it cannot write cells already flushed; nothing is flushed yet here and the
        table is given no data, so the check is lifted for this one call."""
        self.ws.constant_memory = 0
        try:
            self.ws.add_table(self.row, 0, self.row + max(rows, 1), len(columns) - 1, {
                "name": name, "style": "Table Style Light 9",
                "columns": [{"header": c.title} for c in columns]})
        finally:
            self.ws.constant_memory = 1

    def put(self, col: int, value: Any, kind: Kind = "text", style: str = "body") -> None:
        """The only way a single value becomes a cell: typed by `kind`, text made safe."""
        found = self._writers.get((kind, style))
        if found is None:  # a few dozen (kind, style) pairs; looked up per cell
            fmt = self.book.fmt(style, _fmt_kind(kind))
            found = self._writers[(kind, style)] = (cell_writer(self.ws, kind, fmt), fmt)
        writer, fmt = found
        if value is None or value == "":
            if style != "body":
                if isinstance(self.ws, FastSheet):
                    self.ws.store(self.row, col, CellBlankTuple(fmt))
                else:
                    self.ws.write_blank(self.row, col, None, fmt)
            return
        writer(self.row, col, value)

    def numbers(self, first_col: int, values: Sequence[Any], kind: Kind = "money",
                style: str = "body") -> None:
        """A run of numbers (Decimal or None) on the current row from `first_col`: what `put`
        writes for each, made at once on a `FastSheet`."""
        if not isinstance(self.ws, FastSheet) or len(self.widths) > 64:
            for col, value in enumerate(values, first_col):
                self.put(col, value, kind, style)
            return
        fmt = self.book.fmt(style, _fmt_kind(kind))
        self.ws.store_numbers(self.row, first_col,
                              [None if v is None else float(v) for v in values],
                              fmt, blanks=style != "body")

    def line_and_numbers(self, cells: Sequence[tuple[Any, Kind, str]],
                         values: Sequence[float | None], kind: Kind = "money",
                         style: str = "body") -> None:
        """`put` each cell from column A, then `numbers` of `values` after them, on the
        current row, then move down: on a `FastSheet` the row's cells are made at once
        (`FastSheet.store_row`; the Finance sheet's 260,000 rows at 15,000 streams)."""
        ws = self.ws
        if isinstance(ws, FastSheet) and len(self.widths) <= 64:
            made = self._made_cells(ws, cells)
            numbers = None if made is None else self._made_numbers(len(cells), values, kind,
                                                                   style)
            if made is not None and numbers is not None and (
                    not made + numbers or ws.store_row(self.row, made + numbers)):
                self.row += 1
                return
        for col, cell in enumerate(cells):
            self.put(col, *cell)
        self.numbers(len(cells), values, kind, style)
        self.row += 1

    def _made_cells(self, ws: FastSheet, cells: Sequence[tuple[Any, Kind, str]]
                    ) -> list[tuple[int, str, Format]] | None:
        """The cells `put` would write from column A, as `store_row` takes them; None if one
        must go cell by cell."""
        made: list[tuple[int, str, Format]] = []
        for col, (value, kind, style) in enumerate(cells):
            fmt = self.book.fmt(style, _fmt_kind(kind))
            if value is None or value == "":
                if style != "body":
                    made.append((col, "/>", fmt))
                continue
            maker = self._tails.get(kind)
            if maker is None:
                maker = self._tails[kind] = _cell_tail(ws, kind)
            tail = maker(value)
            if tail is None:
                return None
            made.append((col, tail, fmt))
        return made

    def _made_numbers(self, first_col: int, values: Sequence[float | None], kind: Kind,
                      style: str) -> list[tuple[int, str, Format]] | None:
        """The cells `numbers` would write, as `store_row` takes them; None if one is not
        finite (`numbers` refuses it)."""
        fmt, blanks = self.book.fmt(style, _fmt_kind(kind)), style != "body"
        made: list[tuple[int, str, Format]] = []
        for col, value in enumerate(values, first_col):
            if value is None:
                if blanks:
                    made.append((col, "/>", fmt))
                continue
            as_float = float(value)
            if not math.isfinite(as_float):
                return None
            made.append((col, f"><v>{as_float:.16G}</v></c>", fmt))
        return made

    def line(self, *cells: tuple[Any, Kind, str] | None, height: float | None = None) -> None:
        """Write (value, kind, style) cells from column A on the current row, then move down."""
        if height is not None:
            self.ws.set_row(self.row, height)
        for col, cell in enumerate(cells):
            if cell is not None:
                self.put(col, *cell)
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def heading(self, title: str, note: str | None = None) -> None:
        """The sheet's title and a note, then a blank row. The note is wrapped across the
        sheet's columns, so a long one neither runs off the printed page nor hides."""
        self.ws.set_row(self.row, 22)
        self.line((title, "text", "title"))
        if note:
            self.note(note)
        else:
            self.skip()
        self.skip()

    def note(self, text: str, style: str = "note_wrap") -> None:
        """A paragraph across all the sheet's columns, as tall as its text needs."""
        last = max(len(self.widths) - 1, 1)
        fmt = self.book.fmt(style)
        self.ws.merge_range(self.row, 0, self.row, last, "", fmt)
        self.ws.set_row(self.row, LINE_PT * _lines(text, sum(self.widths)) + 3)
        self.put(0, text, "text", style)
        self.row += 1

    def header(self, columns: Sequence[Col]) -> None:
        """A heading row: white on navy, wrapped, two lines high when a title needs it."""
        lines = max(_lines(c.title, self.widths[i]) for i, c in enumerate(columns))
        self.ws.set_row(self.row, LINE_PT * max(lines, 1) + 4)
        for i, c in enumerate(columns):
            self.put(i, c.title, "text", "header")
        self.row += 1

    def rows(self, columns: Sequence[Col], rows: Iterable[Sequence[Any]],
             style: str = "body") -> int:
        """Write rows typed by their columns; returns how many. Rows with wrapped columns are
        made tall enough for their text."""
        writers = [cell_writer(self.ws, c.kind, self.book.fmt(
            "wrap" if c.wrap and style == "body" else style, _fmt_kind(c.kind)))
            for c in columns]
        wrapped = [(i, self.widths[i]) for i, c in enumerate(columns) if c.wrap]
        ws, r, first = self.ws, self.row, self.row
        fast = isinstance(ws, FastSheet)
        if fast:
            makers = [(_cell_tail(ws, c.kind), self.book.fmt(
                "wrap" if c.wrap and style == "body" else style, _fmt_kind(c.kind)))
                for c in columns]
        for values in rows:
            if wrapped:
                lines = max(_lines(values[i], w) for i, w in wrapped)
                if lines > 1:
                    ws.set_row(r, LINE_PT * lines + 2)
            if fast:
                cells: list[tuple[int, str, Format]] | None = []
                for col, ((make, fmt), value) in enumerate(zip(makers, values, strict=True)):
                    if value is not None and value != "":
                        tail = make(value)
                        if tail is None:
                            cells = None
                            break
                        cells.append((col, tail, fmt))  # type: ignore[union-attr]
                if cells is not None and (not cells or ws.store_row(r, cells)):
                    r += 1
                    continue
            for col, (write, value) in enumerate(zip(writers, values, strict=True)):
                if value is not None and value != "":
                    write(r, col, value)
            r += 1
        self.row = r
        return r - first

    def total(self, columns: Sequence[Col], values: Sequence[Any],
              style: str = "total") -> None:
        for i, (c, v) in enumerate(zip(columns, values, strict=True)):
            self.put(i, v, c.kind if v is not None else "text", style)
        self.row += 1


def cell_writer(ws: Worksheet, kind: Kind, fmt: Format) -> Callable[[int, int, Any], Any]:
    """A function writing one value of `kind` with `fmt`: the typed write call, never write()."""
    if isinstance(ws, FastSheet) and kind in ("text", "money", "number", "fixed2", "ratio"):
        return _fast_writer(ws, kind, fmt)
    return _typed_writer(ws, kind, fmt)


def _cell_tail(ws: FastSheet, kind: Kind) -> Callable[[Any], str | None]:
    """For `Sheet.rows` on a `FastSheet`: a value of `kind` as its cell's XML after the style
    attribute, exactly what `cell_writer` has xlsxwriter or `FastSheet` write for it; None
    when only the cell-by-cell route writes it (booleans, long or markup-like text, numbers
    that are not finite)."""

    def text(value: Any) -> str | None:
        safe = _safe(value) if isinstance(value, str) else safe_text(value)
        if len(safe) > _LONG or (safe.startswith("<r>") and safe.endswith("</r>")):
            return None
        return text_tail(safe) or None

    def number(value: Any) -> str | None:
        if isinstance(value, str):
            return text(value)
        as_float = float(value)
        return f"><v>{as_float:.16G}</v></c>" if math.isfinite(as_float) else None

    def integer(value: Any) -> str | None:
        whole = int(value)
        return f"><v>{whole:.16G}</v></c>" if abs(whole) < 2**53 else None

    def when(value: Any) -> str | None:
        return f"><v>{ws._convert_date_time(_when(value, kind)):.16G}</v></c>"

    if kind == "text":
        return text
    if kind in ("money", "number", "fixed2", "ratio"):
        return number
    if kind == "int":
        return integer
    if kind in ("date", "datetime"):
        return when
    if kind == "yesno":
        return lambda value: text_tail("Yes" if value else "No") or None
    return lambda value: None


def _typed_writer(ws: Worksheet, kind: Kind, fmt: Format) -> Callable[[int, int, Any], Any]:
    """`cell_writer` through xlsxwriter's public write methods."""
    if kind == "text":
        return lambda r, c, v: _write_text(ws, r, c, _safe(v) if isinstance(v, str)
                                           else safe_text(v), fmt)
    if kind in ("money", "number", "fixed2", "ratio"):
        # Excel holds doubles: the exact Decimal becomes a float only here, at the write.
        return lambda r, c, v: (_write_text(ws, r, c, _safe(v), fmt) if isinstance(v, str)
                                else ws.write_number(r, c, float(v), fmt))
    if kind == "int":
        return lambda r, c, v: ws.write_number(r, c, int(v), fmt)
    if kind == "bool":
        return lambda r, c, v: ws.write_boolean(r, c, bool(v), fmt)
    if kind == "yesno":
        return lambda r, c, v: ws.write_string(r, c, "Yes" if v else "No", fmt)
    return lambda r, c, v: ws.write_datetime(r, c, _when(v, kind), fmt)


def _fast_writer(ws: FastSheet, kind: Kind, fmt: Format) -> Callable[[int, int, Any], Any]:
    """`cell_writer` for a `FastSheet`: the same cells, stored without xlsxwriter's argument
    conversion (two million cells at 15,000 streams). Text that needs xlsxwriter's own care
    (rich-text look-alikes, text past Excel's length limit) and numbers that are not finite
    (xlsxwriter refuses them) take the ordinary route."""
    store = ws.store

    def text(row: int, col: int, value: Any) -> None:
        safe = _safe(value) if isinstance(value, str) else safe_text(value)
        if len(safe) > _LONG or (safe.startswith("<r>") and safe.endswith("</r>")):
            _write_text(ws, row, col, safe, fmt)
        else:
            store(row, col, CellStringTuple(safe, fmt))

    if kind == "text":
        return text

    def number(row: int, col: int, value: Any) -> None:
        if isinstance(value, str):
            text(row, col, value)
            return
        as_float = float(value)  # Excel holds doubles: the exact Decimal becomes one here
        if math.isfinite(as_float):
            store(row, col, CellNumberTuple(as_float, fmt))
        else:
            ws.write_number(row, col, as_float, fmt)

    return number


_LONG = 16_383
"""Text no longer than this always fits Excel's 32,767 UTF-16 units (two at most a
character), so `safe_text` never cuts it; longer text is written by xlsxwriter's own
routine, after `safe_text` has cut it to fit."""


def _write_text(ws: Worksheet, row: int, col: int, text: str, fmt: Format) -> None:
    """Write text as it reads. In constant-memory mode xlsxwriter copies a string that starts
    `<r>` and ends `</r>` into the sheet's XML unescaped, as rich-text markup: text from a file
    would then become markup (a formula, a broken file). Such text is written as plain
    rich-text runs instead (three, its fewest), which xlsxwriter escapes: it shows as typed."""
    if text.startswith("<r>") and text.endswith("</r>"):
        ws.write_rich_string(row, col, text[:1], text[1:2], text[2:], fmt)
    else:
        ws.write_string(row, col, text, fmt)


def _when(value: Any, kind: Kind) -> datetime:
    """A date or datetime as xlsxwriter wants it (a date cell shows no time)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError(f"{value!r} is not a {kind}")


def _fmt_kind(kind: Kind) -> str:
    return kind if kind in _NUMERIC or kind in ("bool", "yesno") else "text"


def _lines(value: Any, width: float) -> int:
    """Lines a text needs in a wrapped column `width` characters wide: wrapped word by word as
    Excel and LibreOffice do, capitals counted wider (an estimate that runs short leaves the
    text overlapping the next row, one that runs long only a little white space)."""
    if not isinstance(value, str) or not value:
        return 1
    return _text_lines(value, width)


@lru_cache(maxsize=65_536)
def _text_lines(text: str, width: float) -> int:
    """`_lines` of a text, remembered per text and width: the one cache of wrap estimates.
    A return's text repeats (stream ids, categories, periods, the Finance sheet's band notes
    from a few dozen distinct texts at 15,000 streams): the Transactions sheet asks 70,000
    times for 18,000 distinct texts. Bounded, like `_safe`, as a large return has hundreds
    of thousands of cells."""
    capacity = max(width - 1.0, 4.0)
    if "\n" not in text:
        return _wrapped(text, capacity)
    return sum(_wrapped(part, capacity) for part in text.split("\n"))


_LETTER = (1.0, 1.3)
"""A letter's width in `_wrapped`, by whether it is a capital (False 0, True 1)."""


def _wrapped(text: str, capacity: float) -> int:
    """Lines one paragraph takes, each word measured letter by letter: a capital 1.3, any
    other letter 1.0, added up in the word's order (the same sum as a loop over its letters,
    made without one)."""
    lines, used = 1, 0.0
    for word in text.split():
        size = sum(map(_LETTER.__getitem__, map(str.isupper, word)))
        if used and used + 1 + size <= capacity:
            used += 1 + size
            continue
        if used:
            lines += 1
        more = math.ceil(size / capacity) - 1  # lines a word longer than the column adds
        lines += max(0, more)
        used = size - more * capacity
    return lines


def measure(columns: Sequence[Col], rows: Sequence[Sequence[Any]], sample: int = 300,
            widest: int = 60) -> list[float]:
    """Column widths from the headings and up to `sample` rows' text (evenly spread, so a
    long value late in the table counts), between 8 and `widest`."""
    if len(rows) > sample:
        step = len(rows) / sample
        rows = [rows[int(i * step)] for i in range(sample)] + list(rows[-1:])
    widths: list[float] = []
    for i, col in enumerate(columns):
        if col.width is not None:
            widths.append(col.width)
            continue
        longest = max((len(_shown(r[i], col.kind)) for r in rows), default=0)
        widths.append(max(8, min(widest, max(longest, min(len(col.title), 16)) + 2)))
    return widths


def _shown(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind in ("date", "datetime"):
        return "00/00/0000 00:00" if kind == "datetime" else "00/00/0000"
    if kind in ("bool", "yesno"):
        return "Yes"
    return str(value)


def table_sheet(book: Book, name: str, title: str, note: str | None, columns: Sequence[Col],
                rows: Sequence[Sequence[Any]], *, total: Sequence[Any] | None = None,
                landscape: bool = True) -> Sheet:
    """A titled sheet holding one table: heading, header row 4 (frozen, repeated on every
    printed page), rows, and a double-ruled total row."""
    sheet = book.sheet(name, header_rows=(3, 3), widths=measure(columns, rows),
                       landscape=landscape)
    sheet.heading(title, note)
    sheet.header(columns)
    if not sheet.rows(columns, rows):
        sheet.line(("None.", "text", "muted"))
    elif total is not None:
        sheet.total(columns, total)
    return sheet
