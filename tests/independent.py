"""Independent reads of each sample layout: totals per measure computed with openpyxl or the
csv module straight from the file, without any of fundflow's readers, adapters or parsers, so
the import can be checked against something it did not produce.

One function per adapter id: `(path) -> {measure: Decimal total}`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl


def _pounds(value: object) -> Decimal:
    """A numeric cell as exact pounds (cells hold at most 2 decimals, or 3 in £000s)."""
    return Decimal(str(value))


def register(path: Path) -> dict[str, Decimal]:
    """The register holds streams: the sum of their awards (column G, rows with a stream id)."""
    ws = openpyxl.load_workbook(path, data_only=True)["Funding register"]
    assert ws["A4"].value == "Funder ID"
    total = sum((_pounds(ws.cell(r, 7).value) for r in range(5, ws.max_row + 1)
                 if ws.cell(r, 3).value), Decimal(0))
    return {"stream_award": total}


INDEPENDENT_TOTALS: dict[str, Callable[[Path], dict[str, Decimal]]] = {
    "funding-register": register,
}
