"""`fundflow return` and `fundflow report`: the consolidated return and a funder's report."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from fundflow.cli.common import (
    EXIT_DATA,
    EXIT_USAGE,
    Context,
    common_options,
    emit_json,
    report_issues,
    say,
)
from fundflow.issues import Issue, Severity, make_issue
from fundflow.ledger import open_ledger
from fundflow.reference import ReferenceDataError, bundled_reference
from fundflow.returns.build import ReturnError, build_return, unreconciled
from fundflow.returns.model import Return
from fundflow.returns.write import WRITERS, OutputFormatError, Written, output_format, write_return


def _year(_: click.Context, __: click.Parameter, value: str) -> str:
    match = re.fullmatch(r"(\d{4})[-/](\d{2})", value.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise click.BadParameter("write the financial year like 2025-26")
    return f"{match[1]}-{match[2]}"


def _options(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        click.option("--year", required=True, callback=_year,
                     help="UK financial year, e.g. 2025-26 (April to March)."),
        click.option("--quarter", type=click.Choice(["Q1", "Q2", "Q3", "Q4"],
                                                    case_sensitive=False),
                     help="Report to the end of this quarter (default: the whole year)."),
        click.option("--basis", type=click.Choice(["defrayed", "accrued", "committed",
                                                   "claimed"]),
                     help="Count only streams reported on this basis and list the others "
                          "apart, each with the reason (default: every stream on its own "
                          "basis, with a subtotal per basis)."),
        click.option("--schemas", "schemas", multiple=True,
                     type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Folder of reference data (crosswalks/, calendars.yaml, "
                          "indicators.yaml, ...) added to or overriding the bundled schemas; "
                          "repeatable. Its hash is on the cover."),
        click.option("--out", "out", required=True, type=click.Path(dir_okay=False,
                                                                    path_type=Path),
                     help=f"Output file; its extension sets the format ({', '.join(WRITERS)})."),
    ]):
        func = option(func)
    return func


@click.command("return")
@_options
@common_options
def return_command(ctx: Context, *, year: str, quarter: str | None, basis: str | None,
                   out: Path, schemas: tuple[Path, ...]) -> None:
    """Write the consolidated return for every funder's streams.

    Cover with sign-off and content hash, summary by funder and stream, finance by canonical
    category at each stream's reporting tier, outputs and outcomes, ring-fencing, funding
    horizon, reconciliation to every source file, open issues and a flat Data sheet. Exit 1
    when the data has errors (nothing is written if the return does not reconcile).

    \b
    Example:
      fundflow return --year 2025-26 --quarter Q2 --out return.xlsx
      fundflow return --year 2025-26 --out return.html --ledger eastbrook.duckdb
    """
    _run(ctx, year, quarter, basis, out=out, funder=None, schemas=schemas)


@click.command("report")
@click.option("--funder", required=True, help="Funder id, e.g. F-DPC (see `ledger summary`).")
@_options
@common_options
def report_command(ctx: Context, *, funder: str, year: str, quarter: str | None,
                   basis: str | None, out: Path, schemas: tuple[Path, ...]) -> None:
    """Write one funder's standard report: the return's schema for its streams only.

    Adds the funder's share of the partnership's funding and how its conditions (ring-fence,
    reporting frequency, basis, virement, match, duration, tiers) compare with other funders'.

    \b
    Example:
      fundflow report --funder F-DPC --year 2025-26 --out dpc-report.xlsx
      fundflow report --funder F-NCLF --year 2025-26 --quarter Q4 --out nclf.html --json
    """
    _run(ctx, year, quarter, basis, out=out, funder=funder, schemas=schemas)


def _run(ctx: Context, year: str, quarter: str | None, basis: str | None, *, out: Path,
         funder: str | None, schemas: tuple[Path, ...]) -> None:
    try:
        output_format(out)
    except OutputFormatError:
        report_issues(ctx, [make_issue("output-format-unknown", value=out.name,
                                       expected=", ".join(WRITERS))])
        sys.exit(EXIT_USAGE)
    try:
        reference = bundled_reference(schemas)
    except ReferenceDataError as exc:
        report_issues(ctx, exc.issues)
        sys.exit(EXIT_DATA)
    with open_ledger(ctx.ledger, read_only=True) as con:
        try:
            ret = build_return(con, year, quarter, funder, basis=basis, reference=reference)
        except ReturnError as exc:
            report_issues(ctx, exc.issues)
            sys.exit(EXIT_DATA)
    issues = [_issue(i.code, i.severity, i.message, i.hint, i.location) for i in ret.issues]
    report_issues(ctx, issues)
    if unreconciled(ret):
        say(ctx, "Nothing written: the return does not reconcile to the ledger.")
        sys.exit(EXIT_DATA)
    written = write_return(ret, out)
    _show(ctx, ret, written)
    if any(i.severity is Severity.ERROR for i in issues):
        sys.exit(EXIT_DATA)


def _issue(code: str, severity: str, message: str, hint: str, location: str) -> Issue:
    where = None if location == "(no location)" else location
    return Issue(code=code, severity=Severity(severity), message=message, hint=hint or None,
                 file=where)


def _show(ctx: Context, ret: Return, written: Written) -> None:
    if ctx.json_output:
        emit_json({
            "path": written.path, "format": written.format, "bytes": written.bytes,
            "sha256": written.sha256, "content_hash": ret.cover.content_hash,
            "year": ret.cover.year, "quarter": ret.cover.quarter, "funder": ret.cover.funder_id,
            "streams": ret.cover.streams, "submissions": ret.cover.submissions,
            "figures": len(ret.data), "issues": len(ret.issues),
        })
        return
    say(ctx, f"Wrote {written.path} ({written.format}, {written.bytes:,} bytes): "
             f"{ret.cover.streams} streams, {ret.cover.submissions} source files, "
             f"{len(ret.data):,} figures, {len(ret.issues)} open issues.")
