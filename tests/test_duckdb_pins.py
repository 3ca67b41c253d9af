"""DuckDB behaviours the ledger relies on or guards against (research/relsec.md F5, F6).

If an upgrade changes any of these, a test here fails first and loudly, so the ledger's
defences can be revisited instead of silently becoming wrong or unnecessary.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)")
    return c


def test_commit_after_error_silently_rolls_back(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO t VALUES (1, 10)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO t VALUES (1, 20)")
    con.execute("COMMIT")  # returns normally ...
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 0  # ... but kept nothing


def test_multi_statement_string_keeps_first_statement(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO t VALUES (1, 10); INSERT INTO t VALUES (1, 20)")
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_executemany_outside_transaction_is_not_atomic(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.ConstraintException):
        con.executemany("INSERT INTO t VALUES (?, ?)", [(1, 1), (2, 2), (1, 3)])
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 2


def test_rollback_after_error_discards_everything(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO t VALUES (5, 1)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO t VALUES (5, 2)")
    con.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 0


@pytest.mark.parametrize(("text", "stored"), [("1.005", "1.01"), ("0.125", "0.13")])
def test_decimal_cast_rounds_extra_places_silently(text: str, stored: str) -> None:
    got = duckdb.execute(f"SELECT CAST('{text}' AS DECIMAL(18,2))").fetchone()[0]
    assert got == Decimal(stored)  # why money is parsed in Python, never cast from text in SQL


@pytest.mark.parametrize("text", ["1_000", "1e3", " 12 "])
def test_decimal_cast_accepts_loose_text(text: str) -> None:
    assert duckdb.execute(f"SELECT CAST('{text}' AS DECIMAL(18,2))").fetchone()[0] is not None


def test_division_and_avg_of_decimal_give_double() -> None:
    row = duckdb.execute(
        "SELECT typeof(CAST(1 AS DECIMAL(18,2)) / 3), typeof(avg(CAST(1 AS DECIMAL(18,2))))"
    ).fetchone()
    assert row == ("DOUBLE", "DOUBLE")


@pytest.mark.parametrize(
    "pence", [0, 1, -1, 123456, 999_999_999_999_999_999, -999_999_999_999_999_999]
)
def test_pence_to_decimal_is_exact(pence: int) -> None:
    """The exact conversion the ledger uses on insert."""
    got, kind = duckdb.execute(
        "SELECT CAST(CAST(? AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,2)), "
        "typeof(CAST(CAST(? AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,2)))",
        [pence, pence],
    ).fetchone()
    assert kind == "DECIMAL(18,2)"
    assert got == Decimal(pence).scaleb(-2)


def test_pence_beyond_decimal_18_2_is_an_error() -> None:
    with pytest.raises(duckdb.Error):
        duckdb.execute(
            "SELECT CAST(CAST(? AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,2))", [10**18]
        ).fetchone()


def test_sum_of_decimal_stays_decimal() -> None:
    kind = duckdb.execute("SELECT typeof(sum(CAST(1 AS DECIMAL(18,2))))").fetchone()[0]
    assert kind.startswith("DECIMAL(38,2)")


def test_second_process_lock_message_mentions_lock(tmp_path: object) -> None:
    """open_ledger maps DuckDB's lock error by the word 'lock' in its message."""
    import subprocess
    import sys
    from pathlib import Path

    path = Path(str(tmp_path)) / "x.duckdb"
    holder = duckdb.connect(str(path))
    code = (
        "import duckdb,sys\n"
        "try:\n duckdb.connect(sys.argv[1])\n"
        "except duckdb.IOException as e:\n print('lock' in str(e).lower())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    holder.close()
    assert out.stdout.strip() == "True"
