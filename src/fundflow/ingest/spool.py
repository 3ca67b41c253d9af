"""Records of one submission, appended in parts and spilled to disk once there are many.

A wide return of a million rows becomes up to 24 million finance entries (two years of
months): held whole, they would need several gigabytes before the ledger ever saw them.
Extraction therefore hands its records over in parts of at most a few hundred thousand rows;
a `Spool` keeps the first parts in memory and, past `spill_rows`, writes every part to an
Arrow IPC file in a private temporary folder. The ledger reads the parts back one at a time
inside its one transaction, so memory stays bounded however large the file. Counts, money
totals and the distinct values the submission's keys are made of are kept as parts arrive,
so nobody has to read the parts twice.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fundflow.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:
    pl = lazy_module("polars")

from fundflow.outputs import pid_alive

# Rows held in memory before the spool starts writing parts to disk (about 200 MB of ledger
# rows); small files never touch the disk.
SPILL_ROWS = 2_000_000

TEMP_PREFIXES = ("fundflow-spool-", "fundflow-read-")
"""Temporary folders fundflow makes, each named `<prefix><pid>-<random>` so a later run can
tell a killed run's leftovers (its process is gone) from a live run's."""


def temp_prefix(prefix: str) -> str:
    """The name start for this process's temporary folders of one kind."""
    return f"{prefix}{os.getpid()}-"


def sweep_temporaries(folder: Path | None = None) -> list[Path]:
    """Remove the temporary folders of fundflow runs that were killed (SIGKILL, power cut):
    a spilled spool can hold gigabytes. Folders of live processes are left alone."""
    root = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        prefix = next((p for p in TEMP_PREFIXES if entry.name.startswith(p)), None)
        if prefix is None or not entry.is_dir() or entry.is_symlink():
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


class Spool:
    """An append-only sequence of frames of one schema, in memory or on disk, read in order.

    `distinct` names columns whose distinct values are collected (stream ids, period labels);
    `sums` names integer columns whose totals are kept (money in pence). With `keep=False` only
    those figures are kept, not the rows (checking a file without importing it). The spool's
    folder is removed by `close()`, or when the spool is garbage-collected.
    """

    def __init__(self, *, distinct: tuple[str, ...] = (), sums: tuple[str, ...] = (),
                 spill_rows: int | None = None, keep: bool = True) -> None:
        self.height = 0
        self._keep = keep
        self._spill_rows = SPILL_ROWS if spill_rows is None else spill_rows
        self._memory: list[pl.DataFrame] = []
        self._files: list[Path] = []
        self._folder: Path | None = None
        self._distinct: dict[str, set[object]] = {c: set() for c in distinct}
        self._sums: dict[str, int] = dict.fromkeys(sums, 0)
        self._finalizer: weakref.finalize[Any, Any] | None = None

    def append(self, frame: pl.DataFrame) -> None:
        """Add a part; empty parts are dropped."""
        if frame.height == 0:
            return
        self.height += frame.height
        for column, seen in self._distinct.items():
            if column in frame.columns:
                seen.update(frame.get_column(column).drop_nulls().unique().to_list())
        for column in self._sums:
            if column in frame.columns:
                # Int128: ten amounts near the DECIMAL(18,2) limit overflow Int64, which
                # polars wraps silently; the exact total is what the ledger must check.
                self._sums[column] += int(frame.get_column(column).cast(pl.Int128).sum() or 0)
        if not self._keep:
            return
        self._memory.append(frame)
        if self._folder is not None or self.height > self._spill_rows:
            self._spill()

    def parts(self) -> Iterator[pl.DataFrame]:
        """Every part in the order appended; spilled parts are read back one at a time."""
        for path in self._files:
            yield pl.read_ipc(path)
        yield from self._memory

    def frame(self) -> pl.DataFrame | None:
        """All parts as one frame (None when empty): only for spools known to be small."""
        parts = list(self.parts())
        return pl.concat(parts, how="vertical_relaxed") if parts else None

    def values(self, column: str) -> set[object]:
        """Distinct non-null values seen in a `distinct` column."""
        return self._distinct[column]

    def total(self, column: str) -> int:
        """Sum of a `sums` column over every part."""
        return self._sums[column]

    @property
    def spilled(self) -> bool:
        """True once parts have been written to disk."""
        return bool(self._files)

    def close(self) -> None:
        """Forget the parts and remove the spool's folder."""
        self._memory.clear()
        self._files.clear()
        if self._finalizer is not None:
            self._finalizer()

    def _spill(self) -> None:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix=temp_prefix(TEMP_PREFIXES[0])))
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._folder, True)
        for frame in self._memory:
            path = self._folder / f"part{len(self._files):05d}.arrow"
            frame.write_ipc(path, compression="lz4")
            self._files.append(path)
        self._memory.clear()
