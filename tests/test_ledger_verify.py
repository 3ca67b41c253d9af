"""The ledger checks what an INSERT stored against what it was handed, inside the transaction,
so a short or rounded write is refused and nothing of the submission is kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from fundflow.ledger import opening, store
from fundflow.ledger.store import LedgerError, SubmissionBatch, add_submission, open_ledger


def test_check_written_refuses_a_short_or_different_write() -> None:
    store._check_written([(Decimal("1.00"),), (Decimal("2.50"),)], 2, 350)
    with pytest.raises(ValueError, match="stored 1 entries"):
        store._check_written([(Decimal("1.00"),)], 2, 350)
    with pytest.raises(ValueError, match=r"£3\.49"):
        store._check_written([(Decimal("1.00"),), (Decimal("2.49"),)], 2, 350)


def _batch() -> SubmissionBatch:
    finance = pl.DataFrame({
        "amount_gbp_pence": [150, 250], "stream_id": ["S-1"] * 2, "funder_id": ["F-1"] * 2,
        "period_label": ["Apr-25"] * 2, "period_start": [date(2025, 4, 1)] * 2,
        "period_end": [date(2025, 4, 30)] * 2, "measure": ["spend"] * 2,
        "state": ["actual"] * 2, "cap_rev": ["revenue"] * 2})
    return SubmissionBatch(file_name="f.xlsx", file_sha256="ab" * 32, adapter_id="a",
                           adapter_version="1", return_type="t", stream_key="S-1",
                           funder_period="Q1", finance=finance)


def test_more_entries_than_are_returned_are_counted_in_the_ledger(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> None:
        raise AssertionError("returned rows checked past CHECKED_ROWS")

    monkeypatch.setattr(store, "CHECKED_ROWS", 1)
    monkeypatch.setattr(store, "_check_written", never)
    scans: list[bool] = []
    verify = store._verify
    monkeypatch.setattr(store, "_verify", lambda con, result, name, *, scan: (
        scans.append(scan), verify(con, result, name, scan=scan))[1])
    with open_ledger(tmp_path / "l.duckdb") as con:
        added = add_submission(con, _batch())
    assert (added.entries, added.total, scans) == (2, Decimal("4.00"), [True])


def test_a_write_the_ledger_disagrees_with_changes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _batch()

    def disagree(stored: list[tuple[Decimal]], entries: int, pence: int) -> None:
        raise ValueError("the ledger stored 2 entries of £4.01 where 2 entries of £4.00 "
                         f"were written ({len(stored)}, {entries}, {pence})")

    monkeypatch.setattr(store, "_check_written", disagree)
    with open_ledger(tmp_path / "l.duckdb") as con:
        with pytest.raises(LedgerError) as raised:
            add_submission(con, batch)
        assert raised.value.code == "submission-write-failed"
        assert "£4.01" in raised.value.params["reason"]
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("submission", "finance_entry")]
    assert counts == [0, 0]


class _Sized:
    """A connection whose `PRAGMA database_size` says what a test needs."""

    def __init__(self, total: int, used: int) -> None:
        self.row = ("l", "", 262_144, total, used, total - used)

    def execute(self, sql: str) -> _Sized:
        assert sql == "PRAGMA database_size"
        return self

    def fetchone(self) -> tuple[object, ...]:
        return self.row


def test_free_blocks_past_a_shortened_file_are_not_a_cut_short_copy(tmp_path: Path) -> None:
    """Seen on a collected department ledger: 40 blocks counted, 29 in use, 34 on disk."""
    path = tmp_path / "l.duckdb"
    path.write_bytes(b"\0" * (3 * 4096 + 262_144 * 34))
    assert opening._truncated(_Sized(total=40, used=29), path) is None
    problem = opening._truncated(_Sized(total=40, used=35), path)
    assert problem is not None and problem.code == "ledger-truncated"
