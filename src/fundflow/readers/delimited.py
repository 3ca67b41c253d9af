"""CSV and other delimited text, read as an all-text grid with every row kept.

The header is an ordinary row (adapters find it), blank lines stay as empty rows so row numbers
match a text editor's, and nothing is typed. Encoding is strict: UTF-8 (with or without BOM),
then Windows-1252 with an info issue, anything else an error unless the caller names it; never
lossy decoding, which would silently turn £ into a replacement character (relsec T39).
The delimiter is sniffed among comma, semicolon, tab and pipe. polars reads the text; rows with
more fields than the first row (which polars refuses) fall back to the standard `csv` module.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from pathlib import Path

import polars as pl

from fundflow.grid import Sheet, Workbook, cell_ref
from fundflow.guard import GuardReport, Limits
from fundflow.issues import Issue, make_issue

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50
_QUOTED = re.compile(r'"[^"]*"')


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
    frame = _parse(text, sep)
    rows, cols = frame.height, frame.width
    if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
        found, limit, option = _which_limit(rows, cols, limits)
        too_large = make_issue(
            "sheet-too-large",
            file=path.name,
            sheet=path.stem,
            tab=path.stem,
            found=found,
            first="A1",
            last=f"row {rows:,}, column {cols:,}",
            limit=limit,
            option=option,
        )
        return None, [*issues, too_large]
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


def _parse(text: str, sep: str) -> pl.DataFrame:
    """polars for speed; the csv module when rows are longer than the first one."""
    if "\r" in text and "\n" not in text:  # classic Mac line endings, which polars ignores
        text = text.replace("\r", "\n")
    data = text.encode("utf-8")
    if not data.strip(b"\r\n"):
        return pl.DataFrame()
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            infer_schema=False,
            separator=sep,
            quote_char='"',
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError:
        frame = _parse_slow(text, sep)
    return frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})


def _parse_slow(text: str, sep: str) -> pl.DataFrame:
    """Ragged rows padded to the widest with nulls; empty fields become null as in polars."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    width = max((len(r) for r in rows), default=0)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for j in range(width):
            value = row[j] if j < len(row) else None
            columns[j].append(value or None)
    return pl.DataFrame(
        {f"c{j}": col for j, col in enumerate(columns)},
        schema={f"c{j}": pl.String for j in range(width)},
    )


def _which_limit(rows: int, cols: int, limits: Limits) -> tuple[str, str, str]:
    """The first limit a CSV goes over, for the issue."""
    if rows > limits.max_rows:
        return f"{rows:,} rows", f"{limits.max_rows:,} rows", "--max-rows"
    if cols > limits.max_columns:
        return f"{cols:,} columns", f"{limits.max_columns:,} columns", "--max-columns"
    return f"{rows * cols:,} cells", f"{limits.max_cells:,} cells", "--max-cells"
