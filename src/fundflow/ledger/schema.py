"""The ledger's tables, declared once.

The DDL, the polars schemas that stages build their frames to, and `docs/ledger.md` are all
derived from `TABLES`, so they cannot drift apart. Money columns are DECIMAL(18,2) in DuckDB and
travel through polars as Int64 pence (column name ending in `_pence`): the ledger converts pence
to DECIMAL exactly on insert, so no float ever touches an amount.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fundflow.lazy import lazy_module

if TYPE_CHECKING:
    import polars as pl
else:
    pl = lazy_module("polars")

MONEY = "DECIMAL(18,2)"


@functools.cache
def _polars_type(sql_type: str) -> pl.DataType:
    """The polars dtype for a DuckDB column type; built on use so polars loads only when a
    frame is made (`fundflow ledger summary` never makes one)."""
    types: dict[str, pl.DataType] = {
        "VARCHAR": pl.String(),
        "INTEGER": pl.Int32(),
        "BIGINT": pl.Int64(),
        "SMALLINT": pl.Int16(),
        "BOOLEAN": pl.Boolean(),
        "DATE": pl.Date(),
        "TIMESTAMP": pl.Datetime("us"),
        "DECIMAL(9,4)": pl.Decimal(9, 4),
        "DECIMAL(12,2)": pl.Decimal(12, 2),
        "DECIMAL(38,6)": pl.Decimal(38, 6),
    }
    return types[sql_type]


@dataclass(frozen=True)
class Column:
    """One column: DuckDB type, whether it may be empty, and what it means to a reader."""

    name: str
    type: str
    doc: str
    nullable: bool = True
    check: str | None = None

    @property
    def frame_name(self) -> str:
        """The name stages use in polars frames: money travels as `<name>_pence`."""
        return f"{self.name}_pence" if self.type == MONEY else self.name

    @property
    def polars_type(self) -> pl.DataType:
        """The polars dtype of this column in a stage's frame (Int64 pence for money)."""
        return pl.Int64() if self.type == MONEY else _polars_type(self.type)

    def ddl(self) -> str:
        """The column's line in CREATE TABLE."""
        parts = [self.name, self.type]
        if not self.nullable:
            parts.append("NOT NULL")
        if self.check:
            parts.append(f"CHECK ({self.check})")
        return " ".join(parts)


@dataclass(frozen=True)
class Table:
    """A ledger table: columns, primary key and why the table exists."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    since: str = "0001_initial"
    """The migration that creates the table: a ledger from before it lacks it, and is whole."""

    def ddl(self) -> str:
        """CREATE TABLE for this table."""
        lines = [c.ddl() for c in self.columns]
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        lines.extend(f"UNIQUE ({', '.join(u)})" for u in self.unique)
        body = ",\n    ".join(lines)
        return f"CREATE TABLE {self.name} (\n    {body}\n)"

    def polars_schema(self) -> pl.Schema:
        """The frame schema a stage must produce to load rows into this table."""
        return pl.Schema({c.frame_name: c.polars_type for c in self.columns})

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)


def _enum(name: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{name} IN ({quoted})"


MEASURES = (
    "award", "allocation", "budget", "forecast", "committed", "spend", "claim", "receipt",
    "match", "clawback", "virement", "carry_forward", "income",
)
STATES = ("actual", "forecast")
BASES = ("defrayed", "accrued", "committed", "claimed", "received", "budgeted")
CAP_REV = ("capital", "revenue", "unspecified")
RING_FENCE_TYPES = (
    "ringfenced_statutory", "ringfenced_conditions", "specific_purpose", "unringfenced",
    "restricted_charitable",
)
ALLOCATION_METHODS = ("formula", "competitive", "invited_bid", "direct_award", "pbr", "pooled")
FREQUENCIES = (
    "fortnightly", "monthly", "quarterly", "termly", "half_yearly", "annual", "end_of_grant",
)
VALUE_TYPES = ("baseline", "target", "forecast", "actual")
SEVERITIES = ("error", "warning", "info")

# Provenance columns every fact row carries: which submission, which sheet and cell.
_PROVENANCE = (
    Column("submission_id", "VARCHAR", "The imported file this row came from.", nullable=False),
    Column("row_no", "INTEGER", "Position of the row within its submission (from 1).",
           nullable=False),
    Column("source_sheet", "VARCHAR", "Sheet the value was read from (CSV: the file name)."),
    Column("source_cell", "VARCHAR", "Cell reference of the value, e.g. `F23`."),
)

FUNDER = Table(
    "funder",
    "Organisations that fund the partnership's streams.",
    (
        Column("funder_id", "VARCHAR", "Short stable id, e.g. `F-DPC`.", nullable=False),
        Column("name", "VARCHAR", "Funder's name as the partnership knows it.", nullable=False),
        Column("funder_type", "VARCHAR", "Central department, lottery distributor, trust, ..."),
    ),
    primary_key=("funder_id",),
)

PARTNERSHIP = Table(
    "partnership",
    "A local partnership that receives funding (a receiving department's ledger holds many).",
    (
        Column("partnership_id", "VARCHAR", "Short stable id.", nullable=False),
        Column("name", "VARCHAR", "Partnership's name.", nullable=False),
    ),
    primary_key=("partnership_id",),
)

STREAM = Table(
    "stream",
    "One funding stream or grant agreement with its conditions, as the funding register states "
    "them. Each row belongs to a register submission; the current register's rows are live.",
    (
        *_PROVENANCE,
        Column("stream_id", "VARCHAR", "Stream id used in every return, e.g. `S-TTF-24`.",
               nullable=False),
        Column("funder_id", "VARCHAR", "The funder.", nullable=False),
        Column("partnership_id", "VARCHAR", "The partnership that receives it."),
        Column("name", "VARCHAR", "Stream name.", nullable=False),
        Column("funder_ref", "VARCHAR", "The funder's own reference for the grant."),
        Column("lead_partner", "VARCHAR", "Partner organisation that holds the grant."),
        Column("award", MONEY, "Total award over the stream's life (£).", nullable=False),
        Column("capital_award", MONEY, "Capital part of the award (£)."),
        Column("revenue_award", MONEY, "Revenue part of the award (£)."),
        Column("start_date", "DATE", "First day of the funding period.", nullable=False),
        Column("end_date", "DATE", "Last day of the funding period.", nullable=False),
        Column("allocation_method", "VARCHAR", "How it was allocated.",
               check=_enum("allocation_method", ALLOCATION_METHODS)),
        Column("ring_fence_type", "VARCHAR", "How far the money is tied to a purpose.",
               nullable=False, check=_enum("ring_fence_type", RING_FENCE_TYPES)),
        Column("eligible_categories", "VARCHAR",
               "Canonical subjective categories the money may be spent on, `;`-separated "
               "(empty: any)."),
        Column("virement_limit_pct", "DECIMAL(9,4)",
               "Largest share of the award that may move between lines without approval (%)."),
        Column("carry_forward_rule", "VARCHAR", "What happens to unspent money at year end."),
        Column("clawback_rule", "VARCHAR", "What the funder can take back, and when."),
        Column("match_required_pct", "DECIMAL(9,4)", "Match funding required (% of award)."),
        Column("spend_deadline", "DATE", "Date by which the money must be spent."),
        Column("reporting_frequency", "VARCHAR", "How often the funder asks for a return.",
               check=_enum("reporting_frequency", FREQUENCIES)),
        Column("year_convention", "VARCHAR", "UK_FY, ACADEMIC_AUG, CALENDAR, GRANT_ANNIV, ..."),
        Column("accounting_basis", "VARCHAR", "Basis the funder asks spend on.",
               check=_enum("accounting_basis", BASES)),
        Column("risk_rating", "VARCHAR", "low, medium or high."),
        Column("reporting_tier", "SMALLINT", "Proportionate reporting tier 0-3 (computed)."),
        Column("predecessor_stream_id", "VARCHAR", "The stream this one continues."),
        Column("successor_stream_id", "VARCHAR", "The stream that continues this one."),
        Column("returns_reported", "INTEGER",
               "Collected streams only: how many returns the partnership's ledger held for it "
               "(its reporting burden is measured from these two)."),
        Column("items_reported", "BIGINT",
               "Collected streams only: the data items in those returns."),
    ),
    primary_key=("submission_id", "stream_id"),
)

SUBMISSION = Table(
    "submission",
    "One reading of an imported file. The same bytes read by the same adapter version are "
    "never imported twice; a corrected return for the same stream, period and return type, or "
    "the same file read again by a changed adapter (or `import --reread`), supersedes the "
    "earlier one, which stays as history.",
    (
        Column("submission_id", "VARCHAR", "Id derived from the file's SHA-256 (`-r2`, `-r3` "
               "for later readings of the same file).", nullable=False),
        Column("file_sha256", "VARCHAR", "SHA-256 of the file's bytes.", nullable=False),
        Column("file_name", "VARCHAR", "File name as imported.", nullable=False),
        Column("file_path", "VARCHAR",
               "Path the file was imported from (for a workbench upload, the name it had)."),
        Column("adapter_id", "VARCHAR", "Adapter spec that read the file.", nullable=False),
        Column("adapter_version", "VARCHAR", "Version of that spec.", nullable=False),
        Column("return_type", "VARCHAR", "register, finance, claim, monitoring, ...",
               nullable=False),
        Column("funder_id", "VARCHAR", "Funder the return is made to (empty for a register)."),
        Column("stream_key", "VARCHAR",
               "Stream(s) the return covers, `;`-separated and sorted.", nullable=False),
        Column("funder_period", "VARCHAR", "Reporting period as the funder names it.",
               nullable=False),
        Column("imported_at", "TIMESTAMP", "When the file was imported (UTC).", nullable=False),
        Column("supersedes", "VARCHAR", "The submission this one corrects."),
        Column("entry_count", "BIGINT", "Finance entries written (control count).",
               nullable=False),
        Column("indicator_count", "BIGINT", "Indicator values written (control count).",
               nullable=False),
        Column("amount_total", MONEY, "Sum of the finance entries' amounts (control total).",
               nullable=False),
    ),
    primary_key=("submission_id",),
    unique=(("supersedes",),),
)

FINANCE_ENTRY = Table(
    "finance_entry",
    "Every amount of money read from a return, as reported, with where it came from.",
    (
        *_PROVENANCE,
        Column("stream_id", "VARCHAR", "Stream the money belongs to.", nullable=False),
        Column("funder_id", "VARCHAR", "Funder of the stream.", nullable=False),
        Column("period_label", "VARCHAR", "Period as the funder wrote it.", nullable=False),
        Column("period_start", "DATE", "First day of that period.", nullable=False),
        Column("period_end", "DATE", "Last day of that period.", nullable=False),
        Column("measure", "VARCHAR", "What the amount is.", nullable=False,
               check=_enum("measure", MEASURES)),
        Column("state", "VARCHAR", "Actual or forecast.", nullable=False,
               check=_enum("state", STATES)),
        Column("basis", "VARCHAR", "Accounting basis of the amount.",
               check=_enum("basis", BASES)),
        Column("cap_rev", "VARCHAR", "Capital, revenue or unspecified.", nullable=False,
               check=_enum("cap_rev", CAP_REV)),
        Column("funder_category", "VARCHAR", "Spend category as the funder labels it."),
        Column("subjective", "VARCHAR", "Canonical subjective category, where the file says it."),
        Column("objective", "VARCHAR", "Canonical objective theme, where the file says it."),
        Column("funding_source", "VARCHAR", "funder, match_public, match_private, ..."),
        Column("project", "VARCHAR", "Project or scheme within the stream."),
        Column("description", "VARCHAR", "Supplier, narrative or transaction text."),
        Column("txn_date", "DATE", "Transaction date, for transaction lists."),
        Column("amount_raw", "VARCHAR", "The cell's text as read, before parsing."),
        Column("unit", "VARCHAR", "Unit of the raw amount: GBP, GBP_000 or GBP_M."),
        Column("amount_gbp", MONEY, "The amount in pounds, exact.", nullable=False),
        Column("cumulative", "BOOLEAN", "True when the amount is to date (the Book turns it "
               "into the figure for its period)."),
    ),
    # No primary key on the fact tables: (submission_id, row_no) is unique by construction,
    # and the index would cost DuckDB more than the whole bulk insert of a large file.
)

INDICATOR_VALUE = Table(
    "indicator_value",
    "Outputs and outcomes (people supported, jobs created, ...) read from returns.",
    (
        *_PROVENANCE,
        Column("stream_id", "VARCHAR", "Stream the indicator is reported for.", nullable=False),
        Column("funder_id", "VARCHAR", "Funder of the stream.", nullable=False),
        Column("funder_indicator", "VARCHAR", "Indicator as the funder names it.",
               nullable=False),
        Column("period_label", "VARCHAR", "Period as the funder wrote it.", nullable=False),
        Column("period_start", "DATE", "First day of that period."),
        Column("period_end", "DATE", "Last day of that period."),
        Column("value_type", "VARCHAR", "baseline, target, forecast or actual.", nullable=False,
               check=_enum("value_type", VALUE_TYPES)),
        Column("value", "DECIMAL(38,6)", "The value, exact.", nullable=False),
        Column("unit", "VARCHAR", "Unit as reported (people, %, ...)."),
        Column("cumulative", "BOOLEAN", "True when the value is to-date, not for the period.",
               nullable=False),
    ),
)

ISSUE = Table(
    "issue",
    "Every problem found in every imported file (warnings and notes; files with errors are not "
    "imported, so their errors are reported, not stored).",
    (
        Column("submission_id", "VARCHAR", "The submission.", nullable=False),
        Column("issue_no", "INTEGER", "Position within the submission (from 1).",
               nullable=False),
        Column("code", "VARCHAR", "Catalogue code (see docs/issues.md).", nullable=False),
        Column("severity", "VARCHAR", "error, warning or info.", nullable=False,
               check=_enum("severity", SEVERITIES)),
        Column("message", "VARCHAR", "What is wrong, in plain English.", nullable=False),
        Column("sheet", "VARCHAR", "Sheet."),
        Column("cell", "VARCHAR", "Cell reference."),
        Column("value", "VARCHAR", "Value found."),
        Column("expected", "VARCHAR", "What was expected."),
        Column("hint", "VARCHAR", "What to do about it."),
    ),
    primary_key=("submission_id", "issue_no"),
)

CATEGORY_MAP = Table(
    "category_map",
    "Funder category to canonical category crosswalks in force when the ledger was last "
    "mapped: versioned, with effective dates, exact or split by share.",
    (
        Column("funder_id", "VARCHAR", "Funder.", nullable=False),
        Column("version", "INTEGER", "Crosswalk version.", nullable=False),
        Column("effective_from", "DATE", "First day the version applies.", nullable=False),
        Column("effective_to", "DATE", "Last day it applies (empty: open)."),
        Column("label", "VARCHAR", "Funder category label.", nullable=False),
        Column("target_no", "INTEGER", "Position of the target within the label's split.",
               nullable=False),
        Column("subjective", "VARCHAR", "Canonical subjective category.", nullable=False),
        Column("objective", "VARCHAR", "Canonical objective theme."),
        Column("cap_rev", "VARCHAR", "Capital or revenue, where the crosswalk fixes it."),
        Column("share_pct", "DECIMAL(9,4)", "Share of the amount (%).", nullable=False),
    ),
    primary_key=("funder_id", "version", "label", "target_no"),
)

INDICATOR_MAP = Table(
    "indicator_map",
    "Funder indicator to canonical indicator crosswalks, versioned like `category_map`.",
    (
        Column("funder_id", "VARCHAR", "Funder.", nullable=False),
        Column("version", "INTEGER", "Crosswalk version.", nullable=False),
        Column("label", "VARCHAR", "Funder indicator label.", nullable=False),
        Column("indicator_id", "VARCHAR", "Canonical indicator id.", nullable=False),
    ),
    primary_key=("funder_id", "version", "label"),
)

COMPARED_RETURN = Table(
    "compared_return",
    "Collected returns only: the figures a receiving department compares, as the return "
    "states them for its own year at its own as-at date (the end of its period). Written in "
    "the same transaction as the return's figures; superseded with its submission. The "
    "department's views (`fundflow compare`, `analyse --by partnership`) read these rows "
    "instead of every figure.",
    (
        Column("submission_id", "VARCHAR", "The collected return.", nullable=False),
        Column("partnership_id", "VARCHAR", "Its partnership.", nullable=False),
        Column("year", "VARCHAR", "The year the return's analyses cover, e.g. `2025-26`.",
               nullable=False),
        Column("as_at", "DATE", "The date its stock figures are taken at (its period's end).",
               nullable=False),
        Column("streams", "INTEGER", "Streams live in the year.", nullable=False),
        Column("funding", MONEY, "Award of the streams live in the year (£).", nullable=False),
        Column("ring_fenced", MONEY, "Of which ring-fenced (£).", nullable=False),
        Column("ring_fenced_share", "DECIMAL(9,4)", "Ring-fenced over funding (empty: none)."),
        Column("short_term", MONEY, "Award of live streams of 12 months or less (£).",
               nullable=False),
        Column("short_term_share", "DECIMAL(9,4)", "Short-term over funding (empty: none)."),
        Column("cliff_3", MONEY, "Award of live streams ending within 3 months (£).",
               nullable=False),
        Column("cliff_6", MONEY, "... within 6 months (£).", nullable=False),
        Column("cliff_12", MONEY, "... within 12 months (£).", nullable=False),
        Column("unspent_ring_fenced", MONEY, "Ring-fenced award not yet spent (£).",
               nullable=False),
        Column("clawback_exposure", MONEY, "Ring-fenced money projected unspent at its "
               "deadline that the funder may take back (£).", nullable=False),
        Column("breaches", "INTEGER", "Spend entries in categories their stream may not "
               "spend on.", nullable=False),
        Column("returns_per_year", "INTEGER", "Returns the live streams' funders ask for.",
               nullable=False),
        Column("hours", "DECIMAL(12,2)", "Reporting hours a year, today.", nullable=False),
    ),
    primary_key=("submission_id",),
    since="0005_compared_return",
)

MIGRATION = Table(
    "schema_migration",
    "Named schema migrations applied to this ledger file, in order.",
    (
        Column("name", "VARCHAR", "Migration name.", nullable=False),
        Column("applied_at", "TIMESTAMP", "When it was applied (UTC).", nullable=False),
    ),
    primary_key=("name",),
)

TABLES: tuple[Table, ...] = (
    MIGRATION, FUNDER, PARTNERSHIP, SUBMISSION, STREAM, FINANCE_ENTRY, INDICATOR_VALUE, ISSUE,
    CATEGORY_MAP, INDICATOR_MAP, COMPARED_RETURN,
)

# Views that hide superseded history: what every report reads.
VIEWS: dict[str, str] = {
    "current_submission": (
        "SELECT s.* FROM submission s "
        "WHERE NOT EXISTS (SELECT 1 FROM submission n WHERE n.supersedes = s.submission_id)"
    ),
    "current_finance": (
        "SELECT f.* FROM finance_entry f JOIN current_submission USING (submission_id)"
    ),
    "current_indicator": (
        "SELECT i.* FROM indicator_value i JOIN current_submission USING (submission_id)"
    ),
    "current_stream": "SELECT t.* FROM stream t JOIN current_submission USING (submission_id)",
}


def table(name: str) -> Table:
    """The declared table called `name`."""
    return next(t for t in TABLES if t.name == name)
