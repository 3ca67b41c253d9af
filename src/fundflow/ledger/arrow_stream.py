"""A polars frame handed to DuckDB through the Arrow C stream interface, without pyarrow.

DuckDB's `register` turns a polars frame into a pyarrow table first, and `relation.pl()`
builds one on the way out; importing pyarrow (with numpy) costs about 0.2 s of CPU, more
than `fundflow ledger summary` spends on its figures and a fifth of a 100k-row import. Both
libraries speak the Arrow PyCapsule interface (`__arrow_c_stream__`), which moves the same
buffers with neither copy nor pyarrow: `pl.DataFrame(relation)` reads a query's rows, and
`ArrowStream(frame)` is what DuckDB is given to read a frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fundflow.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:
    pl = lazy_module("polars")


@dataclass(frozen=True)
class ArrowStream:
    """A frame as DuckDB reads it: only its Arrow C stream, which DuckDB may open more than
    once (each call gives a fresh stream over the same chunks)."""

    frame: pl.DataFrame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The frame's chunks as an ArrowArrayStream capsule. A column of only nulls that
        polars typed as Null goes as text: Arrow's null arrays carry no validity bitmap,
        which DuckDB refuses ("non-zero null count but no validity bitmap")."""
        frame = self.frame.with_columns(pl.col(pl.Null).cast(pl.String))
        return frame.__arrow_c_stream__(requested_schema)
