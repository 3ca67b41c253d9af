"""Mapping ledger entries onto the canonical schema conserves every penny."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.ledger.read import finance_figures as load_finance
from fundflow.ledger.store import add_submission, open_ledger
from fundflow.mapping.canonical import map_finance, mark_counted
from fundflow.mapping.periods import quarter_label
from fundflow.mapping.reference import UNMAPPED, Crosswalk
from tests.test_return import entry, finance

LABELS = ("Staff", "Rent", "Misc", '=HYPERLINK("x")', None)
SWITCH = date(2025, 10, 1)


def _walk(version: int, start: date, end: date | None, maps: dict[str, list[int]]) -> Crosswalk:
    return Crosswalk.model_validate({
        "funder": "F-1", "version": version, "effective_from": start, "effective_to": end,
        "categories": [
            {"label": label, "to": [{"subjective": code, "share": share}
                                    for code, share in zip(("EMP.SAL", "EMP.ONC", "SUP.ICT"),
                                                           shares, strict=False)]}
            for label, shares in maps.items()],
    })


@st.composite
def shares(draw: st.DrawFn) -> list[int]:
    """One to three positive integer shares adding up to 100."""
    n = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1,
                                unique=True)))
    bounds = [0, *cuts, 100]
    return [b - a for a, b in itertools.pairwise(bounds)]


@st.composite
def crosswalks(draw: st.DrawFn) -> list[Crosswalk]:
    """Two versions switching on 1 October 2025, each mapping some of the labels."""
    mapped = [lab for lab in LABELS[:4] if draw(st.booleans())]
    first = {lab: draw(shares()) for lab in mapped}
    second = {lab: draw(shares()) for lab in LABELS[:4] if draw(st.booleans())}
    return [_walk(1, date(2020, 1, 1), SWITCH - timedelta(days=1), first),
            _walk(2, SWITCH, None, second)]


@st.composite
def entries(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Entries of any sign for periods of 1 day to 14 months starting in 2025-26."""
    out = []
    for _ in range(draw(st.integers(1, 8))):
        start = date(2025, 4, 1) + timedelta(days=draw(st.integers(0, 364)))
        end = start + timedelta(days=draw(st.integers(0, 420)))
        out.append(entry(draw(st.integers(-10**9, 10**9)), start, end,
                         draw(st.sampled_from(LABELS)),
                         state=draw(st.sampled_from(["actual", "forecast"])),
                         basis=draw(st.sampled_from(["defrayed", "accrued", None]))))
    return out


def _quarter_of_whole_period(start: date, end: date) -> str | None:
    """The FY quarter holding the whole period, or None when it spans quarters."""
    first, last = quarter_label(start), quarter_label(end)
    same_year = (start.year - (start.month < 4)) == (end.year - (end.month < 4))
    return first if first == last and same_year else None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams=st.lists(entries(), min_size=1, max_size=3), walks=crosswalks())
def test_mapping_conserves_money_per_stream_and_quarter(
    streams: list[list[dict[str, Any]]], walks: list[Crosswalk]
) -> None:
    with open_ledger(":memory:") as con:
        for n, rows in enumerate(streams):
            add_submission(con, finance(f"S-{n}", "F-1", "Q", rows))
        before = load_finance(con)
        after, issues = map_finance(before, walks)
    # Per entry: its pieces add up exactly; per stream: the total is unchanged.
    per_entry = after.group_by("submission_id", "row_no").agg(pl.col("amount_pence").sum())
    expected = before.select("submission_id", "row_no", "amount_pence")
    assert per_entry.sort("submission_id", "row_no").equals(
        expected.sort("submission_id", "row_no"))
    assert _by(after, "stream_id") == _by(before, "stream_id")
    # Per stream and quarter, for entries whose period lies inside one quarter.
    inside = before.with_columns(quarter=pl.struct("period_start", "period_end").map_elements(
        lambda p: _quarter_of_whole_period(p["period_start"], p["period_end"]),
        return_dtype=pl.String)).filter(pl.col("quarter").is_not_null())
    keys = inside.select("submission_id", "row_no")
    mapped_inside = after.join(keys, on=["submission_id", "row_no"], how="semi")
    assert _by(mapped_inside, "stream_id", "quarter") == _by(inside, "stream_id", "quarter")
    # Bases and states are kept, never merged.
    assert _by(after, "stream_id", "state", "stated_basis") == _by(
        before, "stream_id", "state", "stated_basis")
    unmapped = after.filter(pl.col("subjective") == UNMAPPED)
    assert (unmapped.height > 0) == any(i.code == "category-unmapped" for i in issues)
    # Mapping carries every column it does not rewrite (it maps a narrow frame and gathers
    # the rest): each row's are its own entry's, and the entries' columns come first.
    assert after.columns[:before.width] == before.columns
    carried = [c for c in before.columns if c not in ("amount_pence", "cap_rev", "objective")]
    strays = after.select(carried).join(before.select(carried), on=carried, how="anti",
                                        nulls_equal=True)
    assert strays.is_empty()


def _by(frame: pl.DataFrame, *keys: str) -> dict[tuple[Any, ...], int]:
    grouped = frame.group_by(keys).agg(pl.col("amount_pence").sum())
    return {tuple(row[:-1]): row[-1] for row in grouped.iter_rows() if row[-1] != 0}


def _mapped(rows: list[dict[str, Any]], walks: list[Crosswalk]) -> tuple[pl.DataFrame, list[Any]]:
    with open_ledger(":memory:") as con:
        add_submission(con, finance("S-1", "F-1", "Q", rows))
        return map_finance(load_finance(con), walks)


def test_split_is_exact_with_largest_remainder() -> None:
    walk = _walk(1, date(2020, 1, 1), None, {"Staff": [80, 20]})
    out, issues = _mapped([entry(10_001, date(2025, 4, 1), date(2025, 4, 30))], [walk])
    assert issues == []
    pieces = dict(out.select("subjective", "amount_pence").iter_rows())
    assert pieces == {"EMP.SAL": 8_001, "EMP.ONC": 2_000}


def test_crosswalk_in_force_on_the_period_start_applies() -> None:
    walks = [_walk(1, date(2020, 1, 1), SWITCH - timedelta(days=1), {"Staff": [100]}),
             _walk(2, SWITCH, None, {"Staff": [50, 50]})]
    rows = [entry(9_000, date(2025, 9, 1), date(2025, 11, 30)),   # starts under version 1
            entry(1_000, date(2025, 10, 1), date(2025, 10, 31))]  # version 2
    out, _ = _mapped(rows, walks)
    versions = dict(out.group_by("row_no").agg(pl.col("crosswalk_version").first()).iter_rows())
    assert versions == {1: 1, 2: 2}
    assert out.filter(pl.col("row_no") == 1)["subjective"].unique().to_list() == ["EMP.SAL"]
    assert out.filter(pl.col("row_no") == 1).height == 3  # Sep, Oct, Nov


def test_unmapped_labels_keep_their_money_and_raise_an_issue() -> None:
    out, issues = _mapped([entry(12_345, date(2025, 4, 1), date(2025, 6, 30), "Misc costs")],
                          [_walk(1, date(2020, 1, 1), None, {"Staff": [100]})])
    assert out["subjective"].unique().to_list() == [UNMAPPED]
    assert out["amount_pence"].sum() == 12_345
    assert [i.code for i in issues] == ["category-unmapped"]
    assert "£123.45" in issues[0].message


def test_apportioned_months_get_years_and_quarters() -> None:
    out, _ = _mapped([entry(9_100, date(2026, 3, 1), date(2026, 5, 31))], [])
    labels = out.sort("month").select("month", "year", "quarter", "apportioned").rows()
    assert labels == [(date(2026, 3, 1), "2025-26", "Q4", True),
                      (date(2026, 4, 1), "2026-27", "Q1", True),
                      (date(2026, 5, 1), "2026-27", "Q1", True)]
    assert out["amount_pence"].sum() == 9_100


def test_a_later_submission_restating_a_month_is_the_one_counted() -> None:
    with open_ledger(":memory:") as con:
        add_submission(con, finance("S-1", "F-1", "Q1", [
            entry(500, date(2025, 7, 1), date(2025, 9, 30), state="forecast")]))
        add_submission(con, finance("S-1", "F-1", "Q2", [
            entry(700, date(2025, 7, 1), date(2025, 9, 30), state="forecast"),
            entry(650, date(2025, 7, 1), date(2025, 9, 30), state="actual")]))
        out, _ = map_finance(load_finance(con), [])
    out = mark_counted(out.with_columns(basis=pl.col("stated_basis")))
    counted = out.filter(pl.col("counted"))
    assert _by(counted, "state") == {("forecast",): 700, ("actual",): 650}
    assert out["amount_pence"].sum() == 1_850  # nothing dropped: reconciliation needs it all


def test_stated_canonical_category_is_kept_without_a_crosswalk() -> None:
    rows = [{**entry(4_000, date(2025, 4, 1), date(2025, 4, 30), None),
             "subjective": "TPP.CONTRACT"}]
    out, issues = _mapped(rows, [])
    assert out["subjective"].to_list() == ["TPP.CONTRACT"] and issues == []
    assert out["subjective_l1"].to_list() == ["TPP"]
    assert Decimal(int(out["amount_pence"].sum())).scaleb(-2) == Decimal("40.00")
