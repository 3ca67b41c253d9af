"""Where a field's value comes from (`Source`): one source key, then parser and steps.

Split from `fundflow.ingest.specs.spec` (which re-exports every name).
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from fundflow.ingest.parsers import PARSERS
from fundflow.ingest.specs.patterns import SpecPattern
from fundflow.ingest.specs.spec_cells import CellRef, StrictModel, TableLookup

SOURCE_KEYS = ("column", "column_pattern", "header", "label", "cell", "context", "file_name",
               "sheet_name", "block", "template")


class Source(StrictModel):
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
