"""Where fundflow writes a file: refused when the place is wrong, atomic when it is right.

An output path is typed by a person and can be anything: the ledger itself (`--out` and
`--ledger` mixed up would overwrite a year's records with a spreadsheet), a device such as
`/dev/sda`, a folder, a pipe. Such paths are refused before any work. A right path is written
under a temporary name in the same folder, flushed and renamed over the target, so a crash
leaves the old file or the new one, never half of one; the temporary name carries the writer's
process id, so the next write sweeps what a killed writer left (`.part` files) without touching
a live writer's. A read-only folder or a full disk is an `output-write-failed` issue naming the
path, never a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from fundflow.issues import Issue, make_issue

_PART = ".part"


class OutputError(Exception):
    """An output could not be written; `issue` says where and why, for the CLI to show."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def check_output(path: Path, *, protect: Iterable[Path] = ()) -> Issue | None:
    """Why `path` must not be written, or None when it may.

    `protect` names files the output must never be (the ledger, and with it its `.wal`);
    a symlink or a second name for one of them is caught by comparing the files themselves.
    An existing path must be a regular file: a device, folder, pipe or socket is refused.
    """
    for kept in protect:
        for guarded in (kept, kept.with_name(kept.name + ".wal")):
            if _same_file(path, guarded):
                return make_issue("output-is-ledger", value=str(path), ledger=str(kept))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _failed(path, exc)
    if not stat.S_ISREG(mode):
        return make_issue("output-not-file", value=str(path), kind=_kind(mode))
    return None


def write_atomic(path: Path, writer: Callable[[Path], None]) -> None:
    """Run `writer` on a temporary file beside `path`, flush it and rename it over `path`.

    Raises `OutputError` for a folder that cannot be created or written, a full disk, or a
    path `check_output` refuses; the temporary file is removed whatever happens (a signal
    included, since the CLI turns SIGTERM into an ordinary exit).
    """
    refused = check_output(path)
    if refused is not None:
        raise OutputError(refused)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_parts(path)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=_PART,
                                        dir=path.parent)
    except OSError as exc:
        raise OutputError(_failed(path, exc)) from exc
    os.close(handle)
    temp = Path(name)
    try:
        writer(temp)
        with temp.open("rb") as done:
            os.fsync(done.fileno())
        os.replace(temp, path)
    except OSError as exc:
        raise OutputError(_failed(path, exc)) from exc
    finally:
        temp.unlink(missing_ok=True)


def sweep_parts(path: Path) -> list[Path]:
    """Remove `.part` files an earlier, killed write of `path` left beside it; returns them.

    Only files named for this output whose writer process is gone are removed, so two
    commands writing into one folder never delete each other's work."""
    removed: list[Path] = []
    try:
        candidates = list(path.parent.glob(f".{_glob_safe(path.name)}.*{_PART}"))
    except OSError:
        return removed
    for part in candidates:
        pid = part.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
             (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"))
    return next((word for test, word in kinds if test(mode)), "not a regular file")


_REASONS = {
    errno.EACCES: "the folder or file is not writable (permission denied)",
    errno.EPERM: "the folder or file is not writable (permission denied)",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def _failed(path: Path, exc: OSError) -> Issue:
    reason = _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return make_issue("output-write-failed", value=str(path), reason=reason)


def _glob_safe(name: str) -> str:
    """A file name with glob's special characters bracketed, so it matches only itself."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)
