"""Sheet-per-period files read once (`sheet_choice`), repeated records flagged (`unique`), and
a return period built from context values (`period: {template: ...}`)."""

from __future__ import annotations

from typing import Any

import polars as pl

from fundflow.ingest.grid import Sheet, Workbook
from fundflow.ingest.specs.extract import FileContext, extract_tables, scalar_value
from fundflow.ingest.specs.spec import AdapterSpec

FIELDS = {"stream_id": {"const": "S-T"}, "period": {"column": "Period"},
          "measure": {"const": "budget"}, "amount": {"column": "Amount", "parser": "gbp_amount"}}


def _spec(**table: Any) -> AdapterSpec:
    return AdapterSpec.model_validate({
        "id": "t", "version": "1", "name": "t", "funder": "F-T", "return_type": "finance",
        "match": {}, "context": {"fy": {"const": "2025/26"}, "q": {"const": "Q2"}},
        "period": {"template": "{q} {fy}"},
        "tables": [{"name": "lines", "kind": "finance", "fields": FIELDS, **table}],
    })


def _sheet(name: str, *rows: tuple[str, str], visible: bool = True) -> Sheet:
    cells = pl.DataFrame({"c0": ["Period", *(r[0] for r in rows)],
                          "c1": ["Amount", *(r[1] for r in rows)]})
    return Sheet(name, cells, visible=visible)


BOOK = Workbook("t.xlsx", "0", "xlsx", [
    _sheet("Q1", ("2025/26", "1.00")), _sheet("Q2", ("2025/26", "2.00")),
    _sheet("Q2 (old)", ("2024/25", "9.00"), visible=False)])


def _amounts(spec: AdapterSpec, book: Workbook = BOOK) -> tuple[list[int], FileContext]:
    ctx = FileContext(book, "t.xlsx", spec)
    parts = list(extract_tables(ctx))  # one part per sheet read
    return [a for part in parts for a in part.frame.get_column("amount").to_list()], ctx


def test_sheet_choice_reads_all_first_or_last_visible_match() -> None:
    assert _amounts(_spec(sheet_pattern="^Q"))[0] == [100, 200]
    assert _amounts(_spec(sheet_pattern="^Q", sheet_choice="first"))[0] == [100]
    assert _amounts(_spec(sheet_pattern="^Q", sheet_choice="last"))[0] == [200]


def test_repeated_unique_fields_are_imported_and_warned_once_per_repeat() -> None:
    book = Workbook("t.xlsx", "0", "xlsx", [
        _sheet("S", ("2025/26", "1.00"), ("2024/25", "1.00"), ("2025/26", "3.00"),
               ("2025/26", "4.00"))])
    amounts, ctx = _amounts(_spec(unique=["period"]), book)
    assert amounts == [100, 100, 300, 400]
    assert [(i.code, i.severity.value, i.cell, i.value) for i in ctx.issues] == [
        ("record-duplicate", "warning", "B4", "2025/26"),
        ("record-duplicate", "warning", "B5", "2025/26")]
    assert "first at B2" in ctx.issues[0].message


def test_return_period_template_uses_context_values() -> None:
    spec = _spec()
    ctx = FileContext(BOOK, "t.xlsx", spec)
    ctx.values.update({"fy": "2025/26", "q": "Q2"})
    assert spec.period is not None
    assert scalar_value(ctx, spec.period, None, None)[0] == "Q2 2025/26"
