"""Reporting burden: how many returns and data items the partnership produces, and the cost.

The assumptions (hours per return, minutes per item, hourly cost, reporting lag, what one
consolidated return asks) are data in `schemas/burden.yaml`. Counts come from the register
(frequencies) and the ledger (items actually reported per submission). Definitions in words and
formulas are in `docs/analysis.md`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError

from fundflow.analysis.common import (
    StreamInfo,
    Window,
    divide,
    fraction_to_decimal,
    live_in,
    round_half_even,
    split_codes,
    tier_of,
    to_pence,
)
from fundflow.analysis.deadlines import BusiestWeek, Due, busiest_week, due_dates
from fundflow.analysis.sources import Inputs, template_choice
from fundflow.ingest.specs.specload import SpecLoadError, read_spec_data
from fundflow.issues import Issue, make_issue
from fundflow.mapping.reference import bundled_schemas_dir


class Consolidated(BaseModel):
    """What one consolidated return a quarter would ask (domain.md §7)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    returns_per_year: int
    hours_per_return: Decimal
    items_per_stream: dict[int, int]


class BurdenConfig(BaseModel):
    """`schemas/burden.yaml`: the assumptions behind the hours and the savings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    reporting_lag_days: int
    hourly_cost: Decimal
    returns_per_year: dict[str, int]
    hours_per_return: dict[int, Decimal]
    minutes_per_item: Decimal
    default_items_per_return: dict[int, int]
    consolidated: Consolidated


class StreamBurden(BaseModel):
    """One stream's reporting load in the year."""

    stream_id: str
    funder_id: str
    tier: int
    frequency: str | None
    returns_per_year: int
    items_per_return: Decimal
    items_source: Literal["submissions", "default"]
    data_items_per_year: int
    hours: Decimal
    cost: Decimal
    pence_per_pound: Decimal | None


class RedundantStream(BaseModel):
    """A stream whose spend is reported in more than one template."""

    stream_id: str
    templates: list[str]


class BurdenSide(BaseModel):
    """Returns, items, hours and cost a year for one way of reporting."""

    returns_per_year: int
    data_items_per_year: int
    hours: Decimal
    cost: Decimal


class BurdenReport(BaseModel):
    """Everything `fundflow analyse burden` shows; hours to 2 places, money in pounds."""

    window: Window
    streams: int
    returns_per_year: int
    data_items_per_year: int
    templates: list[str]
    year_conventions: list[str]
    bases: list[str]
    units: list[str]
    deadlines: list[Due]
    distinct_due_dates: int
    busiest_week: BusiestWeek | None
    redundant_streams: list[RedundantStream]
    redundancy_ratio: Decimal | None
    before: BurdenSide
    after: BurdenSide
    hours_saved: Decimal
    cost_saved: Decimal
    by_stream: list[StreamBurden]
    unknown_frequency: list[str]


@dataclass(frozen=True)
class Change:
    """What one consolidated return does to the reporting load, never a negative saving.

    Streams that report once a year can cost more hours consolidated quarterly than now; every
    output (return, funder report, `analyse burden`, `demo`) then says "extra", decided here.
    """

    saves: bool
    hours: Decimal
    cost: Decimal


def change_of(hours_saved: Decimal, cost_saved: Decimal) -> Change:
    """The saving, or the extra hours and cost when the saving is negative."""
    return Change(hours_saved >= 0, abs(hours_saved), abs(cost_saved))


def bundled_burden_path() -> Path:
    """The shipped `burden.yaml`."""
    return bundled_schemas_dir() / "burden.yaml"


def load_burden_config(path: Path | None = None) -> tuple[BurdenConfig | None, list[Issue]]:
    """Read burden assumptions (the bundled file by default); None with issues when invalid.

    Read once per file version: a department's comparison runs every partnership's analyses,
    and re-reading the YAML for each cost 14 ms a partnership. The cache is keyed on the
    file's modification time and size, so an edited file is read again.
    """
    path = path or bundled_burden_path()
    try:
        stat = path.stat()
        config, issues = _read_burden_config(path, stat.st_mtime_ns, stat.st_size, "")
    except OSError as exc:
        config, issues = _read_burden_config(path, -1, -1, str(exc))
    return config, list(issues)


@lru_cache(maxsize=8)
def _read_burden_config(
    path: Path, mtime_ns: int, size: int, error: str
) -> tuple[BurdenConfig | None, tuple[Issue, ...]]:
    """The file parsed (its version is `mtime_ns` and `size`), or the issue saying why not.
    The config is frozen and the issues a tuple, so sharing them between calls is safe."""
    try:
        if error:
            raise OSError(error)
        # The guarded reader every spec goes through: an assumptions file is the user's,
        # so it gets the same size, depth and alias limits, and libyaml's speed.
        return BurdenConfig.model_validate(read_spec_data(path)), ()
    except (OSError, SpecLoadError, ValidationError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        issue = make_issue(
            "burden-assumptions-invalid", file=str(path), path=str(path), reason=reason
        )
        return None, (issue,)


def returns_in_year(stream: StreamInfo, window: Window, config: BurdenConfig) -> int:
    """Returns the stream's frequency asks for in a year; end-of-grant counts in its last year."""
    frequency = stream.reporting_frequency
    if frequency is None:
        return 0
    if frequency == "end_of_grant":
        return int(window.start <= stream.end_date <= window.end)
    return config.returns_per_year.get(frequency, 0)


def returns_per_year(streams: Sequence[StreamInfo], window: Window, config: BurdenConfig) -> int:
    """Σ over streams live in the year of the returns their frequency asks for."""
    return sum(returns_in_year(s, window, config) for s in live_in(streams, window))


def items_per_return(inputs: Inputs) -> dict[str, Fraction]:
    """Mean data items (finance entries + indicator values) per non-register submission, per stream.

    A submission covering several streams counts each stream's own rows.
    """
    items, subs = inputs.items, inputs.submissions
    if items.is_empty() or subs.is_empty():
        return {}
    returns = subs.filter(pl.col("return_type") != "register").select("submission_id")
    per = (
        items.join(returns, on="submission_id", how="semi")
        .group_by("stream_id")
        .agg(pl.col("items").sum(), pl.col("submission_id").n_unique().alias("n"))
    )
    return {sid: Fraction(int(total), int(n)) for sid, total, n in per.iter_rows()}


def _hours(fixed: Fraction, items: int, config: BurdenConfig) -> Fraction:
    """h_fixed hours plus items × minutes per item / 60, exact."""
    return fixed + items * Fraction(config.minutes_per_item) / 60


def _fixed(stream: StreamInfo, window: Window, config: BurdenConfig) -> Fraction:
    """Returns in the year × the fixed hours of one return at the stream's tier."""
    per = config.hours_per_return.get(tier_of(stream), Decimal(0))
    return returns_in_year(stream, window, config) * Fraction(per)


def _items_in_year(
    stream: StreamInfo, window: Window, config: BurdenConfig, measured: Fraction | None
) -> tuple[Fraction, int]:
    """Items per return (measured, else the tier default) and per year (rounded half-even)."""
    per_return = measured if measured is not None else Fraction(
        config.default_items_per_return.get(tier_of(stream), 0))
    returns = returns_in_year(stream, window, config)
    return per_return, round_half_even(per_return.numerator * returns, per_return.denominator)


def stream_burden(
    stream: StreamInfo, window: Window, config: BurdenConfig, measured: Fraction | None
) -> StreamBurden:
    """Hours and cost of one stream's returns: R × h_fixed + items × minutes / 60."""
    per_return, items = _items_in_year(stream, window, config, measured)
    hours = _hours(_fixed(stream, window, config), items, config)
    cost = pounds_of(hours * Fraction(config.hourly_cost))
    return StreamBurden(
        stream_id=stream.stream_id, funder_id=stream.funder_id, tier=tier_of(stream),
        frequency=stream.reporting_frequency,
        returns_per_year=returns_in_year(stream, window, config),
        items_per_return=fraction_to_decimal(per_return, 2),
        items_source="submissions" if measured is not None else "default",
        data_items_per_year=items, hours=fraction_to_decimal(hours, 2), cost=cost,
        pence_per_pound=divide(to_pence(cost) * 100, stream.award_pence, places=2),
    )


def pounds_of(amount: Fraction) -> Decimal:
    """An exact amount of pounds rounded half-even to the penny."""
    return fraction_to_decimal(amount, 2)


def status_quo(
    streams: Sequence[StreamInfo], window: Window, config: BurdenConfig,
    measured: dict[str, Fraction],
) -> tuple[BurdenSide, Fraction]:
    """Today's returns, items, hours and cost, summed exactly and rounded once."""
    items = sum(_items_in_year(s, window, config, measured.get(s.stream_id))[1] for s in streams)
    fixed = sum((_fixed(s, window, config) for s in streams), Fraction(0))
    hours = _hours(fixed, items, config)
    side = BurdenSide(
        returns_per_year=returns_per_year(streams, window, config), data_items_per_year=items,
        hours=fraction_to_decimal(hours, 2), cost=pounds_of(hours * Fraction(config.hourly_cost)),
    )
    return side, hours


def consolidated(
    streams: Sequence[StreamInfo], config: BurdenConfig
) -> tuple[BurdenSide, Fraction]:
    """One consolidated return a quarter, each stream giving its tier's items (none: nothing)."""
    c = config.consolidated
    if not streams:
        return BurdenSide(returns_per_year=0, data_items_per_year=0, hours=Decimal("0.00"),
                          cost=Decimal("0.00")), Fraction(0)
    items = c.returns_per_year * sum(c.items_per_stream.get(tier_of(s), 0) for s in streams)
    hours = _hours(c.returns_per_year * Fraction(c.hours_per_return), items, config)
    side = BurdenSide(
        returns_per_year=c.returns_per_year, data_items_per_year=items,
        hours=fraction_to_decimal(hours, 2), cost=pounds_of(hours * Fraction(config.hourly_cost)),
    )
    return side, hours


def redundancy(templates: pl.DataFrame) -> tuple[list[RedundantStream], Decimal | None]:
    """Streams whose spend appears in several templates, and the share of spend entries that
    repeat money another template already reports (entries outside each stream's main template).

    `templates` is `EntryFacts.templates`: spend entries counted per stream and adapter.
    """
    if templates.is_empty():
        return [], None
    per = templates.group_by("stream_id").agg(pl.col("adapter_id").unique().sort())
    streams = [
        RedundantStream(stream_id=sid, templates=list(templates))
        for sid, templates in per.sort("stream_id").iter_rows()
        if len(templates) > 1
    ]
    main = templates.join(template_choice(templates), on=["stream_id", "adapter_id"],
                          how="semi")
    spend = int(templates["entries"].sum())
    return streams, divide(spend - int(main["entries"].sum() or 0), spend)


def _distinct(values: Sequence[str | None]) -> list[str]:
    return sorted({v for v in values if v})


def _templates(inputs: Inputs, live: Sequence[StreamInfo]) -> list[str]:
    """Adapters of current non-register submissions that cover a stream live in the year."""
    subs = inputs.submissions
    if subs.is_empty():
        return []
    ids = {s.stream_id for s in live}
    return _distinct([
        adapter for adapter, kind, key in subs.select(
            "adapter_id", "return_type", "stream_key").iter_rows()
        if kind != "register" and ids & set(split_codes(key))
    ])


def _units(units: pl.DataFrame, window: Window) -> list[str]:
    """Units stated for entries in the year (`EntryFacts.units`)."""
    in_year = units.filter(
        (pl.col("period_start") <= window.end) & (pl.col("period_end") >= window.start)
    )
    return _distinct(in_year.get_column("unit").unique().to_list())


def burden(inputs: Inputs, window: Window, config: BurdenConfig) -> BurdenReport:
    """The reporting-burden analysis for the streams live in the window's year."""
    live = live_in(inputs.streams, window)
    measured = items_per_return(inputs)
    dues = due_dates(live, window, config.reporting_lag_days)
    facts = inputs.entry_facts()
    redundant, ratio = redundancy(facts.templates)
    before, exact_before = status_quo(live, window, config, measured)
    after, exact_after = consolidated(live, config)
    saved = exact_before - exact_after
    return BurdenReport(
        window=window, streams=len(live), returns_per_year=before.returns_per_year,
        data_items_per_year=before.data_items_per_year,
        templates=_templates(inputs, live),
        year_conventions=_distinct([s.year_convention for s in live]),
        bases=_distinct([s.accounting_basis for s in live]),
        units=_units(facts.units, window),
        deadlines=dues, distinct_due_dates=len({d.due for d in dues}),
        busiest_week=busiest_week(dues),
        redundant_streams=redundant, redundancy_ratio=ratio,
        before=before, after=after,
        hours_saved=fraction_to_decimal(saved, 2),
        cost_saved=pounds_of(saved * Fraction(config.hourly_cost)),
        by_stream=[stream_burden(s, window, config, measured.get(s.stream_id)) for s in live],
        unknown_frequency=sorted(s.stream_id for s in live if s.reporting_frequency is None),
    )
