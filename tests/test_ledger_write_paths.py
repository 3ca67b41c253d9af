"""The two ways records reach DuckDB (the Arrow C stream for a few in memory, pyarrow's
streamed reader for many or spilled ones) store exactly the same rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ingest.spool import Spool
from fundflow.ledger import store as ledger
from fundflow.ledger.arrow_stream import ArrowStream
from fundflow.ledger.store import add_submission, open_ledger
from tests.ledger_helpers import batch, finance_frame

_ROWS = "SELECT amount_gbp, * EXCLUDE (submission_id) FROM finance_entry ORDER BY row_no"


def _stored(tmp: Path, name: str, amounts: list[int], *, spill: bool) -> list[tuple[object, ...]]:
    made = batch(amounts)
    if spill:  # the same records as a spool of parts of two, on disk
        spool = Spool(sums=("amount_gbp_pence",), spill_rows=0)
        frame = finance_frame(amounts)
        for at in range(0, frame.height, 2):
            spool.append(frame.slice(at, 2))
        assert spool.spilled
        made = ledger.SubmissionBatch(**{**made.__dict__, "finance": spool})
    with open_ledger(tmp / name) as con:
        result = add_submission(con, made)
        assert result.entries == len(amounts) and result.total * 100 == sum(amounts)
        return con.execute(_ROWS).fetchall()


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(-10**15, 10**15), min_size=1, max_size=12))
def test_every_path_stores_the_same_rows(tmp_path_factory: pytest.TempPathFactory,
                                         amounts: list[int]) -> None:
    tmp = tmp_path_factory.mktemp("paths")
    small = _stored(tmp, "small.duckdb", amounts, spill=False)
    spilled = _stored(tmp, "spilled.duckdb", amounts, spill=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger, "SMALL_ROWS", 0)  # held in memory, but past the small limit
        many = _stored(tmp, "many.duckdb", amounts, spill=False)
    assert small == spilled == many
    assert [row[0] * 100 for row in small] == amounts  # amount_gbp, exact pence


def test_a_column_of_only_nulls_reaches_duckdb(tmp_path: Path) -> None:
    """polars types a column of only nulls as Null, whose Arrow arrays DuckDB refuses unless
    they are given a type: a register naming funders without their type still imports."""
    funders = pl.DataFrame({"funder_id": ["F-1", "F-2"], "name": ["One", "Two"],
                            "funder_type": [None, None]})
    assert funders.schema["funder_type"] == pl.Null
    made = ledger.SubmissionBatch(**{**batch([100]).__dict__, "funders": funders})
    with open_ledger(tmp_path / "l.duckdb") as con:
        assert add_submission(con, made).status == "added"
        rows = con.execute("SELECT funder_id, funder_type FROM funder ORDER BY 1").fetchall()
    assert rows == [("F-1", None), ("F-2", None)]
    assert pl.DataFrame(ArrowStream(funders)).schema["funder_type"] == pl.String
