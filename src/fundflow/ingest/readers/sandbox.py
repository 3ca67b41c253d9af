"""Run the spreadsheet parser in a child process that may die without taking fundflow with it.

calamine (behind fastexcel) aborts the process on some inputs and raises `PanicException`, a
`BaseException`, on others (research/relsec.md F1). The guard stops the known cases; this
sandbox bounds the unknown ones: the child gets RLIMIT_AS, RLIMIT_CPU and a wall timeout, writes
each sheet as an Arrow IPC file in a temporary folder, and the parent only ever reads those
files. A signal, a non-zero exit or a timeout becomes a `ChildResult.crash` message.

Delimited text (CSV) is parsed here too (`kind: text`): polars' parser, and the `csv` module
for ragged rows, are as exposed to a hostile file as calamine, so a CSV gets the same memory,
CPU and wall-clock limits as a workbook. The parent decodes and sniffs the text (plain Python,
linear in the file's size) and the child parses it into the same Arrow file.

This file is also the child's entry point: it runs as a plain script (`python -I sandbox.py`),
so the child imports only the standard library, fastexcel and pyarrow (polars for text), never
fundflow.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
_STDERR_TAIL = 4000
_TELLING = ("memory allocation", "panicked", "Error", "error:")


@dataclass(frozen=True)
class ChildSheet:
    """One sheet as the child left it: an Arrow file, or the reader's error."""

    name: str
    visible: str
    arrow: str | None
    col0: int
    error: str | None
    shape: tuple[int, int] | None = None  # (rows, columns) of a text too large to pass on


@dataclass(frozen=True)
class ChildResult:
    """Sheets read, or why the whole file failed (`crash`: the child died; `error`: the library
    refused the file)."""

    sheets: list[ChildSheet]
    crash: str | None = None
    error: str | None = None
    timed_out: float | None = None  # the wall-clock limit (s) the child ran past, if it did


class Running:
    """A parser child that has been started; `wait` collects it, `kill` abandons it."""

    def __init__(self, path: Path, out_dir: Path, *, memory_bytes: int, cpu_s: int,
                 timeout_s: float, text: tuple[str, int, int, int] | None = None) -> None:
        """`text`: parse `path` as delimited UTF-8 text with this separator, and pass on no
        grid over these rows, columns and cells (the caller reports the size instead)."""
        job = {"path": str(path), "out": str(out_dir), "memory": memory_bytes, "cpu": cpu_s,
               "text": text}
        self.out_dir = out_dir
        self.timeout_s = timeout_s
        self._stderr_path = out_dir / "stderr.txt"
        self._stderr = self._stderr_path.open("wb")
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(Path(__file__).resolve()), json.dumps(job)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    def wait(self) -> ChildResult:
        """The child's result; never raises for a bad file."""
        try:
            code = self._exit_code()
        except subprocess.TimeoutExpired:
            self.kill()
            return ChildResult([], crash=f"it took longer than {self.timeout_s:g} s",
                               timed_out=self.timeout_s)
        finally:
            self._stderr.close()
        if code != 0:
            return ChildResult([], crash=_describe_exit(code, self._stderr_path))
        return _load_manifest(self.out_dir / MANIFEST)

    def _exit_code(self) -> int:
        """Wait for the child to end, woken by the kernel the moment it does.

        `Popen.wait(timeout=...)` polls with sleeps of up to 50 ms, which every file would pay
        after its parse is done; a pidfd (Linux) becomes readable when the process exits.
        Elsewhere the polling wait is kept.
        """
        try:
            fd = os.pidfd_open(self._proc.pid)
        except (AttributeError, OSError):
            return self._proc.wait(timeout=self.timeout_s)
        try:
            ready, _, _ = select.select([fd], [], [], self.timeout_s)
        finally:
            os.close(fd)
        if not ready:
            raise subprocess.TimeoutExpired(self._proc.args, self.timeout_s)
        return self._proc.wait()

    def kill(self) -> None:
        """Stop the child (the guard refused the file it is reading)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._stderr.close()


def run_sandboxed(
    path: Path, out_dir: Path, *, memory_bytes: int, cpu_s: int, timeout_s: float
) -> ChildResult:
    """Parse `path` with fastexcel in a limited child process; never raises for a bad file."""
    return Running(path, out_dir, memory_bytes=memory_bytes, cpu_s=cpu_s,
                   timeout_s=timeout_s).wait()


def _describe_exit(code: int, stderr_path: Path) -> str:
    """A plain-English reason for a dead child, with the end of what it printed."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        reason = {
            "SIGXCPU": "it used more CPU time than allowed",
            "SIGKILL": "it was killed (out of memory or CPU time)",
            "SIGABRT": "the reader aborted, usually because the file needs too much memory",
            "SIGSEGV": "the reader crashed",
        }.get(name, f"it was stopped by {name}")
    else:
        reason = f"the reader exited with status {code}"
    tail = stderr_path.read_bytes()[-_STDERR_TAIL:].decode("utf-8", "replace")
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    telling = [ln for ln in lines if any(w in ln for w in _TELLING)]
    last = (telling or lines or [""])[-1][:300]
    return f"{reason} ({last})" if last else reason


def _load_manifest(manifest: Path) -> ChildResult:
    """Read what the child wrote; a missing or broken manifest counts as a crash."""
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        return ChildResult([], crash=f"it left no readable result ({exc})")
    if data.get("error"):
        return ChildResult([], error=str(data["error"]))
    sheets = [ChildSheet(**{**s, "shape": tuple(s["shape"]) if s.get("shape") else None})
              for s in data.get("sheets", [])]
    return ChildResult(sheets)


# --- the child ----------------------------------------------------------------------------------


def _limit_resources(memory: int, cpu: int) -> None:
    """Cap address space and CPU before any parser code is imported; no core dumps."""
    import resource  # noqa: PLC0415 - POSIX only, needed only in the child

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read_all(path: str, out: Path) -> dict[str, Any]:
    """Every sheet as all-text Arrow: no header row, no type guessing, leading rows kept."""
    import threading  # noqa: PLC0415 - the child's own imports, after the limits

    # pyarrow takes longer to import than fastexcel takes to parse a 100k-row sheet, and
    # fastexcel parses without the GIL: import it meanwhile (0.6 s -> 0.4 s for 100k rows).
    arrow = threading.Thread(target=__import__, args=("pyarrow.ipc",), daemon=True)
    arrow.start()
    import fastexcel  # noqa: PLC0415

    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}
    sheets = []
    for idx, name in enumerate(names):
        entry: dict[str, Any] = {
            "name": name,
            "visible": "visible",
            "arrow": None,
            "col0": 0,
            "error": None,
        }
        try:
            sheet = reader.load_sheet(idx, header_row=None, dtypes="string", skip_rows=0)
            entry["visible"] = str(sheet.visible)
            columns = sheet.available_columns()
            entry["col0"] = columns[0].absolute_index if columns else 0
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
            sheets.append(entry)
            continue
        # Outside any `try`: pyarrow failing to load (out of memory) ends the child, which the
        # parent reports as a crashed parser rather than as an unreadable sheet.
        arrow.join()
        import pyarrow as pa  # noqa: PLC0415 - loaded by the thread above

        try:
            batch = sheet.to_arrow()
            target = out / f"sheet{idx}.arrow"
            with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, batch.schema) as w:
                w.write_batch(batch)
            entry["arrow"] = str(target)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
        sheets.append(entry)
    return {"sheets": sheets}


def _read_text(path: str, out: Path, text: list[Any]) -> dict[str, Any]:
    """A UTF-8 delimited text as one all-text sheet (`parse_text`), as an Arrow file; only
    its shape when it is larger than the limits (the parent would refuse it anyway)."""
    sep, max_rows, max_cols, max_cells = text
    frame = parse_text(Path(path).read_bytes(), sep)
    rows, cols = frame.height, frame.width
    entry: dict[str, Any] = {"name": "text", "visible": "visible", "arrow": None, "col0": 0,
                             "error": None, "shape": [rows, cols]}
    if rows <= max_rows and cols <= max_cols and rows * cols <= max_cells:
        target = out / "sheet0.arrow"
        frame.write_ipc(target)
        entry["arrow"] = str(target)
    return {"sheets": [entry]}


def parse_text(data: bytes, sep: str) -> Any:
    """UTF-8 delimited text as an all-text polars frame, columns c0.., every row kept: polars
    for speed, the `csv` module when rows are longer than the first one (which polars
    refuses), padded to the widest with nulls. Runs in the child, or in fundflow itself for a
    text small enough to be harmless (`readers.delimited`)."""
    import polars as pl  # noqa: PLC0415 - the child's own imports, after the limits

    if not data.strip(b"\r\n"):
        return pl.DataFrame()
    try:
        frame = pl.read_csv(data, has_header=False, infer_schema=False, separator=sep,
                            quote_char='"', raise_if_empty=False)
    except pl.exceptions.ComputeError:
        frame = _read_ragged(data.decode("utf-8"), sep)
    return frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})


def _read_ragged(text: str, sep: str) -> Any:
    """Ragged rows padded to the widest with nulls; empty fields become null as in polars."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    import polars as pl  # noqa: PLC0415

    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    width = max((len(r) for r in rows), default=0)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for j in range(width):
            value = row[j] if j < len(row) else None
            columns[j].append(value or None)
    return pl.DataFrame({f"c{j}": col for j, col in enumerate(columns)},
                        schema={f"c{j}": pl.String for j in range(width)})


def _child_main(argv: list[str]) -> int:
    """Entry point of the child: limits, read, manifest. Exit status 0 means a manifest exists."""
    job = json.loads(argv[0])
    _limit_resources(int(job["memory"]), int(job["cpu"]))
    out = Path(job["out"])
    if job.get("text"):
        result = _read_text(str(job["path"]), out, job["text"])
    else:
        result = _read_all(str(job["path"]), out)
    (out / MANIFEST).write_text(json.dumps(result), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
