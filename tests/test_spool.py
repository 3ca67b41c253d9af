"""Large files in parts: extraction in chunks, spools on disk, one streamed insert.

The part sizes are made tiny here so that a file of a few hundred rows goes through every path
a file of a million rows takes (chunked unpivot, spilled parts, parts read back inside the
transaction); what the ledger holds must not depend on how the records were cut.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.ingest import spool as spool_module
from fundflow.ingest.importer import import_files
from fundflow.ingest.specs import extract
from fundflow.ingest.specs.registry import load_adapters
from fundflow.ingest.spool import Spool
from fundflow.ledger.store import LedgerError, SubmissionBatch, add_submission, open_ledger
from fundflow.sample import write_synthetic
from tests.ledger_helpers import finance_frame

ENTRY_COLUMNS = ("row_no", "stream_id", "period_label", "measure", "state", "cap_rev",
                 "funder_category", "source_sheet", "source_cell", "amount_raw", "amount_gbp")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-10**12, 10**12), max_size=20), max_size=12),
       st.integers(1, 40))
def test_spool_gives_back_every_part_in_order(parts: list[list[int]], spill: int) -> None:
    spool = Spool(distinct=("stream_id",), sums=("amount_gbp_pence",), spill_rows=spill)
    frames = [finance_frame(p, stream=f"S-{i % 3}") for i, p in enumerate(parts)]
    for frame in frames:
        spool.append(frame)
    kept = [f for f in frames if f.height]
    back = list(spool.parts())
    assert len(back) == len(kept) and all(a.equals(b) for a, b in zip(back, kept, strict=True))
    assert spool.height == sum(len(p) for p in parts)
    assert spool.total("amount_gbp_pence") == sum(sum(p) for p in parts)
    assert spool.values("stream_id") == {f"S-{i % 3}" for i, p in enumerate(parts) if p}
    assert spool.spilled == (spool.height > spill)
    spool.close()
    assert list(spool.parts()) == []


def test_a_spool_that_keeps_nothing_still_counts() -> None:
    spool = Spool(sums=("amount_gbp_pence",), spill_rows=1, keep=False)
    spool.append(finance_frame([5, -2]))
    spool.append(finance_frame([10]))
    assert (spool.height, spool.total("amount_gbp_pence")) == (3, 13)
    assert list(spool.parts()) == [] and not spool.spilled


def test_closing_a_spool_removes_its_files() -> None:
    spool = Spool(spill_rows=1)
    spool.append(finance_frame([1, 2, 3]))
    spool.append(finance_frame([4]))
    folder = spool._folder  # the private folder is what must disappear
    assert folder is not None and len(list(folder.iterdir())) == 2
    spool.close()
    assert not folder.exists()


def _batch(finance: Spool, sha: str = "a" * 64) -> SubmissionBatch:
    return SubmissionBatch(file_name="big.xlsx", file_sha256=sha, adapter_id="t",
                           adapter_version="1", return_type="finance", stream_key="S-1",
                           funder_period="2025-26 Q1", funder_id="F-1", finance=finance)


def test_a_spilled_spool_is_written_whole(tmp_path: Path) -> None:
    spool = Spool(spill_rows=10)
    amounts = list(range(-50, 250))
    for start in range(0, len(amounts), 7):
        part = finance_frame(amounts[start:start + 7])
        spool.append(part.with_columns(pl.int_range(start + 1, start + part.height + 1,
                                                    dtype=pl.Int32).alias("row_no")))
    assert spool.spilled
    with open_ledger(tmp_path / "l.duckdb") as con:
        added = add_submission(con, _batch(spool))
        rows = con.execute("SELECT row_no, amount_gbp FROM finance_entry ORDER BY row_no"
                           ).fetchall()
        sub = con.execute("SELECT entry_count, amount_total FROM submission").fetchone()
    assert added.entries == len(amounts) and added.total * 100 == sum(amounts)
    assert [r[0] for r in rows] == list(range(1, len(amounts) + 1))
    assert [int(r[1] * 100) for r in rows] == amounts
    assert sub == (len(amounts), added.total)


def test_a_bad_part_late_in_the_stream_leaves_nothing(tmp_path: Path) -> None:
    spool = Spool(spill_rows=5)
    for k in range(6):
        spool.append(finance_frame([k * 10 + 1, k * 10 + 2]))
    bad = finance_frame([999]).with_columns(pl.lit("spent").alias("measure"))  # not allowed
    spool.append(bad)
    with open_ledger(tmp_path / "l.duckdb") as con:
        with pytest.raises(LedgerError) as caught:
            add_submission(con, _batch(spool))
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("submission", "finance_entry", "issue")]
    assert caught.value.code == "submission-write-failed"
    assert counts == [0, 0, 0]


def _ledger_rows(ledger: Path) -> tuple[list[tuple[object, ...]], list[int]]:
    """Every entry without its position (a wide part is unpivoted column by column, so
    positions follow the cut), and the positions, which must still be 1..n."""
    with open_ledger(ledger, read_only=True) as con:
        rows = con.execute(f"SELECT {', '.join(ENTRY_COLUMNS[1:])} FROM finance_entry "
                           "ORDER BY source_sheet, source_cell, measure").fetchall()
        numbers = con.execute("SELECT row_no FROM finance_entry ORDER BY row_no").fetchall()
    return rows, [n for (n,) in numbers]


@pytest.mark.parametrize("shape", ["wide", "long"])
def test_records_cut_into_parts_make_the_same_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    adapters = load_adapters()[0]
    path = write_synthetic(tmp_path, rows=240, shape=shape, fmt="xlsx", seed=3)  # type: ignore[arg-type]
    whole = import_files([path], tmp_path / "whole.duckdb", adapters)[0]
    monkeypatch.setattr(extract, "CHUNK_RECORDS", 50)  # a wide part: 2 rows of 24 months
    monkeypatch.setattr(spool_module, "SPILL_ROWS", 120)
    spilled: list[bool] = []
    original = Spool.close

    def close(self: Spool) -> None:
        spilled.append(self.spilled)
        original(self)

    monkeypatch.setattr(Spool, "close", close)
    cut = import_files([path], tmp_path / "cut.duckdb", adapters)[0]
    assert whole.status == cut.status == "added"
    assert True in spilled  # the finance records really went to disk
    assert (cut.entries, cut.total) == (whole.entries, whole.total)
    checked = import_files([path], tmp_path / "never.duckdb", adapters, dry_run=True)[0]
    assert (checked.status, checked.entries, checked.total) == ("checked", cut.entries, cut.total)
    assert not (tmp_path / "never.duckdb").exists()
    rows, numbers = _ledger_rows(tmp_path / "cut.duckdb")
    assert (rows, numbers) == _ledger_rows(tmp_path / "whole.duckdb")
    assert numbers == list(range(1, cut.entries + 1))


def test_a_long_import_says_how_far_it_has_got(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapters = load_adapters()[0]
    path = write_synthetic(tmp_path, rows=60, shape="wide", fmt="xlsx", seed=5)  # type: ignore[arg-type]
    monkeypatch.setattr(extract, "CHUNK_RECORDS", 100)
    steps: list[tuple[str, int]] = []
    result = import_files([path], tmp_path / "l.duckdb", adapters,
                          on_step=lambda _, step, n: steps.append((step, n)))[0]
    checked = [n for step, n in steps if step == "checking"]
    assert steps[0] == ("reading", 0) and steps[-1] == ("saving", result.entries)
    assert len(checked) > 3 and checked == sorted(checked) and checked[-1] == result.entries
