"""Attack catalogue, paths: outputs go only where they should, and leave nothing behind.

An output that is the ledger, a device or a folder is refused before any work; a read-only
folder or a full disk is an issue with the earlier file unchanged; a killed writer's `.part`
files and spool folders are swept by the next run, and SIGTERM unwinds so they are removed at
once. See docs/security.md.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.cli import cli
from fundflow.ingest.spool import sweep_temporaries
from fundflow.outputs import OutputError, check_output, sweep_parts, write_atomic

DEAD_PID = 2**22 + 12345  # above Linux's pid_max: no process has it


def _return(ledger: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["return", "--year", "2025-26", "--out", str(out),
                                      "--ledger", str(ledger)])
    return result.exit_code, result.stderr


def test_out_equal_to_the_ledger_is_refused_and_the_ledger_kept(tmp_path: Path,
                                                                eastfold: Path) -> None:
    ledger = tmp_path / "ledger.json"
    shutil.copy(eastfold, ledger)
    before = ledger.read_bytes()
    code, err = _return(ledger, ledger)
    assert code == 2 and "output-is-ledger" in err
    link = tmp_path / "alias.json"
    link.symlink_to(ledger)
    code, err = _return(ledger, link)
    assert code == 2 and "output-is-ledger" in err
    assert ledger.read_bytes() == before


def test_devices_folders_and_pipes_are_refused(tmp_path: Path, eastfold: Path) -> None:
    device = tmp_path / "device.xlsx"
    device.symlink_to(os.devnull)
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    for path, kind in ((device, "a device"), (pipe, "a pipe")):
        code, err = _return(eastfold, path)
        assert code == 2 and "output-not-file" in err and kind in err
    code, err = _return(eastfold, folder)  # click refuses a folder itself
    assert code == 2 and "is a directory" in err
    refused = check_output(folder)
    assert refused is not None and "a folder" in refused.message
    assert device.is_symlink() and folder.is_dir() and not any(folder.iterdir())


@pytest.mark.parametrize(("number", "words"), [(errno.ENOSPC, "the disk is full"),
                                               (errno.EROFS, "the disk is read-only"),
                                               (errno.EACCES, "permission denied")])
def test_a_full_or_read_only_disk_is_an_issue_and_changes_nothing(
        tmp_path: Path, number: int, words: str) -> None:
    target = tmp_path / "return.xlsx"
    target.write_bytes(b"the earlier return")

    def writer(path: Path) -> None:
        path.write_bytes(b"half a ret")
        raise OSError(number, os.strerror(number))

    with pytest.raises(OutputError) as err:
        write_atomic(target, writer)
    assert err.value.issue.code == "output-write-failed" and words in err.value.issue.message
    assert target.read_bytes() == b"the earlier return"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["return.xlsx"]


def test_a_folder_that_cannot_be_made_is_an_issue(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    issue = None
    try:
        write_atomic(blocker / "return.xlsx", lambda p: p.write_bytes(b"x"))
    except OutputError as exc:
        issue = exc.issue
    assert issue is not None and issue.code == "output-write-failed"
    assert check_output(tmp_path / "new.xlsx") is None


def test_a_killed_writers_part_files_are_swept_but_a_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "return[1].xlsx"
    dead = tmp_path / f".return[1].xlsx.{DEAD_PID}.abc123.part"
    live = tmp_path / f".return[1].xlsx.{os.getpid()}.def456.part"
    other = tmp_path / f".other.xlsx.{DEAD_PID}.abc123.part"
    for path in (dead, live, other):
        path.write_bytes(b"partial")
    assert sweep_parts(target) == [dead]
    write_atomic(target, lambda p: p.write_bytes(b"whole"))
    assert target.read_bytes() == b"whole"
    assert live.exists() and other.exists() and not dead.exists()


def test_a_killed_runs_spool_folders_are_swept_at_the_next_start(tmp_path: Path) -> None:
    dead = tmp_path / f"fundflow-spool-{DEAD_PID}-x1"
    read = tmp_path / f"fundflow-read-{DEAD_PID}-x2"
    live = tmp_path / f"fundflow-spool-{os.getpid()}-x3"
    stranger = tmp_path / "someone-else-123"
    for folder in (dead, read, live, stranger):
        folder.mkdir()
        (folder / "part00000.arrow").write_bytes(b"x" * 100)
    assert sorted(sweep_temporaries(tmp_path)) == sorted([dead, read])
    assert live.exists() and stranger.exists()


def test_sigterm_removes_the_spool_of_the_run_it_stops(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys, time, polars as pl
        from fundflow.cli import exit_on_sigterm
        from fundflow.ingest.spool import Spool
        exit_on_sigterm()
        spool = Spool(spill_rows=1)
        spool.append(pl.DataFrame({"a": [1, 2, 3]}))
        print(spool._folder, flush=True)
        for _ in range(600):
            time.sleep(0.1)
    """)
    # Short sleeps, not one long one: polars has worker threads, and a process-directed
    # SIGTERM delivered to one of them leaves a single time.sleep(60) in the main thread
    # uninterrupted, so the handler would only run a minute later (CI saw exactly that).
    # Real runs execute bytecode all the time and reach the handler at once.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env=env)
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    assert folder.is_dir() and folder.parent == tmp_path
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 128 + signal.SIGTERM
    assert not folder.exists()
    assert tempfile.gettempdir() != str(tmp_path)  # the test did not change our own TMPDIR
