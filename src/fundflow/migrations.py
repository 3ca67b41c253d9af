"""Named schema migrations, recorded in each ledger file.

`0001_initial` creates the tables declared in `schema.py`. When the declared schema changes,
append a migration that brings an older ledger to it (ALTER TABLE ...) and change the
declaration in the same commit: `tests/test_ledger.py` checks that a ledger migrated from
scratch matches the declaration column for column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fundflow.schema import MIGRATION, SUBMISSION, TABLES, VIEWS

Statements = Callable[[], list[str]]


def _initial() -> list[str]:
    return [t.ddl() for t in TABLES if t is not MIGRATION] + [
        f"CREATE VIEW {name} AS {sql}" for name, sql in VIEWS.items()
    ]


def _rereadable() -> list[str]:
    """A file may be read again by a changed adapter: `submission.file_sha256` stops being
    unique. DuckDB cannot drop a constraint, so the table is rebuilt (views bind by name)."""
    return [
        f"CREATE TABLE submission_0002 {SUBMISSION.ddl().removeprefix('CREATE TABLE submission')}",
        "INSERT INTO submission_0002 SELECT * FROM submission",
        "DROP TABLE submission",
        "ALTER TABLE submission_0002 RENAME TO submission",
    ]


MIGRATIONS: tuple[tuple[str, Statements], ...] = (
    ("0001_initial", _initial),
    ("0002_reread", _rereadable),
)


class LedgerTooNew(Exception):
    """The file has migrations this version of fundflow does not know."""

    def __init__(self, unknown: list[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown = unknown


def applied(con: Any) -> list[str]:
    """Names of the migrations already applied to `con`'s ledger, or [] for a new file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [MIGRATION.name]
    ).fetchone()[0]
    if not exists:
        return []
    return [
        r[0] for r in con.execute(f"SELECT name FROM {MIGRATION.name} ORDER BY name").fetchall()
    ]


def migrate(con: Any) -> list[str]:
    """Apply every pending migration, each in its own transaction; returns the names applied."""
    done = applied(con)
    known = [name for name, _ in MIGRATIONS]
    unknown = [n for n in done if n not in known]
    if unknown:
        raise LedgerTooNew(unknown)
    if not done:
        con.execute(MIGRATION.ddl())
    ran = []
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for sql in statements():
                con.execute(sql)
            con.execute(
                f"INSERT INTO {MIGRATION.name} VALUES (?, ?)",
                [name, datetime.now(UTC).replace(tzinfo=None)],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        ran.append(name)
    return ran
