"""The xlsx sheets whose rows are written in bulk from a frame: Data and Transactions.

A return over 15,000 streams has about 400,000 Data rows, 8 million cells: written one call
per cell through xlsxwriter they took most of the return's time (issue 11 item 6), and the
8-stream return's 10,000-row Transactions sheet was 80% of its xlsx write (issue 10). Here
each row's XML is made by polars, column by column, and written straight into the sheet's
`<sheetData>` after the rows xlsxwriter wrote above them (headings, a title, a note):
`BulkSheet` is an xlsxwriter worksheet (passed to `add_worksheet` as its `worksheet_class`)
that appends those rows where xlsxwriter copies its own, and widens the sheet's dimension to
them. Everything else on the sheet (columns, Table, merged note, print setup, freeze panes)
is xlsxwriter's.

The rows are what `xlsx_kit.Sheet.rows` writes cell by cell, byte for byte but for money
(`tests/test_xlsx_entries.py` compares the Transactions sheets' XML): text through
`safe_text` (formula triggers neutralised, XML-illegal characters replaced), then Excel's
`_xHHHH_` escape for text that looks like one, then XML escaping, once per distinct value of
a column (text that looks like rich-text markup, or longer than `xlsx_kit._LONG`, is written
by xlsxwriter's own routine, as `Sheet.rows` has it written); money as the exact decimal text
of its pence (725.68, which Excel reads as the double nearest to it, the one `float` makes;
`Sheet.rows` writes `%.16G` of that double, 725.6799999999999); dates as Excel serial days;
booleans as booleans; an empty value as no cell; a row holding wrapped text as tall as
`set_row` makes it. Every row has a cell (a Data row's cover, an entry's stream). The cells'
styles are the workbook's own formats (their XF indices, given in the order the cells would
first use them: `first_use_indices`). Text is always escaped: nothing from a file is ever
written into the XML as markup.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from io import StringIO
from typing import IO, Any

import polars as pl
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.utility import xl_col_to_name, xl_range  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from fundflow.returns.safe import safe_text
from fundflow.returns.xlsx_fast import FastSheet
from fundflow.returns.xlsx_kit import (
    _LONG,
    LINE_PT,
    ZIP_LEVEL,
    Col,
    Kind,
    _lines,
    _write_text,
)
from fundflow.returns.xlsx_zip import Deflated, DeflateWriter

_EXCEL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
"""Text Excel would read as an escaped character: its underscore is escaped (as xlsxwriter
does), so `_x0041_` shows as typed, not as `A`."""
XML_ROWS = 10_000
"""Rows made into XML at once. A Data row is about 1.7 KB of XML, and each part is held three
times while it is written (polars' column, Python's strings, the joined text): at 100,000 rows
that was about 500 MB on top of the return, the whole command's peak at 1M figures over 15,000
streams. At 10,000 rows it is about 50 MB, for no measurable CPU (the per-part overhead is a
few milliseconds against about half a second of polars work per 10,000 rows)."""
_PLAIN = (r"^[\x21-\x26\x28-\x2a\x2c\x2e-\x3c\x3e\x3f\x41-\x7e]"
          r"(?:[^\x00-\x08\x0b-\x1f\x{fffe}\x{ffff}]*[\x21-\x7e])?$")
"""Text that `safe_text` leaves as it is and that keeps no edge space: it starts with a
printable ASCII character that starts no formula (not `=+-@'`), ends with one that is no
space, and holds no XML-illegal character or carriage return. Its cell needs only Excel's
`_xHHHH_` escape and XML escaping, which polars makes for a whole column at once."""
BULK_MARKER = "<!--fundflow: the bulk rows-->"
"""What a Data sheet's part holds where its bulk rows go, until `Book.save` puts the
deflated rows there. Text in a part is XML-escaped, so no cell can contain it."""
_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system for dates from 1 March 1900 (its phantom 29 February
1900 shifts earlier dates by one)."""


class BulkSheet(FastSheet):
    """A constant-memory worksheet whose rows after those written through xlsxwriter come
    from `bulk`, or from `body` (made and deflated in another thread, spliced into the part
    by `Book.save`); `bulk_last` is the 0-based last row and column they fill."""

    marker = BULK_MARKER

    def __init__(self) -> None:
        super().__init__()
        self.bulk: Callable[[IO[str]], None] | None = None
        self.bulk_last: tuple[int, int] = (0, 0)
        self.body: BulkBody | None = None
        self.part_file: str | None = None

    def _set_xml_writer(self, filename: str) -> None:
        self.part_file = filename  # the part's file, where `Book.save` splices in `body`
        super()._set_xml_writer(filename)

    def add_rows(self, frame: pl.DataFrame, columns: list[Col], formats: Sequence[Format],
                 first_row: int, widths: list[float]) -> None:
        """`frame`'s rows from 0-based `first_row` on, as `Sheet.rows` writes them cell by
        cell with `formats` (one a column): the same XML, each format given its index when
        xlsxwriter would give it. In constant-memory mode a row is written out (its styles
        given indices) when the next row starts, and a sheet's last row when the workbook
        is closed, in the sheets' order: so the rows above are written out now, the bulk
        rows but the last count as written now, and the last row's styles get their
        indices when this sheet's XML is made."""
        if not frame.height:
            return
        self._write_single_row(first_row)
        first_use_indices(frame.head(frame.height - 1), formats)

        def write(out: IO[str]) -> None:
            styles = first_use_indices(frame, formats)
            bulk_rows(frame, columns, styles, first_row, widths)(out)

        self.bulk = write
        self.bulk_last = (first_row + frame.height - 1, len(columns) - 1)

    def add_bulk_table(self, first_row: int, rows: int, last_col: int,
                       options: dict[str, Any]) -> None:
        """An Excel Table over a heading row and the `rows` bulk rows below it.

        `add_table` records every cell of its range to check overlaps (8 million entries and
        seconds for a large Data sheet) and refuses constant-memory sheets; the table is made
        over the heading and one row, before anything is written, then given its full range
        (the sheet holds nothing else to overlap)."""
        self.constant_memory = 0
        try:
            self.add_table(first_row, 0, first_row + 1, last_col, options)
        finally:
            self.constant_memory = 1
        full = xl_range(first_row, 0, first_row + max(rows, 1), last_col)
        table = self.tables[-1]
        table["range"] = table["a_range"] = full
        if table.get("autofilter"):
            table["autofilter"] = full

    def _write_dimension(self) -> None:
        if (self.bulk is not None or self.body is not None) and self.bulk_last[0] > 0:
            dims: Any = self  # xlsxwriter's attributes are untyped
            dims.dim_rowmin = dims.dim_rowmin or 0
            dims.dim_colmin = dims.dim_colmin or 0
            dims.dim_rowmax = max(dims.dim_rowmax or 0, self.bulk_last[0])
            dims.dim_colmax = max(dims.dim_colmax or 0, self.bulk_last[1])
        super()._write_dimension()

    def _write_optimized_sheet_data(self) -> None:
        if (self.bulk is None and self.body is None) or self.bulk_last[0] == 0:
            super()._write_optimized_sheet_data()
            return
        self._xml_start_tag("sheetData")
        if self.dim_rowmin is not None:  # the rows xlsxwriter wrote above the bulk
            self.row_data_fh.seek(0)
            while data := self.row_data_fh.read(65_536):
                self.fh.write(data)
        if self.body is not None:  # deflated in its own thread: `Book.save` puts it here
            self.fh.write(BULK_MARKER)
        elif self.bulk is not None:
            self.bulk(self.fh)
        self._xml_end_tag("sheetData")


def bulk_rows(frame: pl.DataFrame, columns: list[Col], styles: list[int], first_row: int,
              widths: list[float]) -> Callable[[IO[str]], None]:
    """A writer of `frame`'s rows as sheet XML from 0-based row `first_row`, one cell per
    non-empty value, column i typed by `columns[i].kind` with XF index `styles[i]`, the
    column `widths[i]` characters wide (a row of wrapped text is as tall as it needs)."""
    parts = bulk_xml(frame, columns, styles, first_row, widths)

    def write(out: IO[str]) -> None:
        for data in parts():
            out.write(data.decode("utf-8"))

    return write


def bulk_xml(frame: pl.DataFrame, columns: list[Col], styles: list[int], first_row: int,
             widths: list[float]) -> Callable[[], Iterator[bytes]]:
    """`bulk_rows`' XML as UTF-8, `XML_ROWS` rows at a time, each part joined by polars (no
    Python string per row). The distinct texts are made safe here, in the calling thread;
    iterating is polars' work (and the GIL's for a moment per part), fit for another thread."""
    cells = [_cell(frame, name, col, style)
             for name, col, style in zip(frame.columns, columns, styles, strict=True)]
    heights = _heights(frame, columns, widths)

    def parts() -> Iterator[bytes]:
        for start in range(0, frame.height, XML_ROWS):
            part = frame.slice(start, XML_ROWS).with_row_index("_n", offset=first_row + start + 1)
            number = pl.col("_n").cast(pl.String)
            row = pl.concat_str([
                pl.lit('<row r="'), number, pl.lit('"'), heights, pl.lit(">"),
                *(cell(number) for cell in cells), pl.lit("</row>")])
            data = part.select(row.str.join("").cast(pl.Binary).alias("xml")).item()
            yield bytes(data)

    return parts


def first_use_indices(frame: pl.DataFrame, formats: Sequence[Format]) -> list[int]:
    """The XF indices of the formats of `frame`'s columns (one each), given now in the order
    xlsxwriter gives them writing the rows cell by cell: a format's index is given when the
    first cell using it is written, row by row, left to right (the workbook's styles are
    then the same). A column with no value has no cell, so its format is given no index
    here (0 stands for it)."""
    firsts = frame.select(
        pl.when(pl.col(name).is_not_null() & (pl.col(name).cast(pl.String) != ""))
        .then(pl.int_range(pl.len())).min().alias(name) for name in frame.columns).row(0)
    order = sorted((first, col) for col, first in enumerate(firsts) if first is not None)
    indices = [0] * len(formats)
    for _, col in order:
        indices[col] = int(formats[col]._get_xf_index())
    return indices


class BulkBody:
    """A Data sheet's bulk rows made into XML and deflated (at `ZIP_LEVEL`) in a thread of
    their own, started as soon as their styles' indices are known, while the people's sheets
    are written in the calling thread (polars and zlib give the GIL back while they work).
    The deflated rows wait in a temporary file, ended on a sync flush for the sheet's closing
    XML to follow (`xlsx_zip`)."""

    def __init__(self, parts: Callable[[], Iterator[bytes]]) -> None:
        self._parts = parts
        self._stop = threading.Event()
        self._done: Deflated | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fundflow-data-sheet",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        out = DeflateWriter(ZIP_LEVEL)
        try:
            for data in self._parts():
                if self._stop.is_set():
                    out.discard()
                    return
                out.write(data)
            self._done = out.finish(final=False)
        except BaseException as error:  # handed to the thread that asks for the rows
            out.discard()
            self._error = error

    def result(self) -> Deflated:
        """The deflated rows, once made; what went wrong making them is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._done is None:
            raise RuntimeError("the Data sheet's rows were discarded")
        return self._done

    def discard(self) -> None:
        """Stop making the rows (the workbook was not finished) and drop what was made."""
        self._stop.set()
        self._thread.join()
        if self._done is not None:
            self._done.close()
            self._done = None


def _cell(frame: pl.DataFrame, name: str, col: Col, style: int
          ) -> Callable[[pl.Expr], pl.Expr]:
    """The XML of one column's cell on a row, given the row's number (empty: no cell)."""
    head = f'<c r="{xl_col_to_name(frame.columns.index(name))}'
    body = _body(frame, name, col.kind, style)
    return lambda number: pl.concat_str([pl.lit(head), number, body]).fill_null("")


def _body(frame: pl.DataFrame, name: str, kind: Kind, style: int) -> pl.Expr:
    """What follows the cell's row number: its style, type and value; null for no cell."""
    value = pl.col(name)
    attrs = f'" s="{style}"'
    if kind == "text":
        return pl.when(value != "").then(_text(frame, name, attrs))
    if kind == "bool":
        return pl.concat_str([pl.lit(attrs + ' t="b"><v>'),
                              pl.when(value).then(pl.lit("1")).otherwise(pl.lit("0")),
                              pl.lit("</v></c>")])
    if kind == "date":
        days = (value - pl.lit(_EPOCH)).dt.total_days()
        serial = pl.when(value < pl.lit(date(1900, 3, 1))).then(days - 1).otherwise(days)
        number = serial.cast(pl.String)
    elif kind == "money":  # the exact decimal text, without trailing zeros
        number = value.cast(pl.String)
        if getattr(frame.schema[name], "scale", 0):  # "100" has no fraction to trim
            number = number.str.strip_chars_end("0").str.strip_chars_end(".")
    else:
        number = value.cast(pl.String)
    return pl.concat_str([pl.lit(attrs + "><v>"), number, pl.lit("</v></c>")])


def _text(frame: pl.DataFrame, name: str, attrs: str) -> pl.Expr:
    """A text column's cells, made once per distinct value: a plain text (`_PLAIN`) escaped
    by polars, any other by `_inline`. A Data sheet's 400,000 rows hold few distinct texts a
    column (escaped row by row they cost the 15,000-stream return a second); a Transactions
    sheet's 17,700 distinct texts took about 0.13 s of CPU one by one in Python."""
    values = frame.get_column(name).drop_nulls().unique()
    plain = (values.str.contains(_PLAIN) & (values.str.len_chars() <= _LONG)
             & ~(values.str.starts_with("<r>") & values.str.ends_with("</r>")))
    quick = values.filter(plain)
    escaped = (quick.str.replace_all(_EXCEL_ESCAPE.pattern, "_x005F${1}")
               .str.replace_all("&", "&amp;", literal=True)
               .str.replace_all("<", "&lt;", literal=True)
               .str.replace_all(">", "&gt;", literal=True))
    others = values.filter(~plain)
    cells = pl.concat([
        (attrs + ' t="inlineStr"><is><t>') + escaped + "</t></is></c>",
        pl.Series([_inline(v, attrs) for v in others.to_list()], dtype=pl.String)])
    return pl.col(name).replace_strict(pl.concat([quick, others]), cells, default=None,
                                       return_dtype=pl.String)


def _inline(value: str, attrs: str) -> str:
    """One text value as an inline-string cell's attributes and content, made safe."""
    text = safe_text(value)
    if len(text) > _LONG or (text.startswith("<r>") and text.endswith("</r>")):
        return attrs + _xlsxwriter_tail(text)
    text = _EXCEL_ESCAPE.sub(r"_x005F\1", text)
    preserve = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{attrs} t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


_SCRATCH_FORMAT = Format()
_SCRATCH_FORMAT.xf_index = 1  # a style index of its own: the cell's XML starts `_SCRATCH_HEAD`
_SCRATCH_HEAD = '<c r="A1" s="1"'


def _xlsxwriter_tail(text: str) -> str:
    """A safe text's cell XML after its style attribute as `Sheet.rows` has xlsxwriter write
    it (`xlsx_kit._write_text`: text that looks like rich-text markup as three plain runs),
    on a scratch sheet. `safe_text` has cut it to Excel's limit, so xlsxwriter writes it."""
    ws: Any = Worksheet()  # xlsxwriter's attributes are untyped
    ws.constant_memory = 1
    ws.fh = StringIO()
    _write_text(ws, 0, 0, text, _SCRATCH_FORMAT)
    cell = ws.table.get(0, {}).get(0)
    if cell is None:
        raise RuntimeError("xlsxwriter wrote no cell for a safe text")
    ws._write_cell(0, 0, cell)
    xml = str(ws.fh.getvalue())
    if not xml.startswith(_SCRATCH_HEAD):
        raise RuntimeError(f"xlsxwriter wrote an unexpected cell: {xml[:60]!r}")
    return xml[len(_SCRATCH_HEAD):]


def _heights(frame: pl.DataFrame, columns: list[Col], widths: list[float]) -> pl.Expr:
    """A row holding wrapped text more than one line long is made tall enough to show it:
    the attributes `set_row(r, LINE_PT * lines + 2)` gives its `<row>`."""
    lines: list[pl.Expr] = []
    most_lines = 1
    for i, col in enumerate(columns):
        if col.wrap and col.kind == "text":
            name, width = frame.columns[i], widths[i]
            counts = {v: _lines(v, width) for v in frame[name].drop_nulls().unique().to_list()}
            most_lines = max([most_lines, *counts.values()])
            lines.append(pl.col(name).replace_strict(counts, default=1, return_dtype=pl.Int64))
    if most_lines == 1:
        return pl.lit("")
    attrs = {n: _row_height(n) for n in range(1, most_lines + 1)}
    return pl.max_horizontal(lines).replace_strict(attrs, return_dtype=pl.String)


def _row_height(lines: int) -> str:
    """The `<row>` attributes of a row `lines` tall, as xlsxwriter writes them after
    `set_row(r, LINE_PT * lines + 2)` (points held as whole pixels, shown as points)."""
    if lines <= 1:
        return ""
    pixels = int((LINE_PT * lines + 2) * 4.0 / 3.0 + 0.5)
    return f' ht="{pixels * 0.75:.16g}" customHeight="1"'


def sample_rows(frame: pl.DataFrame, sample: int) -> list[tuple[Any, ...]]:
    """Up to `sample` rows spread evenly through the frame, and the last (to measure widths)."""
    if frame.height <= sample:
        return frame.rows()
    step = frame.height / sample
    picks = sorted({int(i * step) for i in range(sample)} | {frame.height - 1})
    return frame[picks].rows()
