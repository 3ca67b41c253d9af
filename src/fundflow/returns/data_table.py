"""The return's Data rows as one typed polars frame, with the row-at-a-time view kept.

A return over 15,000 streams has about 400,000 Data rows. Built as pydantic objects and hashed
as JSON one by one they cost more than the rest of the return together (issue 11 item 6), so
the rows travel from the Book to the writers as a frame: the content hash, the JSON and CSV
texts and the xlsx Data sheet are made column by column from it. Every text value from a file
is made safe once per distinct value (the columns repeat themselves: ids, categories, periods),
by the same functions as before (`json.dumps`, `safe_text`), so the bytes cannot differ from
the row-by-row writers they replace.

`DataTable` is still a sequence of `DataRow` for the few readers that want rows (tests,
`collect`): a row is made when it is asked for. In a `Return` it validates from a list of rows
(a JSON return read back) and serialises as that list, so the model's schema is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, get_args

import polars as pl
from pydantic import BaseModel, ConfigDict

from fundflow.money import pence_to_decimal_series
from fundflow.returns.frame_table import FrameTable


class DataRow(BaseModel):
    """One figure of the return, flat: the Data sheet, the CSV and what `collect` reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partnership: str
    funder_id: str
    stream_id: str
    tier: int
    month: date | None
    year: str | None
    quarter: str | None
    measure: str
    state: str
    basis: str
    subjective: str
    objective: str | None
    cap_rev: str
    funding_source: str
    funder_category: str | None
    amount: Decimal
    amount_pence: int
    apportioned: bool
    counted: bool
    source: str


DATA_COLUMNS: tuple[str, ...] = tuple(DataRow.model_fields)
"""Column order of the Data sheet and the CSV."""

_KINDS: dict[type, pl.DataType] = {
    str: pl.String(), int: pl.Int64(), date: pl.Date(), Decimal: pl.Decimal(18, 2),
    bool: pl.Boolean(),
}


def _kind(annotation: Any) -> pl.DataType:
    """The frame type of a `DataRow` field (optional fields are nullable columns)."""
    found = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    return _KINDS[found[0]]


SCHEMA: dict[str, pl.DataType] = {
    name: _kind(field.annotation) for name, field in DataRow.model_fields.items()}
"""The frame's columns, in `DATA_COLUMNS` order, from `DataRow`'s fields: money as exact
Decimal(18, 2) and as pence."""
TEXT_COLUMNS = tuple(name for name, kind in SCHEMA.items() if kind == pl.String())
CHUNK = 20_000
"""Rows turned into text at a time: bounds the memory of the texts being written. Each part is
held about three times over (polars' column, Python's strings, the joined text): at 100,000
rows the content hash added about 110 MB to the return's peak at 1M figures, at 20,000 about
25 MB."""


class DataTable(FrameTable[DataRow]):
    """The Data rows of a return: a frame of `SCHEMA`, readable row by row as `DataRow`s."""

    __slots__ = ()
    row_model = DataRow
    schema = SCHEMA

    @classmethod
    def empty(cls) -> DataTable:
        return cls(pl.DataFrame(schema=SCHEMA))

    def rows_of(self, frame: pl.DataFrame) -> list[DataRow]:
        return [DataRow.model_construct(**dict(zip(DATA_COLUMNS, values, strict=True)))
                for values in frame.iter_rows()]


def data_table(frame: pl.DataFrame, partnership: str) -> DataTable:
    """The table from `sections.data_frame`'s grouped figures (pence, `on_basis`,
    `submission_id`): named and typed as the Data sheet's columns."""
    pence = frame["amount_pence"].cast(pl.Int64)
    out = frame.with_columns(
        partnership=pl.lit(partnership, pl.String), counted=pl.col("on_basis"),
        source=pl.col("submission_id"), amount=pence_to_decimal_series(pence),
    )
    return DataTable(out.select(DATA_COLUMNS))


# --- texts made from the frame, column by column -------------------------------------------


def mapped_text(frame: pl.DataFrame, column: str, convert: Callable[[str], str | None],
                null: str | None) -> pl.Expr:
    """`convert` applied to each distinct value of a text column (nulls become `null`; a
    value `convert` makes None becomes null)."""
    values = frame.get_column(column).drop_nulls().unique()
    mapping = {v: convert(v) for v in values.to_list()}
    expr = pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)
    return expr if null is None else expr.fill_null(pl.lit(null))


def _json_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_values(frame: pl.DataFrame) -> dict[str, pl.Expr]:
    """Each column's values as JSON text, as pydantic's JSON mode writes them (money as a
    quoted exact decimal, dates ISO, booleans true/false)."""
    out: dict[str, pl.Expr] = {}
    for name, kind in SCHEMA.items():
        col = pl.col(name)
        if kind == pl.String():
            out[name] = mapped_text(frame, name, _json_text, "null")
        elif kind == pl.Date():
            out[name] = pl.concat_str(pl.lit('"'), col.dt.strftime("%Y-%m-%d"), pl.lit('"'))
        elif kind == pl.Boolean():
            out[name] = pl.when(col).then(pl.lit("true")).otherwise(pl.lit("false"))
        elif isinstance(kind, pl.Decimal):
            out[name] = pl.concat_str(pl.lit('"'), col.cast(pl.String), pl.lit('"'))
        else:
            out[name] = col.cast(pl.String)
        out[name] = out[name].fill_null(pl.lit("null"))
    return out


def json_objects(frame: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
    """One compact JSON object per row, keys in `keys` order."""
    values = json_values(frame)
    parts: list[pl.Expr] = []
    for i, key in enumerate(keys):
        parts += [pl.lit(("{" if i == 0 else ",") + json.dumps(key) + ":"), values[key]]
    parts.append(pl.lit("}"))
    return frame.select(pl.concat_str(parts).alias("json")).to_series()


def content_hash(cover_key: dict[str, str | None], table: DataTable) -> str:
    """SHA-256 of the canonical JSON of the figures: `{"figures": [rows], "return": key}` with
    sorted keys, no spaces, money as text, non-ASCII as itself.

    The generation time is left out, so building the same return twice gives the same hash
    and a receiving department can tell whether two copies hold the same figures. Made in
    chunks from the frame; byte for byte the text `json.dumps(..., sort_keys=True)` gives.
    """
    return figures_hash(cover_key, canonical_json(table))


def canonical_json(table: DataTable) -> Iterator[bytes]:
    """The figures' canonical JSON list (sorted keys, no spaces, money as text), in pieces of
    `CHUNK` rows made from the frame."""
    keys = sorted(DATA_COLUMNS)
    frame = table.frame
    yield b"["
    for start in range(0, frame.height, CHUNK):
        texts = json_objects(frame.slice(start, CHUNK), keys)
        yield (b"," if start else b"") + ",".join(texts.to_list()).encode("utf-8")
    yield b"]"


def figures_hash(cover_key: dict[str, str | None], figures_json: Iterable[bytes]) -> str:
    """`content_hash` of figures given as their canonical JSON list (in pieces): a collected
    return's figures come as parsed JSON, not as a frame (`collect.reader`)."""
    digest = hashlib.sha256(b'{"figures":')
    for piece in figures_json:
        digest.update(piece)
    tail = json.dumps(cover_key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest.update(f',"return":{tail}}}'.encode())
    return digest.hexdigest()
