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

The models are split by job: cells and addresses (`spec_cells`), field sources
(`spec_source`), rules across records (`spec_checks`), and here the match, the tables and the
adapter itself. Every name is importable from this module.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from fundflow.ingest.specs.fields import allowed_fields_note, table_field_problems
from fundflow.ingest.specs.patterns import SpecPattern
from fundflow.ingest.specs.spec_cells import (
    MAX_OFFSET,
    CellAddress,
    CellRef,
    CellText,
    ColumnLetters,
    Offset,
    StrictModel,
    TableLookup,
)
from fundflow.ingest.specs.spec_checks import Check, Limit, ShownAt, When
from fundflow.ingest.specs.spec_source import SOURCE_KEYS, FieldSource, Source

__all__ = [
    "MAX_OFFSET", "SOURCE_KEYS", "AdapterSpec", "Blocks", "CellAddress", "CellRef", "CellText",
    "Check", "ColumnLetters", "Contract", "End", "FieldSource", "Form", "Header", "Limit",
    "Match", "Offset", "OpenPeriods", "RecordKind", "ShownAt", "Skip", "Source", "TableLookup",
    "TableSpec", "Total", "When", "Wide",
]

class Match(StrictModel):
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


class Header(StrictModel):
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


class End(StrictModel):
    """Where the data rows end (default: the end of the sheet or block)."""

    blank_rows: int | None = Field(
        None, ge=1, description="Stop at this many blank rows in a row."
    )
    pattern: SpecPattern | None = Field(
        None, description="Stop at the first row whose first non-empty cell matches this."
    )


class Skip(StrictModel):
    """Rows to leave out: a regular expression over one column's text (any case)."""

    column: str = Field(description="Header text (or letter when the table has no header).")
    pattern: SpecPattern = Field(description="Regular expression; matching rows are skipped.")


class Blocks(StrictModel):
    """Repeated blocks (one per project): each starts at a row whose cell matches `anchor`."""

    anchor: SpecPattern = Field(description="Regular expression that marks the start of a block.")
    column: ColumnLetters | None = Field(None, description="Only look in this column (letters).")


class Wide(StrictModel):
    """Unpivot: every column whose header path matches `pattern` gives one value per row.

    The cell itself is `{header: value}`; named groups in the pattern (`(?P<period>...)`)
    are available to fields as `{header: period}`. The header path joins the header rows
    with ` > `, e.g. `Financial Year 2025/26 (£s) > H1 (Apr-Sep) > Actual`.
    """

    pattern: SpecPattern = Field(description="Regular expression over each column's header path.")


class Form(StrictModel):
    """Key-value forms: labels in one column, answers in another."""

    label_column: ColumnLetters = Field(description="Column letters of the labels, e.g. `A`.")
    value_column: ColumnLetters = Field(description="Column letters of the answers, e.g. `C`.")
    row_offset: Offset = Field(
        0, description="Rows from a label down to its answer (answers typed under "
        "the question, e.g. `2` when a line of guidance sits between them)."
    )


class OpenPeriods(StrictModel):
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


class Contract(StrictModel):
    """What a problem does: `error` stops the import, `warning` keeps going, `ignore` is silent."""

    unknown_columns: Literal["error", "warning", "ignore"] = "warning"
    missing_columns: Literal["error", "warning"] = "error"
    invalid_values: Literal["error", "warning"] = "error"


class Total(StrictModel):
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


RecordKind = Literal["finance", "indicators", "streams", "check"]
"""`check` reads a table only to hold the template to its layout (missing columns, bad values
are reported under the contract); it writes no records."""


class TableSpec(StrictModel):
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


class AdapterSpec(StrictModel):
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
