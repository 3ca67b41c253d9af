"""Returns read in a second process while the first writes (`collect.pipeline`): the same
results in the same order as reading them one by one here, whatever the worker's timing,
whether it dies, and no worker left behind when the collecting process stops."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.collect import collect_files, pipeline, prepare
from fundflow.ledger.store import COLLECTING, collecting, open_ledger
from fundflow.mapping.reference import Reference
from tests.test_collect import (
    _edit_amount,
    _edit_reconciliation,
    _edit_version,
    make_reference,
    own_return,
    snapshot,
)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return make_reference()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, reference: Reference) -> list[Path]:
    """Good returns of three partnerships (one sent twice, one resubmitted) and every kind of
    refusal, interleaved: tampered, truncated, unknown version, not reconciling, not JSON."""
    tmp = tmp_path_factory.mktemp("mixed")
    east, _ = own_return(tmp, reference, "Eastbrook")
    west, _ = own_return(tmp, reference, "Westmere", 2)
    north, _ = own_return(tmp, reference, "Northfield", 3)
    again, _ = own_return(tmp, reference, "Eastbrook", 4, salt="-again")
    text = east.read_text(encoding="utf-8")
    bad = {"tampered": _edit_amount(text), "truncated": text[: len(text) * 2 // 3],
           "version": _edit_version(text), "unreconciled": _edit_reconciliation(text),
           "not-json": "not json at all"}
    for name, body in bad.items():
        (tmp / f"{name}.json").write_text(body, encoding="utf-8")
    order = [east, "tampered", west, "truncated", east, "version", north, "unreconciled",
             again, "not-json", tmp / "missing.json"]
    return [p if isinstance(p, Path) else tmp / f"{p}.json" for p in order]


def _seen(prepared: Any) -> tuple[Any, ...]:
    """What a prepared file says: its outcome so far, issues, figures and submission."""
    result, batch = prepared.result, prepared.batch
    frames = None if batch is None else tuple(
        None if getattr(batch, kind) is None else getattr(batch, kind).to_dicts()
        for kind in ("finance", "indicators", "streams", "funders", "partnerships"))
    return (result.path, result.status, result.partnership_id, result.period,
            [i.model_dump() for i in result.issues], prepared.entries, prepared.total,
            None if batch is None else batch.file_sha256, frames)


def test_the_worker_prepares_each_file_as_this_process_does(mixed: list[Path]) -> None:
    here = [_seen(prepare(path)) for path in mixed]
    shared = [_seen(p) for p in pipeline.in_order(mixed, worker=True)]
    assert shared == here
    codes = [[i["code"] for i in seen[4]] for seen in here]
    assert ["collect-tampered"] in codes and ["collect-truncated"] in codes
    assert ["collect-version-unknown"] in codes and ["collect-return-unreconciled"] in codes


def test_collecting_with_the_worker_gives_the_same_results_and_ledger(
        tmp_path: Path, mixed: list[Path]) -> None:
    outcomes = []
    for worker in (False, True):
        ledger = tmp_path / f"dept-{worker}.duckdb"
        with open_ledger(ledger) as con:
            results = collect_files(con, mixed, worker=worker)
        outcomes.append(([(r.path, r.status, [i.code for i in r.issues], r.entries, r.total)
                          for r in results], snapshot(ledger)))
    assert outcomes[0] == outcomes[1]
    statuses = [status for _, status, *_ in outcomes[0][0]]
    assert statuses.count("collected") == 3 and "replaced" in statuses
    assert "unchanged" in statuses and statuses.count("refused") == 6


def test_a_handful_of_files_starts_no_worker(monkeypatch: pytest.MonkeyPatch,
                                             mixed: list[Path]) -> None:
    def refuse() -> None:
        raise AssertionError("a worker was started")

    monkeypatch.setattr(pipeline, "_Worker", refuse)
    few = mixed[: pipeline.WORKER_FROM - 1]
    assert [_seen(p) for p in pipeline.in_order(few)] == [_seen(prepare(p)) for p in few]


# --- the order, whatever the worker's timing: a stand-in worker, files as names -------------
class _Thread:
    """A worker in a thread with the real one's interface, slow or quick at random, that
    can die after some files or fail on one (the caller then reads that file itself)."""

    def __init__(self, delays: list[float], dies_after: int | None, fails: set[str]) -> None:
        self.work: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self.inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self.delays, self.dies_after, self.fails = delays, dies_after, fails
        self.sent: list[Path] = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        done = 0
        while (path := self.work.get()) is not None:
            if done == self.dies_after:
                self.inbox.put(pipeline._DEAD)
                return
            time.sleep(self.delays[done % len(self.delays)])
            self.inbox.put(b"" if path.name in self.fails else
                           pipeline.pickle.dumps(_stand_in(path)))
            done += 1

    def send(self, path: Path) -> None:
        self.sent.append(path)
        self.work.put(path)

    def take(self, *, block: bool) -> bytes | None:
        try:
            return self.inbox.get(block=block)
        except queue.Empty:
            return None

    def stop(self) -> None:
        self.work.put(None)


def _stand_in(path: Path) -> str:
    return f"prepared {path.name}"


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 80), delays=st.lists(st.sampled_from([0.0, 0.0, 0.0005, 0.002]),
                                             min_size=1, max_size=5),
       dies_after=st.none() | st.integers(0, 60), fails=st.sets(st.integers(0, 79)),
       pauses=st.sets(st.integers(0, 79)))
def test_files_come_in_order_whatever_the_worker_does(
        n: int, delays: list[float], dies_after: int | None, fails: set[int],
        pauses: set[int]) -> None:
    files = [Path(f"r{i:03}.json") for i in range(n)]
    helper = _Thread(delays, dies_after, {f"r{i:03}.json" for i in fails})
    original = pipeline.prepare
    pipeline.prepare = _stand_in  # type: ignore[assignment]
    try:
        got = []
        for i, prepared in enumerate(pipeline._shared(files, helper)):  # type: ignore[arg-type]
            got.append(prepared)
            if i in pauses:  # the caller writing a group meanwhile
                time.sleep(0.001)
            # never more than the bound past the file handed out
            assert len(helper.sent) <= i + 1 + pipeline.AHEAD
    finally:
        pipeline.prepare = original
        helper.stop()
    assert got == [_stand_in(p) for p in files]


# --- the real worker: stopped with the caller, never left behind ----------------------------
class _Recorded(pipeline._Worker):
    made: list[pipeline._Worker] = []  # noqa: RUF012 - the instances a test started

    def __init__(self) -> None:
        super().__init__()
        self.made.append(self)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[pipeline._Worker]]:
    _Recorded.made = []
    monkeypatch.setattr(pipeline, "_Worker", _Recorded)
    yield _Recorded.made


def test_stopping_early_stops_the_worker(recorded: list[Any], mixed: list[Path]) -> None:
    files = mixed * 3
    reading = pipeline.in_order(files, worker=True)
    next(reading)
    reading.close()  # as when the caller raises, or Ctrl-C or SIGTERM unwinds it
    assert recorded[0]._process.poll() is not None


def test_a_worker_killed_midway_loses_nothing(recorded: list[Any], mixed: list[Path]) -> None:
    files = mixed * 3
    got = []
    for i, prepared in enumerate(pipeline.in_order(files, worker=True)):
        if i == 2:
            os.kill(recorded[0]._process.pid, signal.SIGKILL)
        got.append(_seen(prepared))
    assert got == [_seen(prepare(p)) for p in files]


def test_ctrl_c_in_the_terminal_reaches_only_the_collecting_process(
        recorded: list[Any], mixed: list[Path]) -> None:
    reading = pipeline.in_order(mixed * 2, worker=True)
    next(reading)
    worker = recorded[0]._process
    assert os.getpgid(worker.pid) != os.getpgid(0)  # the terminal's group is not its group
    os.kill(worker.pid, signal.SIGINT)  # and if it came anyway, it is ignored
    time.sleep(0.5)
    assert worker.poll() is None
    assert len(list(reading)) == len(mixed) * 2 - 1
    assert worker.poll() is not None


_CALLER = """
import sys, time
from pathlib import Path
from fundflow.cli import exit_on_sigterm
from fundflow.collect import pipeline
exit_on_sigterm()
made = []
class Recorded(pipeline._Worker):
    def __init__(self):
        super().__init__()
        made.append(self)
pipeline._Worker = Recorded
reading = pipeline.in_order([Path(p) for p in sys.argv[1:]], worker=True)
next(reading)
print(made[0]._process.pid, flush=True)
while True:
    time.sleep(0.05)
"""


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_no_worker_outlives_the_collecting_process(mixed: list[Path], how: int) -> None:
    caller = subprocess.Popen([sys.executable, "-c", _CALLER, *map(str, mixed * 4)],
                              stdout=subprocess.PIPE, text=True)
    assert caller.stdout is not None
    worker = int(caller.stdout.readline())
    caller.send_signal(how)
    assert caller.wait(30) == (143 if how == signal.SIGTERM else -signal.SIGKILL)
    for _ in range(300):  # SIGKILL: the worker ends at its next read or send
        if not _alive(worker):
            break
        time.sleep(0.05)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    """Whether the process runs (not gone, not a zombie awaiting its reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_the_collecting_settings_hold_only_while_collecting(tmp_path: Path) -> None:
    def setting(con: Any, name: str) -> str:
        return str(con.execute("SELECT current_setting(?)", [name]).fetchall()[0][0])

    with open_ledger(tmp_path / "l.duckdb") as con:
        before = {name: setting(con, name) for name in COLLECTING}
        with pytest.raises(RuntimeError), collecting(con):
            assert COLLECTING == {"checkpoint_threshold": "4MB", "memory_limit": "512MB"}
            assert all(setting(con, name) != value for name, value in before.items())
            raise RuntimeError("a failure while collecting")
        assert {name: setting(con, name) for name in COLLECTING} == before
