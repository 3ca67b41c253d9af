"""The return's transaction list as one typed polars frame, read row by row when asked.

A Tier 3 ledger of 1M entries lists its first 10,000 (`mapping.book.MAX_ENTRIES`): made into
validated `EntryRow` models they took about 0.07 s of `build_return`, and the workbook's
Transactions sheet, which reads them in bulk, turned them back into a frame. So
`Return.entries` is an `EntryTable`, like the Finance and Data rows: the frame the Book read
(money as Int64 pence, exact), whose models are made only for a writer that reads them one by
one (HTML, JSON). It validates from a list of rows (a JSON return read back) and serialises
as that list, so the model's schema and the JSON are unchanged.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import get_args

import polars as pl
from pydantic import BaseModel, ConfigDict

from fundflow.money import pence_to_decimal
from fundflow.returns.finance_table import trusted
from fundflow.returns.frame_table import FrameTable


class EntryRow(BaseModel):
    """One ledger entry of a Tier 3 stream (the transaction list), with its source cell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    date: date | None
    period_label: str
    description: str | None
    funder_category: str | None
    category: str
    cap_rev: str
    measure: str
    state: str
    basis: str
    amount: Decimal
    source: str
    sheet: str | None
    cell: str | None


SCHEMA: dict[str, pl.DataType] = {
    "stream_id": pl.String(), "date": pl.Date(), "period_label": pl.String(),
    "description": pl.String(), "funder_category": pl.String(), "category": pl.String(),
    "cap_rev": pl.String(), "measure": pl.String(), "state": pl.String(), "basis": pl.String(),
    "amount": pl.Int64(), "source": pl.String(), "sheet": pl.String(), "cell": pl.String(),
}
"""The frame's columns: `EntryRow`'s fields in order, the amount as Int64 pence."""
_REQUIRED = [name for name, field in EntryRow.model_fields.items()
             if type(None) not in get_args(field.annotation)]
"""The fields an entry always has."""
_AMOUNT = list(SCHEMA).index("amount")


class EntryTable(FrameTable[EntryRow]):
    """The transaction list of a return: a frame of `SCHEMA`, readable as `EntryRow`s."""

    __slots__ = ()
    row_model = EntryRow
    schema = SCHEMA
    pence = ("amount",)

    def __init__(self, frame: pl.DataFrame) -> None:
        super().__init__(frame)
        # The models are made without validation (`rows_of`): a null where `EntryRow`
        # takes none is refused here, as validating each row would refuse it.
        nulls = self.frame.select(pl.col(_REQUIRED).null_count()).row(0, named=True)
        if missing := [name for name, count in nulls.items() if count]:
            raise ValueError(f"entries without {', '.join(missing)}")

    def rows_of(self, frame: pl.DataFrame) -> list[EntryRow]:
        # The frame is typed (SCHEMA) and checked for nulls, so rows are made without
        # re-validation (`trusted`).
        return trusted(EntryRow, list(SCHEMA), (
            (*r[:_AMOUNT], pence_to_decimal(r[_AMOUNT]), *r[_AMOUNT + 1:])
            for r in frame.iter_rows()))
