"""The department's views from the compared figures kept when each return was collected
(`compared_return`) equal the views drawn from every collected figure (`compare_books`, the
route they replace), row by row and byte for byte; they are superseded with their return,
left alone by a refused file, and a ledger collected before them is still compared whole."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.collect import Prepared, prepare
from fundflow.collect.compared import with_compared
from fundflow.collect.slices import stored_figures
from fundflow.collect.views import Comparison, compare, compare_books, department
from fundflow.ledger.store import open_ledger
from fundflow.returns.scope import parse_period
from fundflow.sample.department import write_returns
from tests.test_collect import collect, make_reference, own_return
from tests.test_views_grouped import _ended

PERIOD = parse_period("2025-26", None, 4)


def _both(ledger: Path, *, read_only: bool = True, block: int = 2) -> tuple[Comparison,
                                                                          Comparison]:
    """(the stored route, the figures route) on the ledger."""
    with open_ledger(ledger, read_only=read_only) as con:
        dept = department(con, make_reference(), PERIOD, block=block)
        return compare(dept), compare_books(dept)


def _stored(ledger: Path) -> dict[str, dict[str, Any]]:
    with open_ledger(ledger, read_only=True) as con:
        return stored_figures(con, PERIOD.year, PERIOD.end)


def _rows(ledger: Path) -> list[tuple[Any, ...]]:
    with open_ledger(ledger, read_only=True) as con:
        return con.execute("SELECT * FROM compared_return ORDER BY submission_id").fetchall()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four partnerships: two sharing stream ids at different sizes, one with no stream
    live in the year, one collected from a Data CSV (no terms: no stored row)."""
    reference = make_reference()
    tmp = tmp_path_factory.mktemp("stored")
    files = [own_return(tmp, reference, "Eastbrook")[0],
             own_return(tmp, reference, "Westmere", 3)[0], _ended(tmp, reference),
             own_return(tmp, reference, "Figureton", 2, fmt="csv")[0]]
    code, results = collect(tmp / "dept.duckdb", *files)
    assert code == 0, results
    return tmp / "dept.duckdb"


def test_stored_rows_give_the_same_comparison_as_every_figure(ledger: Path) -> None:
    assert set(_stored(ledger)) == {"eastbrook", "westmere", "oldacre"}  # not the CSV's
    for read_only in (True, False):
        stored, books = _both(ledger, read_only=read_only)
        assert stored == books
        assert stored.model_dump_json() == books.model_dump_json()  # the same bytes
    assert {r.partnership_id for r in stored.rows} == {"eastbrook", "westmere", "oldacre",
                                                       "figureton"}


@settings(max_examples=3, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scale=st.integers(1, 4), count=st.integers(2, 6), seed=st.integers(0, 10**6),
       dropped=st.sets(st.integers(0, 5)))
def test_generated_partnerships_stored_or_not_equal_their_figures(
        tmp_path_factory: pytest.TempPathFactory, scale: int, count: int, seed: int,
        dropped: set[int]) -> None:
    """N generated partnerships (each its own scale of a template's figures and terms):
    the stored rows equal the rows drawn from their figures, and so does any mix of
    partnerships with and without stored rows (a row missing: read from the figures)."""
    tmp = tmp_path_factory.mktemp("generated")
    _, template = own_return(tmp, make_reference(), "Template", scale)
    files = write_returns(tmp / "returns", count, seed=seed, template=template)
    code, results = collect(tmp / "dept.duckdb", *files)
    assert code == 0, results
    stored = _stored(tmp / "dept.duckdb")
    assert len(stored) == count
    assert len({row["funding"] for row in stored.values()}) > 1 or count == 1
    gone = sorted(stored)[: len(dropped)]
    with open_ledger(tmp / "dept.duckdb") as con:
        whole = compare_books(department(con, make_reference(), PERIOD))
        assert compare(department(con, make_reference(), PERIOD)) == whole
        con.execute("DELETE FROM compared_return WHERE partnership_id IN (SELECT unnest(?))",
                    [gone])
        mixed = compare(department(con, make_reference(), PERIOD))
    assert mixed.model_dump_json() == whole.model_dump_json()


def test_a_resubmission_supersedes_its_stored_row(tmp_path: Path) -> None:
    reference = make_reference()
    first, _ = own_return(tmp_path, reference, "Eastbrook")
    second, _ = own_return(tmp_path, reference, "Eastbrook", 2, salt="-corrected")
    dept = tmp_path / "dept.duckdb"
    collect(dept, first)
    before = _stored(dept)["eastbrook"]
    code, results = collect(dept, second)
    assert code == 0 and results[0]["status"] == "replaced"
    after = _stored(dept)["eastbrook"]
    assert after["funding"] == 2 * before["funding"]
    assert len(_rows(dept)) == 2  # the earlier row stays, with its return, as history
    stored, books = _both(dept)
    assert stored == books and stored.rows[0].funding == after["funding"]


def test_a_refused_file_leaves_the_stored_rows_as_they_were(tmp_path: Path) -> None:
    reference = make_reference()
    good, _ = own_return(tmp_path, reference, "Eastbrook")
    other, _ = own_return(tmp_path, reference, "Westmere", 2)
    dept = tmp_path / "dept.duckdb"
    collect(dept, other)
    before = _rows(dept)
    assert len(before) == 1
    document = json.loads(good.read_text(encoding="utf-8"))
    document["stream_terms"][0]["award"] = "1.00"  # terms edited after the return was written
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    code, results = collect(dept, bad)
    assert code == 1 and results[0]["status"] == "refused"
    assert _rows(dept) == before


def test_a_ledger_collected_before_the_table_is_compared_from_its_figures(
        ledger: Path, tmp_path: Path) -> None:
    """A ledger from before migration 0005 opens read-only (no `ledger-truncated`), and
    every row comes from the figures; migrated, its empty table changes nothing."""
    _, expected = _both(ledger)
    old = tmp_path / "old.duckdb"
    old.write_bytes(ledger.read_bytes())
    with open_ledger(old) as con:
        con.execute("DROP TABLE compared_return")
        con.execute("DELETE FROM schema_migration WHERE name = '0005_compared_return'")
        con.execute("CHECKPOINT")
    assert _stored(old) == {}
    assert _both(old)[0] == expected
    with open_ledger(old) as con:  # opened for writing: migrated, the table empty
        assert con.execute("SELECT count(*) FROM compared_return").fetchone() == (0,)
    assert _both(old)[0].model_dump_json() == expected.model_dump_json()


def test_each_whole_year_return_gets_its_own_row_whatever_its_group(
        tmp_path: Path) -> None:
    """A return of an earlier quarter is not as at the year's end: no row. Every return of a
    whole year gets the row of its own figures, whatever it is grouped with (two returns of
    one partnership's year in one group are analysed in two rounds, never read as one), so
    the rows do not depend on which process read which file."""
    reference = make_reference()
    east = prepare(own_return(tmp_path, reference, "Eastbrook")[0])
    west = prepare(own_return(tmp_path, reference, "Westmere", 2)[0])
    assert east.batch is not None and west.batch is not None

    def period(p: Prepared, name: str) -> Prepared:
        assert p.batch is not None
        return dataclasses.replace(p, batch=dataclasses.replace(p.batch, funder_period=name))

    def rows(group: list[Prepared]) -> list[Any]:
        return [p.batch.compared for p in with_compared(group) if p.batch is not None]

    alone = rows([east, west])
    assert all(row is not None for row in alone)
    assert [row is not None for row in rows([period(east, "2025-26 Q2"),
                                              period(west, "2025-26 Q4")])] == [False, True]
    twice = rows([east, period(east, "2025-26 Q4"), west])
    assert twice[0].equals(alone[0]) and twice[1].equals(alone[0])
    assert twice[2].equals(alone[1])
    assert rows([east])[0].equals(alone[0]) and rows([west])[0].equals(alone[1])
    made = with_compared([east])
    assert with_compared(made)[0] is made[0]  # made once: a row already there is kept
