"""The consolidated return's content, independent of any file format.

Every writer (xlsx, html, json, csv) renders this model and nothing else, so the formats cannot
disagree. Money is Decimal with two places, exactly as the ledger holds it; ratios that are not
money (shares of funding) are Decimal rounded explicitly. The model is the JSON output too:
`Return.model_validate_json(path.read_text())` reads a written return back, which is how a
receiving department collects partnerships' returns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from fundflow.returns.analysis_model import AnalysisSections
from fundflow.returns.data_table import DATA_COLUMNS, DataRow, DataTable, content_hash
from fundflow.returns.entry_table import EntryRow, EntryTable
from fundflow.returns.finance_table import FinanceRow, FinanceTable, trusted

__all__ = [  # the Data, Finance and entry rows live in `data_table`, `finance_table`, `entry_table`
    "DATA_COLUMNS", "DataRow", "DataTable", "EntryRow", "EntryTable", "FinanceRow",
    "FinanceTable", "content_hash", "trusted",
]

CENT = Decimal("0.01")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")




class SignOff(_Model):
    """The block the responsible officer fills in: left blank by fundflow on purpose."""

    statement: str = (
        "I certify that the figures in this return are drawn from the partnership's records "
        "and are, to the best of my knowledge, complete and accurate."
    )
    name: str = ""
    role: str = "Section 151 officer (or delegate)"
    signature: str = ""
    date: str = ""


class Cover(_Model):
    """Who the return is from, what it covers, on what basis, and a hash of its figures."""

    title: str
    partnership: str
    year: str
    quarter: str | None
    period_start: date
    period_end: date
    basis: str
    funder_id: str | None
    generated_at: datetime
    streams: int
    submissions: int
    content_hash: str
    reference_hash: str = ""
    """SHA-256 of the reference data (crosswalks, calendars, ...) the figures were mapped with."""
    sign_off: SignOff = SignOff()
    partnership_id: str = ""
    """The partnership's stable id (interchange version 2): a department keeps each
    partnership's streams, funders and figures under it, so two partnerships never merge."""
    context_hash: str = ""
    """SHA-256 of the `stream_terms` and `other_data` sections (interchange version 2), as
    `content_hash` is of the figures: a department refuses a file whose terms or earlier
    figures were edited after it was written."""


class SummaryRow(_Model):
    """One stream's position: lifetime figures to the end of the return's period."""

    funder_id: str
    funder_name: str
    stream_id: str
    stream_name: str
    tier: int
    ring_fenced: bool
    ring_fence_type: str
    basis: str = ""
    """The basis the stream is reported on (its own: register, else its returns, else default)."""
    basis_assumed: bool = False
    """True when neither the register nor the stream's returns say: the partnership's default."""
    award: Decimal
    received: Decimal
    spent: Decimal
    forecast: Decimal
    balance: Decimal
    end_date: date | None


class BasisGap(_Model):
    """Money on a basis other than the return's: shown apart, never added in."""

    funder_id: str
    stream_id: str
    measure: str
    state: str
    basis: str
    amount: Decimal
    counted_basis: str = ""
    """The basis the return counts for this stream (its own, or the `--basis` restriction)."""
    reason: str = ""
    """Why the amount is not in the totals, in a finance officer's words."""


class OutputRow(_Model):
    """One canonical indicator's value for a stream: summed, or the latest when cumulative."""

    funder_id: str
    stream_id: str
    year: str
    quarter: str | None
    indicator_id: str
    indicator_name: str
    unit: str | None
    value_type: str
    value: Decimal
    combined_by: str


class ReconRow(_Model):
    """One source file's control total against the return's total for it: must differ by 0."""

    submission_id: str
    file: str
    sha256: str
    adapter_id: str
    funder_period: str
    file_total: Decimal
    return_total: Decimal
    difference: Decimal


class OpenIssue(_Model):
    code: str
    severity: str
    location: str
    message: str
    hint: str


class Condition(_Model):
    condition: str
    funder: str
    others: str


class FunderContext(_Model):
    """What a funder's standard report adds: its share of the funding, its conditions compared."""

    funder_id: str
    funder_name: str
    funder_award: Decimal
    partnership_award: Decimal
    share_pct: Decimal
    conditions: list[Condition]


class StreamTerms(_Model):
    """One stream of the partnership's funding register as the return states it (interchange
    version 2): what a department needs to run the same analyses on the partnership's figures
    (conditions, dates, frequency). Money is Decimal pounds; percentages Decimal."""

    stream_id: str
    funder_id: str
    funder_name: str
    name: str
    award: Decimal
    start_date: date
    end_date: date
    ring_fence_type: str
    capital_award: Decimal | None = None
    revenue_award: Decimal | None = None
    allocation_method: str | None = None
    eligible_categories: str | None = None
    virement_limit_pct: Decimal | None = None
    carry_forward_rule: str | None = None
    clawback_rule: str | None = None
    match_required_pct: Decimal | None = None
    spend_deadline: date | None = None
    reporting_frequency: str | None = None
    year_convention: str | None = None
    accounting_basis: str | None = None
    risk_rating: str | None = None
    reporting_tier: int | None = None
    predecessor_stream_id: str | None = None
    successor_stream_id: str | None = None
    returns_reported: int | None = None
    """How many returns (not registers) the partnership's ledger holds for the stream, and
    the data items in them: what the reporting-burden analysis measures hours from."""
    items_reported: int | None = None


INTERCHANGE_VERSION = 2
"""The version of the return's JSON a department collects: 1 had no partnership id, stream
terms, other figures or context hash; 2 has them (`schemas/return.schema.json`)."""
INTERCHANGE_VERSIONS = frozenset({1, 2})
"""Versions `fundflow collect` reads; any other is refused as unknown."""


class Return(_Model):
    """The consolidated return (or, with `funder_context`, one funder's standard report)."""

    schema_version: int = INTERCHANGE_VERSION
    cover: Cover
    summary: list[SummaryRow]
    basis_gaps: list[BasisGap]
    finance: FinanceTable
    """The Finance rows (a frame; see `finance_table`)."""
    entries: EntryTable
    """The transaction list (a frame; see `entry_table`)."""
    entries_total: int = 0
    """How many entries the transaction list has in all; `entries` holds the first ones."""
    outputs: list[OutputRow]
    analysis: AnalysisSections
    reconciliation: list[ReconRow]
    issues: list[OpenIssue]
    data: DataTable
    """Every figure, one per row (a frame; see `data_table`)."""
    funder_context: FunderContext | None = None
    stream_terms: list[StreamTerms] = []
    """The streams' terms (interchange version 2), hashed into the cover's `context_hash`."""
    other_data: list[DataRow] = []
    """Counted figures of source files with no money in the return's year (earlier years'
    spend of a multi-year stream), flat like `data` but not in the Data sheet: what a
    department needs to reproduce stock figures such as unspent balances (version 2)."""


def basis_note(cover: Cover) -> str:
    """How the return's totals treat bases, in words, for every writer's notes."""
    if cover.basis == EACH_OWN_BASIS:
        return "each stream on its own basis (see the Basis column)"
    return f"the {cover.basis} basis only"


def basis_subtotals(summary: Sequence[SummaryRow]) -> list[tuple[str, list[Decimal]]]:
    """Award, received, spent, forecast and balance per basis, in basis order: the Summary's
    total adds streams on different bases, so each basis gets its own subtotal too."""
    out: dict[str, list[Decimal]] = {}
    for row in summary:
        sums = out.setdefault(row.basis, [Decimal("0.00")] * 5)
        for i, name in enumerate(MONEY_FIELDS):
            sums[i] += getattr(row, name)
    return sorted(out.items())


MONEY_FIELDS = ("award", "received", "spent", "forecast", "balance")
"""The Summary's money columns, in order."""
EACH_OWN_BASIS = "each stream's own"
"""The cover's basis when no `--basis` restriction is given: every stream on its own basis."""
def context_hash(terms: Sequence[StreamTerms], other: Sequence[DataRow]) -> str:
    """SHA-256 of the canonical JSON of the stream terms and the other figures (sorted keys,
    money as text)."""
    rows = {"stream_terms": [row.model_dump(mode="json") for row in terms],
            "other_data": [row.model_dump(mode="json") for row in other]}
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def partnership_slug(name: str) -> str:
    """A partnership's id from its name when nothing else gives one: lower case letters and
    digits joined by '-' ('Westmere Safer Communities' -> 'westmere-safer-communities')."""
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in name).split()
    return "-".join(words) or "partnership"
