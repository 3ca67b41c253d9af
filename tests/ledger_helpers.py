"""Small builders for ledger tests: submissions made in the test, beside the assertion."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

from fundflow.ledger.store import SubmissionBatch


def finance_frame(
    amounts: list[int], stream: str = "S-1", funder: str = "F-1", period: str = "2025-26 Q1"
) -> pl.DataFrame:
    """A finance frame with one spend entry per amount (in pence)."""
    n = len(amounts)
    return pl.DataFrame(
        {
            "row_no": list(range(1, n + 1)),
            "source_sheet": ["Finance"] * n,
            "source_cell": [f"D{r + 5}" for r in range(n)],
            "stream_id": [stream] * n,
            "funder_id": [funder] * n,
            "period_label": [period] * n,
            "period_start": [date(2025, 4, 1)] * n,
            "period_end": [date(2025, 6, 30)] * n,
            "measure": ["spend"] * n,
            "state": ["actual"] * n,
            "cap_rev": ["revenue"] * n,
            "amount_gbp_pence": amounts,
        },
        schema_overrides={"amount_gbp_pence": pl.Int64, "row_no": pl.Int32},
    )


def batch(
    amounts: list[int],
    *,
    stream: str = "S-1",
    period: str = "2025-26 Q1",
    salt: str = "",
) -> SubmissionBatch:
    """A submission whose file hash follows from its content (and `salt`), like a real file."""
    sha = hashlib.sha256(f"{stream}|{period}|{amounts}|{salt}".encode()).hexdigest()
    return SubmissionBatch(
        file_name=f"{stream}_{period}.xlsx",
        file_sha256=sha,
        adapter_id="test",
        adapter_version="1",
        return_type="finance",
        stream_key=stream,
        funder_period=period,
        funder_id="F-1",
        finance=finance_frame(amounts, stream, period=period),
    )
