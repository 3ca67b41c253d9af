"""A file's issues come in the order of the file, every time: two builds of one return list
its Issues sheet alike (the period labels of a table were resolved in `unique()`'s order,
which varies between runs, so an F cell's note came after the Q cell's at random)."""

from __future__ import annotations

from pathlib import Path

from fundflow.ingest.importer import prepare_file
from tests.golden import load_adapters

SAMPLE = (Path(__file__).resolve().parents[1] / "sample_data" / "returns" / "dpc"
          / "TTF_Performance_Return_Eastbrook_H1-2025-26_v3.xlsx")


def _bounded_cells() -> list[tuple[str | None, str | None]]:
    adapters, _ = load_adapters()
    _, result = prepare_file(SAMPLE, adapters)
    return [(i.sheet, i.cell) for i in result.issues if i.code == "period-open-bounded"]


def test_a_tables_period_notes_follow_the_labels_first_cells() -> None:
    runs = [_bounded_cells() for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    cells = [cell or "" for _, cell in runs[0]]
    assert len(cells) == 8
    # each table's row: its earlier-years column (F) before its later-years column (Q)
    assert [cell[0] for cell in cells] == ["F", "Q"] * 4
