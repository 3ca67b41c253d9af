"""Collecting fast without trusting less: the figures read straight from the JSON give the
frame and the hashes pydantic's reading gives, anything else is read by pydantic, and returns
written a group to a transaction are decided, kept or refused exactly as one by one."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import from_json, to_json

from fundflow.collect import Collected, Prepared, collect_files, reader, write_group
from fundflow.collect.interchange import receive
from fundflow.ledger.store import LedgerError, add_submissions, open_ledger
from fundflow.mapping.reference import Reference
from fundflow.returns.data_table import (
    DATA_COLUMNS,
    DataRow,
    DataTable,
    content_hash,
    figures_hash,
)
from fundflow.returns.model import context_hash
from tests.test_collect import make_reference, own_return, snapshot
from tests.test_return import entry, finance

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)
"""Any text a file may hold: control characters, quotes, backslashes, non-ASCII."""


@st.composite
def rows(draw: st.DrawFn) -> DataRow:
    pence = draw(st.integers(-10**15, 10**15))
    month = draw(st.none() | st.dates(date(1000, 1, 1), date(9999, 12, 1)))
    return DataRow(
        partnership=draw(TEXT), funder_id=draw(TEXT), stream_id=draw(TEXT),
        tier=draw(st.integers(-3, 2**40)), month=month, year=draw(st.none() | TEXT),
        quarter=draw(st.none() | TEXT), measure=draw(TEXT), state=draw(TEXT),
        basis=draw(TEXT), subjective=draw(TEXT), objective=draw(st.none() | TEXT),
        cap_rev=draw(TEXT), funding_source=draw(TEXT),
        funder_category=draw(st.none() | TEXT), amount=Decimal(pence).scaleb(-2),
        amount_pence=pence, apportioned=draw(st.booleans()), counted=draw(st.booleans()),
        source=draw(TEXT))


@settings(max_examples=25, deadline=None)
@given(st.lists(rows(), max_size=4), st.booleans())
def test_figures_read_from_json_are_pydantics_and_hash_the_same(
        figures: list[DataRow], sorted_keys: bool) -> None:
    """Whichever key order the writer used (`fundflow return`: the columns' order; `sample
    --returns`: sorted), the frame and both hashes equal those made from the model's rows."""
    keys = sorted(DATA_COLUMNS) if sorted_keys else DATA_COLUMNS
    dumped = [{k: r.model_dump(mode="json")[k] for k in keys} for r in figures]
    got = reader._figures(from_json(to_json(dumped)))
    assert got is not None
    table, text = got
    assert table.frame.equals(DataTable.from_rows(figures).frame)
    key = {"partnership": "P", "year": "2025-26", "quarter": None, "basis": "b",
           "funder": None}
    assert figures_hash(key, [text]) == content_hash(key, DataTable.from_rows(figures))
    assert reader.context_hash([], text) == context_hash([], figures)
    assert reader.canonical_rows(table) == text


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Reference]:
    reference = make_reference()
    path, _ = own_return(tmp_path_factory.mktemp("reader"), reference, "Eastbrook")
    return path, reference


def _first_row(edit: Any) -> Any:
    def change(document: dict[str, Any]) -> None:
        edit(document["data"][0])
    return change


@pytest.mark.parametrize("change", [
    _first_row(lambda row: row.update(amount=float(row["amount"]))),
    _first_row(lambda row: row.update(amount=row["amount"] + "0")),
    _first_row(lambda row: row.update(tier=str(row["tier"]))),
    _first_row(lambda row: row.update(counted=int(row["counted"]))),
    _first_row(lambda row: row.update(month=row["month"] + "T00:00:00") if row["month"]
               else None),
], ids=["money-as-number", "money-three-places", "tier-as-text", "bool-as-number",
        "month-with-time"])
def test_a_figure_not_as_written_is_read_by_pydantic_as_before(
        tmp_path: Path, written: tuple[Path, Reference], change: Any) -> None:
    """Forms pydantic accepts are still accepted, read by pydantic: the same figures."""
    good, _ = written
    document = json.loads(good.read_bytes())
    change(document)
    data = json.dumps(document).encode()
    assert reader.read(data) is None
    edited = tmp_path / "edited.json"
    edited.write_bytes(data)
    got, _ = receive(edited)
    want, _ = receive(good)
    assert got is not None and want is not None
    assert got.rows.frame.equals(want.rows.frame)


@pytest.mark.parametrize("change", [
    _first_row(lambda row: row.pop("basis")),
    _first_row(lambda row: row.update(extra=1)),
    _first_row(lambda row: row.update(counted="maybe")),
    lambda document: document["cover"].pop("content_hash"),
], ids=["missing-key", "extra-key", "not-a-bool", "cover-incomplete"])
def test_a_file_that_is_not_a_return_is_named_by_pydantic(
        tmp_path: Path, written: tuple[Path, Reference], change: Any) -> None:
    good, _ = written
    document = json.loads(good.read_bytes())
    change(document)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    got, issues = receive(bad)
    assert got is None
    assert [i.code for i in issues] == ["collect-unreadable"]


# --- a group to a transaction ------------------------------------------------------------------

def _batches(salt: str, *, basis: str = "defrayed") -> list[Any]:
    start, end = date(2025, 4, 1), date(2025, 6, 30)
    return [finance(f"S-{n}", "F-1", "Q1", [entry(100 * n + 1, start, end, basis=basis)], salt)
            for n in range(1, 4)]


def test_a_group_decides_each_return_as_one_by_one_would(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.duckdb") as con:
        first = add_submissions(con, _batches("a"))
        assert [r.status for r in first] == ["added"] * 3
        assert [r.total for r in first] == [Decimal("1.01"), Decimal("2.01"), Decimal("3.01")]
        again = _batches("a")
        again[1] = _batches("b")[1]  # S-2 Q1 sent again, corrected
        second = add_submissions(con, again)
        assert [r.status for r in second] == ["unchanged", "superseded", "unchanged"]
        assert second[1].supersedes == first[1].submission_id
        rows = con.execute("SELECT submission_id, count(*), sum(amount_gbp) FROM finance_entry "
                           "GROUP BY 1 ORDER BY 1").fetchall()
        assert len(rows) == 4 and all(n == 1 for _, n, _ in rows)
        with pytest.raises(ValueError, match="one file"):
            add_submissions(con, [_batches("c")[0], _batches("c")[0]])


def test_a_failed_group_changes_nothing_and_its_good_returns_are_written_alone(
        tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    with open_ledger(ledger) as con:
        add_submissions(con, _batches("old"))
    before = snapshot(ledger)
    group = [*_batches("new")[:2], _batches("bad", basis="no-such-basis")[2]]
    with open_ledger(ledger) as con:
        with pytest.raises(LedgerError):
            add_submissions(con, group)
    assert snapshot(ledger) == before
    prepared = [Prepared(Collected(Path(b.file_name)), b, 1, Decimal("0.00")) for b in group]
    with open_ledger(ledger) as con:
        results = write_group(con, prepared)
    assert [r.status for r in results] == ["replaced", "replaced", "refused"]
    assert results[2].issues[0].code == "submission-write-failed"


def test_collect_files_keeps_the_files_order_and_repeats_apart(
        tmp_path: Path, written: tuple[Path, Reference]) -> None:
    """The same file twice in one run: the second is unchanged, not a clash in one group."""
    good, _ = written
    cut = tmp_path / "cut.json"
    cut.write_bytes(good.read_bytes()[:-100])
    seen: list[str] = []
    with open_ledger(tmp_path / "dept.duckdb") as con:
        results = collect_files(con, [good, cut, good],
                                on_file=lambda r: seen.append(r.path.name))
    assert [r.status for r in results] == ["collected", "refused", "unchanged"]
    assert seen == [good.name, cut.name, good.name]
