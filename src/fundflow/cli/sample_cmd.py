"""`fundflow sample`: write the sample partnership, or large synthetic files for benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from fundflow.cli.common import Context, common_options, emit_json, say
from fundflow.sample import MAX_PARTNERSHIPS, write_sample, write_synthetic


@click.command("sample")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write into (created if needed).")
@click.option("--seed", default=2025, show_default=True, help="Same seed, same files.")
@click.option("--partnerships", default=1, show_default=True,
              help="How many fictional partnerships (for trying `fundflow collect`).")
@click.option("--returns", "returns_only", is_flag=True,
              help="With --partnerships N: write each partnership's consolidated return "
                   "(.json, what a department collects) instead of its spreadsheets; fast "
                   "for thousands (one partnership is imported, the others derived from it).")
@click.option("--synthetic-rows", type=int, default=None,
              help="Instead: one large synthetic file with this many rows (benchmarks).")
@click.option("--shape", type=click.Choice(["long", "wide"]), default="long", show_default=True,
              help="Shape of the synthetic file.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx",
              show_default=True, help="Format of the synthetic file.")
@common_options
def sample_command(ctx: Context, out_dir: Path, seed: int, partnerships: int,
                   returns_only: bool, synthetic_rows: int | None, shape: str,
                   fmt: str) -> None:
    """Write the bundled sample partnership's funding register and every funder's returns.

    The files are in the funders' own layouts, quirks included (sample_data/README.md). The
    same seed always gives byte-identical files.

    \b
    Example:
      fundflow sample --out my_sample/
      fundflow sample --out bench/ --synthetic-rows 100000 --shape wide
      fundflow sample --out received/ --partnerships 1000 --returns
    """
    if returns_only:
        from fundflow.sample.department import write_returns  # noqa: PLC0415 - imports a lot

        if not 1 <= partnerships <= MAX_PARTNERSHIPS:
            raise click.BadParameter(f"between 1 and {MAX_PARTNERSHIPS:,}",
                                     param_hint="--partnerships")
        say(ctx, "Importing the sample partnership once, to derive the others from…")
        paths = write_returns(out_dir, partnerships, seed=seed)
    elif synthetic_rows is not None:
        paths = [write_synthetic(out_dir, rows=synthetic_rows, shape=shape,  # type: ignore[arg-type]
                                 fmt=fmt, seed=seed)]  # type: ignore[arg-type]
    else:
        try:
            paths = write_sample(out_dir, seed=seed, partnerships=partnerships)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--partnerships") from exc
    if ctx.json_output:
        emit_json([str(p) for p in paths])
        return
    for path in paths[:50]:
        say(ctx, f"wrote {path}")
    if len(paths) > 50:
        say(ctx, f"… and {len(paths) - 50:,} more ({len(paths):,} files in {out_dir}).")
