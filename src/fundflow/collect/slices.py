"""A department's ledger a few partnerships at a time: memory flat in the number collected.

The department's views run every partnership's own analyses on its own Book. Building one
Book of the whole ledger first held every partnership's figures at once (4.8 GB at 1,000
partnerships, about ten times that at 10,000). Here the ledger is opened as a slice: an
in-memory DuckDB database that attaches the ledger file read-only and defines the views
`ledger.read` queries (`current_submission`, `current_finance`, ...) over only a block of
partnerships. `book.build_book` on a slice is the ledger's one read model, unchanged, over
fewer rows; a partnership's figures never depend on another's (every id is namespaced by its
partnership, `frames.NAMESPACE`), so its Book is the same from a slice as from the whole.

Each block is a run of partnerships in the order of their namespaced ids, so a block's stream
ids lie in one range (`bounds`): DuckDB skips the row groups outside it (zone maps), and
the ledger is not scanned whole once per block.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb

from fundflow.collect.frames import NAMESPACE, RETURN_TYPE
from fundflow.ledger.migrations import applied, migrate
from fundflow.ledger.read import Connection
from fundflow.ledger.schema import MIGRATION, TABLES

BLOCK = 50
"""Partnerships per slice: large enough that DuckDB's fixed cost per query is spread, small
enough that a slice's Book stays a few hundred MB whatever the department's size."""

_AFTER = chr(ord(NAMESPACE) + 1)
"""The character after the namespace separator: `pid + _AFTER` is above every `pid:...`."""


def ledger_path(con: Connection) -> str | None:
    """The ledger's file when it can be attached beside `con`, else None.

    DuckDB lets a second database in the process attach a file only when both open it
    read-only; a ledger opened for writing (or one in memory) is read as one Book."""
    rows = con.execute("SELECT path, readonly FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchall()
    if not rows or not rows[0][0] or not rows[0][1]:
        return None
    return str(rows[0][0])


COMPARED = ("streams", "funding", "ring_fenced", "ring_fenced_share", "short_term",
            "short_term_share", "cliff_3", "cliff_6", "cliff_12", "unspent_ring_fenced",
            "clawback_exposure", "breaches", "returns_per_year", "hours")
"""The compared figures `compared_return` holds, in the order `stored_figures` gives them."""


def stored_figures(con: Connection, year: str, as_at: date) -> dict[str, dict[str, Any]]:
    """Each partnership's compared figures for `year` as its current collected return states
    them at `as_at` (`compared_return`), by partnership id: one query, a row a partnership,
    whatever the number of figures. A partnership with two such current returns (two
    periods of the year both ending at `as_at`) is read from the later collected. Empty for
    a ledger from before the table (opened read-only, not yet migrated)."""
    if "0005_compared_return" not in applied(con):
        return {}
    rows = con.execute(
        f"SELECT c.partnership_id, {', '.join('c.' + name for name in COMPARED)} "
        "FROM compared_return c JOIN current_submission s USING (submission_id) "
        "WHERE s.return_type = ? AND c.year = ? AND c.as_at = ? "
        "QUALIFY row_number() OVER (PARTITION BY c.partnership_id "
        "ORDER BY s.imported_at DESC, c.submission_id DESC) = 1",
        [RETURN_TYPE, year, as_at]).fetchall()
    return {pid: dict(zip(COMPARED, figures, strict=True)) for pid, *figures in rows}


def blocks(pids: Sequence[str], size: int = BLOCK) -> list[list[str]]:
    """The partnerships in namespaced-id order, cut into blocks of `size`."""
    ordered = sorted(pids, key=lambda pid: pid + NAMESPACE)
    return [ordered[i:i + size] for i in range(0, len(ordered), max(size, 1))]


@contextmanager
def ledger_slice(path: str, pids: Sequence[str]) -> Iterator[Connection]:
    """A read-only view of the ledger at `path` holding only these partnerships' returns
    (`pids` a block from `blocks`, so their namespaced ids are one range)."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH {_literal(path)} AS dept (READ_ONLY)")
        con.execute("CREATE TABLE _block AS SELECT unnest(CAST(? AS VARCHAR[])) AS pid",
                    [list(pids)])
        low, high = bounds(pids)
        for sql in _VIEWS:
            con.execute(sql.format(low=_literal(low), high=_literal(high)))
        yield con
    finally:
        con.close()


@contextmanager
def scratch_ledger() -> Iterator[Connection]:
    """An empty ledger in memory (every migration applied): a few returns written into it
    are read back as a Book of their own (`compared`).

    Made once a process and emptied after each use: making it (migrations) was about 40 ms,
    a tenth of the compared figures of a chunk of returns. A use that fails (or whose
    emptying fails) drops it and the next use makes a new one, so no use ever sees
    another's rows."""
    con = _SCRATCH.pop() if _SCRATCH else _new_scratch()
    try:
        yield con
        for name in _SCRATCH_TABLES:
            con.execute(f"DELETE FROM {name}")
    except BaseException:
        con.close()  # a use that failed may have left anything behind: never reused
        raise
    _SCRATCH.append(con)


_SCRATCH: list[Connection] = []
"""The process's scratch ledger while no one uses it (`scratch_ledger`)."""
_SCRATCH_TABLES = tuple(t.name for t in reversed(TABLES) if t is not MIGRATION)
"""Every table a scratch ledger's returns may fill, dependants first."""


def _new_scratch() -> Connection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    migrate(con)
    return con


def bounds(pids: Sequence[str]) -> tuple[str, str]:
    """The bounds of every stream id of the partnerships `pids` (a block from `blocks`):
    [first + ':', last + ';'), as ids are namespaced `<partnership>:<id>`."""
    ordered = sorted(pids, key=lambda pid: pid + NAMESPACE)
    return ordered[0] + NAMESPACE, ordered[-1] + _AFTER


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_IN_RANGE = "stream_id >= {low} AND stream_id < {high}"
_VIEWS = (
    "CREATE VIEW submission AS SELECT * FROM dept.submission "
    "WHERE stream_key IN (SELECT pid FROM _block)",
    # The ledger's own definitions (0001_initial.sql), over the block's submissions.
    "CREATE VIEW current_submission AS SELECT s.* FROM submission s WHERE NOT EXISTS "
    "(SELECT 1 FROM submission n WHERE n.supersedes = s.submission_id)",
    "CREATE VIEW current_finance AS SELECT f.* FROM dept.finance_entry f "
    "JOIN current_submission USING (submission_id) WHERE f." + _IN_RANGE,
    "CREATE VIEW current_indicator AS SELECT i.* FROM dept.indicator_value i "
    "JOIN current_submission USING (submission_id) WHERE i." + _IN_RANGE,
    "CREATE VIEW current_stream AS SELECT t.* FROM dept.stream t "
    "JOIN current_submission USING (submission_id) WHERE t." + _IN_RANGE,
    "CREATE VIEW funder AS SELECT * FROM dept.funder",
    "CREATE VIEW issue AS SELECT i.* FROM dept.issue i "
    "WHERE i.submission_id IN (SELECT submission_id FROM submission)",
    "CREATE VIEW partnership AS SELECT * FROM dept.partnership "
    "WHERE partnership_id IN (SELECT pid FROM _block)",
)
