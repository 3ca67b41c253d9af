"""A return's JSON read straight into frames: the figures never become pydantic rows.

A department reads thousands of returns of about 4,800 figures each. Validated by pydantic
row by row (`Return.model_validate_json`) a return's figures cost more than the rest of
collecting it, so here the document is parsed once by pydantic's own JSON parser, its cover
and sections (everything but the figures) are validated by the `Return` model exactly as
before, and the figures go into a typed frame column by column, each column checked to hold
exactly what `fundflow return` writes (the right JSON type, money as text with two places,
months as ISO dates, no extra or missing keys).

A figure in any other form (a number where text was written, a date with a time, money with
three places) is not guessed at: `read` says None and the caller reads the file the old way,
through pydantic, which accepts what it always accepted and names what it refuses. So the
frame is the one the pydantic route gives for every file this route reads, and the hashes
made from it are the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

import polars as pl
from pydantic import ValidationError
from pydantic_core import from_json, to_json

from fundflow.returns.data_table import DATA_COLUMNS, SCHEMA, DataRow, DataTable, canonical_json
from fundflow.returns.model import Return, StreamTerms

FIGURES = ("data", "other_data")
"""The return's sections of figures, read as frames."""

_KEYS = frozenset(DATA_COLUMNS)
_SORTED = tuple(sorted(DATA_COLUMNS))
_PARSED: dict[str, pl.DataType] = {
    name: pl.String() for name, kind in SCHEMA.items()
    if kind == pl.Date() or isinstance(kind, pl.Decimal)}
"""Columns that JSON holds as text (months, money), parsed after their form is checked."""
_NULLABLE = frozenset(name for name, field in DataRow.model_fields.items()
                      if type(None) in get_args(field.annotation))
"""The figure's fields that may be null (`X | None`)."""
_REQUIRED = [name for name in DATA_COLUMNS if name not in _NULLABLE]
_MONEY = re.compile(r"^-?(0|[1-9][0-9]{0,15})\.[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Read:
    """A return read by this route: its cover and sections (`ret`, figures left out), its
    figures as tables, and each table's canonical JSON (the rows with sorted keys, no
    spaces, money as text: what the hashes are made of)."""

    ret: Return
    rows: DataTable
    other: DataTable
    rows_json: bytes
    other_json: bytes


def read(data: bytes) -> Read | None:
    """The return in `data`, or None when this route cannot vouch for it (not JSON, not a
    return, a figure not as `fundflow return` writes it): then pydantic must read it."""
    try:
        document = from_json(data)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    rows, other = (_figures(document.get(name, [])) for name in FIGURES)
    if rows is None or other is None:
        return None
    rest = {**document, **{name: [] for name in FIGURES if name in document}}
    try:
        ret = Return.model_validate_json(to_json(rest))
    except ValidationError:
        return None
    return Read(ret, rows[0], other[0], rows[1], other[1])


def _figures(rows: Any) -> tuple[DataTable, bytes] | None:
    """The figures as a table and as canonical JSON, or None unless every one is exactly
    as written. The JSON is pydantic's Rust encoder's over the rows as parsed, their keys
    in sorted order: the bytes `json.dumps(sort_keys=True)` gives of the model's rows
    (held equal by a property test), made without a Python object per value."""
    if not isinstance(rows, list):
        return None
    if not rows:
        return DataTable.empty(), b"[]"
    if all(type(row) is dict and tuple(row) == _SORTED for row in rows):
        ordered = rows
    elif all(type(row) is dict and row.keys() == _KEYS for row in rows):
        ordered = [{name: row[name] for name in _SORTED} for row in rows]
    else:
        return None
    table = _table(rows)
    return None if table is None else (table, to_json(ordered))


def _table(rows: list[dict[str, Any]]) -> DataTable | None:
    """The figures (dicts of the right keys) as a table, or None unless each column holds
    exactly what `fundflow return` writes: polars refuses a value of another JSON type,
    except a boolean in a whole-number column, looked for here."""
    columns: dict[str, pl.Series] = {}
    for name, kind in SCHEMA.items():
        values = [row[name] for row in rows]
        if kind == pl.Int64() and bool in set(map(type, values)):
            return None
        try:
            columns[name] = pl.Series(name, values, dtype=_PARSED.get(name, kind), strict=True)
        except (TypeError, OverflowError, pl.exceptions.PolarsError):
            return None
    frame = pl.DataFrame(columns)
    if not _canonical(frame):
        return None
    return DataTable(frame.with_columns(
        pl.col("month").str.to_date("%Y-%m-%d", strict=True),
        pl.col("amount").cast(SCHEMA["amount"])))


def _canonical(frame: pl.DataFrame) -> bool:
    """Money as exact text with two places, months as real ISO dates, and nulls only where
    a figure may lack a value: what `fundflow return` writes, and all this route reads."""
    checks = frame.select(
        ok_nulls=pl.sum_horizontal(pl.col(_REQUIRED).null_count()) == 0,
        ok_money=pl.col("amount").str.contains(_MONEY.pattern).all()
        & (pl.col("amount") != "-0.00").all(),
        ok_month=pl.col("month").str.contains(_MONTH.pattern).all(),
        ok_date=pl.col("month").str.to_date("%Y-%m-%d", strict=False).null_count()
        == pl.col("month").null_count(),
    )
    return all(checks.row(0))


def context_hash(terms: Sequence[StreamTerms], other_json: bytes) -> str:
    """`returns.model.context_hash` of stream terms and earlier figures whose canonical JSON
    is `other_json`."""
    digest = hashlib.sha256(b'{"other_data":')
    digest.update(other_json)
    dumped = [row.model_dump(mode="json") for row in terms]
    digest.update(b',"stream_terms":' + _canonical_json(dumped) + b"}")
    return digest.hexdigest()


def canonical_rows(table: DataTable) -> bytes:
    """A table's canonical JSON as the hashes make it: for a return read by pydantic, whose
    figures came as rows, not as parsed JSON."""
    return b"".join(canonical_json(table))


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")
