"""CSV and other delimited text, read as an all-text grid with every row kept.

The header is an ordinary row (adapters find it), blank lines stay as empty rows so row numbers
match a text editor's, and nothing is typed. Encoding is strict: UTF-8 (with or without BOM),
then Windows-1252 with an info issue, anything else an error unless the caller names it; never
lossy decoding, which would silently turn £ into a replacement character (relsec T39).
The delimiter is sniffed among comma, semicolon, tab and pipe. polars parses the text in the
sandboxed child process (`readers.sandbox`, the spreadsheets' limits); rows with more fields
than the first row (which polars refuses) fall back to the standard `csv` module there.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl

from fundflow.ingest.grid import Sheet, Workbook, cell_ref
from fundflow.ingest.guard import GuardReport, Limits
from fundflow.ingest.readers.sandbox import Running, parse_text
from fundflow.ingest.spool import temp_prefix
from fundflow.issues import Issue, make_issue

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_QUOTED = re.compile(r'"[^"]*"')
IN_PROCESS_BYTES = 1024 * 1024  # smaller texts are parsed without the sandbox (see `_parse`)


def read_delimited(
    path: Path,
    report: GuardReport,
    limits: Limits,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> tuple[Workbook | None, list[Issue]]:
    """Read a text file as a one-sheet workbook named after the file's stem."""
    raw = path.read_bytes()
    text, issues = decode(raw, path.name, encoding)
    if text is None:
        return None, issues
    sep = delimiter or sniff_delimiter(text[:65536])
    frame, problem = _parse(text, sep, limits, path.name)
    if frame is None:
        return None, [*issues, *problem]
    rows, cols = frame.height, frame.width
    if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
        return None, [*issues, _too_large(path.name, rows, cols, limits)]
    too_long = _longest_over(frame, limits.max_string_chars, path)
    if too_long is not None:
        return None, [*issues, too_long]
    sheet = Sheet(path.stem, frame)
    return Workbook(str(path), report.sha256, "csv", [sheet]), issues


def _longest_over(frame: pl.DataFrame, limit: int, path: Path) -> Issue | None:
    """`limit-exceeded` at the first cell whose text is longer than `--max-string-chars`, the
    same limit a workbook's cells have (a 1,000,000-character field is refused, not read)."""
    if frame.width == 0:
        return None
    lengths = frame.select(pl.all().str.len_chars().max()).row(0)
    for col, longest in enumerate(lengths):
        if longest is not None and longest > limit:
            row = frame.get_column(f"c{col}").str.len_chars().gt(limit).arg_true()[0]
            return make_issue(
                "limit-exceeded", file=path.name, sheet=path.stem,
                cell=cell_ref(int(row), col), what="text in one cell",
                found=f"{longest:,} characters", limit=f"{limit:,} characters",
                option="--max-string-chars",
            )
    return None


def decode(raw: bytes, name: str, encoding: str | None) -> tuple[str | None, list[Issue]]:
    """Bytes to text: the named encoding, else UTF-8 (BOM stripped), else Windows-1252."""
    if encoding is not None:
        try:
            return codecs.decode(raw, encoding).lstrip("\ufeff"), []
        except (UnicodeDecodeError, LookupError) as exc:
            return None, [make_issue("csv-encoding", file=name, reason=str(exc)[:200])]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        return None, [
            make_issue(
                "csv-encoding",
                file=name,
                reason="it starts with a UTF-16 or UTF-32 byte order mark",
            )
        ]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None, [
            make_issue(
                "csv-encoding",
                file=name,
                reason=f"byte {raw[first_bad]:#04x} at offset {first_bad} is not UTF-8, and "
                "the file is not valid Windows-1252 either",
            )
        ]
    return text, [make_issue("csv-encoding-guessed", file=name)]


def sniff_delimiter(sample: str) -> str:
    """The candidate that splits the first lines into the most consistent number of fields.

    Quoted fields are blanked first, so commas inside quotes do not count. A delimiter that
    appears the same number of times on most lines wins; ties go to the more frequent one, and
    a file with none of them is read as comma-separated (one column).
    """
    lines = [_QUOTED.sub("", ln) for ln in sample.splitlines()[:_SNIFF_LINES] if ln.strip()]
    best, best_score = ",", (0.0, 0)
    for sep in DELIMITERS:
        counts = [ln.count(sep) for ln in lines]
        mode, hits = Counter(counts).most_common(1)[0] if counts else (0, 0)
        if mode == 0:
            continue
        score = (hits / len(counts), mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def _parse(text: str, sep: str, limits: Limits,
           name: str) -> tuple[pl.DataFrame | None, list[Issue]]:
    """The text parsed in the sandboxed child (`readers.sandbox`), under the same memory, CPU
    and wall-clock limits as a workbook: a parser stuck or swelling on a hostile file is
    stopped and reported, and fundflow goes on.

    A text of at most `IN_PROCESS_BYTES` whose widest line is within `--max-columns` is parsed
    here: its cells are fewer than its bytes, the parse takes milliseconds, and starting the
    child would cost half a second for every small CSV a department collects.
    """
    if "\r" in text and "\n" not in text:  # classic Mac line endings, which polars ignores
        text = text.replace("\r", "\n")
    data = text.encode("utf-8")
    if len(data) <= IN_PROCESS_BYTES and _widest(text, sep) <= limits.max_columns:
        return parse_text(data, sep), []
    with tempfile.TemporaryDirectory(prefix=temp_prefix("fundflow-read-")) as tmp:
        source = Path(tmp) / "text.csv"
        source.write_bytes(data)
        result = Running(source, Path(tmp), memory_bytes=limits.parse_memory_bytes,
                         cpu_s=limits.parse_cpu_s, timeout_s=limits.parse_timeout_s,
                         text=(sep, limits.max_rows, limits.max_columns,
                               limits.max_cells)).wait()
        if result.timed_out is not None:
            return None, [make_issue("parse-timeout", file=name,
                                     limit=f"{limits.parse_timeout_s:g} seconds",
                                     option="--parse-timeout")]
        if result.crash is not None or result.error is not None or not result.sheets:
            reason = result.crash or result.error or "it left no result"
            return None, [make_issue("parser-crashed", file=name, reason=reason,
                                     option="--parse-memory-mb or --parse-timeout")]
        [sheet] = result.sheets
        if sheet.arrow is None and sheet.shape is not None:
            return None, [_too_large(name, *sheet.shape, limits)]
        if sheet.arrow is None:
            return None, [make_issue("parser-crashed", file=name, reason=sheet.error or "",
                                     option="--parse-memory-mb or --parse-timeout")]
        return pl.read_ipc(sheet.arrow), []


def _too_large(name: str, rows: int, cols: int, limits: Limits) -> Issue:
    """`sheet-too-large` for a text of this many rows and columns."""
    found, limit, option = _which_limit(rows, cols, limits)
    stem = Path(name).stem
    return make_issue("sheet-too-large", file=name, sheet=stem, tab=stem, found=found,
                      first="A1", last=f"row {rows:,}, column {cols:,}", limit=limit,
                      option=option)


def _widest(text: str, sep: str) -> int:
    """Fields on the longest line, counting separators inside quotes too (an upper bound)."""
    return max((line.count(sep) + 1 for line in text.splitlines()), default=0)


def _which_limit(rows: int, cols: int, limits: Limits) -> tuple[str, str, str]:
    """The first limit a CSV goes over, for the issue."""
    if rows > limits.max_rows:
        return f"{rows:,} rows", f"{limits.max_rows:,} rows", "--max-rows"
    if cols > limits.max_columns:
        return f"{cols:,} columns", f"{limits.max_columns:,} columns", "--max-columns"
    return f"{rows * cols:,} cells", f"{limits.max_cells:,} cells", "--max-cells"
