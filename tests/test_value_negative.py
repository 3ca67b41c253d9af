"""`negative: warning` on a field source: a value below zero is kept and reported."""

from __future__ import annotations

import polars as pl

from fundflow.ingest.grid import Sheet, Workbook
from fundflow.ingest.specs.extract import FileContext, extract_tables
from fundflow.ingest.specs.spec import AdapterSpec


def _spec(negative: str) -> AdapterSpec:
    return AdapterSpec.model_validate({
        "id": "t", "version": "1", "name": "t", "funder": "F-T", "return_type": "finance",
        "match": {},
        "tables": [{"name": "lines", "kind": "finance", "fields": {
            "stream_id": {"const": "S-T"}, "period": {"const": "2025/26"},
            "measure": {"const": "forecast"}, "state": {"const": "forecast"},
            "amount": {"column": "Amount", "parser": "gbp_amount", "negative": negative},
        }}],
    })


def _run(negative: str) -> FileContext:
    sheet = Sheet("S", pl.DataFrame({"c0": ["Amount", "5.00", "-250.00"]}))
    ctx = FileContext(Workbook("t.csv", "0", "csv", [sheet]), "t.csv", _spec(negative))
    tables = list(extract_tables(ctx))
    assert tables[0].frame.get_column("amount").to_list() == [500, -25000]
    return ctx


def test_negative_warning_keeps_the_value_and_says_where() -> None:
    issues = _run("warning").issues
    assert [(i.code, i.severity.value, i.cell) for i in issues] == [
        ("value-negative", "warning", "A3")]


def test_negative_values_are_allowed_by_default() -> None:
    assert _run("allow").issues == []
