"""`fundflow export --parquet`: every table and view, money exact, equal to the ledger."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ledger.store import add_submission, open_ledger
from tests.ledger_helpers import batch


def test_parquet_export_keeps_money_exact(tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    with open_ledger(ledger) as con:
        add_submission(con, batch([1, 10**15 + 7, -333]))
    result = CliRunner().invoke(cli, ["export", "--parquet", str(tmp_path / "pq"),
                                      "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect()
    path = str(tmp_path / "pq" / "current_finance.parquet")
    row = con.execute(f"SELECT sum(amount_gbp), typeof(sum(amount_gbp)) FROM '{path}'").fetchone()
    assert row[0] == Decimal(10**15 + 7 + 1 - 333).scaleb(-2)
    assert row[1].startswith("DECIMAL")
    assert (tmp_path / "pq" / "submission.parquet").exists()
