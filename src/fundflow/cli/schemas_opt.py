"""`--schemas DIR`: the reference data a command reads the ledger with.

Kept apart from `analyse_cmd` so that `fundflow ledger summary`, which takes the same option,
does not import the analyses (0.4 s of its start) to get it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fundflow.cli.common import EXIT_DATA, Context, report_issues
from fundflow.mapping.reference import ReferenceDataError, bundled_reference

F = TypeVar("F", bound=Callable[..., Any])

SCHEMAS_HELP = ("Folder of reference data (crosswalks/, calendars.yaml, indicators.yaml, ...) "
                "added to or overriding the bundled schemas; repeatable.")


def schemas_option(func: F) -> F:
    """`--schemas DIR` (repeatable), loaded once here and handed on as `reference`: a folder
    with broken reference data is reported as issues (exit 1), before the ledger opens."""

    @click.option("--schemas", "schemas", multiple=True,
                  type=click.Path(exists=True, file_okay=False, path_type=Path),
                  help=SCHEMAS_HELP)
    @functools.wraps(func)
    def wrapper(ctx: Context, schemas: tuple[Path, ...], **kwargs: Any) -> Any:
        try:
            reference = bundled_reference(schemas)
        except ReferenceDataError as exc:
            report_issues(ctx, exc.issues)
            sys.exit(EXIT_DATA)
        return func(ctx=ctx, reference=reference, **kwargs)

    return wrapper  # type: ignore[return-value]
