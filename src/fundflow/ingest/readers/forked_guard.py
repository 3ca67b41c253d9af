"""The first file's guard, run in a fork of fundflow beside its imports and its parse.

After `fundflow import` starts its first workbook's sandboxed parse (`readers.start_early`) it
spends 0.4 to 0.8 s of CPU importing polars and the importer, loading the adapters and opening
the ledger; only then did the guard start (0.2 s of CPU for a 100k-row sheet), so on a small
file, whose parse was over by then, the whole guard was added to the wait. A fork taken at the
early start runs `check_file` at once, while the importing process does that work, and pipes
back its verdict. Nothing is weakened: `read_workbook` waits for the verdict before it uses
anything parsed, as it waited for the guard in-process, and refuses exactly what that guard
refuses (it is the same function on the same bytes). A fork that cannot be made, dies or says
nothing leaves the guard to run in fundflow itself, as before.

The fork is taken before polars, DuckDB or any thread of fundflow's starts (the command
module imports none of them), so the child holds no lock another thread owns; it runs only the
standard library's zip, hash and regular expressions, and leaves by `os._exit`.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from pathlib import Path

from fundflow.ingest.guard import GuardReport, Limits, check_file
from fundflow.issues import Issue

Verdict = tuple[GuardReport | None, list[Issue]]


class ForkedGuard:
    """`check_file(path, limits)` running in a forked child; `verdict` collects it."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid: int | None = pid
        self._fd = fd

    @classmethod
    def start(cls, path: Path, limits: Limits) -> ForkedGuard | None:
        """Fork the guard, or None where fork is not to be used (not Linux, or it failed)."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # pragma: no cover - the child; its verdict is what the tests check
            os.close(read_end)
            _child(path, limits, write_end)
        os.close(write_end)
        return cls(pid, read_end)

    def verdict(self) -> Verdict | None:
        """The guard's report and issues, or None when the child gave none (it died)."""
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            status = self._reap()
        if status != 0 or not chunks:
            return None
        found: Verdict = pickle.loads(b"".join(chunks))  # our own fork wrote it
        return found

    def kill(self) -> None:
        """Stop a guard nobody will ask (the command ended before reading its file)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self._fd)
        self._reap()

    def _reap(self) -> int:
        """Wait for the child; its exit status (-1 when it was already reaped)."""
        pid, self._pid = self._pid, None
        if pid is None:
            return -1
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)


def _child(path: Path, limits: Limits, fd: int) -> None:  # pragma: no cover - in the fork
    """Guard the file, write the pickled verdict, and leave without running the parent's
    exit handlers (atexit, temporary folders, buffered output are the parent's to finish)."""
    code = 1
    try:
        payload = pickle.dumps(check_file(path, limits), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        code = 0
    except BaseException:  # the parent guards the file itself instead
        pass
    finally:
        os._exit(code)
