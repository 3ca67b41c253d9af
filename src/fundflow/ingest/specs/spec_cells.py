"""Spec building blocks: cell addresses, cells, in-workbook lookup lists, claimed cells.

Split from `fundflow.ingest.specs.spec` (which re-exports every name): checked cell references
and column letters, and the models that point at one cell. Every spec model forbids unknown
keys (`extra="forbid"`), so a misspelt key is an error, never silently ignored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from fundflow.ingest.grid import parse_cell_ref
from fundflow.ingest.specs.patterns import SpecPattern

MAX_OFFSET = 10_000
"""Offsets beyond this are typing mistakes, not templates."""


def _cell_address(text: str) -> str:
    """An A1 reference within Excel's grid, checked when the spec loads."""
    row, col = parse_cell_ref(text)
    if row >= 1_048_576 or col >= 16_384:
        raise ValueError(f"'{text}' is beyond the last cell of a sheet (XFD1048576)")
    return text


def _column_letters(text: str) -> str:
    """Column letters (A to XFD), checked when the spec loads."""
    if not (text.isascii() and text.isalpha()):
        raise ValueError(f"'{text}' is not column letters such as `C` or `AB`")
    _cell_address(f"{text}1")
    return text


CellAddress = Annotated[str, AfterValidator(_cell_address)]
"""A cell reference such as `B5` (`$B$5` too); `A0` or `5B` is a spec error."""
ColumnLetters = Annotated[str, AfterValidator(_column_letters)]
"""Column letters such as `C` or `AB`."""
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


class StrictModel(BaseModel):
    """A spec model: unknown keys are errors, and a loaded spec never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CellRef(StrictModel):
    """One cell: `sheet` (name) and either `ref` (A1 reference) or `anchor` (text to find).

    Templates move a question's answer down when rows are added above it, but keep its tag or
    label, so `anchor` finds the first cell matching a regular expression and the offsets step
    from there (`row_offset: 2` is the cell two rows below the tag).
    """

    sheet: str | None = Field(None, description="Sheet name; default: the table's sheet.")
    ref: CellAddress | None = Field(None, description="Cell reference such as `B5`.")
    anchor: SpecPattern | None = Field(
        None, description="Regular expression; the first cell (row by row) whose text matches."
    )
    row_offset: Offset = Field(0, description="Rows down from the anchor cell (with `anchor`).")
    column_offset: Offset = Field(
        0, description="Columns right of the anchor cell (with `anchor`).")

    @model_validator(mode="after")
    def _placed(self) -> CellRef:
        if (self.ref is None) == (self.anchor is None):
            raise ValueError("give exactly one of `ref` or `anchor`")
        return self


class TableLookup(StrictModel):
    """Map a value through a two-column list inside the workbook (like VLOOKUP, exact match).

    Funders ship their code lists in hidden sheets ("Project Lookup": project number to project
    id), so the spec names the sheet and the key and value columns instead of copying the list.
    """

    sheet: str = Field(description="Sheet holding the list (hidden sheets are read too).")
    key_column: ColumnLetters = Field(description="Column letters of the keys, e.g. `B`.")
    value_column: ColumnLetters = Field(description="Column letters of the values, e.g. `C`.")


class CellText(StrictModel):
    """A cell whose text must contain (or match) something for the adapter to claim a file."""

    sheet: str = Field(description="Sheet name.")
    ref: CellAddress = Field(description="Cell reference such as `A1`.")
    contains: str | None = Field(None, description="Text the cell must contain (any case).")
    pattern: SpecPattern | None = Field(
        None, description="Regular expression the cell must match.")
