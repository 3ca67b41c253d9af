"""The analyses: ring-fencing, short-term funding cycles and reporting burden (design §6).

Each is a pure function of the ledger's current streams and finance entries (`sources.Inputs`)
and a `Window` (the UK financial year analysed and an as-at date), returning a pydantic report
with Decimal money and Decimal ratios rounded half-even to four places. `headline.analyse_all`
reads a ledger once and runs them all; `docs/analysis.md` defines every figure.
"""

from fundflow.analysis.burden import BurdenConfig, BurdenReport, load_burden_config
from fundflow.analysis.common import StreamInfo, Window, make_window, parse_year
from fundflow.analysis.cycles import CliffEdge, CyclesReport, cliff_edge, short_term_share
from fundflow.analysis.headline import (
    Analysis,
    Chart,
    Headline,
    Series,
    analyse_all,
    analyse_burden,
    analyse_cycles,
    analyse_ring_fencing,
    headline,
)
from fundflow.analysis.ringfence import RingFencingReport, ring_fenced_share
from fundflow.analysis.sources import Inputs, inputs_from_book

__all__ = [
    "Analysis",
    "BurdenConfig",
    "BurdenReport",
    "Chart",
    "CliffEdge",
    "CyclesReport",
    "Headline",
    "Inputs",
    "RingFencingReport",
    "Series",
    "StreamInfo",
    "Window",
    "analyse_all",
    "analyse_burden",
    "analyse_cycles",
    "analyse_ring_fencing",
    "cliff_edge",
    "headline",
    "inputs_from_book",
    "load_burden_config",
    "make_window",
    "parse_year",
    "ring_fenced_share",
    "short_term_share",
]
