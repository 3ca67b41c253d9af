"""Rules across records (`checks:`): a sum or count of one table's records within bounds,
and the conditions (`When`) that limit a rule or a table to one fund.

Split from `fundflow.ingest.specs.spec` (which re-exports every name).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from fundflow.catalogue import CATALOGUE
from fundflow.ingest.specs.patterns import SpecPattern
from fundflow.ingest.specs.spec_cells import CellRef, StrictModel


class When(StrictModel):
    """A condition on a value read once per file: the rule applies only when it holds.

    One template often serves two funds (Town Deals and Future High Streets share the Towns
    Fund return) whose rules differ, so a table or a check can be limited to one of them.
    """

    context: str = Field(description="Name of a `context` value (or `period`).")
    pattern: SpecPattern = Field(
        description="Regular expression the value must match (any case).")


class Limit(StrictModel):
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


class ShownAt(StrictModel):
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


class Check(StrictModel):
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
