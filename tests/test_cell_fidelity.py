"""No value is dropped without a word: every non-empty cell a table reads ends as a value, a
reported problem or a missing marker (relsec F2, F3)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from fundflow.ingest.importer import prepare_file
from fundflow.ingest.specs import interpret
from fundflow.ingest.specs.registry import Loaded
from fundflow.ingest.specs.spec import AdapterSpec

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


def _ods_with_formulas(path: Path) -> Path:
    """An .ods as LibreOffice saves it: #DIV/0! keeps a stand-in value of 0 beside its error
    type, and a formula never calculated has no value at all."""
    import io
    import zipfile

    from fundflow.sample.ods import CONTENT_HEAD, CONTENT_TAIL, MANIFEST, MIMETYPE, _add

    def row(cell: str) -> str:
        return f"<table:table-row>{cell}</table:table-row>"

    body = ('<table:table table:name="Spend">'
            + row('<table:table-cell office:value-type="string"><text:p>Amount</text:p>'
                  "</table:table-cell>")
            + row('<table:table-cell office:value-type="float" office:value="12.5">'
                  "<text:p>12.5</text:p></table:table-cell>")
            + row('<table:table-cell table:formula="of:=1/0" office:value-type="float" '
                  'office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p>'
                  "</table:table-cell>")
            + row('<table:table-cell table:formula="of:=[.A2]*2"/>')
            + "</table:table>")
    head = CONTENT_HEAD.replace(
        'office:version="1.2">', 'xmlns:calcext="urn:org:documentfoundation:names:'
        'experimental:calc:xmlns:calcext:1.0" office:version="1.2">')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "mimetype", MIMETYPE, zipfile.ZIP_STORED)
        _add(archive, "META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED)
        _add(archive, "content.xml", head + body + CONTENT_TAIL, zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())
    return path


def test_ods_error_and_uncalculated_formulas_are_problems_not_zero(tmp_path: Path) -> None:
    """calamine reads an ODS #DIV/0! as 0 and a formula without a result as blank."""
    path = _ods_with_formulas(tmp_path / "drift.ods")
    batch, result = prepare_file(path, [Loaded(SPEC, tmp_path)])
    assert batch is None
    found = {(i.code, i.sheet, i.cell, i.value) for i in result.issues
             if i.severity.value == "error"}
    assert found == {("cell-error", "Spend", "A3", "#DIV/0!"),
                     ("formula-without-value", "Spend", "A4", None)}


def test_an_uncalculated_formula_on_the_last_row_is_a_problem(tmp_path: Path) -> None:
    """openpyxl saves formulas without results; the reader drops a trailing empty row."""
    path = _workbook(tmp_path, [10, "=A2*2"])
    batch, result = prepare_file(path, [Loaded(SPEC, tmp_path)])
    assert batch is None
    assert [(i.code, i.cell) for i in result.issues if i.severity.value == "error"] == [
        ("formula-without-value", "A3")]
