"""The raw cell grid every reader produces and every adapter reads.

Readers never guess types and never drop rows: a sheet is a rectangle of cell texts (or null for
an empty cell) with its absolute position, so that every value found later can name its cell.
Cells whose value cannot be trusted as text (Excel error values, formulas with no saved result)
are listed in `flags`, because the fast readers turn them into blanks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fundflow.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:
    pl = lazy_module("polars")


@dataclass(frozen=True)
class Sheet:
    """One sheet as text.

    `cells` has one String column per sheet column, named `c0`, `c1`, ... relative to `col0`, and
    one row per sheet row starting at `row0` (both 0-based absolute indexes, so `cells[i, j]` is
    the cell at `cell_ref(row0 + i, col0 + j)`). Numbers keep their shortest exact text
    ("1234.5"), dates come as ISO text ("2025-04-01" or "2025-04-01 00:00:00"), booleans as
    "true"/"false". `flags` maps absolute (row, col) to a reason such as "error:#DIV/0!" or
    "formula-without-value".

    Workbook numbers as read through fastexcel 0.21 (pinned in tests/test_readers.py): shortest
    round-trip text in plain notation ("0.1", "1234.5", "0.0000001", "12345678901.23", "-0",
    "100000000000000000000"), except that fastexcel rounds to 9 decimals, so a number needing
    more comes back rounded ("0.333333333" for 1/3, "0.3" for 0.30000000000000004, "0" for
    1e-10), and integers beyond 2**53 come back as fastexcel prints the double. Date and
    datetime cells both come as "YYYY-MM-DD HH:MM:SS" (a date is "2025-04-01 00:00:00"); a
    time-only cell comes as "1899-12-31 12:30:00". Text is never trimmed (" 12 " stays).
    """

    name: str
    cells: pl.DataFrame
    row0: int = 0
    col0: int = 0
    visible: bool = True
    flags: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workbook:
    """A whole input file as read: every sheet in workbook order (CSV files have one sheet)."""

    path: str
    sha256: str
    format: str  # "xlsx", "xlsm", "csv", "ods", "xls"
    sheets: list[Sheet]

    def sheet(self, name: str) -> Sheet | None:
        """The sheet called `name`, or None."""
        return next((s for s in self.sheets if s.name == name), None)


def column_letters(col: int) -> str:
    """0-based column index to Excel letters: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) to an A1 reference: (0, 0) -> A1, (11, 1) -> B12."""
    return f"{column_letters(col)}{row + 1}"


def parse_cell_ref(ref: str) -> tuple[int, int]:
    """An A1 reference to 0-based (row, col); raises ValueError on anything else."""
    ref = ref.strip().upper().replace("$", "")
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    letters, digits = ref[:i], ref[i:]
    if not letters or not digits.isdigit() or len(letters) > 3 or int(digits) < 1:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1
