"""The Outputs sheet: one row per indicator, its periods across, as funders lay out an outputs
table (not one row per indicator and quarter, which reads as a long list).

Rows are (funder, stream, indicator, target or actual); columns are the return's periods in
order, a year's quarters then the full year (figures reported for the year alone). Values are
the return's own (`Return.outputs`, already combined per indicator rule); nothing is summed.
"""

from __future__ import annotations

from decimal import Decimal

from fundflow.returns.labels import plain
from fundflow.returns.model import OutputRow, Return
from fundflow.returns.xlsx_kit import Book, Col, table_sheet

_ORDER = {"target": 0, "forecast": 1, "actual": 2, "baseline": 3}


def _period(o: OutputRow) -> tuple[str, str]:
    """Sort key and heading of an output's period: '2025-26 Q1' ... '2025-26 year'."""
    label = f"{o.year} {o.quarter}" if o.quarter else f"{o.year} year"
    return (f"{o.year} {o.quarter or 'Z'}", label)


def write_outputs(book: Book, ret: Return) -> None:
    periods = sorted({_period(o) for o in ret.outputs})
    where = {key: i for i, key in enumerate(periods)}
    table: dict[tuple[str, str, str, int, str], list[Decimal | None]] = {}
    about: dict[tuple[str, str, str, int, str], tuple[str, str]] = {}
    for o in ret.outputs:
        key = (o.funder_id, o.stream_id, o.indicator_name, _ORDER.get(o.value_type, 9),
               o.value_type)
        table.setdefault(key, [None] * len(periods))[where[_period(o)]] = o.value
        about[key] = (plain(o.unit), plain(o.combined_by))
    cols = [Col("Funder"), Col("Stream"), Col("Indicator", width=34, wrap=True),
            Col("Unit", wrap=True), Col("Target or actual"), Col("Periods combined by", width=21),
            *(Col(label, "number", 12) for _, label in periods)]
    rows = [(key[0], key[1], key[2], about[key][0], plain(key[4]), about[key][1], *values)
            for key, values in sorted(table.items(), key=lambda kv: kv[0])]
    table_sheet(book, "Outputs", "Outputs and outcomes by period",
                "Each indicator across the return's periods. Cumulative indicators show the "
                "latest value, never a sum across periods.", cols, rows)
