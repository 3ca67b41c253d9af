"""Builders for hostile and odd spreadsheet files, written byte by byte so tests show their input.

Every builder writes a small file into a folder the test owns (`tmp_path`) and returns its path.
The xlsx files are minimal but valid OOXML packages (calamine and openpyxl read them), so a test
can change one part and know that part alone is what the guard or reader reacts to.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = REL_NS + "/officeDocument"
STRICT_DOC_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def sheet_xml(rows: str, *, dimension: str | None = None, prolog: str = "") -> str:
    """A worksheet part around `rows` (the inside of <sheetData>)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{XML_DECL}{prolog}<worksheet xmlns="{MAIN_NS}">{dim}'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def cells_xml(cells: dict[str, str]) -> str:
    """Rows of numeric or inline-string cells from {"A1": "1", "B1": "text"}."""
    by_row: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        try:
            float(value)
            cell = f'<c r="{ref}"><v>{value}</v></c>'
        except ValueError:
            cell = f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        by_row.setdefault(row, []).append(cell)
    return "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(by_row.items()))


def write_xlsx(
    path: Path,
    sheets: list[tuple[str, str, str]],
    *,
    workbook_prolog: str = "",
    doc_rel: str = DOC_REL,
    extra: dict[str, bytes] | None = None,
    shared_strings: str | None = None,
) -> Path:
    """A package with `sheets` as (name, worksheet xml, state) in order."""
    sheet_entries = "".join(
        f'<sheet name="{name}" sheetId="{i + 1}" r:id="rId{i + 1}"'
        + (f' state="{state}"' if state != "visible" else "")
        + "/>"
        for i, (name, _, state) in enumerate(sheets)
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" '
        f'Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(len(sheets))
    )
    if shared_strings is not None:
        rels += (
            f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(len(sheets))
    )
    parts = {
        "[Content_Types].xml": (
            f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'{XML_DECL}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{doc_rel}" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{XML_DECL}{workbook_prolog}<workbook xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheets>{sheet_entries}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": f'{XML_DECL}<Relationships xmlns="{PKG_REL}">{rels}'
        "</Relationships>",
    }
    for i, (_, xml, _) in enumerate(sheets):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = xml
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def simple_xlsx(path: Path, cells: dict[str, str], **kwargs: object) -> Path:
    """One visible sheet called Data holding `cells`."""
    dimension = kwargs.pop("dimension", None)
    xml = sheet_xml(cells_xml(cells), dimension=dimension)  # type: ignore[arg-type]
    return write_xlsx(path, [("Data", xml, "visible")], **kwargs)  # type: ignore[arg-type]


def corners_xlsx(path: Path) -> Path:
    """4 KB that asks a naive reader for 16 billion cells (relsec T09, F1)."""
    return simple_xlsx(path, {"A1": "1", "XFD1048576": "2"})


def no_ref_row_xlsx(path: Path, count: int) -> Path:
    """One row of `count` cells with no `r=` attributes (relsec T12)."""
    row = "<row>" + "<c><v>1</v></c>" * count + "</row>"
    return write_xlsx(path, [("Data", sheet_xml(row), "visible")])


def zip_bomb_xlsx(path: Path, inflated: int) -> Path:
    """A sheet padded with `inflated` bytes of whitespace between two rows (ratio ~1000)."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row>' + " " * inflated
    rows += '<row r="2"><c r="A2"><v>2</v></c></row>'
    return write_xlsx(path, [("Data", sheet_xml(rows), "visible")])


def lying_size_xlsx(path: Path, real: int, declared: int = 5000) -> Path:
    """A sheet whose zip headers claim `declared` bytes but which inflates to `real` (T08)."""
    zip_bomb_xlsx(path, real)
    data = bytearray(path.read_bytes())
    member = b"xl/worksheets/sheet1.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(sig, start)) >= 0:
            name_len = struct.unpack_from("<H", data, at + (26 if sig == b"PK\x03\x04" else 28))[0]
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(data[name_at : name_at + name_len]) == member:
                struct.pack_into("<I", data, at + size_at, declared)
            start = at + 4
    path.write_bytes(bytes(data))
    return path


def ods_file(path: Path, content_body: str, *, encrypted: bool = False) -> Path:
    """An ODS package whose content.xml holds `content_body` inside <office:spreadsheet>."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{content_body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    entry = '<manifest:encryption-data manifest:checksum-type="SHA1"/>' if encrypted else ""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{entry}</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_repeat_bomb(path: Path, rows: int, cols: int) -> Path:
    """A 1-2 KB ODS whose one cell is repeated `rows` x `cols` times (relsec T20)."""
    body = (
        f'<table:table table:name="Bomb"><table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{cols}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table>'
    )
    return ods_file(path, body)


def cfb_file(path: Path, streams: list[str]) -> Path:
    """An OLE compound file header plus directory entries naming `streams`.

    Enough for format identification (magic bytes and directory names), not a readable
    document: real encrypted packages and .xls files hold much more.
    """
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entries = b""
    for name in ["Root Entry", *streams]:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entries += raw.ljust(64, b"\x00") + struct.pack("<H", len(raw)) + bytes(62)
    path.write_bytes(header + entries.ljust(512, b"\x00"))
    return path


def deflate_ratio(data: bytes) -> float:
    """How much `data` compresses, for sanity checks in tests."""
    return len(data) / max(len(zlib.compress(data)), 1)


def peak_rss_mb(call: str, paths: list[Path]) -> float:
    """Peak memory (MB) of a fresh Python process that runs `call(path)` on each path and
    checks it refused the file: a test's own process has run other tests before, so its
    lifetime peak says nothing about this call. `call` is `module:function`."""
    import json
    import subprocess
    import sys

    module, function = call.split(":")
    code = (
        "import json, resource, sys\n"
        f"from {module} import {function} as call\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    book, issues = call(__import__('pathlib').Path(path))\n"
        "    assert book is None and issues, path\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code, json.dumps([str(p) for p in paths])],
                         capture_output=True, text=True, check=True, cwd=root)
    return float(out.stdout.strip().splitlines()[-1])
