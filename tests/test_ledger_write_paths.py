"""The two ways records reach DuckDB (the Arrow C stream for a few in memory, pyarrow's
streamed reader for many or spilled ones) store exactly the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow import ledger
from fundflow.ledger import add_submission, open_ledger
from fundflow.spool import Spool
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
