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

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar, overload

import polars as pl
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

from fundflow.money import pence_to_decimal


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
CHUNK = 50_000
"""Rows made into models at a time when the whole table is read."""


class FinanceTable(Sequence[FinanceRow]):
    """The Finance rows of a return: a frame of `SCHEMA`, readable as `FinanceRow`s."""

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        if list(frame.columns) != list(SCHEMA):
            raise ValueError(f"Finance columns must be {list(SCHEMA)}, not {frame.columns}")
        self.frame = frame.cast(SCHEMA)  # type: ignore[arg-type]

    @classmethod
    def from_rows(cls, rows: Sequence[FinanceRow]) -> FinanceTable:
        """A table from rows (a return read back from JSON); money must be whole pence."""
        if isinstance(rows, FinanceTable):
            return rows
        columns: dict[str, list[Any]] = {name: [getattr(r, name) for r in rows]
                                         for name in KEYS}
        for name in ("actual", "forecast"):
            columns[name] = [_pence(getattr(r, name)) for r in rows]
        return cls(pl.DataFrame(columns, schema=SCHEMA))

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> FinanceRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[FinanceRow]: ...

    def __getitem__(self, index: int | slice) -> FinanceRow | list[FinanceRow]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self.frame.height
        if not 0 <= index < self.frame.height:
            raise IndexError(index)
        return _rows(self.frame.slice(index, 1))[0]

    def __iter__(self) -> Iterator[FinanceRow]:
        for start in range(0, self.frame.height, CHUNK):
            yield from _rows(self.frame.slice(start, CHUNK))

    def by_stream(self) -> dict[str, Callable[[], list[FinanceRow]]]:
        """Each stream's rows, made when asked (streams in order of first appearance): a
        writer going stream by stream holds one stream's models at a time. A stream's rows
        are one run of the table as `finance_rows` sorts it, taken as a slice (a gather of
        15,000 scattered runs cost more than making every model)."""
        groups = (self.frame.with_row_index("_at").group_by("stream_id", maintain_order=True)
                  .agg(first=pl.col("_at").first(), last=pl.col("_at").last(),
                       count=pl.len(), at=pl.col("_at")))
        runs = (groups["last"] - groups["first"] + 1 == groups["count"]).all()
        return {stream: (partial(self._slice, first, count) if runs
                         else partial(self._gather, at))
                for stream, first, _, count, at in groups.iter_rows()}

    def _slice(self, first: int, count: int) -> list[FinanceRow]:
        return _rows(self.frame.slice(first, count))

    def _gather(self, at: list[int]) -> list[FinanceRow]:
        return _rows(self.frame[at])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FinanceTable):
            return self.frame.equals(other.frame)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking sequence, like a list

    def __repr__(self) -> str:
        return f"FinanceTable({self.frame.height} rows)"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validates as a list of `FinanceRow` (then becomes a table), dumps as that list."""
        as_list = handler.generate_schema(list[FinanceRow])
        from_list = core_schema.no_info_after_validator_function(cls.from_rows, as_list)
        return core_schema.json_or_python_schema(
            json_schema=from_list,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_list]),
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=as_list),
        )


def _pence(amount: Decimal) -> int:
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise ValueError(f"a Finance amount must be whole pence, not {amount}")
    return int(pence)


def _rows(frame: pl.DataFrame) -> list[FinanceRow]:
    # The frame is typed (SCHEMA), so rows are made without re-validation (`trusted`).
    return trusted(FinanceRow, list(SCHEMA), (
        (*r[:-2], pence_to_decimal(r[-2]), pence_to_decimal(r[-1]))
        for r in frame.iter_rows()))
