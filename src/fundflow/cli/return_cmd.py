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
    stderr,
)
from fundflow.cli.render import IssueView
from fundflow.issues import Issue, Severity, make_issue
from fundflow.ledger.read import Contents, contents
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import ReferenceDataError, bundled_reference
from fundflow.outputs import OutputError, check_output
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
        click.option("--open", "open_after", is_flag=True,
                     help="Open the file once written, in the program your desktop uses."),
    ]):
        func = option(func)
    return func


@click.command("return")
@_options
@common_options
def return_command(ctx: Context, *, year: str, quarter: str | None, basis: str | None,
                   out: Path, schemas: tuple[Path, ...], open_after: bool) -> None:
    """Write the consolidated return for every funder's streams.

    Cover with sign-off and content hash, summary by funder and stream, finance by canonical
    category at each stream's reporting tier, outputs and outcomes, ring-fencing, funding
    horizon, reconciliation to every source file, open issues and a flat Data sheet. Exit 1
    when the data has errors (nothing is written if the return does not reconcile).

    \b
    Example:
      fundflow return --year 2025-26 --quarter Q2 --out return.xlsx
      fundflow return --year 2025-26 --out return.html --ledger eastbrook.duckdb --open
    """
    _run(ctx, year, quarter, basis, out=out, funder=None, schemas=schemas,
         open_after=open_after)


@click.command("report")
@click.option("--funder", required=True, help="Funder id, e.g. F-DPC (see `ledger summary`).")
@_options
@common_options
def report_command(ctx: Context, *, funder: str, year: str, quarter: str | None,
                   basis: str | None, out: Path, schemas: tuple[Path, ...],
                   open_after: bool) -> None:
    """Write one funder's standard report: the return's schema for its streams only.

    Adds the funder's share of the partnership's funding and how its conditions (ring-fence,
    reporting frequency, basis, virement, match, duration, tiers) compare with other funders'.

    \b
    Example:
      fundflow report --funder F-DPC --year 2025-26 --out dpc-report.xlsx
      fundflow report --funder F-NCLF --year 2025-26 --quarter Q4 --out nclf.html --json
    """
    _run(ctx, year, quarter, basis, out=out, funder=funder, schemas=schemas,
         open_after=open_after)


def _run(ctx: Context, year: str, quarter: str | None, basis: str | None, *, out: Path,
         funder: str | None, schemas: tuple[Path, ...], open_after: bool) -> None:
    _check_out(ctx, out)
    try:
        reference = bundled_reference(schemas)
    except ReferenceDataError as exc:
        report_issues(ctx, exc.issues)
        sys.exit(EXIT_DATA)
    with open_ledger(ctx.ledger, read_only=True) as con:
        _check_known(ctx, contents(con), year, funder)
        try:
            ret = build_return(con, year, quarter, funder, basis=basis, reference=reference)
        except ReturnError as exc:
            report_issues(ctx, exc.issues)
            sys.exit(EXIT_DATA)
    issues = [_issue(i.code, i.severity, i.message, i.hint, i.location) for i in ret.issues]
    own = [i for i in issues if i.code.startswith("return-")]
    report_issues(ctx, own)
    if unreconciled(ret):
        say(ctx, "Nothing written: the return does not reconcile to the ledger.")
        sys.exit(EXIT_DATA)
    try:
        written = write_return(ret, out)
    except OutputError as exc:
        report_issues(ctx, [exc.issue])
        sys.exit(EXIT_DATA)
    _show(ctx, ret, written, issues)
    if open_after:
        _open(ctx, written.path)
    if any(i.severity is Severity.ERROR for i in issues):
        sys.exit(EXIT_DATA)


def _check_out(ctx: Context, out: Path) -> None:
    """Refuse an output fundflow cannot or must not write before any work: a wrong format,
    the ledger itself, a device or folder (exit 2, nothing touched)."""
    try:
        output_format(out)
    except OutputFormatError:
        report_issues(ctx, [make_issue("output-format-unknown", value=out.name,
                                       expected=", ".join(WRITERS))])
        sys.exit(EXIT_USAGE)
    refused = check_output(out, protect=[ctx.ledger])
    if refused is not None:
        report_issues(ctx, [refused])
        sys.exit(EXIT_USAGE)


def _check_known(ctx: Context, known: Contents, year: str, funder: str | None) -> None:
    """A funder or year the ledger does not have is a mistyped option: say what exists
    instead of writing an empty return (exit 2)."""
    problem = None
    if funder is not None and funder not in known.funders:
        problem = make_issue("report-funder-unknown", value=funder, path=str(ctx.ledger),
                             known=_listed(known.funders, "no funders"))
    elif year not in known.years:
        problem = make_issue("return-year-unknown", value=year, path=str(ctx.ledger),
                             known=_listed(known.years, "no year (nothing is imported yet)"))
    if problem is not None:
        report_issues(ctx, [problem])
        sys.exit(EXIT_USAGE)


def _listed(items: list[str], none: str) -> str:
    return ", ".join(items) if items else none


def _open(ctx: Context, path: Path) -> None:
    """Open the written file in the desktop's program for it (no shell: the path is data)."""
    if click.launch(str(path.resolve())) != 0:
        say(ctx, f"Could not open {path}; open it from your file manager.")


def _issue(code: str, severity: str, message: str, hint: str, location: str) -> Issue:
    where = None if location == "(no location)" else location
    return Issue(code=code, severity=Severity(severity), message=message, hint=hint or None,
                 file=where)


def _show(ctx: Context, ret: Return, written: Written, issues: list[Issue]) -> None:
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
             f"{len(ret.data):,} figures.")
    if issues:
        view = IssueView(stderr)
        view.seen.update(i.severity for i in issues)
        say(ctx, f"{view.total().capitalize()} open in the ledger's returns: "
                 f"{_ISSUES_AT[written.format]}.")


_ISSUES_AT = {
    "xlsx": "listed on the return's Issues sheet",
    "html": "listed in the return's Open issues section",
    "json": "listed under \"issues\" in the return",
    "csv": "the CSV holds figures only; write the return as .xlsx or .html to list them",
}
