"""The Book: one immutable read model of the ledger for a scope, from which every output is drawn.

A return, a funder's report, the analyses, `ledger summary` and the charts all show the same
facts; when each read the ledger its own way they disagreed (one stream showed three spends).
So mapping ends here, once: `build_book` reads the ledger through `ledger_read`, maps categories
and periods (`mapping.map_finance`), decides each stream's basis, marks the figures that count
(`mapping.mark_counted`, the one counting rule in `docs/ledger.md`), and hands back a `Book`.
Every output is then a pure function of the Book.

Bases, decided once: a stream is reported on its own basis, the register's `accounting_basis`,
else the basis its returns state when they all agree, else the partnership's default in
`schemas/reporting.yaml` (marked as assumed). An entry that states no basis is on its stream's
basis. With a basis restriction (`--basis X`) streams on other bases are left out of the totals
and listed with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from fundflow.issues import Issue
from fundflow.ledger import read as ledger_read
from fundflow.ledger.read import Connection
from fundflow.mapping.canonical import (
    SPENDING,
    map_finance,
    map_indicators,
    mark_counted,
    rank_submissions,
    to_period_figures,
)
from fundflow.mapping.reference import Reference, reference_hash
from fundflow.returns.scope import Period, stream_tier


@dataclass(frozen=True)
class Book:
    """The ledger as one scope sees it; frames hold money as Int64 pence.

    `streams`: one row per stream in scope (register fields, `funder_name`, `award_pence`,
    `tier`, `basis`, `basis_source` = register/returns/assumed, `in_totals`).
    `finance`: mapped entries, one row per (entry, category share, month), with `counted`
    (the counting rule), `stream_basis`, `in_totals` (the stream is within the basis
    restriction), `on_basis` (counted, in the totals and, for spend and forecasts, on its
    stream's basis: the figures every total adds) and
    `at` (the month, or the period's start when it has no month).
    `all_streams`: every stream of the ledger (a funder's report compares with the others).
    `transactions`: Tier 3 streams' actual entries one by one in the year to the period's end,
    the first `MAX_ENTRIES` (mapped, one row per category share and month), and
    `transactions_total` how many there are. Figures to date are already period figures.
    """

    period: Period
    restriction: str | None
    partnership: str
    funder: str | None
    reference: Reference
    reference_hash: str
    streams: pl.DataFrame
    all_streams: pl.DataFrame
    finance: pl.DataFrame
    indicators: pl.DataFrame
    transactions: pl.DataFrame
    transactions_total: int
    submissions: pl.DataFrame
    items: pl.DataFrame
    stored_issues: pl.DataFrame
    issues: tuple[Issue, ...]
    earlier_to_date: Mapping[str, int] = field(default_factory=dict)
    """Per submission, pence of earlier figures to date its cumulative figures were reduced by
    (`mapping.to_period_figures`): the reconciliation adds them back to tie to the file."""

    @property
    def as_at(self) -> date:
        """The day stock is taken: the end of the return's period."""
        return self.period.end

    @property
    def default_basis(self) -> str:
        """The partnership's default basis (`reporting.yaml`), for streams nothing else fixes."""
        return self.reference.reporting.default_basis


def build_book(
    con: Connection, reference: Reference, period: Period, *,
    funder: str | None = None, basis: str | None = None, listing: bool = True,
) -> Book:
    """Read, map and count the ledger once for a period, one funder's streams or all.

    `basis` restricts the totals to streams on that basis; the others are kept in the Book
    (their figures are listed apart) with `in_totals` false. `listing` false leaves the
    transaction list empty, for a caller that never shows it (a collected return's compared
    figures: the list was a tenth of their cost).
    """
    start_month = period.start.month
    register = _with_tiers(ledger_read.stream_rows(con), reference)
    submissions = ledger_read.submissions(con)
    names = dict(submissions.select("submission_id", "file_name").iter_rows())
    finance, streams, issues, earlier = _finance(con, reference, period, register, names,
                                                 funder=funder, basis=basis)
    listed, listed_total = _transactions(con, finance if listing else finance.clear(),
                                         period, reference)
    values, more = map_indicators(ledger_read.indicator_values(con, funder),
                                  reference.crosswalks, reference.indicators,
                                  start_month=start_month)
    return Book(
        period=period, restriction=basis, partnership=ledger_read.partnership_name(con),
        funder=funder, reference=reference, reference_hash=reference_hash(reference),
        streams=streams, all_streams=register, finance=finance, indicators=values,
        transactions=listed, transactions_total=listed_total,
        submissions=submissions, items=ledger_read.items(con),
        stored_issues=ledger_read.stored_issues(con), issues=(*issues, *more),
        earlier_to_date=earlier,
    )


def _finance(
    con: Connection, reference: Reference, period: Period, register: pl.DataFrame,
    names: Mapping[str, str], *, funder: str | None = None, basis: str | None = None,
    block: pl.DataFrame | None = None, order: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, list[Issue], dict[str, int]]:
    """`Book.finance` and `Book.streams` (of `block`'s streams only, when given), the issues
    found on the way, and the earlier figures to date per submission."""
    figures = ledger_read.finance_figures(con, funder, block)
    figures, falls, earlier = to_period_figures(figures, names, order)
    finance, issues = map_finance(figures, reference.crosswalks, start_month=period.start.month)
    del figures  # the mapped rows carry all of it; held to the end it sat 100 MB beside them
    streams = register if funder is None else register.filter(pl.col("funder_id") == funder)
    if block is not None:
        streams = streams.filter(pl.col("stream_id").is_in(block["stream_id"].implode()))
    streams = _with_unregistered(streams, finance)
    streams = decide_bases(streams, finance, reference.reporting.default_basis, basis)
    return _place(finance, streams, order), streams, [*falls, *issues], earlier


BLOCK_ENTRIES = 250_000
"""Ledger entries read and mapped at a time by `finance_blocks`: about the Book of a
200,000-entry ledger, whatever the ledger's size."""


@dataclass(frozen=True)
class BookParts:
    """What the analyses read of a Book, with its finance a block of streams at a time:
    the register (`Book.all_streams`), submissions and item counts whole, and `finance`
    yielding `Book.finance`'s rows of each block of streams in turn (the rows, counted and
    placed, that the whole Book has for those streams)."""

    all_streams: pl.DataFrame
    submissions: pl.DataFrame
    items: pl.DataFrame
    finance: Iterator[pl.DataFrame]


def finance_blocks(
    con: Connection, reference: Reference, period: Period, *, entries: int = BLOCK_ENTRIES
) -> BookParts:
    """The Book's parts for the analyses, its finance read a block of streams at a time, so
    memory does not grow with the ledger (`fundflow analyse`).

    Everything the Book decides is per stream (mapping, bases, the counting rule per stream,
    measure, state, basis and month) but the order of submissions, which ranks a submission
    by its latest actual figure over every stream it covers: it is taken once for the whole
    ledger (`ledger_read.submission_reach`) and handed to each block, so each block's rows
    are the whole Book's rows for its streams (`tests/test_book_reads.py`).
    """
    register = _with_tiers(ledger_read.stream_rows(con), reference)
    submissions = ledger_read.submissions(con)
    names = dict(submissions.select("submission_id", "file_name").iter_rows())
    order = rank_submissions(ledger_read.submission_reach(con))

    def blocks() -> Iterator[pl.DataFrame]:
        for block in ledger_read.stream_blocks(con, entries):
            yield _finance(con, reference, period, register, names, block=block,
                           order=order)[0]

    return BookParts(all_streams=register, submissions=submissions,
                     items=ledger_read.items(con), finance=blocks())


MAX_ENTRIES = 10_000
"""Longest transaction list a return carries: past this a listing is no use to a reader and
costs more than the whole return (every entry stays in the totals, the Data rows and
`fundflow export --parquet`)."""


def _transactions(
    con: Connection, finance: pl.DataFrame, period: Period, reference: Reference
) -> tuple[pl.DataFrame, int]:
    """The transaction list: entries of the submissions that count for Tier 3 streams, and
    how many there are (from the figures' entry counts, without a second scan)."""
    counted = finance.select(  # the columns read here only: a filter copies all it is given
        "submission_id", "row_no", "entries", "stream_id", "stream_basis", "basis", "measure",
        "period_start", "period_end", "counted", "in_totals", "tier", "state",
    ).filter(pl.col("counted") & pl.col("in_totals") & (pl.col("tier") >= 3)
             & (pl.col("state") == "actual"))
    pairs = counted.select("submission_id", "stream_id", "stream_basis").unique().sort(
        "submission_id", "stream_id")
    rows = ledger_read.transactions(con, pairs, period.start, period.end, MAX_ENTRIES)
    mapped, _ = map_finance(rows, reference.crosswalks, start_month=period.start.month)
    listed = counted.filter(
        (pl.col("period_start") >= period.start) & (pl.col("period_end") <= period.end)
        & (~pl.col("measure").is_in(SPENDING) | (pl.col("basis") == pl.col("stream_basis"))))
    total = listed.unique(["submission_id", "row_no"])["entries"].sum()
    return mapped, int(total or 0)


def _with_tiers(streams: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """A tier the register states is kept; otherwise it is computed from award and risk."""
    computed = [
        stream_tier(Decimal(award) / 100, risk, method, reference.tiers) if stated is None
        else int(stated)
        for award, risk, method, stated in streams.select(
            "award_pence", "risk_rating", "allocation_method", "reporting_tier").iter_rows()
    ]
    return streams.with_columns(tier=pl.Series(computed, dtype=pl.Int64))


def _with_unregistered(streams: pl.DataFrame, finance: pl.DataFrame) -> pl.DataFrame:
    """Streams with money but no register row still appear (award 0, tier 3: most detail)."""
    known = streams["stream_id"].implode()
    ids = (finance.filter(~pl.col("stream_id").is_in(known))
           .select("stream_id", "funder_id").unique().sort("stream_id"))
    extra = ids.with_columns(
        name=pl.col("stream_id") + pl.lit(" (not in the funding register)"),
        funder_name=pl.col("funder_id"), award_pence=pl.lit(0, pl.Int64),
        tier=pl.lit(3, pl.Int64), ring_fence_type=pl.lit("unknown"),
    ).cast({name: streams.schema[name] for name in ids.columns if name in streams.columns})
    return pl.concat([streams, extra], how="diagonal_relaxed")


def decide_bases(
    streams: pl.DataFrame, finance: pl.DataFrame, default: str, restriction: str | None
) -> pl.DataFrame:
    """Each stream's basis and where it came from; `in_totals` under a basis restriction.

    The register's `accounting_basis` wins; else the one basis the stream's spending entries
    state, when they agree; else `default`, marked `assumed` so the return says so.
    """
    stated = (finance.filter(pl.col("measure").is_in(SPENDING)
                             & pl.col("stated_basis").is_not_null())
              .group_by("stream_id").agg(pl.col("stated_basis").unique().alias("_stated")))
    out = streams.join(stated, on="stream_id", how="left", maintain_order="left")
    agreed = pl.when(pl.col("_stated").list.len() == 1).then(pl.col("_stated").list.first())
    register = pl.col("accounting_basis").str.strip_chars()
    register = pl.when(register != "").then(register)
    out = out.with_columns(
        basis=pl.coalesce(register, agreed, pl.lit(default)),
        basis_source=pl.when(register.is_not_null()).then(pl.lit("register"))
        .when(agreed.is_not_null()).then(pl.lit("returns")).otherwise(pl.lit("assumed")),
    ).drop("_stated")
    in_totals = pl.lit(True) if restriction is None else pl.col("basis") == restriction
    return out.with_columns(in_totals=in_totals)


def _place(finance: pl.DataFrame, streams: pl.DataFrame,
           order: pl.DataFrame | None = None) -> pl.DataFrame:
    """Entries get their stream's tier and basis (when they state none) and the totals flag."""
    keys = streams.select("stream_id", "tier", pl.col("basis").alias("stream_basis"),
                          "in_totals")
    out = finance.join(keys, on="stream_id", how="inner", maintain_order="left")
    out = mark_counted(out.with_columns(basis=pl.coalesce("stated_basis", "stream_basis")),
                       order)
    out = out.with_columns(
        at=pl.coalesce("month", "period_start", "period_end"),
        on_basis=pl.col("counted") & pl.col("in_totals")
        & (~pl.col("measure").is_in(SPENDING) | (pl.col("basis") == pl.col("stream_basis"))),
    )
    return out


RULES_MD = """\
## Reading the ledger: the Book

Every output (the return in every format, funder reports, `analyse`, `ledger summary`, the
charts) is drawn from one read model of the ledger, the Book (`fundflow.mapping.book.build_book`),
built once for a scope: partnership, financial year (and quarter), as-at date (the period's
end), an optional funder and an optional basis restriction. Only `fundflow.ledger.read` runs
SELECT on the ledger; a test fails if any other module does. So one fact shows one figure
everywhere.

### The counting rule

The same money reaches the ledger more than once: a quarterly return restates the year's
earlier quarters, a corrected file replaces an earlier one, a claim and a transaction list report
one stream's spend twice. Per stream, measure, state, basis and calendar month, **the figures of
the latest current submission that covers that month count**, and no other submission's do.
The latest is the submission whose actual figures reach the latest period end (a return for a
later period), then the one imported last, then the highest submission id, so the result never
depends on the order files were imported. Figures for a coarser period are first apportioned to
months by days (largest remainder, exact pence). Figures that do not count stay in the Data
sheet (`counted` false) so every file still reconciles to its control total.

A return may report money to date ("spent to date"): its adapter sets `cumulative: true` on
those figures, each for the period from the start of the count to the date it is at. Before
counting, each figure to date becomes the figure for its period: its value less the previous
figure to date of the same stream, measure, state, basis and category (the latest earlier
period end, as the latest submission stating it says: the one the counting rule takes), for
the days from that period end to its own. The first figure to date is kept whole for the
period it states. So a quarterly return of spend to date counts exactly as the same spend
reported quarter by quarter. A figure to date below the one before gives a negative period
figure and the warning `cumulative-decreased`, naming the file and cell. The reconciliation
adds back the earlier figures to date a file's figures were reduced by, so it still ties to
the file's control total.

### Bases

A stream is reported on its own basis: the register's `accounting_basis`; else the one basis its
returns state for spend and forecasts, when they agree; else the partnership's default
(`default_basis` in `schemas/reporting.yaml`), shown on the return as *assumed*. An entry that
states no basis is on its stream's basis. The Summary has a Basis column; its total says it adds
each stream on its own basis, and a subtotal follows for each basis. Spend on another basis than
the stream's is listed under "Amounts on other bases" with the reason, never added in and never
dropped. `--basis X` keeps only streams on basis X in the totals and lists the others' money with
the reason.

### Balances

The Summary's balance is award less spent to date less forecast after the period. The
restricted-fund roll-forward (brought forward + received - spent + transfers = carried forward)
uses receipts where a stream's returns report them. When a fund's balance would be negative
because its returns report spend but no receipts for some years, both balances are shown as
unknown (blank) and the issue `fund-receipts-missing` names the stream and the years; a negative
balance with every year's receipts reported is a real overspend, reported as `fund-overspent`
with its figures.

### Reference data

The crosswalks, calendars, tiers and indicators a Book was built with are hashed
(`reference_hash`); the hash is on the return's cover and in its JSON, so a return can be
rebuilt from the same reference data and give the same content hash.
"""
"""The rules above, as `docs/ledger.md` states them (generated by `fundflow.docgen`)."""
