"""Checks that a file is a fundflow ledger this fundflow can use, before reading or writing it.

`--ledger` is typed by a person and the file behind it may be anything: another program's
DuckDB database (which `import` must not turn into a ledger by adding its tables), a
spreadsheet, a copy cut short on a full disk, a ledger written by a newer fundflow, or a backup
restored beside the journal (`.wal`) of the copy it replaced. Each is a clear issue, and in each
case nothing is written. `open_ledger` runs `check_file` before DuckDB opens the file and
`check_opened` before any migration; `wal_problem` reads DuckDB's own refusal of a journal.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from fundflow.ledger.schema import MIGRATION, TABLES

_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_HEADER_BYTES = 3 * 4096  # the main header and the two database headers before the blocks
_DEMO = Path("fundflow-demo") / "eastbrook.duckdb"


class Problem(NamedTuple):
    """Why a ledger cannot be used: a catalogue code and its message parameters."""

    code: str
    params: dict[str, str]


def check_file(path: Path, *, read_only: bool) -> Problem | None:
    """What is wrong with the file itself, judged from its bytes (DuckDB not yet involved).

    A missing file is fine for a command that creates the ledger, and a problem naming the
    ledgers nearby for one that only reads. An empty file or one that does not start like a
    DuckDB database is foreign; so is a folder or a device.
    """
    if not path.exists():
        if read_only:
            return Problem("ledger-missing", {"path": str(path), "known": _nearby(path)})
        return None
    if not path.is_file():
        return Problem("ledger-foreign", {"path": str(path),
                                          "reason": "it is a folder or device, not a file"})
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        return Problem("ledger-unreadable", {"path": str(path),
                                             "reason": exc.strerror or str(exc)})
    if head[8:12] != _MAGIC:
        what = "it is empty" if not head else "it is not a DuckDB database file"
        return Problem("ledger-foreign", {"path": str(path), "reason": what})
    return None


def check_opened(con: Any, path: Path, known_migrations: list[str], *,
                 read_only: bool) -> Problem | None:
    """What is wrong with an opened DuckDB file as a ledger: cut short, another program's
    database, or written by a newer fundflow. A database with no tables at all is a new
    ledger (fundflow creates its file that way); anything else must carry fundflow's
    migration table and every table of the schema."""
    short = _truncated(con, path)
    if short is not None:
        return short
    tables = {name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()}
    if not tables:
        return Problem("ledger-foreign", {"path": str(path), "reason": "it is an empty DuckDB "
                                          "database, not a ledger yet"}) if read_only else None
    if MIGRATION.name not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (" …" if len(tables) > 5 else "")
        return Problem("ledger-foreign", {
            "path": str(path),
            "reason": f"it is a DuckDB database of another program (tables {shown})"})
    applied = [n for (n,) in con.execute(f"SELECT name FROM {MIGRATION.name}").fetchall()]
    unknown = [n for n in applied if n not in known_migrations]
    if unknown:
        return Problem("ledger-newer", {"path": str(path), "migration": ", ".join(unknown)})
    # a table made by a migration the file has not had yet (read-only) is not missing
    missing = sorted(t.name for t in TABLES if t.name not in tables and t.since in applied)
    if applied and missing:
        return Problem("ledger-truncated", {
            "path": str(path), "reason": f"its tables {', '.join(missing)} are missing"})
    return None


def wal_problem(path: Path, message: str) -> Problem | None:
    """DuckDB's refusal of a journal that belongs to another copy of the database, said in
    words: typically a backup restored over the ledger while its `.wal` stayed."""
    if "WAL" in message and ("does not match" in message or "replaying" in message):
        wal = path.with_name(path.name + ".wal")
        return Problem("ledger-wal-stale", {"path": str(path), "wal": str(wal)})
    return None


def _truncated(con: Any, path: Path) -> Problem | None:
    """The file is shorter than the blocks in use its header counts: a copy cut short. (An
    in-memory database, `:memory:`, has no file and nothing to cut.)

    Blocks in use, not all blocks: DuckDB counts free blocks past the end of a file it
    has shortened at a checkpoint (a department's ledger after a thousand returns: 40
    blocks counted, 29 in use, 34 on disk, every row readable), so the total would
    call a whole ledger cut short."""
    if not path.is_file():
        return None
    row = con.execute("PRAGMA database_size").fetchone()
    if row is None:
        return None
    block_size, used_blocks = int(row[2]), int(row[4])
    expected = _HEADER_BYTES + block_size * used_blocks
    size = os.path.getsize(path)
    if size >= expected:
        return None
    return Problem("ledger-truncated", {
        "path": str(path),
        "reason": f"it is {size:,} bytes on disk but records {expected:,}"})


def _nearby(path: Path) -> str:
    """Ledgers the person may have meant: .duckdb files beside the path, and the demo's."""
    folder = path.parent if str(path.parent) else Path()
    try:
        found = sorted(p.name for p in folder.glob("*.duckdb") if p.is_file())[:8]
    except OSError:
        found = []
    if _DEMO.is_file() and str(_DEMO) not in found:
        found.append(str(_DEMO))
    if not found:
        return "; no ledger is in that folder (`fundflow import` creates one)"
    return "; ledgers nearby: " + ", ".join(found)
