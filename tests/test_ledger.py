"""The ledger's invariants: exact money, atomic and idempotent imports, supersession."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ledger.migrations import MIGRATIONS
from fundflow.ledger.schema import MONEY, TABLES
from fundflow.ledger.store import LedgerError, add_submission, open_ledger
from fundflow.mapping.reference import bundled_reference
from fundflow.summary import summarise
from tests.ledger_helpers import batch

PENCE = st.integers(min_value=-(10**17), max_value=10**17)


def test_fresh_ledger_matches_declared_schema(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        for table in TABLES:
            got = con.execute(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [table.name],
            ).fetchall()
            want = [(c.name, c.type, "YES" if c.nullable else "NO") for c in table.columns]
            assert got == want, table.name


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "l.duckdb"
    with open_ledger(path):
        pass
    with open_ledger(path) as con:
        names = con.execute("SELECT name FROM schema_migration").fetchall()
    assert names == [(name,) for name, _ in MIGRATIONS]


def test_newer_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.duckdb"
    with open_ledger(path) as con:
        con.execute("INSERT INTO schema_migration VALUES ('9999_future', now())")
    with pytest.raises(LedgerError) as err, open_ledger(path):
        pass
    assert err.value.code == "ledger-newer"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(PENCE, min_size=1, max_size=20))
def test_money_round_trips_exactly(
    tmp_path_factory: pytest.TempPathFactory, amounts: list[int]
) -> None:
    path = tmp_path_factory.mktemp("l") / "l.duckdb"
    with open_ledger(path) as con:
        result = add_submission(con, batch(amounts))
        stored = [
            r[0]
            for r in con.execute("SELECT amount_gbp FROM finance_entry ORDER BY row_no").fetchall()
        ]
    assert stored == [Decimal(a).scaleb(-2) for a in amounts]
    assert all(isinstance(v, Decimal) for v in stored)
    assert result.total == Decimal(sum(amounts)).scaleb(-2)


def test_money_columns_are_decimal_never_float(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        for table in TABLES:
            for col in table.columns:
                if col.type == MONEY:
                    assert col.polars_type == pl.Int64()
                assert col.type not in {"DOUBLE", "FLOAT", "REAL"}
        types = {
            r[0] for r in con.execute("SELECT data_type FROM information_schema.columns").fetchall()
        }
    assert not types & {"DOUBLE", "FLOAT"}


def test_same_file_twice_is_unchanged(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        first = add_submission(con, batch([100, 200]))
        again = add_submission(con, batch([100, 200]))
        count = con.execute("SELECT count(*) FROM finance_entry").fetchone()[0]
    assert (first.status, again.status) == ("added", "unchanged")
    assert again.submission_id == first.submission_id
    assert count == 2


def test_correction_supersedes_and_keeps_history(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        first = add_submission(con, batch([100, 200]))
        second = add_submission(con, batch([100, 250], salt="v2"))
        current = con.execute("SELECT sum(amount_gbp) FROM current_finance").fetchone()[0]
        history = con.execute("SELECT count(*) FROM submission").fetchone()[0]
    assert second.status == "superseded"
    assert second.supersedes == first.submission_id
    assert current == Decimal("3.50")
    assert history == 2


def test_failed_write_leaves_ledger_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "l.duckdb"
    with open_ledger(path) as con:
        add_submission(con, batch([100]))
        bad = batch([1, 2, 3], stream="S-2")
        assert bad.finance is not None
        broken = bad.finance.with_columns(pl.lit("nonsense").alias("measure"))  # fails CHECK
        bad = type(bad)(**{**bad.__dict__, "finance": broken})
        with pytest.raises(LedgerError) as err:
            add_submission(con, bad)
        assert err.value.code == "submission-write-failed"
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM finance_entry").fetchone()[0] == 1
        # The connection is still usable after the rollback.
        assert add_submission(con, batch([5], stream="S-3")).status == "added"


def test_read_only_open_of_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(LedgerError) as err, open_ledger(tmp_path / "nope.duckdb", read_only=True):
        pass
    assert err.value.code == "ledger-missing"


def test_not_a_ledger_is_clear(tmp_path: Path) -> None:
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError) as err, open_ledger(path):
        pass
    assert err.value.code == "ledger-foreign"
    assert path.read_bytes() == b"this is not a database" * 100


# A simple model of what the ledger should hold after any sequence of imports.
OPS = st.lists(
    st.tuples(
        st.sampled_from(["S-1", "S-2"]),
        st.sampled_from(["2025-26 Q1", "2025-26 Q2"]),
        st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=4),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_any_sequence_keeps_one_current_per_key(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, str, list[int], int]]
) -> None:
    model: dict[tuple[str, str], list[int]] = {}
    seen: set[tuple[str, str, str]] = set()
    with open_ledger(tmp_path_factory.mktemp("l") / "l.duckdb") as con:
        for stream, period, amounts, salt in ops:
            b = batch(amounts, stream=stream, period=period, salt=str(salt))
            add_submission(con, b)
            if b.file_sha256 not in {s for _, _, s in seen}:
                model[(stream, period)] = amounts
                seen.add((stream, period, b.file_sha256))
        heads = con.execute(
            "SELECT stream_key, funder_period, count(*) FROM current_submission GROUP BY ALL"
        ).fetchall()
        totals = dict(
            con.execute(
                "SELECT stream_id || '|' || period_label, sum(amount_gbp) FROM current_finance "
                "GROUP BY ALL"
            ).fetchall()
        )
    assert all(n == 1 for _, _, n in heads)
    assert len(heads) == len(model)
    want = {f"{s}|{p}": Decimal(sum(a)).scaleb(-2) for (s, p), a in model.items()}
    assert totals == want


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=st.lists(PENCE, min_size=1, max_size=10))
def test_import_twice_equals_import_once(
    tmp_path_factory: pytest.TempPathFactory, amounts: list[int]
) -> None:
    dumps = []
    for times in (1, 2):
        with open_ledger(tmp_path_factory.mktemp("l") / "l.duckdb") as con:
            for _ in range(times):
                add_submission(con, batch(amounts))
            dumps.append(
                con.execute("SELECT * EXCLUDE (imported_at) FROM submission").fetchall()
                + con.execute("SELECT * FROM finance_entry ORDER BY row_no").fetchall()
            )
    assert dumps[0] == dumps[1]


def test_summary_counts_current_only(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        add_submission(con, batch([100, 200]))
        add_submission(con, batch([300], salt="v2"))
        result = summarise(con, bundled_reference())
    assert result.submissions_current == 1
    assert result.submissions_superseded == 1
    assert [(t.measure, t.amount) for t in result.totals] == [("spend", Decimal("3.00"))]


def test_duckdb_is_importable_version() -> None:
    assert duckdb.__version__
