"""No value is dropped without a word: every non-empty cell a table reads ends as a value, a
reported problem or a missing marker (relsec F2, F3)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from fundflow.adapters import interpret
from fundflow.adapters.registry import Loaded
from fundflow.adapters.spec import AdapterSpec
from fundflow.importer import prepare_file

SPEC = AdapterSpec.model_validate({
    "id": "drift", "version": "1", "name": "Drift test", "funder": "F-T",
    "return_type": "finance", "match": {"file_name": "^drift"},
    "tables": [{
        "name": "spend", "kind": "finance", "sheet": "Spend", "period_convention": "UK_FY",
        "fields": {
            "stream_id": {"const": "S-T"}, "period": {"const": "2025-26 Q1"},
            "measure": {"const": "spend"},
            "amount": {"column": "Amount", "parser": "gbp_amount"},
        },
    }],
})


def _workbook(tmp_path: Path, amounts: list[Any]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append(["Amount"])
    for amount in amounts:
        ws.append([amount])
    path = tmp_path / "drift.xlsx"
    wb.save(path)
    return path


def test_text_after_many_numbers_is_read_not_dropped(tmp_path: Path) -> None:
    """Type drift past row 1000: fast readers infer a number column and null the text."""
    amounts: list[Any] = [1] * 1500 + ["1,234.00", "n/a"]
    batch, result = prepare_file(_workbook(tmp_path, amounts), [Loaded(SPEC, tmp_path)])
    assert batch is not None, result.issues
    assert batch.frame("finance") is not None
    assert result.total == Decimal("2734.00")
    assert batch.frame("finance").height == 1501


def test_a_value_lost_by_a_parser_is_reported(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real = interpret.parse_column

    def lossy(name: str, s: pl.Series, **options: Any) -> tuple[pl.Series, pl.Series]:
        values, reasons = real(name, s, **options)
        lost = s.fill_null("") == "42"
        return (pl.select(pl.when(lost).then(None).otherwise(values)).to_series(), reasons)

    monkeypatch.setattr(interpret, "parse_column", lossy)
    batch, result = prepare_file(_workbook(tmp_path, [10, 42, 7]), [Loaded(SPEC, tmp_path)])
    assert batch is None
    lost = [i for i in result.issues if i.code == "value-unaccounted"]
    assert [(i.cell, i.value) for i in lost] == [("A3", "42")]
