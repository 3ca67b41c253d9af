"""Returns read and checked in a second process while this one writes them.

Collecting a return is two kinds of work: reading and checking its file, making its
submission and its compared figures (`collect.prepare`, `compared.with_compared`: about
three quarters of the CPU), and writing it to the ledger (a quarter). The ledger has one
writer, this process; the reading can go anywhere. So a worker process reads files (a chunk
at a time, `CHUNK`) while this one writes, and this one reads files too whenever the worker
has not finished the next one it needs: neither core waits for the other, whatever share of
the work each can get on a shared machine, and a small run does not wait for the worker to
start (it reads its first files itself meanwhile).

What the caller sees is unchanged: `in_order` yields each file's `Prepared` in the order of
the files, exactly what `prepare` gives for it here (a refusal keeps its issues and message;
a file that makes the worker fail is read again here, so a bug raises here as it always did).

Bounded: at most `IN_FLIGHT` files are with the worker, and at most `AHEAD` prepared past the
one the caller waits for, so memory does not grow with the number of files. The worker holds
nothing that needs cleaning up: it ignores Ctrl-C (the terminal sends it to the whole group;
this process decides), is stopped when the caller stops (an error, Ctrl-C, SIGTERM turned
into an exit by the CLI, a generator closed early), and ends by itself when this process dies:
its next read of work or send of a result meets a closed pipe.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final

from fundflow.collect.compared import with_compared
from fundflow.collect.prepared import Prepared, prepare

WORKER_FROM: Final = 32
"""Runs of fewer files are read here alone: the worker's start-up (a fresh Python importing
polars, pydantic and DuckDB: about 0.6 s of CPU, 0.8 s before it reads its first file on a
quiet machine) costs more than it saves on a few dozen returns (measured in
`docs/performance.md`, *Collect on two cores*). Nor is it started where this process may
use one core only."""
CHUNK: Final = 16
"""Files the worker reads before it makes their compared figures together and answers
(`compared.with_compared`: about 160 ms of CPU a call whatever its size, 27 ms a return)."""
IN_FLIGHT: Final = 2 * CHUNK
"""Files with the worker at once: a chunk it reads while the next waits for it, so it never
waits for this process; few enough that memory stays flat."""
AHEAD: Final = 3 * IN_FLIGHT
"""Files prepared (by either process) past the one the caller waits for, at most: room for
this process to read on while the worker finishes a chunk (at 2 * IN_FLIGHT it stopped at
the bound about a tenth of a run, `docs/performance.md`, *10,000 returns*)."""

_DEAD = b"\x00dead"
"""The receiving thread's word that the worker has gone (exited or killed)."""


def in_order(files: Sequence[Path], *, worker: bool | None = None,
             ) -> Generator[Prepared, None, None]:
    """Each file prepared (`prepare`), in the order of `files`; a worker process shares the
    reading when there are at least `WORKER_FROM` files (`worker` True or False decides
    instead). Close the iterator (or let it run out) to stop the worker."""
    if worker is None:
        worker = len(files) >= WORKER_FROM and _cores() > 1
    try:
        helper = _Worker() if worker else None
    except OSError:  # no process could be started: read them all here
        helper = None
    if helper is None:
        for path in files:
            yield prepare(path)
        return
    try:
        yield from _shared(files, helper)
    finally:
        helper.stop()


def _cores() -> int:
    """The processors this process may run on."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def _shared(files: Sequence[Path], helper: _Worker | None) -> Iterator[Prepared]:
    """The files prepared by the worker and by this process, handed out in order."""
    sent: deque[int] = deque()  # indices with the worker, oldest first (it answers in order)
    ready: dict[int, Prepared] = {}
    orphans: set[int] = set()  # sent to a worker that died: read here
    cursor = 0  # the next file not yet given to either process

    for i in range(len(files)):
        while i not in ready:
            while (helper is not None and len(sent) < IN_FLIGHT and cursor < len(files)
                   and cursor - i < AHEAD):
                helper.send(files[cursor])
                sent.append(cursor)
                cursor += 1
            if i >= cursor or i in orphans:
                ready[i] = prepare(files[i])
                orphans.discard(i)
                cursor = max(cursor, i + 1)
                continue
            assert helper is not None  # i is with the worker
            spare = cursor < len(files) and cursor - i < AHEAD
            answer = helper.take(block=not spare)
            if answer is None:  # nothing finished yet: read the next file here meanwhile
                ready[cursor] = prepare(files[cursor])
                cursor += 1
            elif answer == _DEAD:
                orphans.update(sent)
                sent.clear()
                helper.stop()
                helper = None
            else:
                j = sent.popleft()
                ready[j] = pickle.loads(answer) if answer else prepare(files[j])
        yield ready.pop(i)


class _Worker:
    """The reading process, its two pipes (work in, results out) and the thread that takes
    its results in as they come, so that it never waits on this process while it writes.

    A plain `python -c` running `serve` (as `ingest.readers.sandbox` runs its parser), not
    `multiprocessing`: a spawned process runs the caller's main script again unless it is
    guarded, and forking is unsafe under polars' and DuckDB's threads. The worker is in a
    session of its own, so Ctrl-C in the terminal reaches this process only, which decides.
    """

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-c", "from fundflow.collect.pipeline import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._work = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._results = Connection(os.dup(self._process.stdout.fileno()), writable=False)
        self._process.stdin.close()
        self._process.stdout.close()
        self._inbox: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._receive, name="collect-results",
                                        daemon=True)
        self._thread.start()
        self._stopped = False

    def _receive(self) -> None:
        try:
            while True:
                self._inbox.put(self._results.recv_bytes())
        except (EOFError, OSError):
            self._inbox.put(_DEAD)

    def send(self, path: Path) -> None:
        """Give the worker one more file to read."""
        try:
            self._work.send_bytes(os.fsencode(path))
        except OSError:
            pass  # the worker has gone; the receiving thread says so in its turn

    def take(self, *, block: bool) -> bytes | None:
        """The next result (a pickled `Prepared`; empty: the worker failed on that file;
        `_DEAD`: it has gone), or None when none is there and `block` is false."""
        try:
            return self._inbox.get(block=block)
        except queue.Empty:
            return None

    def stop(self) -> None:
        """End the worker now (it holds nothing to clean up) and wait for it."""
        if self._stopped:
            return
        self._stopped = True
        self._work.close()
        if self._process.poll() is None:
            self._process.terminate()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._thread.join(5)
        self._results.close()


def serve() -> None:
    """The worker (`python -c`): read each file named on stdin and send back its `Prepared`,
    pickled, on stdout (empty bytes if preparing it raised: the collecting process reads
    that file itself). Ends when stdin closes or stdout breaks (the collecting process has
    gone). Anything a library prints goes to stderr, never into the results."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    work = Connection(os.dup(0), writable=False)
    results = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    while True:
        try:
            paths = [Path(os.fsdecode(work.recv_bytes()))]
            while len(paths) < CHUNK and work.poll():
                paths.append(Path(os.fsdecode(work.recv_bytes())))
        except (EOFError, OSError):
            return
        try:
            for answer in _answers(paths):
                results.send_bytes(answer)
        except OSError:
            return


def _answers(paths: Sequence[Path]) -> list[bytes]:
    """Each file prepared with its compared figures made (`compared.with_compared`, for the
    files together), pickled; empty bytes for a file whose preparing raised (a bug: the
    collecting process reads that file again and raises). Should making the compared
    figures raise, the files go without them and the collecting process makes them."""
    made: list[Prepared | None] = []
    for path in paths:
        try:
            made.append(prepare(path))
        except Exception:
            made.append(None)
    try:
        done = iter(with_compared([p for p in made if p is not None]))
        made = [None if p is None else next(done) for p in made]
    except Exception:  # the collecting process makes them, and raises there
        pass
    return [b"" if p is None else pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)
            for p in made]
