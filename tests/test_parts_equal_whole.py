"""Cutting every table into tiny parts changes nothing a finance officer sees.

The parts a large table is extracted in must be invisible: the same records, the same
control total and the same problems (typed totals against their lines, duplicates, spec checks,
bad period labels counted over every cell) whether a table comes whole or three records at a
time. Run over every sample file and, when `../shared` is there, a real MHCLG template of
each kind and the planted-mistake copies that exercise the whole-table checks (the other
rounds share their templates and would only make the suite slower).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fundflow.ingest.importer import FileResult, build_batch, expand_paths
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs import extract
from fundflow.ingest.specs.identify import identify
from fundflow.ingest.specs.registry import load_adapters
from fundflow.ledger.store import SubmissionBatch

ROOT = Path(__file__).resolve().parents[1]
MHCLG = ROOT.parent / "shared" / "corpus" / "real" / "mhclg"
REAL = ("TF_Round_4_TD_Funding_Failure.xlsx", "PF_Round_2_Success.xlsx",
        "PF_Round_2_General_Validation_Failures.xlsx")
FILES = expand_paths([ROOT / "sample_data"]) + [
    MHCLG / name for name in REAL if (MHCLG / name).is_file()]
RECORD_KINDS = ("finance", "indicators", "streams")


@pytest.fixture(scope="module")
def adapters():  # type: ignore[no-untyped-def]
    return load_adapters([ROOT / "adapters" / "examples"])[0]


def _seen(batch: SubmissionBatch, result: FileResult) -> tuple[object, ...]:
    """What the officer sees: counts, total, every problem, every record (in any order)."""
    issues = sorted((i.code, i.severity.value, i.sheet or "", i.cell or "", i.value or "",
                     i.message) for i in result.issues)
    records = []
    for kind in RECORD_KINDS:
        frame = batch.frame(kind)
        if frame is not None:
            rows = frame.drop("row_no").rows()
            records.append(sorted(rows, key=repr))
    return (result.entries, result.indicators, result.total, issues, records)


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_tables_in_parts_read_as_a_whole(
    path: Path, adapters, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    workbook, _ = read_workbook(path)  # read once; extraction runs twice
    assert workbook is not None
    spec = next(v.adapter.spec for v in identify(path, workbook, adapters) if v.claims)

    def extracted() -> tuple[object, ...]:
        result = FileResult(path, "checked")
        return _seen(build_batch(path, workbook, spec, result), result)

    whole = extracted()
    monkeypatch.setattr(extract, "CHUNK_RECORDS", 3)
    assert extracted() == whole


def test_a_problem_said_once_per_table_is_said_once_across_parts(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lookup miss is one issue per distinct text and a constant that does not parse is one
    issue per table: cutting the table into parts must not repeat them."""
    import polars as pl

    from fundflow.ingest.grid import Sheet, Workbook
    from fundflow.ingest.specs.extract import FileContext, extract_tables
    from fundflow.ingest.specs.spec import AdapterSpec

    spec = AdapterSpec.model_validate({
        "id": "t", "version": "1", "name": "t", "funder": "F-T", "return_type": "finance",
        "match": {},
        "tables": [{"name": "lines", "kind": "finance", "sheet": "Lines", "fields": {
            "stream_id": {"column": "Project",
                          "lookup_table": {"sheet": "Codes", "key_column": "A",
                                           "value_column": "B"}},
            "period": {"const": "2025/26"}, "measure": {"const": "spend"},
            "txn_date": {"const": "sometime", "parser": "uk_date"},
            "amount": {"column": "Amount", "parser": "gbp_amount"},
        }}],
    })
    lines = Sheet("Lines", pl.DataFrame({"c0": ["Project", *["P1", "P9"] * 6],
                                         "c1": ["Amount", *["1.00"] * 12]}))
    codes = Sheet("Codes", pl.DataFrame({"c0": ["P1"], "c1": ["S-1"]}))
    book = Workbook("t.xlsx", "0", "xlsx", [lines, codes])

    def problems() -> list[tuple[str, str | None]]:
        ctx = FileContext(book, "t.xlsx", spec)
        for _ in extract_tables(ctx):
            pass
        return sorted((i.code, i.cell) for i in ctx.issues)

    whole = problems()
    assert [code for code, _ in whole].count("lookup-no-match") == 1
    monkeypatch.setattr(extract, "CHUNK_RECORDS", 3)
    assert problems() == whole
