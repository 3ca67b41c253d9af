"""`fundflow adapters ...`: list, show and test adapter specs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from fundflow.cli.common import (
    EXIT_DATA,
    Context,
    common_options,
    emit_json,
    report_issues,
    stdout,
)
from fundflow.cli.render import Column, DataTable, plain, styled
from fundflow.ingest.drift import template_drift
from fundflow.ingest.parsers import PARSERS, Example
from fundflow.ingest.readers import read_workbook
from fundflow.ingest.specs.golden import example_files, pin
from fundflow.ingest.specs.identify import claimants, identify
from fundflow.ingest.specs.registry import Loaded, load_adapters, load_spec
from fundflow.ingest.suggest import suggest_spec
from fundflow.issues import Issue


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
    adapters, issues = load_adapters(ctx.adapters, include_examples=ctx.examples)
    report_issues(ctx, issues)
    if ctx.json_output:
        emit_json([{"id": a.spec.id, "version": a.spec.version, "name": a.spec.name,
                    "funder": a.spec.funder, "path": a.path} for a in adapters])
        return
    table = DataTable(Column("id", "id"), Column("version", "id"), Column("funder", "id"),
                      Column("template"))
    for a in sorted(adapters, key=lambda a: a.spec.id):
        table.add_row(a.spec.id, a.spec.version, a.spec.funder or "", a.spec.name)
    table.print(stdout)


@adapters_group.command("show")
@click.argument("adapter_id")
@common_options
def show_command(ctx: Context, adapter_id: str) -> None:
    """Print one adapter spec as YAML.

    \b
    Example:
      fundflow adapters show dpc-ttf-performance > my_copy.yaml
    """
    adapters, _ = load_adapters(ctx.adapters, include_examples=ctx.examples)
    found = next((a for a in adapters if a.spec.id == adapter_id), None)
    if found is None:
        raise click.UsageError(
            f"no adapter '{adapter_id}'; `fundflow adapters list` shows the ids")
    if ctx.json_output:
        emit_json(found.spec.model_dump(mode="json", exclude_defaults=True))
        return
    click.echo(plain(found.path.read_text(encoding="utf-8"), lines=True))


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
    adapters, issues = load_adapters(ctx.adapters, include_examples=ctx.examples)
    workbook, read_issues = read_workbook(path)
    report_issues(ctx, issues + read_issues)
    if workbook is None:
        sys.exit(EXIT_DATA)
    verdicts = identify(path, workbook, adapters)
    claims = claimants(verdicts)
    drift = (template_drift(claims[0].adapter.spec, workbook, path.name)
             if len(claims) == 1 else [])
    rows = [{"adapter": v.adapter.spec.id, "claims": v.claims, "rules_passed": v.passed,
             "rules": v.total, "why_not": v.failures,
             "drift": [i.model_dump(mode="json") for i in drift] if v in claims else []}
            for v in verdicts]
    report_issues(ctx, drift)
    if ctx.json_output:
        emit_json(rows)
    elif len(claims) == 1:
        stdout.print(styled(f"{path.name}: read by ", (claims[0].adapter.spec.id, "bold"),
                            f" ({claims[0].adapter.spec.name})"))
    elif claims:
        stdout.print(f"{path.name}: claimed by several adapters: "
                     + ", ".join(v.adapter.spec.id for v in claims))
    else:
        best = verdicts[0] if verdicts else None
        stdout.print(f"{path.name}: no adapter reads this file.")
        if best:
            stdout.print(f"  closest: {best.adapter.spec.id} ({best.passed} of "
                         f"{best.total} rules): " + "; ".join(best.failures))
    if len(claims) != 1:
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
            click.echo(plain(f"to decide: {text}"), err=True)


@adapters_group.command("test")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--generate", is_flag=True, help="Write the golden files that are missing from "
              "the current reading (an existing one is never overwritten).")
@common_options
def test_command(ctx: Context, spec: Path, paths: tuple[Path, ...], generate: bool) -> None:
    """Check an adapter against the files it read before (its golden files).

    Each example file X.xlsx is pinned by X.xlsx.golden beside it: every row the adapter
    made of it. After changing the adapter, this reads every example again with it and
    shows what changed. Without PATHS, the examples are the spreadsheets in the folder
    named like the spec beside it (my_adapters/new-funder/ for
    my_adapters/new-funder.yaml). To accept a change, delete the golden file and run again
    with --generate. Exit code 1 when a file differs, has no golden file or is not read.

    \b
    Example:
      fundflow adapters test my_adapters/new-funder.yaml --generate
      fundflow adapters test my_adapters/new-funder.yaml returns/new_funder_Q1.xlsx
    """
    loaded = load_spec(spec)
    if isinstance(loaded, Issue):
        report_issues(ctx, [loaded])
        sys.exit(EXIT_DATA)
    files = example_files(spec, paths)
    if not files:
        raise click.UsageError(f"no example files: give them as PATHS or put them in "
                               f"{spec.with_suffix('')}/")
    results = pin(Loaded(loaded, spec), files, generate=generate)
    if ctx.json_output:
        emit_json([{"file": r.path, "outcome": r.outcome, "diff": r.diff,
                    "issues": [i.model_dump(mode="json") for i in r.issues]} for r in results])
    else:
        for r in results:
            report_issues(ctx, r.issues)
            click.echo(f"{r.path}: {_PINNED[r.outcome]}")
            if r.diff:
                click.echo(r.diff)
    if not all(r.ok for r in results):
        sys.exit(EXIT_DATA)


_PINNED = {
    "matches": "reads as pinned",
    "differs": "reads differently from its golden file:",
    "missing": "has no golden file (run again with --generate to pin this reading)",
    "written": "golden file written",
    "not-read": "not read by this adapter (see the issues above)",
}


@adapters_group.command("parsers")
@common_options
def parsers_command(ctx: Context) -> None:
    """The named parsers a spec can use for a field, with examples.

    \b
    Example:
      fundflow adapters parsers
    """
    rows = [{"name": name, "description": p.description,
             "examples": [_example(e) for e in p.examples]} for name, p in PARSERS.items()]
    if ctx.json_output:
        emit_json(rows)
        return
    for row in rows:
        stdout.print(styled((str(row["name"]), "bold"), f": {row['description']}"))
        for example in row["examples"]:
            stdout.print(f"    {example}")


def _example(example: Example) -> str:
    """'£1,234.56 → 123456', '31/02/2026 → refused: date-invalid', in words, not reprs."""
    given = "(empty)" if example.text is None else repr(example.text)
    if example.reason is not None:
        got = f"refused: {example.reason}"
    elif example.value is None:
        got = "nothing (missing)"
    elif hasattr(example.value, "isoformat"):
        got = example.value.isoformat()
    else:
        got = str(example.value)
    options = ", ".join(f"{k}={v}" for k, v in example.options)
    return f"{given} → {got}" + (f"  (with {options})" if options else "")


def dump_yaml(data: object) -> str:
    """YAML as a finance officer would write it: block style, keys in the given order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
