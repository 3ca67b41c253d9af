"""The Book: one read of the ledger behind every output, and one module that reads the ledger."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "fundflow"
READERS = {
    "ledger_read.py": "owns every SELECT on the ledger",
    "ledger.py": "the write side: one transaction per submission, with its own checks",
    "migrations.py": "schema changes and the record of migrations applied",
}
_RUNS_SQL = {"execute", "executemany", "sql", "query", "fetchall", "fetchone", "fetchdf",
             "read_sql"}


def _sql_calls(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _RUNS_SQL):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}(...)")
    return found


def test_only_the_read_module_runs_sql_on_the_ledger() -> None:
    offenders = [call for path in sorted(SRC.rglob("*.py")) if path.name not in READERS
                 or path.parent != SRC for call in _sql_calls(path)]
    assert offenders == [], "SQL on the ledger outside ledger_read.py: " + ", ".join(offenders)


def test_the_check_catches_a_query(tmp_path: Path) -> None:
    """The scan is not vacuous: a module that runs a query is reported."""
    module = tmp_path / "sneaky.py"
    module.write_text('def f(con):\n    return con.execute("SELECT 1").fetchall()\n')
    assert len(_sql_calls(module, tmp_path)) == 2
