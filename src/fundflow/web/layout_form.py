"""The drafted adapter as a form: one input per setting an officer decides, drawn from the spec.

The spec model is the truth. The form is drawn from a validated `AdapterSpec` (each input's
hint is the model's own field description, each column's choices the fields its table kind
may set, from `fields_of`), and what the officer changes is written back into the spec's
data, which is rendered as YAML and validated again by the same `AdapterSpec` as any adapter
file. The YAML stays editable beside the form ("advanced") for settings the form does not
show.

Both views are posted together, with the YAML the form was drawn from (`base`, the last one
that was an adapter) and the values the form showed (`shown`). An input whose value differs
from what it showed was changed by the officer and is written into the posted YAML;
everything else in the YAML is kept as posted. So a change made in either
view survives, without script too. A posted name the form does not know is an error, as an
unknown key in a spec is. When nothing in the form changed the YAML text is kept as it is,
comments included.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from fundflow.ingest.grid import Workbook, column_letters
from fundflow.ingest.specs.fields import ALLOWED, PLACEHOLDER, fields_of
from fundflow.ingest.specs.patterns import compile_pattern
from fundflow.ingest.specs.regions import (
    PATH_SEPARATOR,
    locate,
    normalise,
    regions_for,
    sheets_for,
)
from fundflow.ingest.specs.spec import AdapterSpec, End, Header, Match, TableSpec

FORM_CONTROL = frozenset({"csrf", "action", "spec", "base", "shown"})
"""Posted names that are not settings: the token, the button, the YAML, the YAML the form was
drawn from and the values it showed."""
MAX_COLUMNS = 80  # header columns listed per table; more are edited in the YAML
MAX_TABLES = 20
TABLE_KEYS = frozenset({"sheet", "sheet_pattern", "header_row", "header_anchor", "header_rows",
                         "end_blank_rows", "end_pattern", "period_convention", "add_field",
                         "add_value"})
TOP_KEYS = frozenset({"id", "name", "funder", "return_type", "match.file_name",
                       "match.headers", "match.sheets"})
PARSER_OF = {"amount": "gbp_amount", "award": "gbp_amount", "capital_award": "gbp_amount",
              "revenue_award": "gbp_amount", "value": "decimal", "period_start": "any_date",
              "period_end": "any_date", "start_date": "any_date", "end_date": "any_date"}
"""The parser a field gets when the form first reads it from a column (text otherwise)."""


@dataclass(frozen=True)
class Choice:
    """One option of a select: the value posted and the words shown."""

    value: str
    label: str


@dataclass(frozen=True)
class Input:
    """One setting: its posted name, label, hint (the spec model's description), value."""

    key: str
    label: str
    hint: str
    value: str
    kind: str = "text"  # text, number, select, lines
    choices: tuple[Choice, ...] = ()
    placeholder: str = ""

    @property
    def dom_id(self) -> str:
        return "f-" + self.key.replace(".", "-")


@dataclass(frozen=True)
class ColumnRow:
    """A column of the file's header row and the field it is read as ("" = not read)."""

    n: int
    letter: str
    header: str
    field: str
    unpivoted: bool = False  # a wide table's value column: each of its cells is a record


@dataclass
class TableForm:
    """One table's settings, its columns, its constant fields and fields set another way."""

    index: int
    name: str
    kind: str
    shape: str
    settings: list[Input] = field(default_factory=list)
    columns: list[ColumnRow] = field(default_factory=list)
    field_choices: tuple[Choice, ...] = ()
    constants: list[Input] = field(default_factory=list)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)
    add_choices: tuple[Choice, ...] = ()
    added: tuple[str, str] = ("", "")  # the field and value being added, until they are


@dataclass
class SpecForm:
    """The whole form: the adapter's identity, its match rules, and each table."""

    adapter: list[Input]
    match: list[Input]
    tables: list[TableForm]

    def values(self) -> dict[str, str]:
        """Every posted name the form draws, with the value it draws."""
        out = {i.key: i.value for i in [*self.adapter, *self.match]}
        for t in self.tables:
            out.update({i.key: i.value for i in [*t.settings, *t.constants]})
            out[f"t{t.index}.add_field"] = out[f"t{t.index}.add_value"] = ""
            for c in t.columns:
                if c.unpivoted:
                    continue
                out[f"t{t.index}.col.{c.n}"] = c.field
                out[f"t{t.index}.colhead.{c.n}"] = c.header
        return out

    def overlay(self, posted: dict[str, str]) -> SpecForm:
        """The same form showing the officer's posted values (when they did not validate)."""
        def over(inputs: list[Input]) -> list[Input]:
            return [replace(i, value=posted[i.key]) if i.key in posted else i for i in inputs]

        tables = [replace(t, settings=over(t.settings), constants=over(t.constants),
                          columns=[replace(c, field=posted.get(f"t{t.index}.col.{c.n}", c.field))
                                   for c in t.columns],
                          added=(posted.get(f"t{t.index}.add_field", ""),
                                 posted.get(f"t{t.index}.add_value", "")))
                  for t in self.tables]
        return SpecForm(over(self.adapter), over(self.match), tables)


def _hint(model: Any, name: str) -> str:
    return str(model.model_fields[name].description or "")


def build_form(spec: AdapterSpec, workbook: Workbook | None, conventions: list[str]) -> SpecForm:
    """The form for `spec`; `workbook` (the file the draft is for) gives the header columns
    and sheet names, `conventions` the year conventions a table may name."""
    adapter = [
        Input("id", "Adapter id", _hint(AdapterSpec, "id"), spec.id),
        Input("name", "Name", _hint(AdapterSpec, "name"), spec.name),
        Input("funder", "Funder id", _hint(AdapterSpec, "funder"), spec.funder or ""),
        Input("return_type", "Kind of return", _hint(AdapterSpec, "return_type"),
              spec.return_type),
    ]
    match = [
        Input("match.file_name", "File name pattern", _hint(Match, "file_name"),
              spec.match.file_name or ""),
        Input("match.headers", "Headers the file must have (one a line)",
              _hint(Match, "headers"), "\n".join(spec.match.headers), "lines"),
        Input("match.sheets", "Sheets the file must have (one a line)", _hint(Match, "sheets"),
              "\n".join(spec.match.sheets), "lines"),
    ]
    tables = [_table_form(i, t, workbook, conventions)
              for i, t in enumerate(spec.tables[:MAX_TABLES])]
    return SpecForm(adapter, match, tables)


def _table_form(index: int, table: TableSpec, workbook: Workbook | None,
                conventions: list[str]) -> TableForm:
    key = f"t{index}."
    out = TableForm(index, table.name, str(table.kind), table.shape)
    out.settings = _place_inputs(key, table, workbook)
    out.settings.append(Input(
        key + "period_convention", "Year convention of the periods",
        _hint(TableSpec, "period_convention"), table.period_convention or "", "select",
        (Choice("", "as the file states them"),
         *(Choice(c, c) for c in sorted({*conventions, table.period_convention or ""}) if c))))
    docs = {d.name: d for d in fields_of(out.kind)}
    out.field_choices = (Choice("", "not read"),
                         *(Choice(n, n.replace("_", " ") + (" (needed)" if d.required else ""))
                           for n, d in docs.items()))
    shown = _column_rows(table, workbook) if table.shape != "form" else []
    out.columns = shown
    read = {c.field for c in shown if c.field}
    for name, src in table.fields.items():
        if src.kind == "const":
            out.constants.append(_constant(key, name, src.const, docs))
        elif name not in read:
            out.elsewhere.append((name, _words(src)))
    taken = set(table.fields)
    out.add_choices = (Choice("", "choose a field"),
                       *(Choice(n, n.replace("_", " ")) for n in docs if n not in taken))
    return out


def _place_inputs(key: str, table: TableSpec, workbook: Workbook | None) -> list[Input]:
    """Where the table is: its sheet, its header, where its rows end."""
    out: list[Input] = []
    if table.sheet_pattern is not None:
        out.append(Input(key + "sheet_pattern", "Sheets (pattern)",
                         _hint(TableSpec, "sheet_pattern"), table.sheet_pattern))
    elif workbook is None or workbook.format != "csv" or table.sheet:
        names = [s.name for s in workbook.sheets] if workbook else []
        names += [table.sheet] if table.sheet and table.sheet not in names else []
        out.append(Input(key + "sheet", "Sheet", _hint(TableSpec, "sheet"), table.sheet or "",
                         "select", (Choice("", "the first sheet"),
                                    *(Choice(n, n) for n in names))))
    head = table.header
    if head.anchor is not None:
        out.append(Input(key + "header_anchor", "Header row: the first row with",
                         _hint(Header, "anchor"), head.anchor))
    elif not head.none:
        out.append(Input(key + "header_row", "Header row", _hint(Header, "row"),
                         str(head.row), "number"))
    if not head.none:
        out.append(Input(key + "header_rows", "Header rows deep", _hint(Header, "rows"),
                         str(head.rows), "number"))
    out += [Input(key + "end_blank_rows", "The data ends at this many blank rows",
                  _hint(End, "blank_rows"), str(table.end.blank_rows or ""), "number",
                  placeholder="the end of the sheet"),
            Input(key + "end_pattern", "The data ends at the row that starts with",
                  _hint(End, "pattern"), table.end.pattern or "",
                  placeholder="the end of the sheet")]
    return out


def _constant(key: str, name: str, value: Any, docs: dict[str, Any]) -> Input:
    """A field with one value for the whole file; a draft's FILL-IN blank is shown empty."""
    text = "" if value is None else str(value)
    blank = text.startswith(PLACEHOLDER)
    meaning = docs[name].meaning if name in docs else ""
    hint = ("fundflow could not tell: fill this in. " if blank else "") + meaning
    allowed = ALLOWED.get(name)
    if allowed:
        choices = (Choice("", "choose one"), *(Choice(v, v.replace("_", " ")) for v in allowed))
        return Input(f"{key}const.{name}", name.replace("_", " "), hint,
                     "" if blank or text not in allowed else text, "select", choices)
    return Input(f"{key}const.{name}", name.replace("_", " "), hint, "" if blank else text,
                 placeholder=text if blank else "")


def _words(source: Any) -> str:
    data = source.model_dump(exclude_none=True, exclude_defaults=True, by_alias=True)
    return "; ".join(f"{key}: {value}" for key, value in data.items()) or "a constant"


def same_header(given: str, path: str) -> bool:
    """Whether a spec's `column` names the column with header `path`, as the importer reads
    it: the whole path or its last part, in any case and spacing."""
    key = normalise(given).casefold()
    path = normalise(path).casefold()
    return key in (path, path.rsplit(PATH_SEPARATOR.strip().casefold(), 1)[-1].strip())


def _column_rows(table: TableSpec, workbook: Workbook | None) -> list[ColumnRow]:
    """The header row's columns, each with the field read from it, then any column the spec
    names that the header row does not have (so the form never drops a setting)."""
    found = _header_cells(table, workbook)
    by_column = [(name, str(src.column)) for name, src in table.fields.items()
                 if src.column is not None]
    rows: list[ColumnRow] = []
    wide = compile_pattern(table.wide.pattern) if table.wide else None
    for letter, text in found:
        name = next((n for n, col in by_column if same_header(col, text)), "")
        unpivoted = not name and wide is not None and wide.search(text) is not None
        rows.append(ColumnRow(len(rows), letter, text, name, unpivoted))
    for name, col in by_column:
        if not any(same_header(col, text) for _, text in found):
            rows.append(ColumnRow(len(rows), "", col, name))
    return rows


def _header_cells(table: TableSpec, workbook: Workbook | None) -> list[tuple[str, str]]:
    """(letters, header path) of each headed column, where the importer itself finds the
    table: its first sheet and block, its header row or anchor, its header rows joined."""
    if workbook is None or table.header.none:
        return []
    for sheet in sheets_for(table, workbook):
        for region in regions_for(table, sheet):
            found = locate(table, region)
            if isinstance(found, str):
                continue
            named = [(column_letters(c), path) for c, path in sorted(found.columns.items())
                     if path.strip()]
            return named[:MAX_COLUMNS]
    return []
