"""What the analyses read, drawn from the Book, and the money they read month by month.

The same money reaches the ledger more than once: a quarterly return repeats the year's earlier
quarters, a cumulative statement restates everything to date, and a transaction list and a claim
summary report one stream's spend twice. Which figure counts is decided once, by the Book
(`book.build_book`, the counting rule in docs/ledger.md); `inputs_from_book` hands the analyses
those counted figures per stream and month (`Inputs.months`), so the ring-fencing sheet, the
Summary and the funder report show one spend per stream. Inputs built by hand (tests) are
counted by the same rule (`mapping.mark_counted`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

import polars as pl

from fundflow.analysis.common import StreamInfo, allows, split_codes
from fundflow.ledger.schema import FINANCE_ENTRY
from fundflow.mapping.apportion import apportion_frame
from fundflow.mapping.canonical import SPENDING, UNCATEGORISED, mark_counted
from fundflow.mapping.reference import UNMAPPED

if TYPE_CHECKING:
    from fundflow.mapping.book import Book

Kind = Literal["spend", "forecast", "receipt", "clawback", "budget"]
AMOUNT = "amount_gbp_pence"

_KINDS: dict[str, pl.Expr] = {
    "spend": (pl.col("measure") == "spend") & (pl.col("state") == "actual"),
    "forecast": pl.col("measure").is_in(["spend", "forecast"]) & (pl.col("state") == "forecast"),
    "receipt": (pl.col("measure") == "receipt") & (pl.col("state") == "actual"),
    "clawback": (pl.col("measure") == "clawback") & (pl.col("state") == "actual"),
    "budget": pl.col("measure") == "budget",
}

FINANCE_COLUMNS = (
    "submission_id", "source_sheet", "source_cell", "stream_id", "funder_id", "period_start",
    "period_end", "measure", "state", "cap_rev", "funder_category", "subjective", "unit",
)
SUBMISSION_COLUMNS = ("adapter_id", "return_type", "imported_at")

@dataclass(frozen=True)
class EntryFacts:
    """What the analyses need of every finance entry, as aggregates that grow with the
    streams and periods, not with the entries (`entry_facts`); each is keyed by `stream_id`
    so it can be cut to some streams.

    `unmapped`: counted spend entries whose category is unmapped, per stream and period
    (`entries`, `pence`); `templates`: spend entries per stream and adapter (`entries`, the
    latest `period_end` and earliest `period_start`); `units`: each stream's distinct units
    with the periods they are stated for.
    """

    unmapped: pl.DataFrame
    templates: pl.DataFrame
    units: pl.DataFrame

    def filter(self, keep: pl.Expr) -> EntryFacts:
        """The facts of the streams `keep` (an expression on `stream_id`) selects."""
        return EntryFacts(self.unmapped.filter(keep), self.templates.filter(keep),
                          self.units.filter(keep))


@dataclass(frozen=True)
class Inputs:
    """What the analyses read: streams, finance entries, submissions, item counts, and the
    counted money per stream and month.

    Build it with `inputs_from_book` (or `inputs_from_parts`), or by hand in tests (then
    `months` and `facts` are None: the entries are counted by the Book's rule and their facts
    drawn from them); every analysis is a pure function of it. From a Book, `finance` holds
    only the entries the analyses judge one by one (counted spend in a category its stream's
    conditions do not allow: the eligibility breaches) and `facts` the aggregates of all.
    """

    streams: list[StreamInfo]
    finance: pl.DataFrame
    submissions: pl.DataFrame = field(default_factory=pl.DataFrame)
    items: pl.DataFrame = field(default_factory=pl.DataFrame)
    months: pl.DataFrame | None = None
    facts: EntryFacts | None = None
    _months: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    _facts: list[EntryFacts] = field(default_factory=list, compare=False, repr=False)

    def money(self, kind: Kind) -> pl.DataFrame:
        """One amount per (stream, month) for a kind of money, computed once per kind."""
        if kind not in self._months:
            months = self.months if self.months is not None else counted_months(self.finance)
            self._months[kind] = monthly(months, kind)
        return self._months[kind]

    def entry_facts(self) -> EntryFacts:
        """`facts`, or those of `finance` (inputs built by hand), computed once."""
        if self.facts is not None:
            return self.facts
        if not self._facts:
            self._facts.append(entry_facts(self.finance))
        return self._facts[0]


def inputs_from_book(book: Book) -> Inputs:
    """The analyses' inputs: the Book's registered streams, the facts of its entries (one
    entry per figure and category share, `counted` when any month of it is in the totals), the
    entries that may breach their stream's conditions, and its counted month figures."""
    return inputs_from_parts(book.all_streams, book.submissions, book.items, [book.finance])


def inputs_from_parts(
    all_streams: pl.DataFrame, submissions: pl.DataFrame, items: pl.DataFrame,
    finance: Iterable[pl.DataFrame],
) -> Inputs:
    """`inputs_from_book` from a Book's parts, its finance given as blocks of whole streams
    (`book.finance_blocks`): each block is reduced to its facts, breach candidates and
    counted month figures before the next is read. The result is the same for any blocking:
    every fact is per stream, and the months are summed per stream, month, measure and state.
    """
    streams = stream_infos(all_streams)
    eligible = {s.stream_id: s.eligible_categories for s in streams if s.eligible_categories}
    parts = [_reduce(block, eligible) for block in finance]
    if not parts:  # a ledger without finance entries
        empty = empty_finance().with_columns(counted=pl.lit(True))
        parts = [(empty, entry_facts(empty), counted_months(empty))]
    candidates = pl.concat([p[0] for p in parts], how="vertical_relaxed")
    facts = EntryFacts(*(pl.concat([getattr(p[1], name) for p in parts], how="vertical_relaxed")
                         for name in ("unmapped", "templates", "units")))
    months = pl.concat([p[2] for p in parts], how="vertical_relaxed")
    return Inputs(streams, candidates, submissions, items, months, facts=facts)


def _reduce(
    finance: pl.DataFrame, eligible: dict[str, tuple[str, ...]]
) -> tuple[pl.DataFrame, EntryFacts, pl.DataFrame]:
    """One block of `Book.finance`: its breach candidates, entry facts and month figures."""
    entries = (
        finance.group_by(*_ENTRY_KEYS, maintain_order=True)
        .agg(pl.col(c for c in _ENTRY_COLUMNS if c not in _ENTRY_KEYS).first(),
             pl.col("amount_pence").sum().alias(AMOUNT), pl.col("on_basis").any().alias("counted"))
        .with_columns(pl.when(~pl.col("subjective").is_in([UNMAPPED, UNCATEGORISED]))
                      .then("subjective").alias("subjective"))
    )
    in_totals = pl.col("counted") & pl.col("in_totals")
    kept = in_totals & (~pl.col("measure").is_in(SPENDING) | pl.col("on_basis"))
    months = (finance.filter(kept & pl.col("month").is_not_null())
              .group_by("stream_id", "month", "measure", "state", maintain_order=True)
              .agg(pl.col("amount_pence").sum()))
    return breach_candidates(entries, eligible), entry_facts(entries), months


def entry_facts(finance: pl.DataFrame) -> EntryFacts:
    """The facts of a frame of entries (`EntryFacts`), as the analyses once read them from
    the entries one by one: spend that is counted (when the frame says) for the unmapped
    money, all spend for the templates, every entry for the units."""
    counted = finance.filter(pl.col("counted")) if "counted" in finance.columns else finance
    unmapped = (counted.filter((pl.col("measure") == "spend") & _UNMAPPED)
                .group_by("stream_id", "period_start", "period_end", maintain_order=True)
                .agg(entries=pl.len(), pence=pl.col(AMOUNT).sum()))
    templates = (finance.filter(pl.col("measure") == "spend")
                 .group_by("stream_id", "adapter_id", maintain_order=True)
                 .agg(entries=pl.len(), period_end=pl.col("period_end").max(),
                      period_start=pl.col("period_start").min()))
    units = (finance.filter(pl.col("unit").is_not_null())
             .select("stream_id", "unit", "period_start", "period_end")
             .unique(maintain_order=True))
    return EntryFacts(unmapped.cast({"entries": pl.Int64, "pence": pl.Int64}),
                      templates.cast({"entries": pl.Int64}), units)


_UNMAPPED = pl.col("subjective").is_null() | (pl.col("subjective") == UNMAPPED)


def breach_candidates(finance: pl.DataFrame, eligible: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """The counted spend entries whose mapped category their stream's eligible categories do
    not allow (`common.allows`): the only entries `ringfence.eligibility_breaches` can report,
    whatever the window."""
    counted = finance.filter(pl.col("counted")) if "counted" in finance.columns else finance
    spend = counted.filter((pl.col("measure") == "spend") & ~_UNMAPPED
                           & pl.col("stream_id").is_in(list(eligible)))
    pairs = spend.select("stream_id", "subjective").unique()
    barred = pairs.filter(pl.Series([not allows(eligible[sid], code)
                                     for sid, code in pairs.iter_rows()], dtype=pl.Boolean))
    return spend.join(barred, on=["stream_id", "subjective"], how="semi", maintain_order="left")


_ENTRY_COLUMNS = (*FINANCE_COLUMNS, "adapter_id", "return_type", "imported_at")
_ENTRY_KEYS = ("submission_id", "row_no", "subjective")


def stream_infos(streams: pl.DataFrame) -> list[StreamInfo]:
    """Register rows as `StreamInfo` values (streams with no dates cannot be analysed)."""
    fields = set(StreamInfo.model_fields)
    out = []
    for record in streams.iter_rows(named=True):
        if record.get("start_date") is None or record.get("end_date") is None:
            continue
        record["eligible_categories"] = split_codes(record.get("eligible_categories"))
        record["ring_fence_type"] = (record.get("ring_fence_type") or "").strip()
        out.append(StreamInfo(**{k: v for k, v in record.items() if k in fields}))
    return sorted(out, key=lambda s: s.stream_id)


def counted_months(finance: pl.DataFrame) -> pl.DataFrame:
    """Entries built by hand counted by the Book's rule: apportioned to months, then per
    stream, measure, state and month the latest submission's figures."""
    if finance.is_empty():
        return pl.DataFrame(schema={"stream_id": pl.String, "month": pl.Date,
                                    "measure": pl.String, "state": pl.String,
                                    "amount_pence": pl.Int64})
    frame = finance.select("stream_id", "submission_id", "period_start", "period_end",
                           "measure", "state", "imported_at",
                           pl.col(AMOUNT).alias("amount_pence"), basis=pl.lit("stated"))
    months, _ = apportion_frame(frame)
    counted = mark_counted(months).filter(pl.col("counted") & pl.col("month").is_not_null())
    return counted.select("stream_id", "month", "measure", "state", "amount_pence")


def empty_finance() -> pl.DataFrame:
    """A finance frame with no rows and every column the analyses read (for pure callers)."""
    schema = FINANCE_ENTRY.polars_schema()
    columns = {name: schema[name] for name in FINANCE_COLUMNS}
    extra = {"adapter_id": pl.String(), "return_type": pl.String(),
             "imported_at": pl.Datetime("us"), AMOUNT: pl.Int64()}
    return pl.DataFrame(schema={**columns, **extra})


# --- one figure per stream and month ---------------------------------------------------------
def monthly(months: pl.DataFrame, kind: Kind) -> pl.DataFrame:
    """One amount per (stream, month) for a kind of money, from counted month figures.

    Returns `stream_id`, `month` (first day) and `amount_pence`.
    """
    picked = months.filter(_KINDS[kind])
    return (picked.group_by("stream_id", "month").agg(pl.col("amount_pence").sum())
            .sort("stream_id", "month"))


def template_choice(picked: pl.DataFrame) -> pl.DataFrame:
    """Per stream, the adapter whose entries reach the latest period end.

    Ties go to the adapter whose entries start earliest (it covers more of the stream's life),
    then to the alphabetically last adapter id, so the choice never depends on row order.
    """
    reach = picked.group_by("stream_id", "adapter_id").agg(
        pl.col("period_end").max(), pl.col("period_start").min()
    )
    ordered = reach.sort(
        "stream_id", "period_end", "period_start", "adapter_id",
        descending=[False, False, True, False],
    )
    return ordered.group_by("stream_id", maintain_order=True).last().select(
        "stream_id", "adapter_id"
    )


def total_by_stream(
    months: pl.DataFrame, first: date | None = None, last: date | None = None
) -> dict[str, int]:
    """Pence per stream over the months from `first`'s month to `last`'s month, both included."""
    frame = months
    if first is not None:
        frame = frame.filter(pl.col("month") >= first.replace(day=1))
    if last is not None:
        frame = frame.filter(pl.col("month") <= last.replace(day=1))
    totals = frame.group_by("stream_id").agg(pl.col("amount_pence").sum())
    return {row[0]: int(row[1]) for row in totals.iter_rows()}
