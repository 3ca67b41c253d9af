"""The pre-parse guard: look at a file's bytes before any spreadsheet library does.

The fast readers (calamine through fastexcel) abort the whole process on some small hostile files
(a 4.7 KB xlsx with cells at A1 and XFD1048576 asks for 550 GB) and trust zip headers that lie
(research/relsec.md F1, F9). So every file first passes this guard, which streams every zip member
through `zipfile` (counting the bytes really inflated and checking CRCs), refuses DTDs, and
measures each sheet's real used range from its cells, in constant memory. What it learns that the
readers lose (error cells, formulas with no saved value, sheet visibility) is returned for the
reader to put in `Sheet.flags`. Refusals are `Issue` values naming the limit and its CLI option.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from fundflow.ingest.grid import cell_ref
from fundflow.issues import Issue, make_issue

MIB = 1024 * 1024
GIB = 1024 * MIB
CHUNK = 4 * MIB  # inflated bytes per step: big enough to be fast, small enough to stay flat
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_TEXT_EXTS = {".csv", ".txt", ".tsv", ".tab", ".psv"}


class Limits(BaseModel):
    """Resource limits for reading one file; the CLI builds this from its `--max-*` options.

    Defaults fit real funder returns with room to spare while keeping one bad file from taking
    the machine down: Excel's own grid (1,048,576 x 16,384) and cell text limit (32,767), 200 MB
    on disk, 2 GB inflated (a 1M-row x 8-column xlsx inflates to about 350 MB), a compression
    ratio of 200 per large part (real sheets compress 5-20x; whitespace bombs 1000x), and 20M
    cells per sheet, which the reader handles in about 2 GB. The parser process gets 4 GB of
    address space, 300 s of CPU and 600 s of wall time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_file_bytes: int = Field(200 * MIB, gt=0)
    max_inflated_bytes: int = Field(2 * GIB, gt=0)
    max_ratio: float = Field(200.0, gt=1)
    ratio_floor_bytes: int = Field(8 * MIB, ge=0)  # parts smaller than this skip the ratio test
    max_members: int = Field(10_000, gt=0)
    max_rows: int = Field(1_048_576, gt=0)
    max_columns: int = Field(16_384, gt=0)
    max_cells: int = Field(20_000_000, gt=0)
    max_string_chars: int = Field(32_767, gt=0)
    parse_timeout_s: float = Field(600.0, gt=0)
    parse_cpu_s: int = Field(300, gt=0)
    parse_memory_bytes: int = Field(4 * GIB, gt=0)


@dataclass
class SheetScan:
    """What the guard measured in one sheet part; positions are 0-based absolute."""

    name: str
    part: str
    visibility: str = "visible"  # "visible", "hidden" or "veryHidden"
    declared: str | None = None  # the <dimension ref=...>, which may lie
    rows: int = 0  # <row> elements (or ODS rows, repeats expanded)
    cells: int = 0  # <c> elements (or ODS cells with content, repeats expanded)
    widest_row: int = 0  # most cells seen in one row
    first_row: int | None = None
    last_row: int | None = None
    first_col: int | None = None
    last_col: int | None = None
    flags: dict[tuple[int, int], str] = field(default_factory=dict)

    def see(self, row: int, col: int) -> None:
        """Widen the used range to include (row, col)."""
        self.see_row(row)
        self.see_col(col)

    def see_row(self, row: int) -> None:
        """Widen the used rows to include `row`."""
        self.first_row = row if self.first_row is None else min(self.first_row, row)
        self.last_row = row if self.last_row is None else max(self.last_row, row)

    def see_col(self, col: int) -> None:
        """Widen the used columns to include `col`."""
        self.first_col = col if self.first_col is None else min(self.first_col, col)
        self.last_col = col if self.last_col is None else max(self.last_col, col)

    def span(self) -> tuple[int, int]:
        """(rows, columns) of the used rectangle a reader will allocate."""
        if None in (self.first_row, self.last_row, self.first_col, self.last_col):
            return 0, 0
        assert self.first_row is not None and self.last_row is not None
        assert self.first_col is not None and self.last_col is not None
        return self.last_row - self.first_row + 1, self.last_col - self.first_col + 1


@dataclass
class GuardReport:
    """A file the guard let through: its format, hash and per-sheet measurements."""

    path: str
    format: str  # "xlsx", "xlsm", "ods", "xls", "csv"
    size: int
    sha256: str
    sheets: list[SheetScan] = field(default_factory=list)
    inflated: int = 0
    longest_string: int = 0
    shared_strings: int = 0


class Refused(Exception):
    """Carries the issue that stops the guard; caught in `check_file`."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def check_file(path: Path, limits: Limits | None = None) -> tuple[GuardReport | None, list[Issue]]:
    """Decide whether `path` is safe to hand to a spreadsheet library.

    Returns the report (None when refused) and the issues found; it never raises for a bad
    file. The whole file is hashed; zip members are inflated in 4 MB steps, never held whole.
    """
    limits = limits or Limits()
    name = path.name
    try:
        size = path.stat().st_size
        if size == 0:
            return None, [make_issue("file-empty", file=name)]
        if size > limits.max_file_bytes:
            raise Refused(
                _limit(name, "file size", _mb(size), _mb(limits.max_file_bytes), "--max-file-mb")
            )
        head, digest = _head_and_hash(path)
        report = GuardReport(str(path), "csv", size, digest)
        issues: list[Issue] = []
        if head.startswith(_ZIP_MAGICS):
            _check_zip(path, report, limits)
        elif head.startswith(_CFB_MAGIC):
            _check_cfb(path, report)
            issues.append(make_issue("file-legacy-xls", file=name))
        else:
            _check_text(path, head)
        return report, issues
    except Refused as refusal:
        return None, [refusal.issue]
    except OSError as exc:
        return None, [make_issue("file-corrupt", file=name, reason=f"cannot read it ({exc})")]


# --- identification ----------------------------------------------------------------------------


def _head_and_hash(path: Path) -> tuple[bytes, str]:
    """The first 8 KB (for magic bytes) and the SHA-256 of the whole file, in one pass."""
    sha = hashlib.sha256()
    head = b""
    with path.open("rb") as fh:
        while block := fh.read(MIB):
            head = head or block[:8192]
            sha.update(block)
    return head, sha.hexdigest()


def _check_text(path: Path, head: bytes) -> None:
    """Text is only acceptable as CSV: a spreadsheet extension on text is a mislabelled file."""
    spreadsheet_ext = path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
    binary = b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if spreadsheet_ext or (binary and path.suffix.lower() not in _TEXT_EXTS):
        what = "it is plain text, not a workbook" if not binary else "it is not a known format"
        if head.startswith(b"%PDF"):
            what = "it is a PDF"
        raise Refused(make_issue("file-not-spreadsheet", file=path.name, reason=what))


def _check_cfb(path: Path, report: GuardReport) -> None:
    """An OLE compound file is an encrypted OOXML package, a legacy .xls, or something else."""
    names = _cfb_stream_names(path)
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        raise Refused(make_issue("file-encrypted", file=path.name))
    if not {"Workbook", "Book"} & names:
        raise Refused(
            make_issue(
                "file-not-spreadsheet",
                file=path.name,
                reason="it is an OLE file without a workbook (Word or Outlook?)",
            )
        )
    report.format = "xls"


def _cfb_stream_names(path: Path) -> set[str]:
    """Stream names found in the file's directory entries (UTF-16LE, 128-byte records).

    A full CFB parser is not needed to name the streams: each directory entry starts with its
    UTF-16LE name and its byte length at offset 64, so scanning 128-byte-aligned records finds
    them. Looking for a few known names is all the guard needs.
    """
    wanted = {"EncryptionInfo", "EncryptedPackage", "Workbook", "Book"}
    found: set[str] = set()
    with path.open("rb") as fh:
        while block := fh.read(MIB):
            for i in range(0, len(block) - 127, 128):
                length = int.from_bytes(block[i + 64 : i + 66], "little")
                if 2 <= length <= 64 and length % 2 == 0:
                    raw = block[i : i + length - 2]
                    name = raw.decode("utf-16-le", errors="replace")
                    if name in wanted:
                        found.add(name)
    return found


# --- zip container -------------------------------------------------------------------------------


def _check_zip(path: Path, report: GuardReport, limits: Limits) -> None:
    """Check the container, then stream every member through its scanner."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        raise Refused(
            make_issue("file-corrupt", file=path.name, reason=f"not a valid zip archive ({exc})")
        ) from exc
    with zf:
        infos = zf.infolist()
        _check_members(path.name, infos, limits)
        names = {i.filename for i in infos}
        if "mimetype" in names:
            _identify_ods(path.name, zf, report)
        else:
            _identify_ooxml(path, zf, names, report)
        scanners = _plan_scanners(report, limits, path.name)
        for info in infos:
            _inflate_member(
                path.name, zf, info, report=report, limits=limits, scan=scanners.get(info.filename)
            )
    for sheet in report.sheets:
        _check_sheet_size(path.name, sheet, limits)


def _check_members(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Member count, safe unique names, no zip-level encryption."""
    if len(infos) > limits.max_members:
        raise Refused(
            _limit(
                name, "parts in the zip", str(len(infos)), str(limits.max_members), "--max-members"
            )
        )
    seen: set[str] = set()
    for info in infos:
        member = info.filename
        parts = PurePosixPath(member).parts
        unsafe = (
            member.startswith(("/", "\\"))
            or "\\" in member
            or "\x00" in member
            or ".." in parts
            or re.match(r"^[A-Za-z]:", member) is not None
        )
        if unsafe or member in seen:
            raise Refused(make_issue("zip-unsafe-name", file=name, value=member))
        seen.add(member)
        if info.flag_bits & 0x1:
            raise Refused(make_issue("file-encrypted", file=name))


def _identify_ods(name: str, zf: zipfile.ZipFile, report: GuardReport) -> None:
    """An ODS package: right mimetype, not encrypted (the manifest says so), one content.xml."""
    mime = _read_small(zf, "mimetype", 256).strip()
    if mime != _ODS_MIME:
        raise Refused(
            make_issue(
                "file-not-spreadsheet",
                file=name,
                reason=f"it is an OpenDocument file of type {mime.decode()!r}",
            )
        )
    manifest = _read_small(zf, "META-INF/manifest.xml", 4 * MIB)
    if b"encryption-data" in manifest:
        raise Refused(make_issue("file-encrypted", file=name))
    report.format = "ods"


def _identify_ooxml(path: Path, zf: zipfile.ZipFile, names: set[str], report: GuardReport) -> None:
    """Find the workbook part through the package relationships, then its sheets."""
    name = path.name
    rels = _read_small(zf, "_rels/.rels", 4 * MIB) if "_rels/.rels" in names else b""
    _refuse_doctype(name, "_rels/.rels", rels)
    target = _rel_target(rels, b"/officeDocument")
    if target is None or target not in names:
        raise Refused(
            make_issue(
                "file-not-spreadsheet",
                file=name,
                reason="it is a zip file without an Excel workbook inside",
            )
        )
    if b"purl.oclc.org/ooxml" in rels:
        raise Refused(make_issue("file-strict-ooxml", file=name))
    workbook = _read_small(zf, target, 16 * MIB)
    _refuse_doctype(name, target, workbook)
    if _STRICT_NS in workbook:
        raise Refused(make_issue("file-strict-ooxml", file=name))
    if b"<sheets" not in workbook and b":sheets" not in workbook:
        raise Refused(
            make_issue(
                "file-not-spreadsheet", file=name, reason="it is an Office file but not a workbook"
            )
        )
    macro = "vbaProject.bin" in " ".join(names) or path.suffix.lower() == ".xlsm"
    report.format = "xlsm" if macro else "xlsx"
    base = target.rsplit("/", 1)[0] + "/" if "/" in target else ""
    rels_part = f"{base}_rels/{target.rsplit('/', 1)[-1]}.rels"
    wb_rels = _read_small(zf, rels_part, 16 * MIB) if rels_part in names else b""
    _refuse_doctype(name, rels_part, wb_rels)
    report.sheets = _sheets_from_workbook(workbook, wb_rels, base)


_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR_RE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


def _sheets_from_workbook(workbook: bytes, rels: bytes, base: str) -> list[SheetScan]:
    """Sheet names, visibility and part names, in workbook order."""
    targets = {}
    for m in _REL_RE.finditer(rels):
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        targets[attrs.get(b"Id", b"")] = attrs.get(b"Target", b"").decode()
    sheets = []
    for m in _SHEET_RE.finditer(workbook):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR_RE.findall(m.group(1))}
        target = targets.get(attrs.get(b"id", b""), "")
        part = target.lstrip("/") if target.startswith("/") else base + target
        sheets.append(
            SheetScan(
                name=_unescape(attrs.get(b"name", b"").decode("utf-8", "replace")),
                part=str(PurePosixPath(part)),
                visibility=attrs.get(b"state", b"visible").decode() or "visible",
            )
        )
    return sheets


def _rel_target(rels: bytes, type_suffix: bytes) -> str | None:
    """The target of the first relationship whose type ends with `type_suffix`."""
    for m in _REL_RE.finditer(rels):
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        if attrs.get(b"Type", b"").endswith(type_suffix):
            return str(PurePosixPath(attrs.get(b"Target", b"").decode().lstrip("/")))
    return None


def _read_small(zf: zipfile.ZipFile, member: str, cap: int) -> bytes:
    """Read a small part, refusing if it inflates past `cap` or its CRC fails."""
    try:
        with zf.open(member) as fh:
            data = fh.read(cap + 1)
    except KeyError:
        return b""
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refused(
            make_issue(
                "file-corrupt",
                file=PurePosixPath(zf.filename or "").name,
                reason=f"part {member} is damaged ({exc})",
            )
        ) from exc
    if len(data) > cap:
        raise Refused(
            make_issue(
                "zip-bomb",
                file=PurePosixPath(zf.filename or "").name,
                what=f"part {member}",
                found=_mb(len(data)),
                limit=_mb(cap),
                option="--max-inflated-mb",
            )
        )
    return data


# --- streaming every member -------------------------------------------------------------------

Feed = Callable[[bytes, bool], None]


def _plan_scanners(report: GuardReport, limits: Limits, name: str) -> dict[str, Feed]:
    """Which members get a content scanner (sheets, shared strings, ODS content)."""
    # Imported here: the scanners live beside the readers and import this module's types.
    from fundflow.ingest.readers.scan import (  # noqa: PLC0415
        OdsScanner,
        SharedStringsScanner,
        SheetScanner,
    )

    plan: dict[str, Feed] = {}
    if report.format == "ods":
        plan["content.xml"] = OdsScanner(report, limits, name).feed
        return plan
    for sheet in report.sheets:
        plan[sheet.part] = SheetScanner(sheet, limits, name).feed
    for part in ("xl/sharedStrings.xml", "sharedStrings.xml"):
        plan[part] = SharedStringsScanner(report, limits, name).feed
    return plan


def _inflate_member(
    name: str,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    report: GuardReport,
    limits: Limits,
    scan: Feed | None,
) -> None:
    """Inflate one member in steps, counting real bytes; refuse bombs, DTDs and bad CRCs."""
    member = info.filename
    is_xml = member.endswith((".xml", ".rels", ".vml")) or scan is not None
    got = 0
    tail = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                got += len(chunk)
                report.inflated += len(chunk)
                _check_inflation(
                    name, member, got, packed=info.compress_size, report=report, limits=limits
                )
                if is_xml:
                    # the step, and the seam with the one before (a tag cut in two), without
                    # copying the 4 MB step
                    _refuse_doctype(name, member, chunk)
                    _refuse_doctype(name, member, tail + chunk[:16])
                    tail = chunk[-16:]
                if scan is not None:
                    scan(chunk, False)
            if scan is not None:
                scan(b"", True)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise Refused(
            make_issue("file-corrupt", file=name, reason=f"part {member} is damaged ({exc})")
        ) from exc


def _check_inflation(
    name: str, member: str, got: int, *, packed: int, report: GuardReport, limits: Limits
) -> None:
    """Total inflated bytes and per-part ratio, judged on bytes really produced."""
    if report.inflated > limits.max_inflated_bytes:
        raise Refused(
            make_issue(
                "zip-bomb",
                file=name,
                what="expanded size",
                found=f"more than {_mb(limits.max_inflated_bytes)}",
                limit=_mb(limits.max_inflated_bytes),
                option="--max-inflated-mb",
            )
        )
    if got > limits.ratio_floor_bytes and got > limits.max_ratio * max(packed, 1):
        raise Refused(
            make_issue(
                "zip-bomb",
                file=name,
                what=f"compression ratio of {member}",
                found=f"more than {limits.max_ratio:g}:1",
                limit=f"{limits.max_ratio:g}:1",
                option="--max-ratio",
            )
        )


def _refuse_doctype(name: str, part: str, data: bytes) -> None:
    """Excel never writes a DTD; any `<!DOCTYPE` or `<!ENTITY` is refused outright."""
    # `!` alone first: a one-byte search runs at memchr speed, and most parts have none
    if b"!" in data and b"<!" in data and (
        b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"<!doctype" in data
    ):
        raise Refused(make_issue("xml-doctype", file=name, part=part))


def _check_sheet_size(name: str, sheet: SheetScan, limits: Limits) -> None:
    """Judge a sheet by the rectangle a reader will allocate, not by its <dimension>."""
    rows, cols = sheet.span()
    widest = max(cols, sheet.widest_row)
    first = cell_ref(sheet.first_row or 0, sheet.first_col or 0)
    last = cell_ref(sheet.last_row or 0, sheet.last_col or 0)
    checks = (
        (
            sheet.last_row is not None and sheet.last_row >= limits.max_rows,
            f"{(sheet.last_row or 0) + 1:,} rows",
            f"{limits.max_rows:,} rows",
            "--max-rows",
        ),
        (
            widest > limits.max_columns or (sheet.last_col or 0) >= limits.max_columns,
            f"{widest:,} columns",
            f"{limits.max_columns:,} columns",
            "--max-columns",
        ),
        (
            rows * cols > limits.max_cells or sheet.cells > limits.max_cells,
            f"{max(rows * cols, sheet.cells):,} cells",
            f"{limits.max_cells:,} cells",
            "--max-cells",
        ),
    )
    for failed, found, limit, option in checks:
        if failed:
            raise Refused(
                make_issue(
                    "sheet-too-large",
                    file=name,
                    sheet=sheet.name,
                    tab=sheet.name,
                    found=found,
                    first=first,
                    last=last,
                    limit=limit,
                    option=option,
                )
            )


def _limit(name: str, what: str, found: str, limit: str, option: str) -> Issue:
    """A `limit-exceeded` issue naming the CLI option that raises the limit."""
    return make_issue(
        "limit-exceeded", file=name, what=what, found=found, limit=limit, option=option
    )


def _mb(n: int) -> str:
    """Bytes as MB for messages."""
    return f"{n / MIB:,.1f} MB"


def _unescape(text: str) -> str:
    """XML attribute entities in sheet names (`R&amp;D` -> `R&D`)."""
    for ent, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(ent, ch)
    return text.replace("&amp;", "&")
