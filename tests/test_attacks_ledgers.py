"""Attack catalogue, ledgers: a file that is not a whole fundflow ledger of a version this
fundflow reads is a clear issue before anything is read or written, and stays byte for byte
as it was. See docs/security.md."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ledger.schema import MIGRATION
from fundflow.ledger.store import LedgerError, open_ledger

HEADER = "Stream ID,Period,Category,Cap/Rev,Measure,State,Amount,Note"


def _digest(*paths: Path) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "" for p in paths]


def _refused(ledger: Path, code: str) -> None:
    """Every way in (write, read, CLI read, CLI import) refuses with `code`; nothing changes."""
    wal = ledger.with_name(ledger.name + ".wal")
    before = _digest(ledger, wal)
    for read_only in (False, True):
        with pytest.raises(LedgerError) as err, open_ledger(ledger, read_only=read_only):
            pass
        assert err.value.code == code
    summary = CliRunner().invoke(cli, ["ledger", "summary", "--ledger", str(ledger)])
    assert summary.exit_code == 1 and code in summary.stderr
    assert "Traceback" not in summary.output
    csv = ledger.parent / "synthetic_long_l.csv"
    csv.write_text(f"{HEADER}\nS-1,2025-26 Q1,Staff,revenue,spend,actual,1.00,\n")
    imported = CliRunner().invoke(cli, ["import", str(csv), "--ledger", str(ledger)])
    assert imported.exit_code == 1 and code in imported.stderr
    assert _digest(ledger, wal) == before


def test_another_programs_duckdb_is_foreign(tmp_path: Path) -> None:
    ledger = tmp_path / "crm.duckdb"
    con = duckdb.connect(str(ledger))
    con.execute("CREATE TABLE contacts (name VARCHAR)")
    con.close()
    _refused(ledger, "ledger-foreign")
    con = duckdb.connect(str(ledger), read_only=True)
    tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    con.close()
    assert tables == [("contacts",)]


@pytest.mark.parametrize("content", [b"", b"Name,Amount\nA,1\n" * 50, b"PK\x03\x04" + b"\0" * 99])
def test_a_file_that_is_not_duckdb_is_foreign(tmp_path: Path, content: bytes) -> None:
    ledger = tmp_path / "ledger.duckdb"
    ledger.write_bytes(content)
    _refused(ledger, "ledger-foreign")


def test_a_ledger_cut_short_is_truncated(tmp_path: Path, eastfold: Path) -> None:
    ledger = tmp_path / "copy.duckdb"
    data = eastfold.read_bytes()
    ledger.write_bytes(data[: len(data) // 2])
    _refused(ledger, "ledger-truncated")


def test_a_ledger_of_a_newer_fundflow_is_read_by_nothing(tmp_path: Path, eastfold: Path) -> None:
    ledger = tmp_path / "newer.duckdb"
    shutil.copy(eastfold, ledger)
    con = duckdb.connect(str(ledger))
    con.execute(f"INSERT INTO {MIGRATION.name} VALUES ('9999_future', now())")
    con.close()
    _refused(ledger, "ledger-newer")


def test_a_stale_journal_beside_a_restored_ledger_is_named(tmp_path: Path,
                                                           eastfold: Path) -> None:
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("SET checkpoint_threshold = '1GB'")
    con.execute("CREATE TABLE t (a INTEGER)")
    con.execute("INSERT INTO t VALUES (1)")
    con.close()
    ledger = tmp_path / "restored.duckdb"
    shutil.copy(eastfold, ledger)
    shutil.copy(other.with_name("other.duckdb.wal"), ledger.with_name("restored.duckdb.wal"))
    _refused(ledger, "ledger-wal-stale")


def test_a_missing_ledger_names_the_ledgers_nearby(tmp_path: Path, eastfold: Path) -> None:
    shutil.copy(eastfold, tmp_path / "eastbrook.duckdb")
    result = CliRunner().invoke(cli, ["ledger", "summary", "--ledger",
                                      str(tmp_path / "eastbrok.duckdb")])
    assert result.exit_code == 1
    assert "ledger-missing" in result.stderr and "eastbrook.duckdb" in result.stderr
    assert not (tmp_path / "eastbrok.duckdb").exists()


def test_a_damaged_block_that_passes_the_open_checks_is_unreadable(tmp_path: Path,
                                                                   eastfold: Path) -> None:
    """Garbage in one block of a whole ledger (a bad disk, a torn copy): DuckDB opens the file
    and only finds the bad checksum when a command reads that block. Each such block is a
    `ledger-unreadable` issue from the command, never a traceback, and the file is unchanged."""
    data = eastfold.read_bytes()
    block, headers = 262_144, 3 * 4096  # DuckDB's block size, after its three header blocks
    unreadable_after_open = 0
    for k in range((len(data) - headers) // block):
        ledger = tmp_path / f"damaged_{k}.duckdb"
        at = headers + k * block + 8  # past the block's checksum, so the checksum fails
        ledger.write_bytes(data[:at] + bytes(b ^ 0xFF for b in data[at:at + 64]) + data[at + 64:])
        before = _digest(ledger)
        try:
            duckdb.connect(str(ledger), read_only=True).close()
            opens = True
        except duckdb.Error:
            opens = False
        for argv in (["ledger", "summary"], ["return", "--year", "2025-26", "--out",
                                             str(tmp_path / f"r{k}.json")]):
            result = CliRunner().invoke(cli, [*argv, "--ledger", str(ledger)])
            assert result.exception is None or isinstance(result.exception, SystemExit), \
                result.output
            if result.exit_code != 0 and "ledger-unreadable" in result.stderr:
                assert "Corrupt database file" in result.stderr
                unreadable_after_open += opens
        assert _digest(ledger) == before
    assert unreadable_after_open > 0
