"""`fundflow return` tells DuckDB's and polars' allocators to give freed memory back before
either library loads (`returns.allocator`), and keeps a setting the user made."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from fundflow.returns.allocator import SETTINGS

_PROBE = """
import json, os, sys
import click
from fundflow.cli import cli
loaded_first = "duckdb" in sys.modules or "polars" in sys.modules
cli.get_command(click.Context(cli), sys.argv[1])
print(json.dumps({"env": {k: os.environ.get(k) for k in %r}, "loaded_first": loaded_first}))
"""


def _probe(command: str, env: dict[str, str]) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    out = subprocess.run([sys.executable, "-c", _PROBE % (list(SETTINGS),), command],
                         env={**clean, **env}, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def test_return_sets_the_allocators_before_they_load_and_keeps_the_users_setting() -> None:
    got = _probe("return", {"DUCKDB_JE_MALLOC_CONF": "narenas:1"})
    env = dict(got["env"])  # type: ignore[call-overload]
    assert env["DUCKDB_JE_MALLOC_CONF"] == "narenas:1"
    # polars puts its own defaults first; the last setting of a key is the one jemalloc takes
    assert env["_RJEM_MALLOC_CONF"].endswith(SETTINGS["_RJEM_MALLOC_CONF"])
    assert got["loaded_first"] is False  # too late once they are loaded
    other = dict(_probe("ledger", {})["env"])  # type: ignore[call-overload]
    assert other["DUCKDB_JE_MALLOC_CONF"] is None


def test_collect_keeps_freed_pages_a_second() -> None:
    """Collect frees and takes the same memory again for every return: its pages are kept a
    second, not given back at once (page faults were a fifth of its CPU)."""
    env = dict(_probe("collect", {})["env"])  # type: ignore[call-overload]
    assert env["DUCKDB_JE_MALLOC_CONF"] == "dirty_decay_ms:1000,muzzy_decay_ms:1000"
    assert env["_RJEM_MALLOC_CONF"].endswith("dirty_decay_ms:1000,muzzy_decay_ms:1000")
    returned = dict(_probe("return", {})["env"])  # type: ignore[call-overload]
    assert returned["DUCKDB_JE_MALLOC_CONF"] == SETTINGS["DUCKDB_JE_MALLOC_CONF"]
