"""The compared figures of every partnership in a Book at once.

A department's row for a partnership must say what the partnership's own return says
(`returns.analysis_hook.run_analysis` on its own Book). Running that for each partnership
cost 25-35 ms each (about 100 small polars operations, and reports the comparison never
reads): 12 minutes at 10,000 partnerships. But every figure the row shows is a sum over the
partnership's streams of something that depends on that stream alone (its award, dates and
conditions, its counted spend and forecasts, its entries, its submissions' item counts), and
in a collected ledger every stream id is namespaced by its partnership. So the analyses'
per-stream work is done once over a whole Book of many partnerships (the frames read once,
the dictionaries of spend, forecasts, exposures, breaches and measured items made once), and
only the sums and the ratios and roundings of them are made per partnership, by the
analyses' own functions over that partnership's streams. A test holds every figure equal to
`run_analysis` on the partnership's own Book.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fundflow.analysis import Window
from fundflow.analysis.burden import BurdenConfig, items_per_return, returns_per_year, status_quo
from fundflow.analysis.common import StreamInfo, live_in, pounds, share
from fundflow.analysis.cycles import HORIZONS, SHORT_TERM_MONTHS, cliff_edge
from fundflow.analysis.funds import funds_report, unspent_ring_fenced
from fundflow.analysis.ringfence import eligibility_breaches
from fundflow.analysis.sources import inputs_from_book, total_by_stream
from fundflow.collect.frames import unscoped
from fundflow.mapping.book import Book


def partnership_figures(book: Book, pids: Iterable[str], window: Window,
                        config: BurdenConfig) -> dict[str, dict[str, Any]]:
    """Each partnership's compared figures (`views.PartnershipRow`'s fields but its id, name
    and rank), for every one of `pids`, from one Book holding them all."""
    inputs = inputs_from_book(book)
    streams: dict[str, list[StreamInfo]] = defaultdict(list)
    for s in inputs.streams:
        streams[unscoped(s.stream_id)[0]].append(s)
    live = live_in(inputs.streams, window)
    spent = total_by_stream(inputs.money("spend"), last=window.as_at)
    exposed: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for e in funds_report(inputs, window).exposures:
        exposed[unscoped(e.stream_id)[0]] += e.clawback_exposure
    breaches = Counter(unscoped(b.stream_id)[0]
                       for b in eligibility_breaches(live, inputs.finance, window)[0])
    measured = items_per_return(inputs)
    out = {}
    for pid in pids:
        own = streams.get(pid, [])
        out[pid] = _figures(own, window, config, measured, spent) | {
            "clawback_exposure": exposed.get(pid, Decimal("0.00")),
            "breaches": breaches.get(pid, 0)}
    return out


def _figures(streams: list[StreamInfo], window: Window, config: BurdenConfig,
             measured: dict[str, Fraction], spent: dict[str, int]) -> dict[str, Any]:
    """The figures that are sums over one partnership's streams, rounded as its analyses
    round them (shares over its own award, hours summed exactly and rounded once)."""
    live = live_in(streams, window)
    ring = [s for s in live if s.ring_fenced]
    short = [s for s in live if s.duration_months <= SHORT_TERM_MONTHS]
    cliff = {h: cliff_edge(streams, window.as_at, h).award for h in HORIZONS}
    before, _ = status_quo(live, window, config, measured)
    return {
        "streams": len(live), "funding": pounds(sum(s.award_pence for s in live)),
        "ring_fenced": pounds(sum(s.award_pence for s in ring)),
        "ring_fenced_share": share(ring, live),
        "short_term": pounds(sum(s.award_pence for s in short)),
        "short_term_share": share(short, live),
        "cliff_3": cliff[3], "cliff_6": cliff[6], "cliff_12": cliff[12],
        "unspent_ring_fenced": pounds(unspent_ring_fenced(streams, spent, window.as_at)),
        "returns_per_year": returns_per_year(streams, window, config),
        "hours": before.hours,
    }
