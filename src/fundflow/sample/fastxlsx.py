"""A fast, minimal .xlsx writer for very large single-sheet files (benchmarks, property tests).

openpyxl builds a Python object per cell, far too slow for a million rows; here the sheet XML is
written as text straight into the zip stream. Strings go to a shared-strings table (the repeated
ids and labels make it small); numbers are written as given, so exact decimal text in means exact
decimal text in the file. Only the parts a reader needs are written: content types, package and
workbook relationships, the workbook, one sheet, shared strings and a stylesheet with a `mmm-yy`
date style (style 1) for date header cells.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from fundflow.ingest.grid import column_letters
from fundflow.sample.xlsxkit import ZIP_TIME

DATE_STYLE = 1
EXCEL_EPOCH = date(1899, 12, 30)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_OXML = "application/vnd.openxmlformats"
_SML = f"{_OXML}-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="{_OXML}-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SML}.sharedStrings+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="17" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


Cell = str | int | date | None
"""A cell: `str` (shared string), `int` (an amount in pence, written as exact pounds text
`1234.56`), `date` (a date serial in the `mmm-yy` style) or None (no cell)."""


column_letter = column_letters
"""0-based column index to letters (the grid's own conversion)."""


def write_xlsx(path: Path, sheet_name: str, rows: Iterable[Sequence[Cell]],
               merges: Sequence[str] = ()) -> Path:
    """Write `rows` of `Cell`s as one sheet named `sheet_name`.

    `merges` are A1 ranges such as 'D1:E1'. The zip uses fast deflate (level 1) and fixed
    timestamps, so the same rows give the same bytes.
    """
    strings: dict[str, int] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _text(archive, "[Content_Types].xml", CONTENT_TYPES)
        _text(archive, "_rels/.rels", ROOT_RELS)
        _text(archive, "xl/workbook.xml", _workbook(sheet_name))
        _text(archive, "xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            _sheet(stream, rows, strings, merges)
        _text(archive, "xl/sharedStrings.xml", _shared(strings))
        _text(archive, "xl/styles.xml", STYLES)
    return path


def _text(archive: zipfile.ZipFile, name: str, text: str) -> None:
    """A small text part with the fixed timestamp."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"), compresslevel=1)


def _workbook(sheet_name: str) -> str:
    """workbook.xml naming the single sheet."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _sheet(stream: IO[bytes], rows: Iterable[Sequence[Cell]], strings: dict[str, int],
           merges: Sequence[str]) -> None:
    """Stream the worksheet XML in chunks of rows."""
    write = stream.write
    write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          f'<worksheet xmlns="{_NS}"><sheetData>'.encode())
    prefixes: list[str] = []
    chunk: list[str] = []
    for r, row in enumerate(rows, start=1):
        while len(prefixes) < len(row):
            prefixes.append(f'<c r="{column_letter(len(prefixes))}')
        chunk.append(_row(r, row, prefixes, strings))
        if len(chunk) >= 5000:
            write("".join(chunk).encode())
            chunk.clear()
    write("".join(chunk).encode())
    tail = "</sheetData>"
    if merges:
        cells = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        tail += f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'
    write((tail + "</worksheet>").encode())


def _row(r: int, row: Sequence[Cell], prefixes: list[str], strings: dict[str, int]) -> str:
    """One `<row>` element; this loop is the hot path, so it dispatches on exact types."""
    rs = str(r)
    parts = [f'<row r="{rs}">']
    for c, value in enumerate(row):
        if type(value) is int:
            sign = "" if value >= 0 else "-"
            pounds, rem = divmod(abs(value), 100)
            parts.append(f'{prefixes[c]}{rs}"><v>{sign}{pounds}.{rem:02d}</v></c>')
        elif type(value) is str:
            index = strings.get(value)
            if index is None:
                index = strings[value] = len(strings)
            parts.append(f'{prefixes[c]}{rs}" t="s"><v>{index}</v></c>')
        elif isinstance(value, date):
            serial = (value - EXCEL_EPOCH).days
            parts.append(f'{prefixes[c]}{rs}" s="{DATE_STYLE}"><v>{serial}</v></c>')
    parts.append("</row>")
    return "".join(parts)


def _shared(strings: dict[str, int]) -> str:
    """sharedStrings.xml in index order (dicts keep insertion order)."""
    items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')
