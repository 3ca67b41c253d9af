"""Assemble a draft adapter spec from the guessed table, its columns and its period columns.

The draft is a plain dict in spec order plus comments keyed by the path of the line they
explain. Whatever fundflow cannot know from the file (the stream id when no cell names it,
the funder, sometimes the measure) is written as a `FILL-IN-...` placeholder that
`fundflow validate` rejects, so a draft never imports plausible but wrong data.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fundflow.ingest.grid import Workbook, cell_ref, column_letters
from fundflow.ingest.specs.fields import FIELD_NAMES
from fundflow.ingest.suggest.cells import best_convention, unit_in
from fundflow.ingest.suggest.layout import PLACEHOLDER, TOTAL, Row, TableGuess, total_end
from fundflow.ingest.suggest.period import choose_period
from fundflow.ingest.suggest.roles import (
    Column,
    amount_score,
    by_content,
    by_name,
    columns_of,
    is_money_column,
    is_stream_register,
    measure_for,
    serial_days,
)
from fundflow.ingest.suggest.sources import (
    STATE_MEASURES,
    STATE_VALUES,
    canonical_fields,
    cap_rev_in_labels,
    column_source,
    stream_sources,
    unit_in_labels,
    value_types,
)
from fundflow.ingest.suggest.wide import WidePlan, plan_values, plan_wide

UNDECIDED = "fundflow could not tell: "


def escape(text: str) -> str:
    """`re.escape` without the escapes YAML readers trip over (spaces, hyphens)."""
    return re.escape(text).replace("\\ ", " ").replace("\\-", "-")
Path_ = tuple[str | int, ...]
PLACEHOLDERS = {"stream_id": "FILL-IN-STREAM-ID", "funder_id": "FILL-IN-FUNDER-ID"}


@dataclass
class Draft:
    """A drafted spec (a dict in spec order), its comments, and what fundflow left open."""

    spec: dict[str, Any]
    comments: dict[Path_, list[str]] = field(default_factory=dict)
    undecided: list[str] = field(default_factory=list)
    guessed: set[str] = field(default_factory=set)  # roles chosen by content, not by header
    table: TableGuess | None = None
    workbook: Workbook | None = None  # the file drafted from

    def note(self, path: Path_, text: str, *, undecided: bool = False) -> None:
        """Attach a comment line above the key at `path`."""
        line = UNDECIDED + text if undecided else text
        self.comments.setdefault(path, []).append(line)
        if undecided:
            self.undecided.append(text)


def placeholder(name: str) -> dict[str, Any]:
    """A constant `fundflow validate` refuses, until the officer writes the real value."""
    return {"const": PLACEHOLDERS[name], "parser": "enum",
            "options": {"values": [], "placeholder": "^FILL-IN-"}}


def draft_spec(path: Path, workbook: Workbook, table: TableGuess, same: list[str],
               others: list[str]) -> Draft:
    """The draft for one file whose main table has been found.

    `same` names the sheets laid out like the table's (one sheet per period), `others` the
    sheets holding some other table, which the draft only mentions.
    """
    draft = Draft({}, table=table, workbook=workbook)
    label_col = _total_column(table)
    label_col = _label_column(table) if label_col is None else label_col
    columns = columns_of(table, label_col)
    wide = plan_wide(columns)
    register = wide is None and is_stream_register(columns)
    kind = "streams" if register else "finance" if _has_money(table, columns) else "indicators"
    if wide is None and kind == "finance" and len(same) <= 1:  # a budget repeats per sheet
        wide = plan_values([c for c in columns if is_money_column(c)], measure_for, amount_score)
    convention = wide.convention if wide else "UK_FY"
    _top(draft, path, workbook, table, kind)
    spec_table = _table(draft, workbook, table, kind, wide, convention, same)
    draft.spec["tables"] = [spec_table]
    if kind == "streams":
        fields = _stream_fields(draft, columns)
    else:
        fields = _fields(draft, path, table, kind, columns, wide, convention)
    if kind != "streams":  # a register's fields are named by `stream_field` already
        _keep_canonical(draft, fields, kind)
    spec_table["fields"] = fields
    _mark_fill_in(draft, fields)
    spec_table.update(_rows_rules(draft, table, columns, label_col))
    _order(spec_table)
    if others:
        draft.note(("tables",), "other sheets with a table (not drafted): " + ", ".join(others))
    return draft


FILL_IN_BANNER = ("===== FILL IN: what no file can say. Replace each FILL-IN-... line below "
                  "with the value from your funding register =====")


def _keep_canonical(draft: Draft, fields: dict[str, Any], kind: str) -> None:
    """Only the fields a table of this kind has (an indicator has no project or date)."""
    allowed = canonical_fields(kind)
    dropped = [k for k in fields if k not in allowed]
    for name in dropped:
        src = fields.pop(name)
        draft.note(("tables", 0, "fields"), f"not read: '{src.get('column', name)}' (a "
                   f"{kind} table has no {name} field)")


def _mark_fill_in(draft: Draft, fields: dict[str, Any]) -> None:
    """One banner above the placeholders, which sit together at the top of the fields."""
    asked = [k for k, v in fields.items() if str(v.get("const", "")).startswith("FILL-IN-")]
    ordered = [*asked, *(k for k in fields if k not in asked)]
    items = [(k, fields[k]) for k in ordered]
    fields.clear()
    fields.update(items)
    if asked:
        draft.comments.setdefault(("tables", 0, "fields", asked[0]), []).insert(0, FILL_IN_BANNER)


def _label_column(table: TableGuess) -> int:
    """The leftmost column whose data rows hold words: where totals and notes are labelled."""
    for col in range(table.first_col, table.last_col + 1):
        texts = [r.cells.get(col, "") for r in table.rows]
        if sum(bool(re.search(r"[A-Za-z]{3}", t)) for t in texts) >= len(texts) / 2:
            return col
    return table.first_col


def _total_column(table: TableGuess) -> int | None:
    """The column where 'Total' rows say so, when a total row's first cell does (it may sit
    under 'Scheme ID', left of the column of names)."""
    cols = [min(r.cells) for r in table.rows if r.cells and TOTAL.match(r.first)]
    return max(set(cols), key=cols.count) if cols else None


MONEY_WORDS = re.compile(r"£|\bspen[dt]\b|expenditure|\bcosts?\b|\bbudget|\bincome\b",
                         re.IGNORECASE)


def _has_money(table: TableGuess, columns: list[Column]) -> bool:
    words = " ".join([*(r.first for r in table.above), *(c.path for c in columns)])
    return any(is_money_column(c) for c in columns) or bool(MONEY_WORDS.search(words))


def _unit(table: TableGuess, columns: list[Column]) -> str | None:
    for text in [*(t for r in table.above for t in r.cells.values()), *(c.path for c in columns)]:
        if (unit := unit_in(text)) is not None:
            return unit
    return None


def _top(draft: Draft, path: Path, workbook: Workbook, table: TableGuess, kind: str) -> None:
    stem = re.split(r"[_\s-]*\d", path.stem, maxsplit=1)[0] or path.stem
    slug = re.sub(r"[^a-z0-9]+", "-", stem.casefold()).strip("-") or "file"
    spec = draft.spec
    spec["id"] = f"draft-{slug}"
    spec["version"] = "0.1"
    spec["name"] = f"Draft adapter for {path.name}"
    spec["return_type"] = {"streams": "register", "finance": "finance"}.get(kind, "monitoring")
    spec["description"] = (f"Drafted by `fundflow adapters suggest` from {path.name}: sheet "
                           f"'{table.sheet.name}', header in row {table.header_row + 1}.")
    draft.note(("id",), "Drafted from one file: check every line, then run "
                        "`fundflow validate FILE --adapters <this folder>`.")
    match: dict[str, Any] = {"formats": [workbook.format]}
    if workbook.format != "csv":
        match["sheets"] = [table.sheet.name]
    headers = [p for p in (table.paths[c] for c in sorted(table.paths)) if p][:3]
    match["headers"] = [h.split(" > ")[-1] for h in headers]
    spec["match"] = match


def _table(draft: Draft, workbook: Workbook, table: TableGuess, kind: str,
           wide: WidePlan | None, convention: str, same: list[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": {"streams": "streams"}.get(kind, "main"), "kind": kind}
    if workbook.format == "csv":
        pass
    elif len(same) > 1:
        spec["sheet_pattern"] = "^(?:" + "|".join(escape(n) for n in same) + ")$"
        draft.note(("tables", 0, "sheet_pattern"),
                   f"{len(same)} sheets share this layout; all are read (one per period?)")
    else:
        spec["sheet"] = table.sheet.name
    if table.blocks is not None:
        spec["blocks"] = {"anchor": table.blocks[0], "column": column_letters(table.blocks[1])}
        draft.note(("tables", 0, "blocks"), "the table repeats under each of these labels; "
                   "every block is read")
    header: dict[str, Any] = _header_place(table)
    if table.depth > 1:
        header["rows"] = table.depth
    if table.first_col > table.sheet.col0:
        header["first_column"] = column_letters(table.first_col)
    spec["header"] = header
    if wide is not None:
        spec["shape"] = "wide"
        spec["wide"] = {"pattern": wide.pattern}
        if wide.left_out:
            draft.note(("tables", 0, "wide"), "columns left out of the unpivot (totals, open "
                       "periods): " + "; ".join(f"'{t}'" for t in wide.left_out))
    if kind != "streams":
        spec["period_convention"] = convention
    return spec


def _header_place(table: TableGuess) -> dict[str, Any]:
    """An anchor on the header's first text when it is unique above the data, else the row."""
    first = table.paths.get(min(c for c, p in table.paths.items() if p), "")
    text = first.split(" > ")[0]
    seen = sum(text in r.cells.values() for r in table.above)
    if table.blocks is not None and text:  # rows differ from block to block
        return {"anchor": "^" + escape(text) + "$"}
    if table.depth == 1 and text and not seen and table.header_row > 0:
        return {"anchor": "^" + escape(text) + "$"}
    return {"row": table.header_row + 1}


def _fields(draft: Draft, path: Path, table: TableGuess, kind: str, columns: list[Column],
            wide: WidePlan | None, convention: str) -> dict[str, Any]:
    roles = _assign(draft, columns, wide, convention, kind)
    if "period" in roles:  # '2025-Q3' is a calendar quarter, 'Q1 2025/26' a financial one
        draft.spec["tables"][0]["period_convention"] = best_convention(roles["period"].values)[0]
    fields: dict[str, Any] = {}
    where = ("tables", 0, "fields")
    fields["stream_id"] = _stream_source(draft, table, roles, where)
    if "funder_id" not in roles:
        fields["funder_id"] = placeholder("funder_id")
        draft.note((*where, "funder_id"), "the funder id (as in the funding register, e.g. "
                   "F-DPC); replace the line with {const: \"F-...\"}", undecided=True)
    for name, col in roles.items():
        if name in ("stream_id", "amount") or name not in FIELD_NAMES.get(kind, {name}):
            continue  # a spec may set only the fields of its table's kind
        fields[name] = column_source(col, name)
    if table.blocks is not None and "project" not in fields:
        fields["project"] = {"block": table.blocks[0] + r"\s*(.*)$"}
        draft.note((*where, "project"), "each block's label names its project")
    cap_rev = cap_rev_in_labels([roles[r] for r in ("category", "description") if r in roles])
    if kind == "finance" and "cap_rev" not in fields and cap_rev is not None:
        fields["cap_rev"] = cap_rev[0]
        draft.note((*where, "cap_rev"), cap_rev[1])
    if kind == "indicators" and "unit" not in fields and "indicator" in roles:
        unit = unit_in_labels(roles["indicator"])
        if unit is not None:
            fields["unit"] = unit[0]
            draft.note((*where, "unit"), unit[1])
    if wide is not None and wide.by == "period":
        _wide_fields(draft, fields, wide, kind, where)
    else:
        _long_period(draft, path, table, fields, roles, convention)
    if wide is not None:
        _header_fields(draft, fields, wide)
    if kind == "finance":
        _measure(draft, path, table, fields, roles)
    _value_field(draft, fields, kind, roles, wide, _unit(table, columns))
    return fields


def _header_fields(draft: Draft, fields: dict[str, Any], wide: WidePlan) -> None:
    """What the headers of unpivoted money columns say: a measure each, or a part."""
    where = ("tables", 0, "fields")
    if wide.by == "measure":
        fields["measure"] = {"header": "column", "lookup": dict(wide.lookup)}
        draft.note((*where, "measure"), "each money column is a measure of its own")
        if "category" not in fields or "category" in draft.guessed:
            # the column's name is the finest label a figure has (stronger than a column
            # taken for the category only because its texts are short)
            fields["category"] = {"header": "column", "required": False}
            draft.comments.pop((*where, "category"), None)
    elif wide.by == "part":
        fields["description"] = {"header": "column", "required": False}
        draft.note((*where, "description"), "the money columns are parts of one sum")


def _value_field(draft: Draft, fields: dict[str, Any], kind: str, roles: dict[str, Column],
                 wide: WidePlan | None, unit: str | None) -> None:
    """The figures: the unpivoted value, the amount column, or a column to fill in."""
    where = ("tables", 0, "fields")
    value_name = "amount" if kind == "finance" else "value"
    if wide is not None:
        fields[value_name] = {"header": "value"}
    elif "amount" in roles:
        fields[value_name] = {"column": roles["amount"].path}
    else:
        fields[value_name] = {"column": "FILL-IN-AMOUNT-COLUMN"}
        draft.note((*where, value_name), "which column holds the figures", undecided=True)
    fields[value_name]["parser"] = "gbp_amount" if kind == "finance" else "decimal"
    if unit and kind == "finance":
        fields[value_name]["options"] = {"unit": unit}
        draft.note((*where, value_name), f"figures are in {unit} (a title or header says so)")


def _assign(draft: Draft, columns: list[Column], wide: WidePlan | None, convention: str,
            kind: str) -> dict[str, Column]:
    """Columns to finance roles: names first, then contents; one column per role."""
    taken = set(wide.columns) if wide else set()
    roles: dict[str, Column] = {}
    pending = [c for c in columns if c.col not in taken and c.path]
    named = sorted(((by_name(c), c) for c in pending), key=lambda rc: (rc[0][1], rc[1].col))
    for (named_role, _rank), c in named:
        role = _checked(named_role, c)
        if role and role not in roles and not (wide and role == "amount"):
            roles[role] = c
    for c in pending:
        if c in roles.values():
            continue
        role, why = by_content(c, convention)
        if role == "amount" and (wide or "amount" in roles):
            continue
        if role and role not in roles:
            roles[role] = c
            draft.guessed.add(role)
            draft.note(("tables", 0, "fields", role), f"chosen by content: {why}")
    if kind == "indicators" and "category" in roles:
        roles["indicator"] = roles.pop("category")
    for role in ("measure", "state"):  # 'Measure: Target / Actual' beside an indicator
        if kind == "indicators" and role in roles and value_types(roles[role]):
            roles["value_type"] = roles.pop(role)
    _pick_amount(draft, roles, [c for c in pending if is_money_column(c)], wide)
    return roles


def _checked(role: str | None, c: Column) -> str | None:
    """A role named by the header, unless the column's contents contradict it."""
    if role == "stream_id" and c.values and all(" " in v for v in c.values):
        return "category"  # "Funding stream: Adult skills" names a line, not a stream id
    if role == "amount":
        return role if is_money_column(c) else None
    if role is not None and is_money_column(c):
        return None  # "Spend this quarter £" names a period but holds money
    if role in ("txn_date", "period_start", "period_end") and c.values and c.dates < 0.5 \
            and not serial_days(c):
        return None
    return role


def _pick_amount(draft: Draft, roles: dict[str, Column], money: list[Column],
                 wide: WidePlan | None) -> None:
    if wide is not None or len(money) < 2:
        if money and wide is None:
            roles["amount"] = money[0]
        return
    ranked = sorted(money, key=lambda c: (-amount_score(c), c.col))
    roles["amount"] = ranked[0]
    rest = ", ".join(f"'{c.path}'" for c in ranked[1:])
    draft.note(("tables", 0, "fields", "amount"), f"'{ranked[0].path}' was taken as the amount "
               f"(its header reads most like this period's figures); the other money columns "
               f"are {rest}")


def _stream_source(draft: Draft, table: TableGuess, roles: dict[str, Column],
                   where: Path_) -> dict[str, Any]:
    if "stream_id" in roles:
        return {"column": roles["stream_id"].path}
    found = _labelled_cell(table.above, r"stream id")
    if found is not None:
        return {"cell": {"anchor": "^" + escape(found[0]) + "$", "column_offset": found[3]}}
    ref = _labelled_cell(table.above, r"reference|\bref\b|project id|grant id|ukprn")
    hint = ""
    if ref is not None:
        hint = (f"; '{ref[0]}' in {ref[2]} reads '{ref[1]}': if that is how the funding "
                "register names the stream, use {cell: {ref: " + ref[2] + "}}")
    draft.note((*where, "stream_id"), "which stream this file reports on; replace the line "
               "with {const: \"S-...\"} or a cell" + hint, undecided=True)
    return placeholder("stream_id")


def _labelled_cell(rows: list[Row], label: str) -> tuple[str, str, str, int] | None:
    """(label text, value, value's cell, columns from label to value) for a 'Label | value'
    line above the table; the value is the next filled cell, however far right it sits."""
    for row in rows:
        cols = sorted(row.cells)
        for a, b in itertools.pairwise(cols):
            if re.search(label, row.cells[a], re.IGNORECASE):
                return row.cells[a].strip(), row.cells[b], cell_ref(row.index, b), b - a
    return None


def _wide_fields(draft: Draft, fields: dict[str, Any], wide: WidePlan, kind: str,
                 where: Path_) -> None:
    fields["period"] = dict(wide.period)
    if wide.states:
        states = {w: STATE_VALUES.get(w.casefold(), "actual") for w in wide.states}
        name = "state" if kind == "finance" else "value_type"
        fields[name] = {"header": "state", "lookup": states}
        if kind == "finance":
            fields["measure"] = {"header": "state",
                                 "lookup": {w: STATE_MEASURES[s] for w, s in states.items()}}
    draft.note((*where, "period"), "period columns found in the header: "
               + ", ".join(_letters(c) for c in wide.columns))


def _letters(col: int) -> str:
    return column_letters(col)


def _long_period(draft: Draft, path: Path, table: TableGuess, fields: dict[str, Any],
                 roles: dict[str, Column], convention: str) -> None:
    assert draft.workbook is not None
    choice = choose_period(path, draft.workbook, table, roles, convention)
    for name in (*choice.drop, "period_start", "period_end"):
        fields.pop(name, None)
    fields.update(choice.fields)
    name = next(iter(choice.fields))
    draft.note(("tables", 0, "fields", name), choice.note, undecided=choice.undecided)
    if choice.convention in ("UK_FY", "CALENDAR"):
        draft.spec["tables"][0]["period_convention"] = choice.convention


def _measure(draft: Draft, path: Path, table: TableGuess, fields: dict[str, Any],
             roles: dict[str, Column]) -> None:
    """The measure from the amount's header, else the title or the file's name, else spend.

    Which measure a figure is can nearly always be read off the return ("Claim", "Spend this
    quarter"); when nothing says, spend is what a monitoring return reports, and the comment
    asks the officer to check it rather than holding the import back.
    """
    if "measure" in fields:
        return
    where = ("tables", 0, "fields", "measure")
    titles = " ".join(r.first for r in table.above)
    for source, text in (("the column", roles["amount"].path if "amount" in roles else ""),
                         ("the title", titles), ("the file name", path.stem),
                         ("the sheet name", table.sheet.name)):
        guess = measure_for(text.replace("_", " ")) if text else None
        if guess is not None:
            fields["measure"] = {"const": guess}
            draft.note(where, f"guessed from {source} '{text[:60]}'")
            return
    fields["measure"] = {"const": "spend"}
    draft.note(where, "nothing in the file names the measure: spend was assumed (budget, "
               "forecast, claim, receipt are the others)")


def _stream_fields(draft: Draft, columns: list[Column]) -> dict[str, Any]:
    fields = stream_sources(columns)
    for name in ("stream_id", "funder_id"):
        if name not in fields:
            fields[name] = placeholder(name)
            draft.note(("tables", 0, "fields", name), f"the {name} column", undecided=True)
    return fields


def _rows_rules(draft: Draft, table: TableGuess, columns: list[Column],
                label_col: int) -> dict[str, Any]:
    """End marker and skip rules: totals, sub-totals and drop-down placeholders."""
    out: dict[str, Any] = {}
    labels = [r.cells.get(label_col, "") for r in table.rows]
    column = next((c.path.split(" > ")[-1] for c in columns if c.col == label_col), "")
    column = column or column_letters(label_col)
    skips = []
    end = total_end(labels)
    if end is not None:
        out["end"] = {"pattern": "^" + escape(labels[end].strip()) + "$"}
    if any(TOTAL.match(t) for t in labels):
        skips.append({"column": column, "pattern": r"^\s*(sub-?\s*total|total|grand total)\b"})
    if any(PLACEHOLDER.match(t) for r in table.rows for t in r.cells.values()):
        skips.append({"column": column, "pattern": r"^\s*(<\s*select\s*>|please select)"})
    if "end" not in out and table.end_pattern:
        out["end"] = {"pattern": table.end_pattern}
        draft.note(("tables", 0, "end"), "notes rows below the table start like this")
    elif "end" not in out and table.end_blank_rows:
        out["end"] = {"blank_rows": table.end_blank_rows}
    if skips:
        out["skip"] = skips
    return out


_ORDER = ("name", "kind", "sheet", "sheet_pattern", "blocks", "header", "end", "skip", "shape",
          "wide", "period_convention", "fields")


def _order(spec: dict[str, Any]) -> None:
    items = sorted(spec.items(), key=lambda kv: _ORDER.index(kv[0]))
    spec.clear()
    spec.update(items)
