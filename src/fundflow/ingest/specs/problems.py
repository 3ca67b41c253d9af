"""What becomes an issue while a table's records are made: rejected and missing values,
cells no value came from, values below zero, lookups that found nothing, error cells, and
records that repeat an earlier one.

Each function reports at the cell concerned, in the file's context, and returns (where a
record must be left out) a mask of the records that failed, so extraction stays a sequence
of column operations and the wording of problems lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from fundflow.ingest.grid import cell_ref
from fundflow.ingest.specs.interpret import Interpreted
from fundflow.ingest.specs.regions import Located
from fundflow.ingest.specs.spec import Source, TableSpec
from fundflow.issues import Severity
from fundflow.money import DEFAULT_MISSING

if TYPE_CHECKING:
    from fundflow.ingest.specs.extract import FileContext

# Missing markers of parsers whose default differs from money's (text: only a blank).
PARSER_MISSING: dict[str, tuple[str, ...]] = {"text": ("",)}


def flagged_cells(ctx: FileContext, loc: Located, data: pl.DataFrame, cols: set[int]) -> None:
    """Error cells and formulas without a saved result in the cells this table reads.

    The fast readers return such cells as blanks (research/relsec.md F2), which would make a
    broken formula look like "nothing reported"; the guard recorded them, so say so here.
    """
    flags = loc.region.sheet.flags
    if not flags or data.height == 0:
        return
    rows = set(data.get_column("_row").to_list())
    for (r, c), reason in sorted(flags.items()):
        if r in rows and c in cols:
            code, _, value = reason.partition(":")
            ctx.issue("cell-error" if code == "error" else "formula-without-value",
                      sheet=loc.region.sheet.name, cell=cell_ref(r, c), value=value or None)


@dataclass(frozen=True)
class Block:
    """One block of a table repeated in blocks: its label, the label's cell, and the cells of
    its records' figures (so a problem with the block can point at the money)."""

    title: str | None
    cell: str | None
    figures: pl.Expr


def rejected_values(
    ctx: FileContext,
    where: tuple[str, TableSpec],
    src: Source,
    name: str,
    read: Interpreted,
    data: pl.DataFrame,
    cells: pl.Expr,
    block: Block | None = None,
) -> pl.Series:
    """Issues for rejected and required-but-blank values; True where the record failed."""
    sheet, table = where
    reasons = read.reasons
    missing = read.blank if src.required else pl.repeat(False, reasons.len(), eager=True)
    failed = reasons.is_not_null() | missing
    if not failed.any():
        return failed
    sev = Severity(ctx.spec.contract.invalid_values)
    bad = data.with_columns(read.text.alias("_raw_text"), reasons.alias("_reason"),
                            missing.alias("_missing")).filter(failed)
    rows = bad.select("_raw_text", "_reason", cells.cast(pl.String).alias("_cell"), "_missing")
    if src.kind == "block" and block is not None and rows.get_column("_missing").all():
        figures = data.filter(failed).with_columns(block.figures.alias("_figure"))["_figure"]
        _block_without_value(ctx, where, name, block, figures, sev)
        return failed
    if src.kind not in ("column", "column_pattern", "header", "label", "cell"):
        # A constant, context, template or name pattern: one problem, not one per record.
        raw_text, reason, _, is_missing = rows.row(0)
        code = "field-no-value" if is_missing and reason is None else reason
        ctx.issue_once((table.name, name, sheet), code, severity=sev, sheet=sheet,
                       value=raw_text, field=name, table=table.name, source=src.kind)
        return failed
    for raw_text, reason, cell, is_missing in rows.iter_rows():
        code = "required-missing" if is_missing and reason is None else reason
        ctx.issue(code, severity=sev, sheet=sheet, cell=cell, value=raw_text,
                  field=name, table=table.name)
    return failed


BLOCK_FIELD_WORDS = {"stream_id": "project or stream", "project": "project",
                     "funder_id": "funder", "category": "heading"}


def _block_without_value(ctx: FileContext, where: tuple[str, TableSpec], name: str,
                         block: Block, figures: pl.Series, sev: Severity) -> None:
    """Figures under a block whose label names nothing for a field read from the label: in a
    template of numbered slots ('Project 4:'), money typed into a slot no project fills."""
    sheet, table = where
    cells = [c for c in figures.to_list() if c]
    ctx.issue_once((table.name, name, sheet, block.cell), "block-no-value", severity=sev,
                   sheet=sheet, cell=block.cell, value=block.title or "",
                   field=BLOCK_FIELD_WORDS.get(name, name.replace("_", " ")),
                   table=table.name, figures=f"{len(figures):,} figure"
                   + ("" if len(figures) == 1 else "s"),
                   first=cells[0] if cells else "its rows")


def unaccounted(
    ctx: FileContext,
    where: tuple[str, str],
    src: Source,
    read: Interpreted,
    data: pl.DataFrame,
    cells: pl.Expr,
) -> pl.Series:
    """Every non-empty source cell must end as a value, a reported problem, or a missing
    marker such as 'n/a'. A cell that ends as none of these would be money lost without a word
    (relsec F3), so it is reported, whatever parser or step let it slip."""
    sheet, name = where
    candidates = read.values.is_null() & read.reasons.is_null() & ~read.blank
    if not candidates.any():  # the usual case: every cell gave a value or a reason
        return candidates
    text = read.text
    markers = {m.casefold() for m in src.options.get("missing", PARSER_MISSING.get(
        src.parser, DEFAULT_MISSING))}
    stripped = text.str.strip_chars()
    lost = (
        candidates
        & (stripped.fill_null("") != "")
        & ~stripped.str.to_lowercase().is_in(list(markers)).fill_null(False)
    )
    if lost.any():
        rows = data.with_columns(text.alias("_t")).filter(lost).select(
            "_t", cells.cast(pl.String).alias("_c"))
        for value, cell in rows.iter_rows():
            ctx.issue("value-unaccounted", sheet=sheet, cell=cell, value=value, field=name)
    return lost


def negative_values(
    ctx: FileContext,
    where: tuple[str, str, str, str],
    read: Interpreted,
    data: pl.DataFrame,
    cells: pl.Expr,
    failed: pl.Series,
) -> None:
    """A `value-negative` warning (or, with `negative: error`, a `value-below-zero` error)
    for each kept value below zero; the record stays, so the message can name its cell."""
    values = read.values
    if not values.dtype.is_numeric():
        return
    below = (values.fill_null(0) < 0) & ~failed
    if not below.any():
        return
    sheet, name, table, mode = where
    code = "value-negative" if mode == "warning" else "value-below-zero"
    rows = data.with_columns(read.text.alias("_raw_text")).filter(below)
    for raw_text, cell in rows.select("_raw_text", cells.alias("_cell")).iter_rows():
        ctx.issue(code, severity=Severity(mode), sheet=sheet, cell=cell,
                  value=raw_text, field=name, table=table)


def lookup_misses(ctx: FileContext, table: TableSpec, name: str, misses: pl.DataFrame) -> None:
    """One `lookup-no-match` issue per distinct text (`raw`, at cell `c` of sheet `s`) and
    table, at its first cell."""
    src = table.fields[name]
    assert src.lookup_table is not None
    where = f"'{src.lookup_table.sheet}'!{src.lookup_table.key_column}"
    for text, cell, sheet in misses.unique("raw", keep="first", maintain_order=True).iter_rows():
        ctx.issue_once((table.name, name, text), "lookup-no-match",
                       severity=Severity(ctx.spec.contract.invalid_values), sheet=sheet,
                       cell=cell, value=text, field=name, table=table.name, lookup=where)


def duplicates(ctx: FileContext, table: TableSpec, frame: pl.DataFrame) -> None:
    """A warning at each record whose `unique` fields repeat an earlier record's values."""
    keys = [k for k in table.unique if k in frame.columns]
    if not keys:
        return
    key = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys], separator=" / ")
    marked = frame.with_columns(key.alias("_key"))
    marked = marked.with_columns(pl.col("_key").cum_count().over("_key").alias("_seen"))
    first = dict(marked.filter(pl.col("_seen") == 1).select("_key", "_cell").iter_rows())
    for value, sheet, cell in marked.filter(pl.col("_seen") > 1).select(
            "_key", "_sheet", "_cell").iter_rows():
        ctx.issue("record-duplicate", sheet=sheet, cell=cell, value=value,
                  fields=" + ".join(keys), first=first.get(value), table=table.name)
