"""Named schema migrations, recorded in each ledger file.

`0001_initial` creates the tables as they were first declared, frozen as text in
`sql/0001_initial.sql`, so a later migration (ALTER TABLE ... ADD COLUMN) works on a fresh
ledger as on an old one. When the declared schema changes, add a migration that brings a
ledger to it and change the declaration in the same commit: `tests/test_ledger.py` checks
that a ledger migrated from scratch matches the declaration column for column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fundflow.ledger.schema import MIGRATION

Statements = Callable[[], list[str]]


SQL_DIR = Path(__file__).parent / "sql"
"""Migrations frozen as the text they ran: a later migration that adds a column must find the
tables as 0001 left them, not as `schema.py` declares them today."""


def _frozen(name: str) -> Statements:
    def statements() -> list[str]:
        text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("--")]
        return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip()]
    return statements


MIGRATIONS: tuple[tuple[str, Statements], ...] = (
    ("0001_initial", _frozen("0001_initial")),
    # a file may be read again by a changed adapter: `submission.file_sha256` stops being
    # unique (DuckDB cannot drop a constraint, so the table is rebuilt; views bind by name)
    ("0002_reread", _frozen("0002_reread")),
    # a return may report spend to date: the Book turns such figures into period figures
    ("0003_cumulative_finance", _frozen("0003_cumulative_finance")),
    # a stream collected from a partnership's return says how much the partnership reported
    ("0004_collect14_reporting", _frozen("0004_collect14_reporting")),
    # a collected return's compared figures, so a department's views read a row a return
    ("0005_compared_return", _frozen("0005_compared_return")),
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
