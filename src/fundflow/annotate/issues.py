"""The Issues sheet of an annotated copy: every problem, its cell linked, written as it streams.

Cells are typed strings (inline), so no text from a file can become a formula; text that
would start one if retyped is shown with Excel's quote prefix (hidden), not a visible
apostrophe. Columns are sized and rows heightened for the text, pages are landscape and fit
to width, and the header row repeats and is frozen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from fundflow.annotate.parts import MAIN_NS, REL_NS, prefixed, text
from fundflow.annotate.sheet import attr_text
from fundflow.annotate.styles import Styles
from fundflow.ingest.grid import column_letters, parse_cell_ref
from fundflow.returns.safe import QUOTE, safe_text

HEADERS = ("Severity", "Code", "Sheet", "Cell", "Value found", "Expected", "Problem",
           "What to do")
WIDTHS = (10, 22, 22, 10, 24, 24, 60, 60)
MAX_ROWS = 1_048_575  # Excel's rows, less the header
IssueRow = tuple[int, str, str, str, str, str, str, str]
"""severity rank, then the texts of the columns after Severity."""
SEVERITY_WORDS = ("error", "warning", "info")


@dataclass(frozen=True)
class IssueStyles:
    """Style indexes the Issues sheet uses."""

    header: int
    link: int
    top: int
    top_quoted: int
    wrap: int
    wrap_quoted: int
    severity: tuple[int, int, int]

    @classmethod
    def add_to(cls, styles: Styles) -> IssueStyles:
        """Append the Issues sheet's fonts and formats to `styles`."""
        bold = styles.font('<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>')
        link = styles.font('<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/>'
                           '<family val="2"/></font>')

        def add(**attrs: str) -> int:
            return styles.xf(_encoded(styles, styles.plain(**attrs)))

        top, wrap = 'vertical="top"', 'vertical="top" wrapText="1"'
        sev = [add(fillId=str(f), applyFill="1", applyAlignment="1", alignment=top)
               for f in styles.severity_fills]
        return cls(
            header=add(fontId=str(bold), applyFont="1"),
            link=add(fontId=str(link), applyFont="1", applyAlignment="1", alignment=top),
            top=add(applyAlignment="1", alignment=top),
            top_quoted=add(applyAlignment="1", quotePrefix="1", alignment=top),
            wrap=add(applyAlignment="1", alignment=wrap),
            wrap_quoted=add(applyAlignment="1", quotePrefix="1", alignment=wrap),
            severity=(sev[0], sev[1], sev[2]),
        )


def _encoded(styles: Styles, xml: str) -> bytes:
    return prefixed(xml, styles.prefix)


def shown(value: str) -> tuple[str, bool]:
    """Text as a cell shows it (XML-safe, within Excel's limit) and whether it needs the
    quote prefix that keeps a retyped cell from becoming a formula."""
    cleaned = safe_text(value)
    return (cleaned[1:], True) if cleaned.startswith(QUOTE) else (cleaned, False)


def _cell(ref: str, value: str, style: int) -> str:
    return (f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
            f"{text(value)}</t></is></c>")


def link_target(sheet: str, cell: str) -> str | None:
    """The in-workbook location of an issue's cell or range, or None when it names none."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    parts = cell.replace("$", "").split(":")
    try:
        for part in parts:
            if part.isalpha():  # a whole column, as in "D"
                parse_cell_ref(f"{part}1")
            else:
                parse_cell_ref(part)
    except ValueError:
        return None
    if len(parts) == 1 and parts[0].isalpha():
        return f"{quoted}!{parts[0]}:{parts[0]}"
    return f"{quoted}!{':'.join(parts)}" if len(parts) <= 2 else None


def issues_sheet(out: IO[bytes], rows: Iterator[IssueRow], styles: IssueStyles,
                 sheets: Mapping[str, object]) -> int:
    """Write the Issues sheet's XML to `out`; its last row number."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(WIDTHS, start=1))
    out.write(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" '
        f'xmlns:r="{REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews>'
        '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
        ' state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>".encode())
    header = "".join(_cell(f"{column_letters(i)}1", h, styles.header)
                     for i, h in enumerate(HEADERS))
    out.write(f'<row r="1">{header}</row>'.encode())
    links: list[str] = []
    r = 1
    for row in rows:
        if r >= MAX_ROWS:
            break
        r += 1
        out.write(_row(r, row, styles, sheets, links).encode())
    last = column_letters(len(HEADERS) - 1)
    out.write(f'</sheetData><autoFilter ref="A1:{last}{r}"/>'.encode())
    if links:
        out.write(b"<hyperlinks>")
        for chunk in range(0, len(links), 10_000):
            out.write("".join(links[chunk:chunk + 10_000]).encode())
        out.write(b"</hyperlinks>")
    out.write(b'<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
              b'footer="0.3"/><pageSetup orientation="landscape" fitToWidth="1" '
              b'fitToHeight="0"/></worksheet>')
    return r


def _row(r: int, row: IssueRow, styles: IssueStyles, sheets: Mapping[str, object],
         links: list[str]) -> str:
    rank, *texts = row
    cells = [_cell(f"A{r}", SEVERITY_WORDS[rank], styles.severity[rank])]
    lines = 1
    for i, value in enumerate(texts, start=1):
        if not value:
            continue
        shown_text, quoted = shown(value)
        wide = i >= 4
        if wide:
            lines = max(lines, -(-len(shown_text) // int(WIDTHS[i] * 1.1)),
                        shown_text.count("\n") + 1)
        style = (styles.wrap_quoted if quoted else styles.wrap) if wide else \
            (styles.top_quoted if quoted else styles.top)
        ref = f"{column_letters(i)}{r}"
        target = link_target(texts[1], value) if i == 3 and texts[1] in sheets else None
        if target is not None:
            style = styles.link
            links.append(f'<hyperlink ref="{ref}" location="{attr_text(target)}" '
                         f'display="{attr_text(shown_text)}"/>')
        cells.append(_cell(ref, shown_text, style))
    height = f' ht="{15 * min(lines, 27)}" customHeight="1"' if lines > 1 else ""
    return f'<row r="{r}"{height}>{"".join(cells)}</row>'
