"""The return's Finance rows as one typed polars frame, read row by row when asked.

At 15,000 streams a return has about 260,000 Finance rows (stream x category x quarter).
Held as pydantic models they took about 300 MB of the return's memory (a dict, two Decimals
and seven fresh strings each) beside the frame they were made from, for writers that look at
one stream at a time. So `Return.finance` is a `FinanceTable`: the grouped frame (money as
Int64 pence, exact), a sequence of `FinanceRow` whose rows are made when they are read, a
stream's rows at a time for the Finance sheet (`by_stream`). Like `DataTable`, it validates
from a list of rows (a JSON return read back) and serialises as that list, so the model's
schema and the JSON are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import polars as pl
from pydantic import BaseModel, ConfigDict

from fundflow.money import pence_to_decimal
from fundflow.returns.frame_table import FrameTable


class FinanceRow(BaseModel):
    """Actual and forecast for one stream at its tier's grain (None: not asked at that tier)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    funder_id: str
    stream_id: str
    tier: int
    year: str
    quarter: str | None
    measure: str
    basis: str
    category: str
    cap_rev: str | None
    actual: Decimal
    forecast: Decimal


M = TypeVar("M", bound=BaseModel)


def trusted(model: type[M], names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[M]:
    """Models from rows that hold every field (`names`, in the rows' order), each of the
    right type (a typed frame's rows): what `model_construct` makes, without its per-field
    pass for defaults and aliases, which cost 7 s of a 15,000-stream return's 260,000
    Finance rows under the profiler. Names that are not exactly the model's fields, and rows
    of another length, are refused."""
    fields_set = frozenset(names)
    if fields_set != frozenset(model.model_fields) or len(names) != len(fields_set):
        raise ValueError(f"{model.__name__} has the fields {sorted(model.model_fields)}")
    new, put = model.__new__, object.__setattr__
    out: list[M] = []
    for row in rows:
        if len(row) != len(names):
            raise ValueError(f"{model.__name__} needs {len(names)} values, got {len(row)}")
        item = new(model)
        put(item, "__dict__", dict(zip(names, row, strict=True)))
        put(item, "__pydantic_fields_set__", set(fields_set))
        put(item, "__pydantic_extra__", None)
        put(item, "__pydantic_private__", None)
        out.append(item)
    return out

KEYS = ["funder_id", "stream_id", "tier", "year", "quarter", "measure", "basis", "category",
        "cap_rev"]
"""A Finance row's grain, in the order the rows are sorted."""
SCHEMA: dict[str, pl.DataType] = {
    "funder_id": pl.String(), "stream_id": pl.String(), "tier": pl.Int64(),
    "year": pl.String(), "quarter": pl.String(), "measure": pl.String(), "basis": pl.String(),
    "category": pl.String(), "cap_rev": pl.String(), "actual": pl.Int64(),
    "forecast": pl.Int64(),
}
"""The frame's columns: `FinanceRow`'s fields, money as Int64 pence."""


class FinanceTable(FrameTable[FinanceRow]):
    """The Finance rows of a return: a frame of `SCHEMA`, readable as `FinanceRow`s."""

    __slots__ = ()
    row_model = FinanceRow
    schema = SCHEMA
    pence = ("actual", "forecast")

    def by_stream(self, columns: Sequence[str]) -> dict[str, Callable[[], list[tuple[Any, ...]]]]:
        """Each stream's rows as tuples of `columns` (money in Int64 pence), made when asked
        (streams in order of first appearance): a writer going stream by stream holds one
        stream's rows at a time, and no models (making 260,000 `FinanceRow`s with their
        Decimals was a third of the Finance sheet's time at 15,000 streams). A stream's
        rows are one run of the table as `finance_rows` sorts it, taken as a slice (a gather
        of 15,000 scattered runs cost more than making every model)."""
        groups = (self.frame.with_row_index("_at").group_by("stream_id", maintain_order=True)
                  .agg(first=pl.col("_at").first(), last=pl.col("_at").last(),
                       count=pl.len(), at=pl.col("_at")))
        runs = (groups["last"] - groups["first"] + 1 == groups["count"]).all()
        frame = self.frame.select(columns)
        return {stream: (partial(_slice, frame, first, count) if runs
                         else partial(_gather, frame, at))
                for stream, first, _, count, at in groups.iter_rows()}

    def rows_of(self, frame: pl.DataFrame) -> list[FinanceRow]:
        # The frame is typed (SCHEMA), so rows are made without re-validation (`trusted`).
        return trusted(FinanceRow, list(SCHEMA), (
            (*r[:-2], pence_to_decimal(r[-2]), pence_to_decimal(r[-1]))
            for r in frame.iter_rows()))


def _slice(frame: pl.DataFrame, first: int, count: int) -> list[tuple[Any, ...]]:
    return frame.slice(first, count).rows()


def _gather(frame: pl.DataFrame, at: list[int]) -> list[tuple[Any, ...]]:
    return frame[at].rows()
