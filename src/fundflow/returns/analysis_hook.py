"""Ring-fencing and funding-horizon sections: placeholders until `fundflow.analysis` lands.

HOOK for the analysis module (see the lead's note in the report): `analysis_sections` below is
the one place the return takes the analysis models. Today it imports
`fundflow.analysis.headline` if it exists and copies its top-level figures into
`AnalysisSections.headline`; the rows themselves are simple, exact figures from the register and
the ledger (award less spend to date; months from start to end). When the analysis module's
per-stream models are ready, replace `_ring_fencing` and `_horizon` with conversions of them and
set `source="analysis"`; every writer already renders whatever rows these lists hold.
"""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from pydantic import BaseModel

from fundflow.money import pence_to_decimal
from fundflow.returns.model import AnalysisSections, HorizonRow, RingFenceRow
from fundflow.returns.scope import RING_FENCED, Scope

PLACEHOLDER_NOTE = (
    "Placeholder: simple figures from the funding register and ledger (unspent balance = award "
    "less actual spend to date on the return's basis). The ring-fencing and funding-horizon "
    "analysis will replace them."
)


def analysis_sections(con: Any, scope: Scope, figures: pl.DataFrame) -> AnalysisSections:
    """The two sections, from `fundflow.analysis` when it is installed, else the placeholders.

    `figures` is `sections.stream_figures(scope)` (award, spent, ... in pence per stream).
    """
    ring, horizon = _ring_fencing(figures), _horizon(figures, scope.period.end)
    headline = _headline_function()
    if headline is None:
        return AnalysisSections(source="placeholder", note=PLACEHOLDER_NOTE,
                                ring_fencing=ring, horizon=horizon)
    result = headline(con, scope.period.year, scope.period.end)
    return AnalysisSections(source="analysis", note="Headline figures from fundflow.analysis; "
                            + PLACEHOLDER_NOTE, ring_fencing=ring, horizon=horizon,
                            headline=_flatten(result))


def _headline_function() -> Any:
    """`fundflow.analysis.headline`, or None while the module does not exist."""
    try:
        module = importlib.import_module("fundflow.analysis")
    except ModuleNotFoundError as exc:
        if exc.name not in ("fundflow.analysis", "fundflow"):
            raise  # the module exists but one of its own imports is broken: show that bug
        return None
    return getattr(module, "headline", None)


def _flatten(result: Any) -> dict[str, str]:
    """Top-level scalar figures of the analysis headline as text, in a stable order."""
    data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    if not isinstance(data, dict):
        return {"headline": str(data)}
    return {str(k): str(v) for k, v in sorted(data.items())
            if isinstance(v, str | int | float | Decimal | bool) or v is None}


def _ring_fencing(figures: pl.DataFrame) -> list[RingFenceRow]:
    rows = []
    for s in figures.iter_rows(named=True):
        rtype = s["ring_fence_type"] or "unknown"
        rows.append(RingFenceRow(
            stream_id=s["stream_id"], ring_fence_type=rtype, ring_fenced=rtype in RING_FENCED,
            spend_deadline=s.get("spend_deadline"), award=pence_to_decimal(s["award_pence"]),
            spent=pence_to_decimal(s["spent"]),
            unspent_balance=pence_to_decimal(s["award_pence"] - s["spent"]),
        ))
    return rows


def _horizon(figures: pl.DataFrame, as_at: date) -> list[HorizonRow]:
    rows = []
    for s in figures.iter_rows(named=True):
        start, end = s.get("start_date"), s.get("end_date")
        if start is None or end is None:
            continue
        rows.append(HorizonRow(
            stream_id=s["stream_id"], start_date=start, end_date=end,
            duration_months=_months(start, end) + 1,
            remaining_months=max(0, _months(as_at, end)),
            successor_confirmed=s.get("successor_stream_id") is not None,
        ))
    return rows


def _months(first: date, last: date) -> int:
    return (last.year * 12 + last.month) - (first.year * 12 + first.month)
