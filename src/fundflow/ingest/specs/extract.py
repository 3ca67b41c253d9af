"""Turn located table rows into typed records, with every value's cell and every problem.

Pure steps over polars frames: select the source column of each field, unpivot wide tables,
apply steps and named parsers column-wise (`interpret`), and turn each rejected cell into an
`Issue` that names its sheet and cell (`problems`). Nothing is dropped silently: a non-empty
source cell ends as a value or as an issue. Large tables come out in parts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from fundflow.ingest.grid import Workbook, cell_ref, column_letters
from fundflow.ingest.specs.checks import holds
from fundflow.ingest.specs.interpret import interpret
from fundflow.ingest.specs.patterns import compile_pattern, search
from fundflow.ingest.specs.problems import (
    Block,
    duplicates,
    flagged_cells,
    lookup_misses,
    negative_values,
    rejected_values,
    unaccounted,
)
from fundflow.ingest.specs.regions import (
    PATH_SEPARATOR,
    Located,
    column_index,
    locate,
    normalise,
    regions_for,
    sheets_for,
)
from fundflow.ingest.specs.spec import AdapterSpec, Source, TableSpec
from fundflow.ingest.specs.totals import check_totals, split_totals
from fundflow.ingest.specs.transforms import apply_scalar, find_cell
from fundflow.issues import Issue, Severity, make_issue

# Records parsed at once: bounds the memory a wide table of a million rows needs.
CHUNK_RECORDS = 500_000

# The field whose cell is a record's provenance, per record kind.
PRIMARY_FIELD = {"finance": "amount", "indicators": "value", "streams": "stream_id",
                 "check": ""}

# Frame column -> (the values it repeats, the column of codes saying which one each record
# holds): what an unpivoted wide table's repeated columns were made from.
Bases = dict[str, tuple[pl.Series, str]]


@dataclass
class FileContext:
    """What every table of one file can use: the file's name, its values read once, issues."""

    workbook: Workbook
    file_name: str
    spec: AdapterSpec
    values: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    # (table, period label) -> its dates, or where its problem was reported and how often:
    # a table in several parts resolves and reports each label once.
    periods: dict[tuple[str, str], Any] = field(default_factory=dict)
    said: set[tuple[object, ...]] = field(default_factory=set)

    def issue(self, code: str, *, severity: Severity | None = None, **kw: Any) -> None:
        """Record an issue located in this file."""
        self.issues.append(make_issue(code, file=self.file_name, severity=severity, **kw))

    def issue_once(self, key: tuple[object, ...], code: str, **kw: Any) -> None:
        """Record an issue unless one with the same `key` was: problems said once per table
        (a lookup miss per text, a constant that does not parse) stay once when the table's
        records come in parts."""
        if (code, *key) not in self.said:
            self.said.add((code, *key))
            self.issue(code, **kw)


@dataclass(frozen=True)
class TableRecords:
    """Records of one table (a large table comes in several parts): parsed fields plus
    `_sheet`, `_cell` and `_raw` provenance."""

    table: TableSpec
    frame: pl.DataFrame


def extract_tables(ctx: FileContext) -> Iterator[TableRecords]:
    """Every table of the spec, from every sheet and block it covers, in parts.

    A table's records come in parts of at most `CHUNK_RECORDS` (a wide table of a million
    rows is up to 24 million records), so a caller that stores each part before asking for the
    next holds one part at a time. Checks over a whole table (duplicates, typed totals) keep
    only the columns they need and report once the table's last part is out.
    """
    for table in ctx.spec.tables:
        if not holds(ctx, table.when):
            continue  # e.g. questions only one of the funds sharing a template asks
        keys = [k for k in table.unique if k in table.fields]
        seen: list[pl.DataFrame] = []
        for frame in _table_records(ctx, table):
            if keys:
                seen.append(frame.select([*keys, "_sheet", "_cell"]))
            if table.kind != "check":  # a check table only reports issues
                yield TableRecords(table, frame)
        if seen:
            duplicates(ctx, table, pl.concat(seen, how="diagonal_relaxed"))


def _table_records(ctx: FileContext, table: TableSpec) -> Iterator[pl.DataFrame]:
    """The non-empty parts of one table's records, sheet by sheet and block by block."""
    sheets = sheets_for(table, ctx.workbook)
    if not sheets and not table.optional:
        wanted = table.sheet or table.sheet_pattern or "(first sheet)"
        ctx.issue("sheet-missing", sheet=wanted, table=table.name,
                  expected=", ".join(s.name for s in ctx.workbook.sheets))
    for sheet in sheets:
        for region in regions_for(table, sheet):
            located = locate(table, region)
            if isinstance(located, str):
                if not table.optional:
                    ctx.issue("table-not-found", sheet=sheet.name, table=table.name,
                              reason=located)
                continue
            yield from (f for f in _records(ctx, table, located) if f.height)


def _records(ctx: FileContext, table: TableSpec, loc: Located) -> Iterator[pl.DataFrame]:
    """The located table's records, in parts of at most `CHUNK_RECORDS` records."""
    if table.shape == "form":
        frame = _form_records(ctx, table, loc)
        if frame is not None:
            yield frame
        return
    columns = _resolve_columns(ctx, table, loc)
    if columns is None:
        return
    loc, totals = split_totals(table, loc)
    data = _skip_rows(ctx, table, loc, columns)
    wide = _wide_columns(table, loc, columns) if table.shape == "wide" else {}
    if table.shape == "wide" and not wide:
        pattern = table.wide.pattern if table.wide else ""
        ctx.issue("column-missing", sheet=loc.region.sheet.name, table=table.name,
                  column=f"A column whose header matches '{pattern}'", expected=pattern,
                  row=(loc.header_row or 0) + 1)
        return
    used = {int(c[1:]) for c in [*columns.values(), *wide]}
    flagged_cells(ctx, loc, data, used)
    step = max(1, CHUNK_RECORDS // max(1, len(wide)))
    lines: list[pl.DataFrame] = []  # what the typed totals are compared with
    for start in range(0, data.height or 1, step):
        part = data.slice(start, step)
        if wide:
            long, cols, bases = _unpivot(part, wide, columns)
            frame = _parse_fields(ctx, table, loc, long, cols, bases=bases)
        else:
            frame = _parse_fields(ctx, table, loc, part, columns)
        if totals:
            lines.append(frame.select(c for c in frame.columns
                                      if c in ("_row", "_cell") or c in table.fields))
        yield frame
    if totals:
        check_totals(ctx, table, loc, totals, pl.concat(lines, how="diagonal_relaxed"), columns)


def _column_words(src: Source) -> str:
    """How a missing column is named: its header, or what its header was to match (a
    pattern is not a column name)."""
    if src.column is not None:
        return f"The column '{src.column}'"
    return f"A column whose header matches '{src.column_pattern}'"


def _resolve_columns(ctx: FileContext, table: TableSpec, loc: Located) -> dict[str, str] | None:
    """Field name -> frame column holding its raw text; missing columns are issues."""
    resolved: dict[str, str] = {}
    by_path = {normalise(p).casefold(): c for c, p in loc.columns.items()}
    by_last: dict[str, list[int]] = {}
    for c, p in loc.columns.items():
        by_last.setdefault(normalise(p.split(PATH_SEPARATOR)[-1]).casefold(), []).append(c)
    ok = True
    for name, src in table.fields.items():
        if src.kind not in ("column", "column_pattern"):
            continue
        col = _find_column(src, loc, by_path, by_last)
        if col is None:
            if src.required:
                sev = Severity(ctx.spec.contract.missing_columns)
                ctx.issue("column-missing", severity=sev, sheet=loc.region.sheet.name,
                          table=table.name, column=_column_words(src),
                          expected=src.column or src.column_pattern,
                          row=(loc.header_row or 0) + 1)
                ok = ok and sev is not Severity.ERROR
            continue
        resolved[name] = f"c{col}"
    _unknown_columns(ctx, table, loc, resolved)
    return resolved if ok else None


def _find_column(
    src: Source, loc: Located, by_path: dict[str, int], by_last: dict[str, list[int]]
) -> int | None:
    if src.column is not None:
        key = normalise(src.column).casefold()
        if key in by_path:
            return by_path[key]
        if loc.header_row is None and re.fullmatch(r"[A-Za-z]{1,3}", src.column):
            col = column_index(src.column)
            return col if col in loc.columns else None
        hits = by_last.get(key, [])
        return hits[0] if len(hits) == 1 else None
    rx = compile_pattern(src.column_pattern or "")
    return next((c for c, p in loc.columns.items() if rx.search(p)), None)


def _unknown_columns(
    ctx: FileContext, table: TableSpec, loc: Located, used: dict[str, str]
) -> None:
    """Columns with a header that no field reads: a sign the template has drifted."""
    mode = ctx.spec.contract.unknown_columns
    if mode == "ignore" or loc.header_row is None or table.shape != "long":
        return
    used_cols = set(used.values())
    for col, path in loc.columns.items():
        if path and f"c{col}" not in used_cols:
            ctx.issue("column-unknown", severity=Severity(mode), sheet=loc.region.sheet.name,
                      cell=cell_ref(loc.header_row, col), value=path, table=table.name)


def _skip_rows(
    ctx: FileContext, table: TableSpec, loc: Located, columns: dict[str, str]
) -> pl.DataFrame:
    data = loc.data
    keep = pl.lit(True)
    for rule in table.skip:
        col = _skip_column(rule.column, loc)
        if col is None:
            continue
        keep = keep & ~pl.col(col).fill_null("").str.contains(f"(?i){rule.pattern}")
    data = data.filter(keep)
    keys = [c for k in table.row_keys if (c := _skip_column(k, loc)) in data.columns]
    if keys:  # a row without any key text is an empty template row, whatever else it holds
        data = data.filter(pl.any_horizontal(
            [pl.col(c).str.strip_chars().fill_null("") != "" for c in keys]))
    mapped = list(dict.fromkeys(columns.values()))
    if table.skip_blank and mapped and table.shape == "long":
        nonblank = pl.any_horizontal(
            [pl.col(c).str.strip_chars().fill_null("") != "" for c in mapped]
        )
        # A row that only looks blank because its cell is an error or an uncalculated formula
        # (which readers return as nothing) is kept, so the cell is reported.
        flagged = [r for r, c in loc.region.sheet.flags if f"c{c}" in mapped]
        data = data.filter(nonblank | pl.col("_row").is_in(flagged))
    return data


def _skip_column(name: str, loc: Located) -> str | None:
    key = normalise(name).casefold()
    for col, path in loc.columns.items():
        if normalise(path).casefold() == key or path.split(PATH_SEPARATOR)[-1].casefold() == key:
            return f"c{col}"
    if re.fullmatch(r"[A-Za-z]{1,3}", name):
        return f"c{column_index(name)}"
    return None


def _unpivot(
    data: pl.DataFrame, value_cols: dict[str, dict[str, str | None]], columns: dict[str, str]
) -> tuple[pl.DataFrame, dict[str, str], Bases]:
    """One row per (data row, matching column), header groups as `_h_<group>` columns.

    Also where each repeated column came from: a row label's record points at its data row
    (`_i`), a header group's at its column (`_j`), so each is interpreted once per row or
    column rather than once per record (see `interpret`).
    """
    ids = ["_row", *dict.fromkeys(columns.values())]
    rows = data.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"))
    long = rows.unpivot(on=list(value_cols), index=[*ids, "_i"], variable_name="_col",
                        value_name="_value")
    groups = sorted({g for d in value_cols.values() for g in d})
    lookup = pl.DataFrame(
        {"_col": list(value_cols),
         "_j": range(len(value_cols)),
         "_letters": [column_letters(int(c[1:])) for c in value_cols],
         **{f"_h_{g}": [d.get(g) for d in value_cols.values()]
                                      for g in groups}},
        schema={"_col": pl.String, "_j": pl.UInt32, "_letters": pl.String,
                **{f"_h_{g}": pl.String for g in groups}},
    )
    # `unpivot` stacks the value columns one after another, so a record's column is its
    # position divided by the rows: its header groups are gathered, not joined by name.
    long = long.with_columns(
        (pl.int_range(pl.len(), dtype=pl.UInt32) // max(1, data.height)).alias("_j"))
    # A blank cell is no record: `\S` finds what `str.strip_chars()` would leave (both use
    # Unicode's White_Space) without building the stripped text.
    long = long.filter(pl.col("_value").str.contains(r"\S"))
    long = long.with_columns(pl.lit(lookup.get_column(c)).gather(pl.col("_j")).alias(c)
                             for c in lookup.columns if c not in ("_col", "_j"))
    bases = {c: (data.get_column(c), "_i") for c in ids[1:]}
    bases.update({f"_h_{g}": (lookup.get_column(f"_h_{g}"), "_j") for g in groups})
    return long, {**columns, "__value__": "_value"}, bases


def _wide_columns(
    table: TableSpec, loc: Located, columns: dict[str, str]
) -> dict[str, dict[str, str | None]]:
    """Frame column -> named header groups, for every column the wide pattern matches."""
    if table.wide is None:
        return {}
    rx = compile_pattern(table.wide.pattern)
    used = set(columns.values())
    return {
        f"c{c}": m.groupdict()
        for c, p in loc.columns.items()
        if f"c{c}" not in used and (m := rx.search(p)) is not None
    }


def _form_records(ctx: FileContext, table: TableSpec, loc: Located) -> pl.DataFrame | None:
    """One record from label/answer pairs."""
    assert table.form is not None
    sheet = loc.region.sheet
    label_col = column_index(table.form.label_column)
    value_col = column_index(table.form.value_column)
    data = _full_rows(loc)
    labels = data.get_column(f"c{label_col}") if f"c{label_col}" in data.columns else None
    raw: dict[str, tuple[str | None, int | None]] = {}
    for name, src in table.fields.items():
        if src.label is None:
            continue
        row = _label_row(labels, src.label)
        if row is not None:  # the answer may sit under its question
            row += table.form.row_offset
            row = row if row < data.height else None
        if row is None:
            if src.required:
                ctx.issue("label-missing", sheet=sheet.name, value=src.label, table=table.name)
            raw[name] = (None, None)
            continue
        text = data.get_column(f"c{value_col}")[row] if f"c{value_col}" in data.columns else None
        raw[name] = (text, int(data.get_column("_row")[row]))
    frame = pl.DataFrame(
        {
            "_row": [r if r is not None else loc.region.start for _, r in raw.values()][:1]
            or [loc.region.start],
            **{f"_f_{k}": [v[0]] for k, v in raw.items()},
        },
        schema={"_row": pl.Int64, **{f"_f_{k}": pl.String for k in raw}},
    )
    columns = {k: f"_f_{k}" for k in raw}
    cells = {k: (v[1], value_col) for k, v in raw.items()}
    return _parse_fields(ctx, table, loc, frame, columns, form_cells=cells)


def _full_rows(loc: Located) -> pl.DataFrame:
    sheet = loc.region.sheet
    lo = loc.region.start - sheet.row0
    part = sheet.cells.slice(lo, loc.region.stop - loc.region.start)
    part = part.rename({c: f"c{int(c[1:]) + sheet.col0}" for c in part.columns})
    return part.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + loc.region.start)
                             .alias("_row"))


def _label_row(labels: pl.Series | None, pattern: str) -> int | None:
    if labels is None:
        return None
    rx = compile_pattern(pattern)
    return next((i for i, v in enumerate(labels.to_list()) if v and rx.search(normalise(v))),
                None)


def _parse_fields(
    ctx: FileContext,
    table: TableSpec,
    loc: Located,
    data: pl.DataFrame,
    columns: dict[str, str],
    form_cells: dict[str, tuple[int | None, int]] | None = None,
    bases: Bases | None = None,
) -> pl.DataFrame:
    """Parse every field; records with a rejected or missing value are left out (with an issue).

    Cell references are built only where needed (the primary field of every record, and the
    rejected cells), because a million string concatenations per field would dominate.
    """
    sheet = loc.region.sheet.name
    primary = PRIMARY_FIELD[table.kind]
    out: dict[str, pl.Series] = {"_row": data.get_column("_row")}
    failed = pl.Series("failed", [False] * data.height, dtype=pl.Boolean)
    block = _block(ctx, table, loc, data, columns, form_cells)
    for name, src in table.fields.items():
        raw, cells = _raw_values(ctx, table, loc, data, columns, name, src, form_cells)
        read = interpret(src, raw, ctx.workbook, _spread_from(table, src, name, columns,
                                                               data, bases))
        values, reasons = read.values, read.reasons
        if read.missed.any():
            failed = failed | read.missed
            misses = data.select(pl.lit(raw).alias("raw"), cells.cast(pl.String).alias("c"),
                                 pl.lit(sheet).alias("s"))
            lookup_misses(ctx, table, name, misses.filter(read.missed))
        problems = rejected_values(ctx, (sheet, table), src, name, read, data, cells, block)
        failed = failed | problems | unaccounted(ctx, (sheet, name), src, read, data, cells)
        if src.negative != "allow":
            negative_values(ctx, (sheet, name, table.name, src.negative), read, data,
                             cells.cast(pl.String), failed)
        if name == primary:
            out["_raw"] = raw
            out["_cell"] = data.select(cells.cast(pl.String).alias("_cell")).to_series()
            # 'n/a', '-' and the like say "nothing to report here": no record, no problem.
            failed = failed | (values.is_null() & reasons.is_null())
        out[name] = values
    frame = pl.DataFrame(out).with_columns(pl.lit(sheet).alias("_sheet"))
    if "_cell" not in frame.columns:
        frame = frame.with_columns(
            (pl.lit("A") + (pl.col("_row") + 1).cast(pl.String)).alias("_cell"))
    return frame.filter(~failed) if failed.any() else frame  # a copy of every column spared


def _spread_from(
    table: TableSpec, src: Source, name: str, columns: dict[str, str], data: pl.DataFrame,
    bases: Bases | None,
) -> tuple[pl.Series, pl.Series] | None:
    """What the field's texts repeat, when they come from a column `_unpivot` repeated (as
    `_raw_values` reads them): the base values and each record's code into them."""
    if not bases:
        return None
    if src.kind in ("column", "column_pattern"):
        col = columns.get(name)
    else:
        header = src.header if src.kind == "header" and table.shape == "wide" else None
        col = None if header in (None, "value") else f"_h_{header}"
    if col is None or col not in bases or col not in data.columns:
        return None
    base, codes = bases[col]
    return base, data.get_column(codes)


def _block(
    ctx: FileContext,
    table: TableSpec,
    loc: Located,
    data: pl.DataFrame,
    columns: dict[str, str],
    form_cells: dict[str, tuple[int | None, int]] | None,
) -> Block | None:
    """The block these records come from, with the cells of their figures, when the table is
    repeated in blocks and some field is read from the block's label."""
    region = loc.region
    if region.block_cell is None or not any(s.kind == "block" for s in table.fields.values()):
        return None
    primary = PRIMARY_FIELD[table.kind]
    src = table.fields.get(primary)
    figures = pl.lit(None, dtype=pl.String)
    if src is not None:
        _, figures = _raw_values(ctx, table, loc, data, columns, primary, src, form_cells)
    return Block(region.block_title, region.block_cell, figures.cast(pl.String))


def _raw_values(
    ctx: FileContext,
    table: TableSpec,
    loc: Located,
    data: pl.DataFrame,
    columns: dict[str, str],
    name: str,
    src: Source,
    form_cells: dict[str, tuple[int | None, int]] | None,
) -> tuple[pl.Series, pl.Expr]:
    """The field's text per record, and an expression giving each text's cell over `data`."""
    n = data.height
    row_ref = (pl.col("_row") + 1).cast(pl.String)
    if form_cells is not None and name in form_cells:
        r, c = form_cells[name]
        ref = cell_ref(r, c) if r is not None else None
        return data.get_column(columns[name]).rename(name), pl.lit(ref, dtype=pl.String)
    if src.kind in ("column", "column_pattern") and name in columns:
        col = columns[name]
        letters = column_letters(int(col[1:]))
        return data.get_column(col).rename(name), pl.lit(letters) + row_ref
    if src.kind in ("column", "column_pattern"):  # an optional column the file lacks
        return pl.Series(name, [None] * n, dtype=pl.String), pl.lit(None, dtype=pl.String)
    if src.kind == "header" and table.shape == "wide":
        value = data.get_column("_value") if src.header == "value" else (
            data.get_column(f"_h_{src.header}") if f"_h_{src.header}" in data.columns
            else pl.Series([None] * n, dtype=pl.String))
        return value.rename(name), pl.col("_letters") + row_ref
    if src.template is not None:
        filled = _template(ctx, src.template, data, columns)
        return filled.rename(name), pl.lit(None, dtype=pl.String)
    text, ref = scalar_value(ctx, src, loc.region.sheet.name, loc.region.block_title,
                             steps=False)
    return pl.Series(name, [text] * n, dtype=pl.String), pl.lit(ref, dtype=pl.String)


def _template(
    ctx: FileContext, template: str, data: pl.DataFrame, columns: dict[str, str]
) -> pl.Series:
    """Fill `{name}` from header groups (`_h_name` columns), the raw text of another field
    read from a column (so an id can join several columns), or the file's context values."""
    parts: list[pl.Expr] = []
    pos = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        parts.append(pl.lit(template[pos:m.start()]))
        key = m.group(1)
        if f"_h_{key}" in data.columns:  # a group that took no part in the match is empty
            parts.append(pl.col(f"_h_{key}").fill_null(""))
        elif key in columns and columns[key] in data.columns:
            parts.append(pl.col(columns[key]).str.strip_chars().fill_null(""))
        else:
            value = ctx.values.get(key)
            parts.append(pl.lit(None if value is None else str(value), dtype=pl.String))
        pos = m.end()
    parts.append(pl.lit(template[pos:]))
    text = pl.concat_str(parts)
    # with_columns, not select: a template of constants only must still give one per row
    return data.with_columns(
        pl.when(text.str.strip_chars() != "").then(text).alias("_t")).get_column("_t")


def scalar_value(
    ctx: FileContext, src: Source, sheet: str | None, block: str | None, *, steps: bool = True
) -> tuple[str | None, str | None]:
    """A once-per-file (or per-sheet/block) value as text, with its cell when it has one.

    With `steps` (context values, the return's period) the source's extract and lookups are
    applied too; fields of a table get them later, together with their column values.
    """
    text, ref = _scalar_text(ctx, src, sheet, block)
    return (apply_scalar(src, text, ctx.workbook) if steps else text), ref


def _scalar_text(
    ctx: FileContext, src: Source, sheet: str | None, block: str | None
) -> tuple[str | None, str | None]:
    if src.const is not None or src.context is not None:
        value = src.const if src.const is not None else ctx.values.get(src.context or "")
        return (None if value is None else str(value)), None
    if src.cell is not None:
        name = src.cell.sheet or sheet
        target = ctx.workbook.sheet(name) if name else ctx.workbook.sheets[0]
        if target is None:
            return None, None
        return find_cell(target, src.cell)
    if src.template is not None:  # from context values read earlier (no header groups here)
        return _template(ctx, src.template, pl.DataFrame({"_row": [0]}), {})[0], None
    pattern, subject = {
        "file_name": (src.file_name, ctx.file_name),
        "sheet_name": (src.sheet_name, sheet),
        "block": (src.block, block),
    }[src.kind]
    m = search(pattern or "", subject or "")
    if m is None:
        return None, None
    return (m.group(1) if m.groups() else m.group(0)), None


