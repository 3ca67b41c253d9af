"""The `fundflow` command line: a thin layer that parses options, calls one library function
and renders its result. Each command group lives in its own module."""

from __future__ import annotations

import sys

import click

from fundflow.cli.adapters_cmd import adapters_group
from fundflow.cli.analyse_cmd import analyse_group
from fundflow.cli.collect_cmd import collect_command
from fundflow.cli.common import EXIT_USAGE, exit_on_sigterm
from fundflow.cli.demo_cmd import demo_command
from fundflow.cli.export_cmd import export_command
from fundflow.cli.import_cmd import import_command, validate_command
from fundflow.cli.ledger_cmd import ledger_group
from fundflow.cli.return_cmd import report_command, return_command
from fundflow.cli.sample_cmd import sample_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="fundflow")
def cli() -> None:
    """fundflow: every funder's spreadsheets in one ledger, one proportionate return.

    \b
    Start here:
      fundflow demo                       the whole job on the bundled sample partnership
      fundflow import returns/            bring funders' spreadsheets into the ledger
      fundflow ledger summary             what the ledger holds
    """


for command in (
    demo_command, import_command, validate_command, adapters_group, ledger_group,
    return_command, report_command, analyse_group, collect_command, export_command,
    sample_command,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point: usage errors exit 2, as click does."""
    exit_on_sigterm()
    try:
        cli.main(standalone_mode=True)
    except click.UsageError as exc:  # pragma: no cover - click handles these itself
        exc.show()
        sys.exit(EXIT_USAGE)
