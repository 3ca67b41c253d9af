"""Hand freed memory back to the system at once while a return is built.

DuckDB and polars each bring their own jemalloc, which keeps freed pages for ten seconds in
case they are wanted again. A return reads the ledger's aggregate in DuckDB (hundreds of MB
while it groups a million entries), then maps it in polars: the pages DuckDB freed were still
counted against the process while polars worked, and the other way round. On 1M figures over
15,000 streams that was about a third of the return's peak memory (measured in
`docs/performance.md`). With both allocators told to return freed pages at once, the peak is
what is live. It costs a little CPU (more calls to the kernel), which a return can spare.

Each allocator reads its setting once, when its library is loaded, so this must run before
`duckdb` and `polars` are imported: the CLI does it before it imports the commands named in
`cli.MEMORY_BOUND` (return, report, analyse, collect, compare). A setting the user gave in
the environment is kept.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable

ALLOCATORS = ("DUCKDB_JE_MALLOC_CONF", "_RJEM_MALLOC_CONF")
"""The environment variable each allocator reads when it starts: DuckDB's jemalloc, and
polars' (tikv-jemallocator)."""


def _keeping(keep_ms: int) -> str:
    """The jemalloc setting that gives freed pages back after `keep_ms` milliseconds."""
    return f"dirty_decay_ms:{keep_ms},muzzy_decay_ms:{keep_ms}"


SETTINGS = {name: _keeping(0) for name in ALLOCATORS}
"""What each allocator is set to by default: freed pages given back at once."""


def return_freed_memory(keep_ms: int = 0) -> bool:
    """Set the allocators to give freed pages back after `keep_ms` milliseconds (at once by
    default), unless the user set them.

    A run that frees and takes again the same memory thousands of times (`collect`: a
    return's frames made and dropped every few milliseconds) pays for giving pages back at
    once in page faults: a fifth of its CPU. Kept a second, they are reused instead, and
    the peak still does not grow with the run.

    Returns False when `duckdb` or `polars` is already loaded, so the setting came too late
    for it (a caller's test, not an error: the return is the same, only its peak higher).
    """
    for name in ALLOCATORS:
        os.environ.setdefault(name, _keeping(keep_ms))
    return not any(name in sys.modules for name in ("duckdb", "polars"))


def _libc_trim() -> Callable[[int], int] | None:
    try:
        trim_c: Callable[[int], int] = ctypes.CDLL(
            ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        return trim_c
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        return None


_TRIM = _libc_trim()


def trim() -> None:
    """Give the C heap's free pages back to the system now.

    Python's objects live in glibc's heap, which keeps what was freed for reuse: after the
    analyses (tens of thousands of pydantic models made and dropped) about 40 MB of it was
    free but still counted against the return at 1M figures, under the Data frame's peak.
    A few milliseconds; nothing where the C library has no `malloc_trim`.
    """
    if _TRIM is not None:
        _TRIM(0)
