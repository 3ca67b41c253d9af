"""The department's views: one row per partnership, each saying what its own return says.

A collected return states the figures compared (its analyses' totals for its year, at the
end of its period), and collecting it keeps them in `compared_return`, in the transaction
of its figures. So the views read one row a partnership (`slices.stored_figures`) for every
partnership whose current return for the year states them at the year's end; only the
others (returns collected before that table, version 1 returns, returns whose analyses did
not run, a return of a quarter, or none for the year) are drawn from their figures, as below.

For those, the department's ledger gives Books (`book.build_book`, the one read model) a block of
partnerships at a time (`slices`), so memory does not grow with the department. Each block's
Book is analysed once for all its partnerships (`grouped.partnership_figures`): every compared
figure is a sum over a partnership's streams of per-stream work, and streams are namespaced by
partnership, so the per-stream work is shared and only the sums, shares and roundings are made
per partnership. A test holds each row equal to the partnership's own analyses
(`returns.analysis_hook.run_analysis` on its own Book, `partnership_books`) and to its own
return. Totals are sums of the rows; shares in the totals row are over the summed awards.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

import polars as pl
from pydantic import BaseModel, ConfigDict

from fundflow.analysis import make_window
from fundflow.analysis.burden import load_burden_config
from fundflow.collect.frames import ADAPTER_ID, NAMESPACE
from fundflow.collect.grouped import partnership_figures
from fundflow.collect.slices import BLOCK, blocks, ledger_path, ledger_slice, stored_figures
from fundflow.ledger import read as ledger_read
from fundflow.ledger.read import Connection, partnerships
from fundflow.mapping.book import Book, build_book
from fundflow.mapping.reference import Reference
from fundflow.returns.scope import Period

_BY_STREAM = ("streams", "all_streams", "finance", "indicators", "transactions", "items")
"""Book frames whose rows belong to a partnership through their (namespaced) stream id."""
_PID = "_partnership"


@dataclass(frozen=True)
class Department:
    """A department's ledger for a period, with its partnerships' names by id.

    Books are built when asked for (`block_books`), a block of partnerships at a time,
    so the connection must stay open while they are read."""

    con: Connection
    reference: Reference
    period: Period
    names: Mapping[str, str]
    block: int = BLOCK


def department(con: Connection, reference: Reference, period: Period, *,
               block: int = BLOCK) -> Department:
    """The department's ledger for a period and the partnerships it collected returns from
    (a partnership's own ledger names itself but collected nothing: none)."""
    collected = set(ledger_read.collected_partnerships(con))
    names = {pid: name for pid, name in partnerships(con).iter_rows() if pid in collected}
    return Department(con, reference, period, names, block)


def block_books(dept: Department) -> Iterator[tuple[list[str], Book]]:
    """The department's Books, each with the partnerships (ids, in order) it holds.

    A read-only ledger is read a block of partnerships at a time (`slices`) and each block's
    Book is dropped before the next is read; a ledger open for writing is read as one Book
    (DuckDB attaches a file to a second database only when both open it read-only)."""
    path = ledger_path(dept.con)
    if path is None:
        yield sorted(dept.names), build_book(dept.con, dept.reference, dept.period)
        return
    for block in blocks(list(dept.names), dept.block):
        with ledger_slice(path, block) as con:
            book = build_book(con, dept.reference, dept.period)
        yield sorted(block), book
        del book


def partnership_books(dept: Department) -> Iterator[tuple[str, Book]]:
    """One Book per partnership, in id order, each as the partnership's own return sees it:
    the route the grouped figures are tested against (and the collect tests' per-partnership
    view), cut from each block's Book by one `partition_by` per frame."""
    for pids, book in block_books(dept):
        yield from _cut(book, {pid: dept.names[pid] for pid in pids})


def _cut(book: Book, names: Mapping[str, str]) -> Iterator[tuple[str, Book]]:
    """The Book's partnerships' own Books, in id order."""
    parts = {name: _partition(getattr(book, name), "stream_id") for name in _BY_STREAM}
    subs = book.submissions.with_columns(pl.col("stream_key").alias(_PID))
    by_sub = _split(subs)
    files = {pid: set(frame["file_name"]) for pid, frame in by_sub.items()}
    issues = _partition(book.stored_issues.join(subs.select("submission_id", _PID),
                                                on="submission_id", how="left"), None)
    for pid in sorted(names):
        frames = {name: parts[name].pop(pid, _empty(getattr(book, name))) for name in parts}
        own = files.get(pid, set())
        yield pid, replace(
            book, partnership=names[pid],
            submissions=by_sub.pop(pid, book.submissions.clear()).drop(_PID),
            stored_issues=issues.pop(pid, _empty(book.stored_issues)),
            issues=tuple(i for i in book.issues if i.file in own),
            streams=frames["streams"], all_streams=frames["all_streams"],
            finance=frames["finance"], indicators=frames["indicators"],
            transactions=frames["transactions"], items=frames["items"],
        )


def _partition(frame: pl.DataFrame, column: str | None) -> dict[str, pl.DataFrame]:
    """The frame split by partnership (from the namespaced `column`, or `_PID` if None)."""
    if column is not None:
        frame = frame.with_columns(
            pl.col(column).str.split_exact(NAMESPACE, 1).struct.field("field_0").alias(_PID))
    return {pid: part.drop(_PID) for pid, part in _split(frame).items()}


def _split(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    if frame.height == 0:
        return {}
    return {str(key[0]): part for key, part in frame.partition_by(_PID, as_dict=True).items()}


def _empty(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.clear().drop(_PID, strict=False)


class PartnershipRow(BaseModel):
    """One partnership's figures for the year, as its own return's analysis gives them.

    Money in pounds; shares are fractions (0.25 = 25%), None where there is no award.
    `rank` is by funding, 1 the largest (ties share a rank).
    """

    model_config = ConfigDict(frozen=True)

    partnership_id: str
    partnership: str
    streams: int
    funding: Decimal
    ring_fenced: Decimal
    ring_fenced_share: Decimal | None
    short_term: Decimal
    short_term_share: Decimal | None
    cliff_3: Decimal
    cliff_6: Decimal
    cliff_12: Decimal
    unspent_ring_fenced: Decimal
    clawback_exposure: Decimal
    breaches: int
    returns_per_year: int
    hours: Decimal
    rank: int = 0


class Comparison(BaseModel):
    """The department's comparison for a year: a row per partnership and the totals."""

    model_config = ConfigDict(frozen=True)

    year: str
    as_at: str
    rows: list[PartnershipRow]
    totals: PartnershipRow


def as_reported(book: Book) -> Book:
    """The Book with each collected stream's reporting as its partnership reported it.

    The reporting-burden analysis measures data items per return from the ledger's
    submissions; in a department's ledger those are the collected returns, not the
    partnership's own source files. A stream collected from a version 2 return states how
    many returns and items the partnership's ledger held (`returns_reported`,
    `items_reported`): those replace the collected ones here, so the hours are the
    partnership's own. Streams without them (version 1 returns) keep the collected counts.
    """
    streams = book.all_streams
    if "returns_reported" not in streams.columns:
        return book
    stated = streams.filter(pl.col("returns_reported").is_not_null())
    if stated.height == 0:
        return book
    rows = [(f"reported:{sid}:{k}", sid, items if k == 0 else 0)
            for sid, n, items in stated.select("stream_id", "returns_reported",
                                               "items_reported").iter_rows()
            for k in range(int(n))]
    reported = pl.DataFrame(rows, schema={"submission_id": pl.String, "stream_id": pl.String,
                                          "items": book.items.schema.get("items", pl.Int64)},
                            orient="row")
    kept = book.items.filter(~pl.col("stream_id").is_in(stated["stream_id"].implode()))
    submissions = pl.concat([book.submissions, reported.select(
        "submission_id", pl.lit("reported").alias("return_type"),
        pl.col("stream_id").alias("stream_key"), pl.lit(ADAPTER_ID).alias("adapter_id"),
    ).unique("submission_id")], how="diagonal_relaxed")
    return replace(book, items=pl.concat([kept, reported], how="vertical_relaxed"),
                   submissions=submissions)


def compare(dept: Department) -> Comparison:
    """Every partnership's row, ranked by funding, and the department's totals.

    Each row is as at the end of the year (`period.end`): the figures its return states
    (`stored_figures`) when its current return for the year is as at that date, else the
    figures drawn from its collected figures (`book_rows`)."""
    stored = stored_figures(dept.con, dept.period.year, dept.period.end)
    rows = [PartnershipRow(partnership_id=pid, partnership=name, **stored[pid])
            for pid, name in dept.names.items() if pid in stored]
    rest = {pid: name for pid, name in dept.names.items() if pid not in stored}
    if rest:
        rows += book_rows(replace(dept, names=rest))
    return comparison_of(dept.period, rows)


def compare_books(dept: Department) -> Comparison:
    """`compare` with every row drawn from the partnerships' figures (none from the stored
    ones): the route the stored figures are tested against."""
    return comparison_of(dept.period, book_rows(dept))


def book_rows(dept: Department) -> list[PartnershipRow]:
    """The department's partnerships' rows from their collected figures: a Book a block of
    partnerships at a time, each block's partnerships analysed together (`grouped`)."""
    period = dept.period
    window = make_window(period.year, period.end, period.end)
    config, issues = load_burden_config()
    if config is None:
        raise RuntimeError(issues[0].message)
    rows = []
    for pids, book in block_books(dept):
        figures = partnership_figures(as_reported(book), pids, window, config)
        rows += [PartnershipRow(partnership_id=pid, partnership=dept.names[pid], **figures[pid])
                 for pid in pids]
    return rows


def comparison_of(period: Period, rows: list[PartnershipRow]) -> Comparison:
    """Rank the rows and add the totals row."""
    rank: dict[Decimal, int] = {}
    for place, funding in enumerate(sorted((r.funding for r in rows), reverse=True), start=1):
        rank.setdefault(funding, place)  # ties share the first place (was `list.index`: n²)
    ranked = sorted((r.model_copy(update={"rank": rank[r.funding]}) for r in rows),
                    key=lambda r: (r.rank, r.partnership_id))
    return Comparison(year=period.year, as_at=period.end.isoformat(), rows=ranked,
                      totals=_totals(rows))


_SUMMED = ("streams", "funding", "ring_fenced", "short_term", "cliff_3", "cliff_6", "cliff_12",
           "unspent_ring_fenced", "clawback_exposure", "breaches", "returns_per_year", "hours")


def _totals(rows: list[PartnershipRow]) -> PartnershipRow:
    sums = {name: sum((getattr(r, name) for r in rows), start=_zero(name)) for name in _SUMMED}
    funding = Decimal(sums["funding"])
    return PartnershipRow(
        partnership_id="", partnership=f"All {len(rows):,} partnerships",
        ring_fenced_share=_share(Decimal(sums["ring_fenced"]), funding),
        short_term_share=_share(Decimal(sums["short_term"]), funding), **sums,
    )


def _zero(name: str) -> Decimal | int:
    return 0 if name in ("streams", "breaches", "returns_per_year") else Decimal("0.00")


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(Decimal("0.0001")) if whole else None
