"""`fundflow adapters ...`: list, show and test adapter specs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml
from rich.table import Table

from fundflow.adapters.identify import identify
from fundflow.adapters.registry import load_adapters
from fundflow.cli.common import (
    EXIT_DATA,
    Context,
    common_options,
    emit_json,
    report_issues,
    stdout,
)
from fundflow.drift import template_drift
from fundflow.parsers import PARSERS
from fundflow.readers import read_workbook
from fundflow.suggest import suggest_spec


@click.group("adapters")
def adapters_group() -> None:
    """List, show and test adapter specs (how each funder's template is read)."""


@adapters_group.command("list")
@common_options
def list_command(ctx: Context) -> None:
    """Every adapter fundflow knows, bundled and from --adapters folders.

    \b
    Example:
      fundflow adapters list
      fundflow adapters list --adapters my_adapters/ --json
    """
    adapters, issues = load_adapters(ctx.adapters, include_examples=True)
    report_issues(ctx, issues)
    if ctx.json_output:
        emit_json([{"id": a.spec.id, "version": a.spec.version, "name": a.spec.name,
                    "funder": a.spec.funder, "path": a.path} for a in adapters])
        return
    table = Table("id", "version", "funder", "template", "file")
    for a in sorted(adapters, key=lambda a: a.spec.id):
        table.add_row(a.spec.id, a.spec.version, a.spec.funder or "", a.spec.name, a.path.name)
    stdout.print(table)


@adapters_group.command("show")
@click.argument("adapter_id")
@common_options
def show_command(ctx: Context, adapter_id: str) -> None:
    """Print one adapter spec as YAML.

    \b
    Example:
      fundflow adapters show dpc-ttf-performance > my_copy.yaml
    """
    adapters, _ = load_adapters(ctx.adapters, include_examples=True)
    found = next((a for a in adapters if a.spec.id == adapter_id), None)
    if found is None:
        raise click.UsageError(
            f"no adapter '{adapter_id}'; `fundflow adapters list` shows the ids")
    if ctx.json_output:
        emit_json(found.spec.model_dump(mode="json", exclude_defaults=True))
        return
    click.echo(found.path.read_text(encoding="utf-8"))


@adapters_group.command("identify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@common_options
def identify_command(ctx: Context, path: Path) -> None:
    """Which adapter claims a file; if none does, which came closest and why.

    When one adapter claims the file but the file's header differs from the adapter's
    layout (a column renamed, missing or new), a `template-drift` warning says how.

    \b
    Example:
      fundflow adapters identify returns/ICP_Q3_2025-26.xlsx
    """
    adapters, issues = load_adapters(ctx.adapters, include_examples=True)
    workbook, read_issues = read_workbook(path)
    report_issues(ctx, issues + read_issues)
    if workbook is None:
        sys.exit(EXIT_DATA)
    verdicts = identify(path, workbook, adapters)
    claimants = [v for v in verdicts if v.claims]
    drift = (template_drift(claimants[0].adapter.spec, workbook, path.name)
             if len(claimants) == 1 else [])
    rows = [{"adapter": v.adapter.spec.id, "claims": v.claims, "rules_passed": v.passed,
             "rules": v.total, "why_not": v.failures,
             "drift": [i.model_dump(mode="json") for i in drift] if v.claims else []}
            for v in verdicts]
    report_issues(ctx, drift)
    if ctx.json_output:
        emit_json(rows)
    else:
        claims = [v for v in verdicts if v.claims]
        if len(claims) == 1:
            stdout.print(f"{path.name}: read by [bold]{claims[0].adapter.spec.id}[/bold] "
                         f"({claims[0].adapter.spec.name})")
        elif claims:
            stdout.print(f"{path.name}: claimed by several adapters: "
                         + ", ".join(v.adapter.spec.id for v in claims))
        else:
            best = verdicts[0] if verdicts else None
            stdout.print(f"{path.name}: no adapter reads this file.")
            if best:
                stdout.print(f"  closest: {best.adapter.spec.id} ({best.passed} of "
                             f"{best.total} rules): " + "; ".join(best.failures), markup=False)
    if sum(1 for v in verdicts if v.claims) != 1:
        sys.exit(EXIT_DATA)


@adapters_group.command("suggest")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the draft spec here (refuses to overwrite) instead of stdout.")
@common_options
def suggest_command(ctx: Context, path: Path, out: Path | None) -> None:
    """Draft an adapter spec for a new layout from the file itself.

    Finds the data sheet (all of them when each quarter has its own), its title rows, merged
    header rows, totals and notes; maps columns to canonical fields by header and content;
    unpivots period columns (text or date headers) and money columns that are measures or
    parts; finds the period (column, cover sheet, file name) and units such as £000s. The
    draft claims files by sheets and headers, so a renamed copy is read too. Only the stream
    and funder are asked for, under `===== FILL IN` at the top of the fields: until you
    replace the FILL-IN-... values `fundflow validate` refuses the draft.

    \b
    Example:
      fundflow adapters suggest returns/new_funder.xlsx --out my_adapters/new-funder.yaml
      fundflow validate returns/new_funder.xlsx --adapters my_adapters/
    """
    if out is not None and out.exists():
        raise click.UsageError(f"{out} exists; choose another --out or remove it first")
    result = suggest_spec(path)
    report_issues(ctx, result.issues)
    if result.yaml is None:
        sys.exit(EXIT_DATA)
    if ctx.json_output:
        emit_json({"spec": yaml.safe_load(result.yaml), "undecided": result.undecided})
    elif out is None:
        click.echo(result.yaml, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.yaml, encoding="utf-8")
    if not ctx.quiet:
        for text in result.undecided:
            click.echo(f"to decide: {text}", err=True)


@adapters_group.command("parsers")
@common_options
def parsers_command(ctx: Context) -> None:
    """The named parsers a spec can use for a field, with examples.

    \b
    Example:
      fundflow adapters parsers
    """
    rows = [{"name": name, "description": p.description,
             "examples": [str(e) for e in p.examples]} for name, p in PARSERS.items()]
    if ctx.json_output:
        emit_json(rows)
        return
    for row in rows:
        stdout.print(f"[bold]{row['name']}[/bold]: {row['description']}")
        for example in row["examples"]:
            stdout.print(f"    {example}", markup=False)


def dump_yaml(data: object) -> str:
    """YAML as a finance officer would write it: block style, keys in the given order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
