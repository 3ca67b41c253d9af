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

from fundflow.returns.data_table import DATA_COLUMNS, SCHEMA, DataRow, DataTable, json_objects
from fundflow.returns.model import Return, StreamTerms

FIGURES = ("data", "other_data")
"""The return's sections of figures, read as frames."""

_KEYS = frozenset(DATA_COLUMNS)
_SORTED = sorted(DATA_COLUMNS)
_TYPES: dict[str, frozenset[type]] = {
    name: frozenset({str} if kind in (pl.String(), pl.Date()) or isinstance(kind, pl.Decimal)
                    else {int} if kind == pl.Int64() else {bool})
    for name, kind in SCHEMA.items()}
"""The Python types jiter gives for each column as `fundflow return` writes it (dates and
money are JSON text; `bool` is kept apart from `int`, which Python would let it pass as)."""
_NULLABLE = frozenset(name for name, field in DataRow.model_fields.items()
                      if type(None) in get_args(field.annotation))
"""The figure's fields that may be null (`X | None`)."""
_REQUIRED = [name for name in DATA_COLUMNS if name not in _NULLABLE]
_MONEY = re.compile(r"^-?(0|[1-9][0-9]{0,15})\.[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Read:
    """A return read by this route: its cover and sections (`ret`, figures left out) and
    its figures as tables."""

    ret: Return
    rows: DataTable
    other: DataTable


def read(data: bytes) -> Read | None:
    """The return in `data`, or None when this route cannot vouch for it (not JSON, not a
    return, a figure not as `fundflow return` writes it): then pydantic must read it."""
    try:
        document = from_json(data)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    sections = {name: document.get(name, []) for name in FIGURES}
    rest = {**document, **{name: [] for name in FIGURES if name in document}}
    tables = [_table(rows) for rows in sections.values()]
    if tables[0] is None or tables[1] is None:
        return None
    try:
        ret = Return.model_validate_json(to_json(rest))
    except ValidationError:
        return None
    return Read(ret, tables[0], tables[1])


def _table(rows: Any) -> DataTable | None:
    """The figures as a table, or None unless every one is exactly as written."""
    if not isinstance(rows, list):
        return None
    if not rows:
        return DataTable.empty()
    if not all(type(row) is dict and row.keys() == _KEYS for row in rows):
        return None
    columns: dict[str, pl.Series] = {}
    for name, kind in SCHEMA.items():
        values = [row[name] for row in rows]
        found = set(map(type, values))
        found.discard(type(None))
        if not found <= _TYPES[name]:
            return None
        text = kind in (pl.Date(), pl.String()) or isinstance(kind, pl.Decimal)
        columns[name] = pl.Series(name, values, dtype=pl.String if text else kind,
                                  strict=True)
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


def context_hash(terms: Sequence[StreamTerms], other: DataTable) -> str:
    """`returns.model.context_hash` made from the earlier figures' table, not their rows:
    the same canonical text (sorted keys, no spaces, money as text), byte for byte."""
    digest = hashlib.sha256(b'{"other_data":[')
    if other.frame.height:
        digest.update(",".join(json_objects(other.frame, _SORTED).to_list()).encode("utf-8"))
    dumped = [row.model_dump(mode="json") for row in terms]
    tail = json.dumps(dumped, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest.update(f'],"stream_terms":{tail}}}'.encode())
    return digest.hexdigest()
