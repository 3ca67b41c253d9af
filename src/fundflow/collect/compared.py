"""A collected return's compared figures, made once when it is collected.

A department's views show, per partnership, figures that are sums over its streams (funding,
ring-fenced and short-term award and shares, cliff edges, unspent ring-fenced money, clawback
exposure, eligibility breaches, returns a year, hours). Drawing them from every collected
figure at view time cost about 26 ms of CPU a partnership (a Book of its ~2,500 figures
read, mapped and counted): 5 minutes at 10,000 partnerships. So they are made when the return
is collected, from its own figures and terms (what its hashes vouch for; the analysis
sections a return also states are not hashed, so they are not trusted), and kept in the
ledger (`compared_return`, one row a return) in the transaction of its figures. The views
then read a row a partnership (`slices.stored_figures`).

The figures are made by the route the views used (`grouped.partnership_figures` on a Book
of the return's figures), for a group of returns at once: the group is written into an
empty ledger in memory (`slices.scratch_ledger`), read back as one Book and analysed
together. Each row is taken for the return's own year, as at its end: the return's own
as-at date for a return of a whole year (or of its fourth quarter). A return of an earlier
quarter or one without stream terms (a Data CSV) gets no row, and the views draw that
partnership from its figures. The work depends only on the returns themselves, never on the
ledger, so the reading worker makes it for the files it reads (`pipeline.serve`), off the
writing process's path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

from fundflow.analysis import make_window
from fundflow.analysis.burden import load_burden_config
from fundflow.collect.grouped import partnership_figures
from fundflow.collect.slices import COMPARED, scratch_ledger
from fundflow.ledger.schema import COMPARED_RETURN, MONEY
from fundflow.ledger.store import SubmissionBatch, add_submissions
from fundflow.mapping.book import build_book
from fundflow.mapping.reference import Reference, bundled_reference
from fundflow.returns.scope import parse_period

if TYPE_CHECKING:
    from fundflow.collect.prepared import Prepared

_SCHEMA = {name: dtype for name, dtype in COMPARED_RETURN.polars_schema().items()
           if name != "submission_id"}
_PENCE = {c.name for c in COMPARED_RETURN.columns if c.type == MONEY}


@cache
def _reference() -> Reference:
    """The bundled reference data, as `fundflow compare` reads the ledger with it."""
    return bundled_reference(())


def with_compared(group: Sequence[Prepared]) -> list[Prepared]:
    """The group's returns, each whole-year return's batch carrying its compared figures
    (`SubmissionBatch.compared`), ready to be written with them; a batch that has them
    already (made by the reading worker, `pipeline.serve`) is left as it is.

    Each return's figures are its own whatever it is grouped with: the returns of a year
    are analysed together in rounds that never hold two of one partnership (they would be
    read as one Book), the first of each partnership's returns in the first round, and so
    on (nearly always one round)."""
    years: dict[str, list[SubmissionBatch]] = defaultdict(list)
    for p in group:
        year = _whole_year(p.batch)
        if year is not None and p.batch is not None and p.batch.compared is None:
            years[year].append(p.batch)
    rows: dict[int, pl.DataFrame] = {}
    for year, batches in years.items():
        for batch_round in _rounds(batches):
            made = figures(year, batch_round)
            rows.update((id(b), made[b.stream_key]) for b in batch_round)
    return [p if p.batch is None or id(p.batch) not in rows
            else replace(p, batch=replace(p.batch, compared=rows[id(p.batch)]))
            for p in group]


def _rounds(batches: Sequence[SubmissionBatch]) -> list[list[SubmissionBatch]]:
    """The batches cut into rounds holding one return of a partnership each, in order."""
    rounds: list[list[SubmissionBatch]] = []
    seen: dict[str, int] = defaultdict(int)
    for batch in batches:
        k = seen[batch.stream_key]
        seen[batch.stream_key] += 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(batch)
    return rounds


def _whole_year(batch: SubmissionBatch | None) -> str | None:
    """The year of a return of a whole year (or of its fourth quarter) with stream terms."""
    if batch is None or batch.streams is None:
        return None
    year, _, quarter = batch.funder_period.partition(" ")
    return year if quarter in ("", "Q4") else None


def figures(year: str, batches: Sequence[SubmissionBatch]) -> dict[str, pl.DataFrame]:
    """Each batch's compared figures for `year` at its end, by partnership id: the batches
    (one a partnership) written into a ledger in memory and analysed as one Book."""
    period = parse_period(year, None, 4)
    window = make_window(period.year, period.end, period.end)
    config, issues = load_burden_config()
    if config is None:
        raise RuntimeError(issues[0].message)
    from fundflow.collect.views import as_reported  # noqa: PLC0415 - views imports collect

    with scratch_ledger() as con:
        add_submissions(con, [replace(b, compared=None) for b in batches])
        book = build_book(con, _reference(), period, listing=False)
    pids = [b.stream_key for b in batches]
    made = partnership_figures(as_reported(book), pids, window, config)
    return {pid: _row(pid, year, period.end, made[pid]) for pid in pids}


def _row(pid: str, year: str, as_at: Any, made: dict[str, Any]) -> pl.DataFrame:
    row: dict[str, Any] = {"partnership_id": pid, "year": year, "as_at": as_at}
    for name in COMPARED:
        value = made[name]
        if name in _PENCE:
            row[f"{name}_pence"] = int(Decimal(value).scaleb(2))
        else:
            row[name] = value
    return pl.DataFrame([row], schema=_SCHEMA, orient="row")
