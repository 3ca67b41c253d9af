"""What every command shares: options, rendering, exit codes and error handling.

Options mean the same everywhere (`--ledger`, `--json`, `-q`, `--debug`, `--adapters`).
Data goes to stdout, progress and messages to stderr. Exit codes: 0 success, 1 the data has
errors, 2 usage error. A data problem never shows a traceback unless `--debug` is given.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError

from fundflow.cli.render import IssueView, SafeConsole
from fundflow.issues import Issue, make_issue
from fundflow.ledger.store import LedgerError

F = TypeVar("F", bound=Callable[..., Any])
MIB = 1024 * 1024

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2

stderr = SafeConsole(stderr=True)
stdout = SafeConsole()


class Context(BaseModel):
    """Options shared by every command, built once by the CLI and passed to the library."""

    ledger: Path
    json_output: bool = False
    quiet: bool = False
    debug: bool = False
    adapters: tuple[Path, ...] = ()
    examples: bool = True


def default_ledger() -> Path:
    """`FUNDFLOW_LEDGER`, or `fundflow.duckdb` in the current folder."""
    return Path(os.environ.get("FUNDFLOW_LEDGER", "fundflow.duckdb"))


def common_options(func: F) -> F:
    """Add the shared options to a command and hand it a `Context` as `ctx`."""

    @click.option(
        "--ledger",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Ledger file (default: $FUNDFLOW_LEDGER or ./fundflow.duckdb).",
    )
    @click.option("--json", "json_output", is_flag=True, help="Machine-readable JSON on stdout.")
    @click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
    @click.option("--debug", is_flag=True, help="Show Python tracebacks (for bug reports).")
    @click.option(
        "--adapters",
        "adapter_dirs",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        multiple=True,
        help="Extra folder of adapter specs (repeatable); adds to the bundled ones.",
    )
    @click.option("--no-examples", is_flag=True, help="Leave out the bundled example "
                  "adapters for real published files (adapters/examples/).")
    @functools.wraps(func)
    def wrapper(
        ledger: Path | None,
        json_output: bool,
        quiet: bool,
        debug: bool,
        adapter_dirs: tuple[Path, ...],
        no_examples: bool,
        **kwargs: Any,
    ) -> Any:
        ctx = Context(
            ledger=ledger or default_ledger(),
            json_output=json_output,
            quiet=quiet,
            debug=debug,
            adapters=adapter_dirs,
            examples=not no_examples,
        )
        try:
            return func(ctx=ctx, **kwargs)
        except LedgerError as exc:
            if debug:
                raise
            issue = make_issue(exc.code, **exc.params)
            report_issues(ctx, [issue])
            sys.exit(EXIT_DATA)

    return wrapper  # type: ignore[return-value]


# (option, Limits field, help, multiplier from the option's unit to the field's)
_LIMITS: tuple[tuple[str, str, str, int], ...] = (
    ("--max-file-mb", "max_file_bytes", "Largest file to read, in MB (default 200).", MIB),
    ("--max-inflated-mb", "max_inflated_bytes",
     "Most a workbook may unzip to, in MB (default 2048).", MIB),
    ("--max-ratio", "max_ratio", "Highest compression ratio of a large part (default 200).", 1),
    ("--max-members", "max_members", "Most parts in a workbook's zip (default 10,000).", 1),
    ("--max-rows", "max_rows", "Most rows in a sheet (default 1,048,576).", 1),
    ("--max-columns", "max_columns", "Most columns in a sheet (default 16,384).", 1),
    ("--max-cells", "max_cells", "Most cells in a sheet (default 20,000,000).", 1),
    ("--max-string-chars", "max_string_chars", "Longest text in a cell (default 32,767).", 1),
    ("--parse-memory-mb", "parse_memory_bytes",
     "Memory for the reader process, in MB (default 4096).", MIB),
    ("--parse-timeout", "parse_timeout_s", "Seconds the reader may take (default 600).", 1),
)


def limit_options(func: F) -> F:
    """Add the `--max-*` reading limits and hand the command a `Limits` as `limits`."""
    for option, field, text, _ in reversed(_LIMITS):
        kind = click.FLOAT if field in ("max_ratio", "parse_timeout_s") else click.INT
        func = click.option(option, field, type=kind, default=None, help=text)(func)

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        from fundflow.ingest.guard import Limits  # noqa: PLC0415 - only commands that read files

        given = {}
        for _, field, _, unit in _LIMITS:
            value = kwargs.pop(field)
            if value is not None:
                given[field] = value * unit
        try:
            limits = Limits(**given)
        except ValidationError as exc:
            raise click.BadParameter(exc.errors()[0]["msg"]) from exc
        return func(limits=limits, **kwargs)

    return wrapper  # type: ignore[return-value]


def to_jsonable(value: Any) -> Any:
    """Models, Decimals, dates and paths as JSON: money as a string so no float creeps in."""
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump(mode="python"))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal | Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def emit_json(value: Any) -> None:
    """Write one JSON document to stdout.

    JSON escapes C0 controls itself; DEL, the C1 controls (0x9b starts an escape sequence on
    some terminals) and bidi overrides are escaped too, so a cell cannot steer the terminal
    through `--json` either. The document is the same to any JSON reader.
    """
    text = json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)
    click.echo(text.translate(_JSON_ESCAPE))


_JSON_ESCAPE = {p: f"\\u{p:04x}" for p in [*range(0x7F, 0xA0), 0x200E, 0x200F,
                                            *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def report_issues(ctx: Context, issues: Iterable[Issue], *, where: str = "--json lists "
                  "them all") -> IssueView:
    """Print issues on stderr for a person: where, what, and what to do, quietly (see
    `IssueView`); returns the view so a caller can add to it or summarise it."""
    view = IssueView(stderr, quiet=ctx.quiet)
    view.show(issues)
    view.close(where)
    return view


def say(ctx: Context, message: str) -> None:
    """A progress or result line on stderr, unless quiet; control characters are escaped."""
    if not ctx.quiet:
        stderr.print(message)
