"""The fields each table kind may set: one declaration, derived from the ledger schema.

A spec's `fields` are checked against this when it loads (a misspelt `categroy:` is an
error with "did you mean", never a silently empty column), the reference documents it, and
`records` renames fields to ledger columns with it, so the spec, the ledger and the docs
cannot disagree about what a field is called.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from fundflow.ledger.schema import (
    ALLOCATION_METHODS,
    BASES,
    CAP_REV,
    FINANCE_ENTRY,
    FREQUENCIES,
    INDICATOR_VALUE,
    MEASURES,
    RING_FENCE_TYPES,
    STATES,
    STREAM,
    VALUE_TYPES,
    Column,
    Table,
)

# Spec field name -> ledger frame column, where they differ.
RENAMES = {
    "finance": {"amount": "amount_gbp_pence", "category": "funder_category"},
    "indicators": {"indicator": "funder_indicator"},
    "streams": {"award": "award_pence", "capital_award": "capital_award_pence",
                "revenue_award": "revenue_award_pence"},
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "finance": {"state": "actual", "cap_rev": "unspecified"},
    "indicators": {"value_type": "actual", "cumulative": False},
    "streams": {},
}
ALLOWED: dict[str, tuple[str, ...]] = {
    "measure": MEASURES, "state": STATES, "basis": BASES, "cap_rev": CAP_REV,
    "value_type": VALUE_TYPES, "ring_fence_type": RING_FENCE_TYPES,
    "allocation_method": ALLOCATION_METHODS, "reporting_frequency": FREQUENCIES,
    "accounting_basis": BASES,
}
"""Fields whose values come from a fixed list (the ledger's CHECK constraints)."""
LEDGER_TABLES: dict[str, Table] = {
    "finance": FINANCE_ENTRY, "indicators": INDICATOR_VALUE, "streams": STREAM,
}
# Ledger columns no field sets: provenance, and what fundflow derives itself.
VALUE_FIELDS = {"finance": "amount", "indicators": "value"}
"""The field without which a table of the kind has nothing to record."""
PLACEHOLDER = "FILL-IN"
"""How `fundflow adapters suggest` marks what it could not decide (FILL-IN-MEASURE...)."""
TEMPLATE_NAME = re.compile(r"\{(\w+)\}")
"""A `{name}` in a field's `template` (our own fixed pattern, not the spec's)."""
_DERIVED = {"submission_id", "row_no", "source_sheet", "source_cell", "period_label",
            "amount_raw", "reporting_tier", "returns_reported", "items_reported"}


@dataclass(frozen=True)
class FieldDoc:
    """One field a table kind may set: its name in a spec, where it goes, what it means."""

    name: str
    column: str
    meaning: str
    required: bool
    default: Any = None


# Fields that are not ledger columns but that records read.
_EXTRA: dict[str, tuple[FieldDoc, ...]] = {
    "finance": (
        FieldDoc("period", "period_label, period_start, period_end",
                 "The period as the funder names it (e.g. `Q2 2025/26`); its first and "
                 "last day come from the label (see Period labels). Give this, or "
                 "`period_start` and `period_end`.", True),
    ),
    "indicators": (
        FieldDoc("period", "period_label, period_start, period_end",
                 "The period as the funder names it; its days come from the label.", True),
    ),
    "streams": (
        FieldDoc("partnership_name", "partnership.name",
                 "The partnership's name, kept in the partnership list.", False),
        FieldDoc("funder_name", "funder.name", "The funder's name, kept in the funder list.",
                 False),
        FieldDoc("funder_type", "funder.funder_type",
                 "What kind of funder it is (`central_dept`, `lottery_distributor`, "
                 "`charitable_trust`, ...), kept in the funder list: it decides who signs the "
                 "funder's report.", False),
    ),
}


def _field(kind: str, column: Column) -> FieldDoc:
    back = {v: k for k, v in RENAMES[kind].items()}
    name = back.get(column.frame_name, column.frame_name)
    default = DEFAULTS[kind].get(name)
    required = not column.nullable and default is None and name not in (
        "period_start", "period_end")
    return FieldDoc(name, column.name, column.doc, required, default)


def fields_of(kind: str) -> tuple[FieldDoc, ...]:
    """Every field a table of `kind` may set, in the ledger's column order."""
    if kind not in LEDGER_TABLES:
        return ()
    own = tuple(_field(kind, c) for c in LEDGER_TABLES[kind].columns
                if c.name not in _DERIVED)
    return own + _EXTRA.get(kind, ())


FIELD_NAMES: dict[str, frozenset[str]] = {
    kind: frozenset(f.name for f in fields_of(kind)) for kind in LEDGER_TABLES
}


def _used_names(table: Any, checks: list[Any]) -> set[str]:
    """Field names the spec itself reads: in templates, checks, `unique` and `totals`."""
    used: set[str] = set(table.unique)
    for total in table.totals:
        used.update(total.fields)
    for src in table.fields.values():
        if src.template is not None:
            used.update(TEMPLATE_NAME.findall(src.template))
    for check in checks:
        if check.table == table.name:
            used.update([*check.where, *check.group_by, check.sum_of or ""])
    return used


def table_field_problems(table: Any, checks: list[Any], funder: str | None) -> list[str]:
    """What is wrong with one table's field names, in words that say what to write instead.

    `table` is a `TableSpec` and `checks` the spec's checks (typed loosely: the spec module
    imports this one). A `check` table writes no records, so any name goes there.
    """
    if table.kind not in FIELD_NAMES:
        return []
    allowed = FIELD_NAMES[table.kind]
    used = _used_names(table, checks)
    problems = []
    problems += _constant_problems(table)
    for name, src in table.fields.items():
        if name in allowed or name in used or src.helper:
            continue
        near = get_close_matches(name, sorted(allowed), n=1, cutoff=0.75)
        problems.append(f"tables.{table.name}.fields.{name}: not a field of a `{table.kind}` table"
                        + (f" (did you mean `{near[0]}`?)" if near else ""))
    # The value field is what a record is; the other required fields are reported per file
    # (`field-missing`), so a draft with placeholders still loads and says what it lacks.
    value = VALUE_FIELDS.get(table.kind)
    if value is not None and value not in table.fields:
        problems.append(f"tables.{table.name}.fields: a `{table.kind}` table needs "
                        f"the field `{value}`")
    return problems


def _constant_problems(table: Any) -> list[str]:
    """A `const` for a field with a fixed list of values must be one of them: a typo such as
    `{const: incme}` would otherwise be an error on every row of every file."""
    problems = []
    for name, src in table.fields.items():
        values = ALLOWED.get(name)
        if values is None or src.const is None or str(src.const) in values or src.lookup:
            continue
        if str(src.const).startswith(PLACEHOLDER):
            continue  # a draft's blank to fill in: it loads, and `validate` fails on it
        near = get_close_matches(str(src.const), values, n=1)
        problems.append(f"tables.{table.name}.fields.{name}.const: '{src.const}' is not one of "
                        f"{', '.join(values)}" + (f" (did you mean `{near[0]}`?)" if near else ""))
    return problems


def allowed_fields_note(kind: str) -> str:
    """What to write instead of an unknown field name, said once per table kind."""
    return (f"the fields of a `{kind}` table are {', '.join(sorted(FIELD_NAMES[kind]))}; a "
            "field read only to build others or to be checked needs `helper: true`")
