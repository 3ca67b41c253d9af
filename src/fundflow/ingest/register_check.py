"""Figures for streams the funding register does not hold: said at import, with the cell.

A return whose stream ids are not in the register (a typo, a funder's own reference, another
partnership's ids) still imports: the figures are the funder's, and the return shows them
under the stream id "(not in the funding register)". But nothing can check them against an
award or its conditions, so the officer is told at once, at the first cell of each such
stream, rather than finding the money unattributed in the return months later.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from fundflow.ingest.spool import Spool
from fundflow.issues import Issue, make_issue
from fundflow.ledger.read import registered_stream_ids
from fundflow.ledger.store import SubmissionBatch


def unknown_stream_issues(con: Any, batch: SubmissionBatch) -> list[Issue]:
    """A `stream-unknown` warning per stream id the batch's figures name that neither the
    ledger's current register nor the batch itself (a register file) holds.

    Silent while the ledger holds no register at all: there is nothing to compare with yet,
    and the return says so itself.
    """
    named = _named(batch)
    if not named:
        return []
    known = registered_stream_ids(con)
    if not known:
        return []
    if batch.streams is not None and batch.streams.height:
        known |= set(batch.streams.get_column("stream_id").drop_nulls().to_list())
    unknown = sorted(named - known)
    if not unknown:
        return []
    firsts = _first_cells(batch, unknown)
    return [make_issue("stream-unknown", file=batch.file_name, sheet=sheet, cell=cell,
                       value=stream, figures=f"{count:,} figure" + ("" if count == 1 else "s"))
            for stream, (sheet, cell, count) in firsts.items()]


def _named(batch: SubmissionBatch) -> set[str]:
    ids: set[str] = set()
    for part in (batch.finance, batch.indicators):
        if isinstance(part, Spool):
            ids |= {str(v) for v in part.values("stream_id")}
        elif part is not None and "stream_id" in part.columns:
            ids |= set(part.get_column("stream_id").drop_nulls().to_list())
    return ids


def _first_cells(batch: SubmissionBatch,
                 unknown: list[str]) -> dict[str, tuple[str | None, str | None, int]]:
    """Each unknown stream's first figure (sheet, cell) and how many figures name it."""
    found: dict[str, tuple[str | None, str | None, int]] = {}
    for holder in (batch.finance, batch.indicators):
        parts = holder.parts() if isinstance(holder, Spool) else [holder] if holder is not None \
            else []
        for part in parts:
            rows = (part.filter(pl.col("stream_id").is_in(unknown))
                    .group_by("stream_id", maintain_order=True)
                    .agg(pl.col("source_sheet").first(), pl.col("source_cell").first(),
                         pl.len().alias("n")))
            for stream, sheet, cell, n in rows.iter_rows():
                earlier = found.get(stream)
                found[stream] = (sheet, cell, n) if earlier is None else \
                    (earlier[0], earlier[1], earlier[2] + n)
    return dict(sorted(found.items()))
