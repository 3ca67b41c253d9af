"""The adapter spec: how one funder's template becomes canonical records, written as data.

A finance officer writes a spec in YAML for a new layout; pydantic validates it with
`extra="forbid"` so a misspelt key is an error, never silently ignored. The JSON Schema in
`schemas/adapter.schema.json` is generated from these models (`fundflow.docgen`).

The vocabulary, from the outside in: `match` says which files the adapter claims; `period`
and `context` read values once per file; each of `tables` finds rows in one or more sheets
(optionally in repeated blocks), reads a header, keeps data rows until an end marker, skips
totals and placeholders, and turns each row (long shape), each row x matching column (wide
shape) or each labelled answer (form shape) into one record whose fields come from columns,
header parts, cells, constants, the file or sheet name.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from difflib import get_close_matches
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from fundflow.adapters.fields import allowed_fields_note, table_field_problems
from fundflow.adapters.patterns import SpecPattern
from fundflow.catalogue import CATALOGUE
from fundflow.grid import parse_cell_ref
from fundflow.parsers import PARSERS

MAX_OFFSET = 10_000
"""Offsets beyond this are typing mistakes, not templates."""


def _cell_address(text: str) -> str:
    """An A1 reference within Excel's grid, checked when the spec loads."""
    row, col = parse_cell_ref(text)
    if row >= 1_048_576 or col >= 16_384:
        raise ValueError(f"'{text}' is beyond the last cell of a sheet (XFD1048576)")
    return text


def _column_letters(text: str) -> str:
    """Column letters (A to XFD), checked when the spec loads."""
    if not (text.isascii() and text.isalpha()):
        raise ValueError(f"'{text}' is not column letters such as `C` or `AB`")
    _cell_address(f"{text}1")
    return text


CellAddress = Annotated[str, AfterValidator(_cell_address)]
"""A cell reference such as `B5` (`$B$5` too); `A0` or `5B` is a spec error."""
ColumnLetters = Annotated[str, AfterValidator(_column_letters)]
"""Column letters such as `C` or `AB`."""
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CellRef(_Spec):
    """One cell: `sheet` (name) and either `ref` (A1 reference) or `anchor` (text to find).

    Templates move a question's answer down when rows are added above it, but keep its tag or
    label, so `anchor` finds the first cell matching a regular expression and the offsets step
    from there (`row_offset: 2` is the cell two rows below the tag).
    """

    sheet: str | None = Field(None, description="Sheet name; default: the table's sheet.")
    ref: CellAddress | None = Field(None, description="Cell reference such as `B5`.")
    anchor: SpecPattern | None = Field(
        None, description="Regular expression; the first cell (row by row) whose text matches."
    )
    row_offset: Offset = Field(0, description="Rows down from the anchor cell (with `anchor`).")
    column_offset: Offset = Field(
        0, description="Columns right of the anchor cell (with `anchor`).")

    @model_validator(mode="after")
    def _placed(self) -> CellRef:
        if (self.ref is None) == (self.anchor is None):
            raise ValueError("give exactly one of `ref` or `anchor`")
        return self


class TableLookup(_Spec):
    """Map a value through a two-column list inside the workbook (like VLOOKUP, exact match).

    Funders ship their code lists in hidden sheets ("Project Lookup": project number to project
    id), so the spec names the sheet and the key and value columns instead of copying the list.
    """

    sheet: str = Field(description="Sheet holding the list (hidden sheets are read too).")
    key_column: ColumnLetters = Field(description="Column letters of the keys, e.g. `B`.")
    value_column: ColumnLetters = Field(description="Column letters of the values, e.g. `C`.")


class CellText(_Spec):
    """A cell whose text must contain (or match) something for the adapter to claim a file."""

    sheet: str = Field(description="Sheet name.")
    ref: CellAddress = Field(description="Cell reference such as `A1`.")
    contains: str | None = Field(None, description="Text the cell must contain (any case).")
    pattern: SpecPattern | None = Field(
        None, description="Regular expression the cell must match.")


class Match(_Spec):
    """Which files this adapter claims. Every rule given must hold."""

    file_name: SpecPattern | None = Field(
        None, description="Regular expression the file name should match (any case). Only a "
        "tie-breaker: a renamed file is still read when its sheets, cells and headers match.",
    )
    formats: list[Literal["xlsx", "xlsm", "csv", "ods", "xls"]] = Field(
        default_factory=list, description="Allowed formats (default: any)."
    )
    sheets: list[str] = Field(
        default_factory=list, description="Sheets that must exist (names, exact)."
    )
    cells: list[CellText] = Field(default_factory=list, description="Cells that must match.")
    headers: list[str] = Field(
        default_factory=list,
        description="Header texts that must appear in the first table's header (any case).",
    )


SOURCE_KEYS = ("column", "column_pattern", "header", "label", "cell", "context", "file_name",
               "sheet_name", "block", "template")


class Source(_Spec):
    """Where a field's value comes from: exactly one of the keys.

    `column` a header (exact text, any case and spacing) or `column_pattern` a regular
    expression over the header path; `header` a named group of the wide shape's column
    pattern; `label` the answer beside a label (form shape); `cell` a fixed cell; `const` a
    constant; `context` a value read once per file; `file_name` / `sheet_name` / `block` a
    regular expression whose first group (or the whole match) is taken from the file name, the
    sheet name or the block's title.
    """

    column: str | None = None
    column_pattern: SpecPattern | None = None
    header: str | None = None
    label: str | None = None
    cell: CellRef | None = None
    const: Any = None
    context: str | None = None
    file_name: SpecPattern | None = None
    sheet_name: SpecPattern | None = None
    block: SpecPattern | None = None
    template: str | None = Field(
        None,
        description="Text built from header groups and context values, e.g. `'{fy} {quarter}'`.",
    )
    parser: str = Field("text", description="Named parser (see `fundflow adapters parsers`).")
    options: dict[str, Any] = Field(
        default_factory=dict, description="Parser options, e.g. `{scale: 1000}` for £000s."
    )
    extract: SpecPattern | None = Field(
        None,
        description="Regular expression applied to the found text first: its first group that "
        "took part (or the whole match) is kept; text it does not match becomes blank.",
    )
    lookup: dict[str, Any] | None = Field(
        None, description="Map found text to values (any case, spaces trimmed) before parsing."
    )
    lookup_table: TableLookup | None = Field(
        None,
        description="Map found text through a list in the workbook (after `lookup`); text "
        "not in the list is an issue (`lookup-no-match`).",
    )
    default: Any = Field(
        None, description="Text used where the value is blank (after `extract` and lookups)."
    )
    required: bool = Field(True, description="A blank value is an issue when true.")
    helper: bool = Field(
        False,
        description="The field is read (and its values checked) only to build other fields "
        "by `template` or for `checks`, `unique` and `totals`; the ledger does not keep it. "
        "A name that is not a field of the table's kind needs this (or to be used by one of "
        "those), so a misspelt field name is an error instead of an empty column.",
    )
    negative: Literal["allow", "warning", "error"] = Field(
        "allow",
        description="`warning`: a parsed value below zero is kept but reported "
        "(`value-negative`), for figures a template says must not be negative; `error`: "
        "the value is refused (`value-below-zero`), for spend a funder's rules say is >= 0.",
    )

    @model_validator(mode="after")
    def _exactly_one_source(self) -> Source:
        given = [k for k in SOURCE_KEYS if getattr(self, k) is not None]
        if self.const is not None:
            given.append("const")
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(SOURCE_KEYS)} or const "
                f"(found: {', '.join(given) or 'none'})"
            )
        return self

    @model_validator(mode="after")
    def _known_parser(self) -> Source:
        """An unknown parser or a misspelt option is a spec error, found when the spec loads."""
        spec = PARSERS.get(self.parser)
        if spec is None:
            raise ValueError(
                f"unknown parser '{self.parser}'; known: {', '.join(sorted(PARSERS))}"
            )
        try:
            spec.options.model_validate(self.options)
        except ValidationError as exc:
            known = ", ".join(sorted(spec.options.model_fields))
            said = []
            for error in exc.errors():
                key = ".".join(str(p) for p in error["loc"])
                near = get_close_matches(key, list(spec.options.model_fields), n=1)
                what = ("not an option of this parser" + (
                    f" (did you mean `{near[0]}`?)" if near else "")
                    if error["type"] == "extra_forbidden" else str(error["msg"]))
                said.append(f"options.{key}: {what}")
            raise ValueError(f"{'; '.join(said)}; the options of parser `{self.parser}` "
                             f"are {known}") from None
        return self

    @property
    def kind(self) -> str:
        """Which source key is set."""
        for key in SOURCE_KEYS:
            if getattr(self, key) is not None:
                return key
        return "const"


FieldSource = Annotated[Source, Field(description="Where the field's value comes from.")]


class Header(_Spec):
    """Where a table's header is: a fixed row or the row of an anchor text, and its depth."""

    row: int | None = Field(None, ge=1, description="1-based row of the first header row.")
    anchor: SpecPattern | None = Field(
        None, description="Regular expression; the header starts on the first row with a match."
    )
    offset: Offset = Field(0, description="Rows from the anchor's row to the first header row.")
    rows: int = Field(1, ge=1, le=6, description="How many header rows (merged headers).")
    first_column: ColumnLetters | None = Field(
        None, description="Leftmost column of the table (letters), e.g. `C`."
    )
    last_column: ColumnLetters | None = Field(None, description="Rightmost column of the table.")
    none: bool = Field(
        False, description="The table has no header row: columns are named by letter (A, B...)."
    )

    @model_validator(mode="after")
    def _placed(self) -> Header:
        if not self.none and (self.row is None) == (self.anchor is None):
            raise ValueError("give exactly one of `row` or `anchor` (or `none: true`)")
        return self


class End(_Spec):
    """Where the data rows end (default: the end of the sheet or block)."""

    blank_rows: int | None = Field(
        None, ge=1, description="Stop at this many blank rows in a row."
    )
    pattern: SpecPattern | None = Field(
        None, description="Stop at the first row whose first non-empty cell matches this."
    )


class Skip(_Spec):
    """Rows to leave out: a regular expression over one column's text (any case)."""

    column: str = Field(description="Header text (or letter when the table has no header).")
    pattern: SpecPattern = Field(description="Regular expression; matching rows are skipped.")


class Blocks(_Spec):
    """Repeated blocks (one per project): each starts at a row whose cell matches `anchor`."""

    anchor: SpecPattern = Field(description="Regular expression that marks the start of a block.")
    column: ColumnLetters | None = Field(None, description="Only look in this column (letters).")


class Wide(_Spec):
    """Unpivot: every column whose header path matches `pattern` gives one value per row.

    The cell itself is `{header: value}`; named groups in the pattern (`(?P<period>...)`)
    are available to fields as `{header: period}`. The header path joins the header rows
    with ` > `, e.g. `Financial Year 2025/26 (£s) > H1 (Apr-Sep) > Actual`.
    """

    pattern: SpecPattern = Field(description="Regular expression over each column's header path.")


class Form(_Spec):
    """Key-value forms: labels in one column, answers in another."""

    label_column: ColumnLetters = Field(description="Column letters of the labels, e.g. `A`.")
    value_column: ColumnLetters = Field(description="Column letters of the answers, e.g. `C`.")
    row_offset: Offset = Field(
        0, description="Rows from a label down to its answer (answers typed under "
        "the question, e.g. `2` when a line of guidance sits between them)."
    )


class OpenPeriods(_Spec):
    """How open periods ('Before 2020/21', 'Beyond 25/26') are stored in the finance ledger.

    Every finance entry needs a first and last day, but an open period has only one of them.
    With this rule the missing end is closed at the programme's bound declared here, the
    funder's label is kept as `period_label`, and an info issue (`period-open-bounded`) says
    so once per label. Without it, an open period in a finance table is an error.
    """

    earliest: date = Field(description="First day any 'Before ...' period can start.")
    latest: date = Field(description="Last day any 'Beyond ...' period can end.")

    @model_validator(mode="after")
    def _ordered(self) -> OpenPeriods:
        if self.latest < self.earliest:
            raise ValueError("`latest` is before `earliest`")
        return self


class Contract(_Spec):
    """What a problem does: `error` stops the import, `warning` keeps going, `ignore` is silent."""

    unknown_columns: Literal["error", "warning", "ignore"] = "warning"
    missing_columns: Literal["error", "warning"] = "error"
    invalid_values: Literal["error", "warning"] = "error"


class When(_Spec):
    """A condition on a value read once per file: the rule applies only when it holds.

    One template often serves two funds (Town Deals and Future High Streets share the Towns
    Fund return) whose rules differ, so a table or a check can be limited to one of them.
    """

    context: str = Field(description="Name of a `context` value (or `period`).")
    pattern: SpecPattern = Field(
        description="Regular expression the value must match (any case).")


class Total(_Spec):
    """A total row the template types in, compared with the sum of the line values read.

    Rows whose `column` text matches `pattern` are total rows: they are never records, and
    for each money field in `fields` (long: its column; wide: every unpivoted column) the
    typed total is compared with the sum of the line values above it in the same table or
    block. A difference is a warning (`total-mismatch`) naming both cells and the difference
    in £. When `pattern` has a group, e.g. `^Sub-total (.+)$`, the row is a sub-total: it
    covers only the line rows whose `column` text equals what the group captured. The row
    that ends the table (`end.pattern`) is checked too when it matches.
    """

    column: str = Field(description="Header text (or letters) of the column holding 'Total'.")
    pattern: SpecPattern = Field(
        description="Regular expression (any case) that marks a total row.")
    fields: list[str] = Field(
        default_factory=lambda: ["amount"], description="Money fields whose totals are checked."
    )
    where: dict[str, str | list[str]] = Field(
        default_factory=dict, description="Only lines whose fields have these values count, "
        "e.g. `{measure: spend, cap_rev: capital}` for a 'Total CDEL' row.")
    grand_total: str | None = Field(
        None, description="Wide tables: header text (or letters) of the column holding the "
        "row's total over every period, compared once with all its lines' figures instead of "
        "column by column.")


class Limit(_Spec):
    """The bound of a check: one figure, a figure per group, or a cell of the workbook."""

    value: Decimal | None = Field(None, description="One bound for every group, e.g. `1`.")
    values: dict[str, Decimal] | None = Field(
        None,
        description="A bound per group (keys: the `group_by` values joined by ' / ', e.g. a "
        "project id); groups not listed are not checked.",
    )
    cell: CellRef | None = Field(None, description="A cell holding the bound (in £ for money).")

    @model_validator(mode="after")
    def _one(self) -> Limit:
        if sum(x is not None for x in (self.value, self.values, self.cell)) != 1:
            raise ValueError("give exactly one of `value`, `values` or `cell`")
        return self


class ShownAt(_Spec):
    """Where the officer sees what a check is about, so its issue is reported there.

    `column` alone: the column the rule is about, e.g. `D` (the funding source drop-downs)
    for "at least one other funding source". With `label_column` and `pattern`: the
    template's total cell, in `column` on the first row (within 200) below the summed cells
    whose `label_column` text matches `pattern`, e.g. Z on the "Total Towns Fund RDEL" row.
    The issue then names the summed cells in its message.
    """

    column: str = Field(pattern=r"^[A-Z]{1,3}$", description="Column letters, e.g. `Z`.")
    label_column: str | None = Field(
        None, pattern=r"^[A-Z]{1,3}$", description="Column letters of the row labels, e.g. `C`.")
    pattern: SpecPattern | None = Field(
        None, description="Regular expression (any case) the total row's label matches.")

    @model_validator(mode="after")
    def _both(self) -> ShownAt:
        if (self.label_column is None) != (self.pattern is None):
            raise ValueError("give both `label_column` and `pattern`, or neither")
        return self


class Check(_Spec):
    """A rule across records: a sum (or count) of one table's records must stay in bounds.

    E.g. the capital spend a project reports over all periods must not exceed its
    allocation: `{table: project-funding, where: {cap_rev: capital, measure: spend},
    sum_of: amount, group_by: [stream_id], at_most: {values: {TD-WRC-02: 2475000}}}`.
    Without `sum_of` the records are counted (`at_least: {value: 1}`: something must be
    entered). Sums of money fields are in £. A broken rule is one issue per group, at the
    range of cells summed (`check-over-limit`, `check-under-limit`, or `code`).
    """

    name: str = Field(description="What the rule says, in plain English (shown in issues).")
    table: str = Field(description="Name of the table whose records are checked.")
    where: dict[str, str | list[str]] = Field(
        default_factory=dict, description="Only records whose fields have these values."
    )
    sum_of: str | None = Field(None, description="Field to add up; leave out to count records.")
    group_by: list[str] = Field(
        default_factory=list, description="Fields giving one sum per value (e.g. per project)."
    )
    at_most: Limit | None = None
    at_least: Limit | None = None
    when: When | None = Field(None, description="Apply the rule only when this holds.")
    severity: Literal["error", "warning"] = "error"
    code: str | None = Field(
        None, description="Catalogue code to report instead of the default one."
    )
    shown_at: ShownAt | None = Field(None, description="Report at this column or total cell.")

    @model_validator(mode="after")
    def _bounded(self) -> Check:
        if self.at_most is None and self.at_least is None:
            raise ValueError("give `at_most`, `at_least` or both")
        if self.code is not None and self.code not in CATALOGUE:
            raise ValueError(f"unknown issue code '{self.code}'")
        return self


RecordKind = Literal["finance", "indicators", "streams", "check"]
"""`check` reads a table only to hold the template to its layout (missing columns, bad values
are reported under the contract); it writes no records."""


class TableSpec(_Spec):
    """One table: where its rows are, their shape, and the fields of each record."""

    name: str
    kind: RecordKind
    sheet: str | None = Field(None, description="Sheet name (CSV: leave out).")
    sheet_pattern: SpecPattern | None = Field(
        None, description="Regular expression: every matching sheet is read (one per period)."
    )
    optional: bool = Field(False, description="A missing sheet or anchor is not an error.")
    include_hidden: bool = Field(False, description="Also read hidden sheets.")
    sheet_choice: Literal["all", "first", "last"] = Field(
        "all",
        description="With `sheet_pattern`: read every matching sheet, or only the first or the "
        "last in workbook order (the latest quarter's budget in a sheet-per-quarter file).",
    )
    unique: list[str] = Field(
        default_factory=list,
        description="Fields whose values together should not repeat (a family and outcome "
        "claimed twice); each repeat is a warning (`record-duplicate`), and is still imported.",
    )
    blocks: Blocks | None = None
    header: Header = Field(default_factory=lambda: Header(row=1))
    end: End = Field(default_factory=End)
    skip: list[Skip] = Field(default_factory=list)
    skip_blank: bool = Field(True, description="Skip rows whose mapped cells are all blank.")
    shape: Literal["long", "wide", "form"] = "long"
    wide: Wide | None = None
    form: Form | None = None
    period_convention: str | None = Field(
        None, description="Year convention of period labels (UK_FY, ACADEMIC_AUG, CALENDAR...)."
    )
    open_periods: OpenPeriods | None = Field(
        None, description="Bounds that close 'Before'/'Beyond' periods (finance tables)."
    )
    when: When | None = Field(None, description="Read the table only when this holds.")
    row_keys: list[str] = Field(
        default_factory=list,
        description="Columns (header text or letters) that make a row a data row: a row "
        "where all of them are blank is left out, even when other cells hold the zeros a "
        "template's formulas put in empty rows.",
    )
    totals: list[Total] = Field(
        default_factory=list, description="Total and sub-total rows to check (`total-mismatch`)."
    )
    fields: dict[str, FieldSource]

    @field_validator("totals", mode="before")
    @classmethod
    def _one_total(cls, value: Any) -> Any:
        """A single `{column, pattern}` mapping is accepted for the common one-rule case."""
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _shape_parts(self) -> TableSpec:
        if self.shape == "wide" and self.wide is None:
            raise ValueError("a wide table needs `wide:` (the column pattern to unpivot)")
        if self.shape == "form" and self.form is None:
            raise ValueError("a form table needs `form:` (label and value columns)")
        if self.sheet is not None and self.sheet_pattern is not None:
            raise ValueError("give `sheet` or `sheet_pattern`, not both")
        return self


class AdapterSpec(_Spec):
    """A whole adapter: identity, which files it claims, and the tables it reads."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable kebab-case id.")
    version: str = Field(description="Bump when the spec changes what it reads.")
    name: str = Field(description="The funder's template, as an officer would call it.")
    funder: str | None = Field(None, description="Funder id, e.g. `F-DPC`.")
    return_type: str = Field(description="register, finance, claim, monitoring, ...")
    description: str = ""
    encoding: str | None = Field(None, description="CSV encoding when detection is not enough.")
    delimiter: str | None = Field(None, description="CSV delimiter when detection is not enough.")
    match: Match
    period: FieldSource | None = Field(
        None, description="The return's period as the funder names it (one value per file)."
    )
    context: dict[str, FieldSource] = Field(
        default_factory=dict, description="Values read once per file, used by fields."
    )
    contract: Contract = Field(default_factory=Contract)
    tables: list[TableSpec] = Field(min_length=1)
    checks: list[Check] = Field(
        default_factory=list, description="Rules across records, e.g. spend within allocation."
    )

    @model_validator(mode="after")
    def _checks_name_tables(self) -> AdapterSpec:
        names = {t.name for t in self.tables}
        for check in self.checks:
            if check.table not in names:
                raise ValueError(f"check '{check.name}' names unknown table '{check.table}'")
        return self

    @model_validator(mode="after")
    def _field_names(self) -> AdapterSpec:
        """Each table's fields are fields of its kind: a misspelt name is an error here."""
        problems = [problem for table in self.tables
                    for problem in table_field_problems(table, self.checks, self.funder)]
        unknown = {t.kind for t in self.tables for p in problems
                   if p.startswith(f"tables.{t.name}.fields.") and "not a field of" in p}
        problems += [allowed_fields_note(kind) for kind in sorted(unknown)]
        if problems:
            raise ValueError("; ".join(problems))
        return self
