"""Workbook plumbing for the xlsx return: styles, the safe cell writer, tables, print setup.

Every cell goes through `Book.cell`, which fixes the cell's type from the column's kind: text is
passed through `safe_text` and forced to an inline string (openpyxl would otherwise make any
text starting with `=` a live formula, relsec.md F7), money is a Decimal number with the return's
number format, dates are dates. Sheets are built in write-only mode, row by row, so a return
with hundreds of thousands of figures stays within memory and time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from fundflow.returns.safe import safe_text

Kind = Literal["text", "money", "int", "number", "date", "datetime", "bool"]
MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
NUMBER_FORMAT = "#,##0.######"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_NAVY = "1F3864"
_THIN = Side(style="thin", color="A6A6A6")


@dataclass(frozen=True)
class Col:
    """A table column: its heading, how its values are typed, and a width (None: measured)."""

    title: str
    kind: Kind = "text"
    width: int | None = None


class Book:
    """A write-only workbook with the return's house style."""

    def __init__(self, title: str) -> None:
        self.wb = Workbook(write_only=True)
        self.title = title
        self.header_font = Font(bold=True, color="FFFFFF")
        self.header_fill = PatternFill("solid", fgColor=_NAVY)
        self.title_font = Font(bold=True, size=14, color=_NAVY)
        self.bold = Font(bold=True)
        self.note_font = Font(italic=True, color="595959")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.box = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
        self.total_border = Border(top=Side(style="thin"), bottom=Side(style="double"))

    def cell(self, ws: Any, value: Any, kind: Kind = "text", *, font: Font | None = None,
             fill: PatternFill | None = None, border: Border | None = None,
             wrap: bool = False) -> Any:
        """The only way a value becomes a cell: typed by `kind`, text made safe."""
        if value is None or (kind != "text" and value == ""):
            c = WriteOnlyCell(ws, None)
        elif kind == "text" or isinstance(value, str):
            c = WriteOnlyCell(ws, safe_text(value))
            c.data_type = "s"  # never 'f' (formula) or 'e' (error), whatever the text
        else:
            c = WriteOnlyCell(ws, _typed(value, kind))
            c.number_format = _FORMATS.get(kind, "General")
        for attr, style in (("font", font), ("fill", fill), ("border", border)):
            if style is not None:
                setattr(c, attr, style)
        if wrap:
            c.alignment = self.wrap
        return c

    def sheet(self, name: str, *, header_row: int | None, widths: Sequence[int],
              landscape: bool = True) -> Any:
        """A new sheet with frozen headings, column widths and print setup (before any row)."""
        ws = self.wb.create_sheet(name)
        if header_row is not None:
            ws.freeze_panes = f"A{header_row + 1}"
            ws.print_title_rows = f"{header_row}:{header_row}"
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddHeader.left.text = header_text(self.title)
        ws.oddHeader.right.text = header_text(name)
        ws.oddFooter.left.text = "fundflow"
        ws.oddFooter.right.text = "Page &P of &N"
        return ws

    def heading(self, ws: Any, title: str, note: str | None = None) -> None:
        """Rows 1-2: the sheet's title and a note, then a blank row."""
        ws.append([self.cell(ws, title, font=self.title_font)])
        ws.append([self.cell(ws, note, font=self.note_font) if note else None])
        ws.append([])

    def header(self, ws: Any, columns: Sequence[Col]) -> None:
        ws.append([self.cell(ws, c.title, font=self.header_font, fill=self.header_fill,
                             wrap=True) for c in columns])

    def rows(self, ws: Any, columns: Sequence[Col], rows: Iterable[Sequence[Any]]) -> None:
        kinds = [c.kind for c in columns]
        for row in rows:
            ws.append([self.cell(ws, v, k) for v, k in zip(row, kinds, strict=True)])

    def total(self, ws: Any, columns: Sequence[Col], row: Sequence[Any]) -> None:
        ws.append([self.cell(ws, v, c.kind, font=self.bold, border=self.total_border)
                   for v, c in zip(row, columns, strict=True)])

    def table_sheet(self, name: str, title: str, note: str | None, columns: Sequence[Col],
                    rows: Sequence[Sequence[Any]], *, total: Sequence[Any] | None = None) -> Any:
        """A titled sheet holding one table: heading, header row 4 (frozen), rows, total."""
        ws = self.sheet(name, header_row=4, widths=measure(columns, rows))
        self.heading(ws, title, note)
        self.header(ws, columns)
        self.rows(ws, columns, rows)
        if not rows:
            ws.append([self.cell(ws, "None.", font=self.note_font)])
        elif total is not None:
            self.total(ws, columns, total)
        return ws

    def save(self, path: Any) -> None:
        self.wb.save(path)


_FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT, "number": NUMBER_FORMAT, "int": "#,##0", "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
}


def _typed(value: Any, kind: Kind) -> Any:
    """Values as Excel should hold them (a Decimal stays a number; never text)."""
    if kind in ("money", "number"):
        return Decimal(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "date" and isinstance(value, datetime):
        return value.date()
    if kind in ("date", "datetime") and isinstance(value, date):
        return value
    raise TypeError(f"{value!r} is not a {kind}")


def header_text(text: str) -> str:
    """Data-derived text for a page header: safe, `&` escaped (it starts a code), short."""
    return safe_text(text)[:80].replace("&", "&&")


def measure(columns: Sequence[Col], rows: Sequence[Sequence[Any]], sample: int = 300) -> list[int]:
    """Column widths from the headings and the first rows' text, between 8 and 60."""
    widths = []
    for i, col in enumerate(columns):
        if col.width is not None:
            widths.append(col.width)
            continue
        longest = max((len(_shown(r[i], col.kind)) for r in rows[:sample]), default=0)
        widths.append(max(8, min(60, max(longest, min(len(col.title), 24)) + 2)))
    return widths


def _shown(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind in ("date", "datetime"):
        return "00/00/0000 00:00" if kind == "datetime" else "00/00/0000"
    return str(value)
