"""A typed polars frame that reads as a sequence of pydantic rows: the return's big tables.

A return's Data and Finance rows number hundreds of thousands at 15,000 streams; held as
pydantic models they cost more memory and time than the rest of the return. So each is kept
as one typed frame (money exact), and a row is made only when a reader asks for it. In a
`Return` the table validates from a list of rows (a JSON return read back) and serialises as
that list, so the model's JSON schema and the JSON itself are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar, overload

import polars as pl
from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import core_schema

R = TypeVar("R", bound=BaseModel)

CHUNK = 50_000
"""Rows made into models at a time when the whole table is read."""


class FrameTable(Sequence[R], Generic[R]):
    """Rows of `row_model` held as `frame`, a frame of `schema` (money as Int64 pence in the
    `pence` columns, where the models hold Decimal pounds); subclasses say how a frame's rows
    become models."""

    __slots__ = ("frame",)
    row_model: ClassVar[type[BaseModel]]
    schema: ClassVar[dict[str, pl.DataType]]
    pence: ClassVar[tuple[str, ...]] = ()
    frame: pl.DataFrame

    def __init__(self, frame: pl.DataFrame) -> None:
        if list(frame.columns) != list(self.schema):
            raise ValueError(f"{type(self).__name__} columns must be {list(self.schema)}, "
                             f"not {frame.columns}")
        self.frame = frame.cast(self.schema)  # type: ignore[arg-type]

    @classmethod
    def from_rows(cls, rows: Sequence[Any]) -> Any:
        """A table from a list of rows (what validation hands over: a return read back from
        JSON); money must be whole pence."""
        if isinstance(rows, cls):
            return rows
        columns: dict[str, list[Any]] = {name: [getattr(r, name) for r in rows]
                                         for name in cls.schema}
        for name in cls.pence:
            columns[name] = [None if v is None else _whole_pence(v) for v in columns[name]]
        return cls(pl.DataFrame(columns, schema=cls.schema))

    def rows_of(self, frame: pl.DataFrame) -> list[R]:
        """The models of a slice of this table's frame."""
        raise NotImplementedError

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> R: ...

    @overload
    def __getitem__(self, index: slice) -> list[R]: ...

    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.frame.height)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self.rows_of(self.frame.slice(start, max(stop - start, 0)))
        if index < 0:
            index += self.frame.height
        if not 0 <= index < self.frame.height:
            raise IndexError(index)
        return self.rows_of(self.frame.slice(index, 1))[0]

    def __iter__(self) -> Iterator[R]:
        for start in range(0, self.frame.height, CHUNK):
            yield from self.rows_of(self.frame.slice(start, CHUNK))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return self.frame.equals(other.frame)
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == len(self) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking sequence, like a list

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.frame.height} rows)"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validates as a list of rows (then becomes a table), dumps as that list."""
        as_list = handler.generate_schema(list[cls.row_model])  # type: ignore[name-defined]
        from_list = core_schema.no_info_after_validator_function(cls.from_rows, as_list)
        return core_schema.json_or_python_schema(
            json_schema=from_list,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_list]),
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=as_list),
        )


def _whole_pence(amount: Decimal) -> int:
    pence = amount.scaleb(2)
    if pence != pence.to_integral_value():
        raise ValueError(f"an amount must be whole pence, not {amount}")
    return int(pence)
