"""A workbook's parse started early (`readers.start_early`) gives what a parse started by
`read_workbook` gives, and is still guarded: a file the guard refuses is refused the same way
and its parser stopped; a parse nobody takes is stopped and its folder removed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from fundflow.ingest import readers
from fundflow.ingest.guard import Limits, check_file
from fundflow.ingest.readers import abandon_early, read_workbook, start_early
from fundflow.ingest.readers.forked_guard import ForkedGuard
from fundflow.issues import Issue
from tests import hostile


@pytest.fixture(autouse=True)
def _nothing_left() -> object:
    yield
    abandon_early()


def _codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def test_an_early_parse_reads_the_same_workbook(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"B2": "12.5", "C3": "text", "D4": "7"})
    plain, plain_issues = read_workbook(path)
    start_early(path)
    assert len(readers._EARLY) == 1
    early, early_issues = read_workbook(path)
    assert not readers._EARLY  # taken, not started a second time
    assert plain is not None and early is not None
    assert _codes(early_issues) == _codes(plain_issues)
    assert [(s.name, s.row0, s.col0, s.flags) for s in early.sheets] == [
        (s.name, s.row0, s.col0, s.flags) for s in plain.sheets]
    assert all(a.cells.equals(b.cells) for a, b in zip(early.sheets, plain.sheets, strict=True))


def test_an_early_parse_is_taken_only_with_the_same_limits(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"A1": "1"})
    start_early(path, Limits(max_cells=1_000))
    book, _ = read_workbook(path)  # default limits: a parse of its own
    assert book is not None and len(readers._EARLY) == 1


def test_a_refused_file_is_refused_after_an_early_start(tmp_path: Path) -> None:
    """The corners file makes the parser ask for 550 GB: the guard still speaks first."""
    path = hostile.corners_xlsx(tmp_path / "c.xlsx")
    start_early(path)
    ((folder, child),) = readers._EARLY.values()
    book, issues = read_workbook(path)
    assert book is None and _codes(issues) == ["sheet-too-large"]
    assert child._proc.poll() is not None  # the parser was stopped
    assert not Path(folder.name).exists()


def test_an_untaken_parse_is_stopped_and_its_folder_removed(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"A1": "1"})
    start_early(path)
    start_early(path)  # once per file and limits
    ((folder, child),) = readers._EARLY.values()
    abandon_early()
    assert not readers._EARLY and child._proc.poll() is not None
    assert not Path(folder.name).exists()


def test_text_files_are_not_started_early(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    start_early(path)
    assert not readers._EARLY


def test_the_forked_guard_says_what_the_guard_says(tmp_path: Path) -> None:
    """The same report and issues through the pipe as `check_file` in this process, for a
    file it passes and for one it refuses."""
    for path in (hostile.simple_xlsx(tmp_path / "ok.xlsx", {"B2": "1", "C9": "#N/A"}),
                 hostile.corners_xlsx(tmp_path / "c.xlsx")):
        forked = ForkedGuard.start(path, Limits())
        assert forked is not None
        assert forked.verdict() == check_file(path, Limits())


def test_a_guard_fork_that_dies_leaves_the_guard_to_fundflow(tmp_path: Path) -> None:
    """A fork killed before it answers gives no verdict, and the file is still refused."""
    path = hostile.corners_xlsx(tmp_path / "c.xlsx")
    start_early(path)
    ((key, forked),) = readers._GUARDS.items()
    assert forked._pid is not None
    os.kill(forked._pid, signal.SIGKILL)
    book, issues = read_workbook(path)
    assert book is None and _codes(issues) == ["sheet-too-large"]
    assert key not in readers._GUARDS


def test_an_untaken_guard_fork_is_stopped(tmp_path: Path) -> None:
    path = hostile.simple_xlsx(tmp_path / "ok.xlsx", {"A1": "1"})
    start_early(path)
    ((forked),) = readers._GUARDS.values()
    pid = forked._pid
    assert pid is not None
    abandon_early()
    assert not readers._GUARDS and forked._pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left
