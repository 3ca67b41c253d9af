"""The return's Data sheet as CSV: one header row, one figure per row, each with its cover.

Text columns go through `safe_text` (a spreadsheet opening the CSV would run `=...` text,
relsec.md T46); money, counts and dates are written from their typed values, so `-500.00` stays
a number. UTF-8 with a byte-order mark, because Excel reads £ wrongly without one.
`read_csv` reverses the neutralising and gives back the return's `DataRow`s exactly. After the
figure's columns come the return's cover fields (`cover_columns`: version, partnership id,
period, basis, signer, hashes), the same on every row, so stacked CSVs keep their returns apart
and `read_csv_return` can give the cover back.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import polars as pl
from pydantic import ValidationError

from fundflow.returns.cover_columns import COVER_COLUMNS, COVER_TEXT, with_cover
from fundflow.returns.data_table import CHUNK, DATA_COLUMNS, TEXT_COLUMNS, mapped_text
from fundflow.returns.model import DataRow, Return
from fundflow.returns.safe import restore_text, safe_text

_TEXT = frozenset(n for n, f in DataRow.model_fields.items() if f.annotation in (str, str | None))
_NULLABLE = frozenset(n for n, f in DataRow.model_fields.items()
                      if type(None) in get_args(f.annotation))


def write_csv(ret: Return, path: Path) -> None:
    """Write the Data rows to `path` (the caller makes the write atomic), from the frame in
    chunks: text through `safe_text` once per distinct value, the rest typed."""
    frame = with_cover(ret.data.frame, ret)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(frame.columns)
        safe = {name: mapped_text(frame, name, safe_text, None)
                for name in (*TEXT_COLUMNS, *COVER_TEXT)}
        shown = frame.select(
            safe.get(name, _typed(name, frame.schema[name])).alias(name) for name in frame.columns)
        for start in range(0, shown.height, CHUNK):
            writer.writerows(shown.slice(start, CHUNK).iter_rows())


def _typed(name: str, kind: pl.DataType) -> pl.Expr:
    """A typed column as `str()` of its Python value writes it (bools as true/false)."""
    col = pl.col(name)
    if kind == pl.Boolean():
        return pl.when(col).then(pl.lit("true")).otherwise(pl.lit("false")).fill_null("")
    return col.cast(pl.String)


def read_csv(path: Path) -> list[DataRow]:
    """Data rows from a CSV written by `write_csv` (empty cells are None)."""
    return read_csv_return(path)[0]


def read_csv_return(path: Path) -> tuple[list[DataRow], list[dict[str, str]]]:
    """Data rows from a CSV written by `write_csv`, and each distinct cover its rows carry
    (as text, `cover_columns.cover_of` reads them; empty dicts for a CSV without them)."""
    rows: list[DataRow] = []
    covers: dict[tuple[str, ...], dict[str, str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in DATA_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError("its header row is not a return's Data sheet: it has no column "
                             + ", ".join(f"'{c}'" for c in missing[:3])
                             + (f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""))
        for line, record in enumerate(reader, start=2):
            cover = {name: restore_text(record.pop(name) or "")
                     for name in COVER_COLUMNS if name in record}
            covers.setdefault(tuple(cover.values()), cover)
            try:
                rows.append(_row(record))
            except ValidationError as exc:
                first = exc.errors()[0]
                column = ".".join(str(part) for part in first["loc"]) or "?"
                raise ValueError(f"row {line}, column '{column}': {first['msg']}") from None
    return rows, list(covers.values())


def _row(record: dict[str, str]) -> DataRow:
    values: dict[str, Any] = {}
    for name, text in record.items():
        if text == "":
            values[name] = None if name in _NULLABLE else text
        elif name in _TEXT:
            values[name] = restore_text(text)
        else:
            values[name] = text
    return DataRow.model_validate(values)


def rows_total(rows: Iterable[DataRow]) -> Decimal:
    """Sum of the rows' amounts (for checks that read a return back)."""
    return sum((r.amount for r in rows), Decimal("0.00"))
