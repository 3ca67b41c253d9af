"""A minimal OpenDocument spreadsheet writer (no odfpy needed).

An .ods is a zip whose first entry is an uncompressed `mimetype`, plus `META-INF/manifest.xml`
and `content.xml`. That is all a reader needs; styles are optional. Money is written as
`office:value-type="currency"` with `office:currency="GBP"`, dates as `date` cells, so readers see
typed values exactly as a LibreOffice user's file would give them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from fundflow.sample.xlsxkit import ZIP_TIME

Cell = str | int | Decimal | date | None
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def write_ods(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[Cell]]]]) -> Path:
    """Write `sheets` (name, rows of cells) as an .ods file with fixed zip timestamps."""
    body = "".join(_table(name, rows) for name, rows in sheets)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "mimetype", MIMETYPE, zipfile.ZIP_STORED)
        _add(archive, "META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED)
        _add(archive, "content.xml", CONTENT_HEAD + body + CONTENT_TAIL, zipfile.ZIP_DEFLATED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def _add(archive: zipfile.ZipFile, name: str, text: str, method: int) -> None:
    """One zip entry with the fixed timestamp."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = method
    archive.writestr(info, text.encode("utf-8"))


def _table(name: str, rows: Sequence[Sequence[Cell]]) -> str:
    """One `table:table` element."""
    xml_rows = "".join(
        "<table:table-row>" + "".join(_cell(c) for c in row) + "</table:table-row>"
        for row in rows
    )
    return f"<table:table table:name={quoteattr(name)}>{xml_rows}</table:table>"


def _cell(value: Cell) -> str:
    """One typed cell: currency for Decimal, float for int, date, or string."""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, Decimal):
        return (f'<table:table-cell office:value-type="currency" office:currency="GBP" '
                f'office:value="{value}"><text:p>£{value:,}</text:p></table:table-cell>')
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value='
                f'"{value.isoformat()}"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>')
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
            "</table:table-cell>")
