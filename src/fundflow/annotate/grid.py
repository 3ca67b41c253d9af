"""A plain xlsx of a file as fundflow read it, for inputs that cannot carry comments.

CSV, ODS and legacy xls files get their annotated copy as a new workbook laid out cell for
cell as read (each value as text, so nothing is reinterpreted), which is then annotated like
any xlsx. The workbook is written as it streams, so a large CSV needs no model in memory.
"""

from __future__ import annotations

import zipfile
from typing import IO

from fundflow.annotate.issues import shown
from fundflow.annotate.parts import (
    CT_SHEET,
    CT_STYLES,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    REL_OFFICE,
    REL_STYLES,
    REL_WORKSHEET,
    text,
)
from fundflow.annotate.sheet import attr_text
from fundflow.ingest.grid import Sheet, Workbook, cell_ref

CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>")


def sheet_titles(grid: Workbook | None, fallback: str) -> dict[str, str]:
    """Each read sheet's name -> a valid, unique Excel sheet title."""
    titles: dict[str, str] = {}
    used: set[str] = set()
    for name in [s.name for s in grid.sheets] if grid and grid.sheets else [fallback]:
        title = sheet_title(name)
        n = 2
        while title.casefold() in used:
            title = f"{sheet_title(name)[:27]} ({n})"
            n += 1
        used.add(title.casefold())
        titles[name] = title
    return titles


def sheet_title(name: str) -> str:
    """`name` without the characters Excel forbids in a sheet title, at most 31 long."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, "_")
    return name.strip("'")[:31] or "Sheet"


def write_plain(grid: Workbook | None, titles: dict[str, str], out: IO[bytes]) -> None:
    """Write the grid as an xlsx to `out`, every non-empty cell as text."""
    sheets = grid.sheets if grid and grid.sheets else []
    names = list(titles.values())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                            f'ContentType="{CT_SHEET}"/>' for i in range(1, len(names) + 1))
        zout.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT_BOOK}"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>{overrides}</Types>'))
        zout.writestr("_rels/.rels", f'{_HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship '
                      f'Id="rId1" Type="{REL_OFFICE}" Target="xl/workbook.xml"/></Relationships>')
        entries = "".join(f'<sheet name="{attr_text(t)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, t in enumerate(names, start=1))
        zout.writestr("xl/workbook.xml", f'{_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                      f"<sheets>{entries}</sheets></workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_WORKSHEET}" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
        zout.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{PKG_REL_NS}">{rels}<Relationship Id="rIdStyles" '
            f'Type="{REL_STYLES}" Target="styles.xml"/></Relationships>'))
        zout.writestr("xl/styles.xml", _STYLES)
        for i in range(1, len(names) + 1):
            with zout.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as handle:
                _sheet(handle, sheets[i - 1] if i <= len(sheets) else None)


def _sheet(out: IO[bytes], sheet: Sheet | None) -> None:
    out.write(f'{_HEAD}<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
    if sheet is not None:
        for i, row in enumerate(sheet.cells.iter_rows()):
            cells = []
            for j, value in enumerate(row):
                if value is None:
                    continue
                body, quoted = shown(str(value))
                ref = cell_ref(sheet.row0 + i, sheet.col0 + j)
                style = ' s="1"' if quoted else ""
                cells.append(f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
                             f"{text(body)}</t></is></c>")
            if cells:
                out.write(f'<row r="{sheet.row0 + i + 1}">{"".join(cells)}</row>'.encode())
    out.write(b"</sheetData></worksheet>")
