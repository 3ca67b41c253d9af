"""Crashes and concurrency: a killed writer or a second writer never corrupts the ledger."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fundflow.ledger.store import LedgerError, add_submission, open_ledger
from tests.ledger_helpers import batch

ROOT = Path(__file__).resolve().parents[1]

# The child writes a large submission and stops, mid-transaction, right after the finance
# rows are in, so the kill lands at the worst moment every time rather than by luck.
KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    import fundflow.ledger.store as L
    from tests.ledger_helpers import batch
    original = L._insert_parts
    def slow_insert(con, table, parts, submission_id, **kwargs):
        counted = original(con, table, parts, submission_id, **kwargs)
        if table.name == "finance_entry":
            print("inserted", flush=True)
            time.sleep(60)
        return counted
    L._insert_parts = slow_insert
    with L.open_ledger(sys.argv[1]) as con:
        L.add_submission(con, batch(list(range(300_000)), stream="S-BIG"))
    """
)

HOLDER = textwrap.dedent(
    """
    import sys, time
    from fundflow.ledger.store import open_ledger, add_submission
    from tests.ledger_helpers import batch
    with open_ledger(sys.argv[1]) as con:
        print("open", flush=True)
        time.sleep(3)
        add_submission(con, batch([42], stream="S-A"))
    """
)


def _child(code: str, ledger: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, str(ledger)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def test_sigkill_mid_submission_leaves_a_clean_ledger(tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    with open_ledger(ledger) as con:
        add_submission(con, batch([100, 200]))
    child = _child(KILLED_WRITER, ledger)
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == "inserted", child.stderr.read() if child.stderr else ""
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with open_ledger(ledger) as con:
        subs = con.execute("SELECT stream_key FROM submission").fetchall()
        rows = con.execute("SELECT count(*), sum(amount_gbp) FROM finance_entry").fetchone()
        # The ledger still takes new submissions after the crash.
        assert add_submission(con, batch([7], stream="S-after")).status == "added"
    assert subs == [("S-1",)]
    assert rows == (2, 3)


def test_second_writer_gets_ledger_in_use(tmp_path: Path) -> None:
    ledger = tmp_path / "l.duckdb"
    holder = _child(HOLDER, ledger)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "open"
    with pytest.raises(LedgerError) as err, open_ledger(ledger):
        pass
    assert err.value.code == "ledger-in-use"
    assert holder.wait(timeout=30) == 0
    with open_ledger(ledger, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission").fetchone()[0] == 1
