"""Generated long and wide files import with exactly the totals the generator wrote."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ingest.importer import prepare_file
from fundflow.ingest.specs.registry import load_adapters
from fundflow.sample import write_synthetic


@pytest.fixture(scope="module")
def adapters():  # type: ignore[no-untyped-def]
    return load_adapters()[0]


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.integers(1, 300),
    shape=st.sampled_from(["long", "wide"]),
    fmt=st.sampled_from(["xlsx", "csv"]),
    seed=st.integers(0, 10_000),
)
def test_imported_totals_equal_generated_totals(
    tmp_path_factory: pytest.TempPathFactory, adapters, rows: int, shape: str, fmt: str,  # type: ignore[no-untyped-def]
    seed: int,
) -> None:
    folder = tmp_path_factory.mktemp("syn")
    path = write_synthetic(folder, rows=rows, shape=shape, fmt=fmt, seed=seed)  # type: ignore[arg-type]
    want = json.loads(Path(f"{path}.totals.json").read_text())["totals_pence"]
    batch, result = prepare_file(path, adapters)
    assert batch is not None, [i.message for i in result.issues][:5]
    assert batch.frame("finance") is not None
    got = dict(batch.frame("finance").group_by("measure").agg(pl.col("amount_gbp_pence").sum())
               .iter_rows())
    assert got == {k: v for k, v in want.items() if v or k in got}
