"""The `fundflow` command line: a thin layer that parses options, calls one library function
and renders its result. Each command group lives in its own module.

The command table below names each command's module instead of importing it: polars, DuckDB,
pydantic models and the workbook writers take about two seconds to import, and an officer typing
`fundflow --help` or `fundflow ledger summary` should not wait for the libraries of commands
they did not run (click's lazy-group pattern). A command's module is imported when the command
runs or its own help is asked for; `tests/test_startup.py` keeps it that way.
"""

from __future__ import annotations

import importlib
import signal
import sys
from typing import NamedTuple

import click

from fundflow.returns.allocator import return_freed_memory

EXIT_USAGE = 2  # fundflow.cli.common.EXIT_USAGE, without importing that module's libraries
MEMORY_BOUND = {"return": 0, "report": 0, "analyse": 0, "compare": 0, "collect": 1000}
"""Commands whose peak is DuckDB and polars taking turns over large frames, and how many
milliseconds their freed pages are kept before they go back to the system
(`returns.allocator`; jemalloc's own default is ten seconds). At once for a return: 1M
figures over 15,000 streams peaked a third lower. A second for `collect`, which frees and
takes the same memory again for every return: given back at once, page faults were a fifth
of its CPU (1,000 returns: 57.5 s against 49.2 s, peak 700 against 839 MB)."""


class Entry(NamedTuple):
    """Where a command lives and the one line `fundflow --help` shows for it.

    `summary` repeats the first line of the command's docstring so that listing the commands
    imports none of them; a test checks that the two agree.
    """

    module: str
    attr: str
    summary: str


COMMANDS: dict[str, Entry] = {
    "demo": Entry("fundflow.cli.demo_cmd", "demo_command",
                  "Run the whole job on the bundled sample partnership."),
    "import": Entry("fundflow.cli.import_cmd", "import_command",
                    "Import funders' spreadsheets (files or folders) into the ledger."),
    "validate": Entry("fundflow.cli.import_cmd", "validate_command",
                      "Check spreadsheets without writing anything: every problem with its cell."),
    "adapters": Entry("fundflow.cli.adapters_cmd", "adapters_group",
                      "List, show and test adapter specs (how each funder's template is read)."),
    "ledger": Entry("fundflow.cli.ledger_cmd", "ledger_group", "Look inside a ledger."),
    "return": Entry("fundflow.cli.return_cmd", "return_command",
                    "Write the consolidated return for every funder's streams."),
    "report": Entry("fundflow.cli.return_cmd", "report_command",
                    "Write one funder's standard report: the return's schema for its streams "
                    "only."),
    "analyse": Entry("fundflow.cli.analyse_cmd", "analyse_group",
                     "Ring-fencing, short-term funding and reporting burden, from the ledger."),
    "collect": Entry("fundflow.cli.collect_cmd", "collect_command",
                     "Collect partnerships' consolidated returns (.json, or the Data .csv) into "
                     "one ledger."),
    "compare": Entry("fundflow.cli.compare_cmd", "compare_command",
                     "Compare the partnerships collected in a department's ledger, one row "
                     "each."),
    "export": Entry("fundflow.cli.export_cmd", "export_command",
                    "Export the ledger's tables and current views as Parquet (money stays exact "
                    "decimal)."),
    "sample": Entry("fundflow.cli.sample_cmd", "sample_command",
                    "Write the bundled sample partnership's funding register and every funder's "
                    "returns."),
    "serve": Entry("fundflow.cli.serve_cmd", "serve_command",
                   "Open the workbench in the browser: upload files, see problems, take the "
                   "return."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when one of them is run or asked about."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, from the table and any added directly, in alphabetical order."""
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the command's module now that it is needed."""
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name in MEMORY_BOUND:  # before DuckDB and polars load
            return_freed_memory(MEMORY_BOUND[cmd_name])
        command = getattr(importlib.import_module(entry.module), entry.attr)
        assert isinstance(command, click.Command), entry
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `fundflow --help`, from the table: no command is imported."""
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            entry = COMMANDS.get(name)
            # a stand-in with the summary as its help shortens it exactly as click would
            command = click.Command(name, help=entry.summary) if entry else self.commands[name]
            if not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="fundflow")
def cli() -> None:
    """fundflow: every funder's spreadsheets in one ledger, one proportionate return.

    \b
    Start here:
      fundflow demo                       the whole job on the bundled sample partnership
      fundflow import returns/            bring funders' spreadsheets into the ledger
      fundflow ledger summary             what the ledger holds
      fundflow serve                      the same in the browser
    """


def exit_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C: `finally` blocks and finalizers run, so an open
    ledger transaction is rolled back and spools and `.part` files are removed (by default
    SIGTERM ends Python at once and leaves them). Exit code 143, as the shell expects."""

    def stop(signum: int, _: object) -> None:
        signal.signal(signum, signal.SIG_DFL)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> None:
    """Console-script entry point: usage errors exit 2, as click does."""
    exit_on_sigterm()
    try:
        cli.main(standalone_mode=True)
    except click.UsageError as exc:  # pragma: no cover - click handles these itself
        exc.show()
        sys.exit(EXIT_USAGE)
