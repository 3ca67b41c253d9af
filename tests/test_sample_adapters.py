"""Every sample file imports through its bundled adapter, matches its golden rows, and its
total equals an independent read of the file (openpyxl or csv, never fundflow's readers)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fundflow.ingest.importer import expand_paths, prepare_file
from fundflow.ingest.specs.registry import load_adapters
from tests import golden
from tests.independent import INDEPENDENT_TOTALS

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
FILES = expand_paths([SAMPLE])


@pytest.fixture(scope="module")
def adapters():  # type: ignore[no-untyped-def]
    loaded, issues = load_adapters()
    assert not issues, issues
    return loaded


@pytest.mark.parametrize("sample", FILES, ids=[f.name for f in FILES])
def test_sample_file_imports_and_matches_golden(sample: Path, adapters) -> None:  # type: ignore[no-untyped-def]
    batch, result = prepare_file(sample, adapters)
    errors = [f"{i.code} {i.location()}: {i.message}" for i in result.issues
              if i.severity.value == "error"]
    assert batch is not None, "\n".join(errors)
    problem = golden.compare(sample, golden.dump(batch))
    assert problem is None, problem


@pytest.mark.parametrize("sample", FILES, ids=[f.name for f in FILES])
def test_sample_total_equals_independent_read(sample: Path, adapters) -> None:  # type: ignore[no-untyped-def]
    batch, _ = prepare_file(sample, adapters)
    assert batch is not None
    independent = INDEPENDENT_TOTALS.get(batch.adapter_id)
    assert independent is not None, f"no independent read for adapter {batch.adapter_id}"
    want = independent(sample)
    got: dict[str, Decimal] = {}
    if batch.frame("finance") is not None:
        for measure, pence in batch.frame("finance").group_by("measure").agg(
                __import__("polars").col("amount_gbp_pence").sum()).iter_rows():
            got[measure] = Decimal(pence).scaleb(-2)
    if batch.frame("streams") is not None and batch.frame("streams").height:
        got["stream_award"] = Decimal(int(batch.frame("streams")["award_pence"].sum())).scaleb(-2)
    assert got == want
