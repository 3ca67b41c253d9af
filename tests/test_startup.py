"""The CLI starts at once: listing commands and reading a ledger load no heavy library.

Each check runs the command in a fresh Python process and reads that process's `sys.modules`,
so a stray module-level `import polars` anywhere on the path fails here. The times themselves
are measured in `benchmarks/bench_startup.py`, never asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from fundflow.cli import COMMANDS, cli
from fundflow.ledger.store import open_ledger

WRITERS = {"openpyxl", "xlsxwriter", "jinja2"}
DATA = {"polars", "pyarrow", "pandas", "fastexcel"}
WEB = {"starlette", "uvicorn", "python_multipart", "anyio"}

_PROBE = """
import json, sys
from fundflow.cli import cli
try:
    cli.main(json.loads(sys.argv[1]), prog_name="fundflow", standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(args: list[str], *, whole: bool = False) -> tuple[set[str], str]:
    """Top-level packages (`whole`: every module) a fresh process imported to run
    `fundflow ARGS`, and its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True, text=True, check=True, timeout=60,
    )
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    return {m if whole else m.split(".")[0] for m in modules}, done.stdout


def test_help_imports_no_writer_and_no_data_library() -> None:
    loaded, out = _loaded(["--help"])
    assert "ledger summary" in out and "validate" in out
    assert not loaded & (WRITERS | DATA | {"duckdb"}), loaded & (WRITERS | DATA | {"duckdb"})
    assert not loaded & WEB, loaded & WEB


def test_serve_help_imports_no_web_stack() -> None:
    """`fundflow serve --help` explains the command without loading the server or the
    libraries its pages use: they load when the workbench starts."""
    loaded, out = _loaded(["serve", "--help"])
    assert "--no-browser" in out and "--token" in out
    unwanted = WEB | WRITERS | DATA
    assert not loaded & unwanted, loaded & unwanted


def test_ledger_summary_imports_no_writer_or_file_reader(tmp_path: Path) -> None:
    """`ledger summary` is drawn from the Book (polars frames aggregated in DuckDB), but it
    writes no workbook and reads no spreadsheet."""
    ledger = tmp_path / "empty.duckdb"
    with open_ledger(ledger):
        pass
    loaded, out = _loaded(["ledger", "summary", "--ledger", str(ledger), "--json"])
    assert json.loads(out)["finance_entries"] == 0
    assert "duckdb" in loaded
    unwanted = WRITERS | {"pandas", "fastexcel"}
    assert not loaded & unwanted, loaded & unwanted


def test_ledger_summary_reads_the_ledger_without_pyarrow_or_the_analyses(tmp_path: Path) -> None:
    """The Book's frames come from DuckDB through the Arrow C stream, not pyarrow (with numpy,
    0.3 s of the start); `--schemas` does not bring the analyses or the adapter models in."""
    ledger = tmp_path / "empty.duckdb"
    with open_ledger(ledger):
        pass
    loaded, _ = _loaded(["ledger", "summary", "--ledger", str(ledger)], whole=True)
    unwanted = {"pyarrow", "numpy", "fundflow.analysis", "fundflow.ingest.specs.spec",
                "fundflow.cli.analyse_cmd"}
    assert not loaded & unwanted, loaded & unwanted


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_table_matches_the_commands(name: str) -> None:
    """The one-line summaries `--help` shows without importing are the commands' own."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    assert command.get_short_help_str(200) == click.Command(
        name, help=COMMANDS[name].summary
    ).get_short_help_str(200)


def test_lazy_module_imports_on_first_use_from_any_thread() -> None:
    """Threads that reach for a lazily bound module at once all get the real attribute."""
    import fractions
    from concurrent.futures import ThreadPoolExecutor

    from fundflow.lazy import lazy_module

    stand_in = lazy_module("fractions")
    assert "Fraction" not in vars(stand_in)
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: stand_in.Fraction, range(32)))
    assert all(cls is fractions.Fraction for cls in found)
    assert vars(stand_in)["Fraction"] is fractions.Fraction  # kept: later reads are plain
    with pytest.raises(AttributeError):
        _ = stand_in.no_such_name


def test_import_command_loads_polars_and_the_adapters_only_after_starting_the_parse() -> None:
    """`fundflow import` starts its first workbook's parse before loading polars, the adapters
    and the importer (`readers.start_early`), so its module must not import them."""
    probe = ("import json, sys; import fundflow.cli.import_cmd; "
             "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=60)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    late = {"polars", "pyarrow", "fastexcel", "fundflow.ingest.importer",
            "fundflow.ingest.specs.spec", "fundflow.ingest.specs.registry",
            "fundflow.ingest.readers.delimited"}
    assert not loaded & late, loaded & late
