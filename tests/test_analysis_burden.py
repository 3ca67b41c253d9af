"""Reporting burden on the Eastfold ledger (tests/test_analysis_ringfence.py), worked by hand.

Live in FY 2025-26 with the bundled assumptions (schemas/burden.yaml: 2 minutes an item, £35 an
hour, fixed hours 1/2/4/8 by tier, due 30 days after the period ends):
    S-A quarterly    4 returns, tier 3 (£100k is tier 2, raised for high risk), 7 items each
    S-B annual       1 return,  tier 1, 2 items
    S-C half-yearly  2 returns, tier 2, (6 + 1) / 2 = 3.5 items each -> 7 a year
    S-E end of grant 1 return (it ends in the year), tier 1, 2 items
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from fundflow.analysis.burden import burden, load_burden_config
from fundflow.analysis.common import StreamInfo, make_window
from fundflow.analysis.deadlines import period_ends
from fundflow.analysis.headline import analyse_burden, ledger_inputs
from fundflow.analysis.sources import Inputs, empty_finance
from fundflow.ledger.store import open_ledger
from fundflow.mapping.reference import bundled_reference

D = Decimal
AS_AT = date(2025, 12, 31)
WINDOW = make_window("2025-26", AS_AT, AS_AT)


def test_eastfold_burden(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        r = analyse_burden(con, WINDOW, reference=bundled_reference())
    assert (r.streams, r.returns_per_year, r.data_items_per_year) == (4, 8, 39)
    by = {s.stream_id: s for s in r.by_stream}
    assert (by["S-A"].tier, by["S-A"].items_per_return, by["S-A"].data_items_per_year) == (
        3, D("7.00"), 28)
    assert (by["S-C"].items_per_return, by["S-C"].data_items_per_year) == (D("3.50"), 7)
    assert by["S-E"].returns_per_year == 1
    # S-A: 4 x 8 h + 28 x 2 / 60 = 32.9333 h; x £35 = £1,152.67; per £ of a £100k award
    assert (by["S-A"].hours, by["S-A"].cost) == (D("32.93"), D("1152.67"))
    assert by["S-A"].pence_per_pound == D("1.15")
    # before: 32 + 2 + 8 + 2 fixed hours + 39 items x 2 / 60 = 45.3 h
    assert (r.before.hours, r.before.cost) == (D("45.30"), D("1585.50"))
    # after: 4 returns x 6 h + 4 x (40 + 8 + 20 + 8) items x 2 / 60 = 34.1333 h
    assert (r.after.returns_per_year, r.after.data_items_per_year) == (4, 304)
    assert (r.after.hours, r.after.cost) == (D("34.13"), D("1194.67"))
    assert (r.hours_saved, r.cost_saved) == (D("11.17"), D("390.83"))  # exact, rounded once
    assert r.templates == ["tmpl-b", "tmpl-c", "tmpl-claim", "tmpl-e", "tmpl-q"]
    assert r.year_conventions == ["GRANT_ANNIV", "UK_FY"]
    assert r.bases == ["accrued", "defrayed"]
    assert r.units == ["GBP", "GBP_000"]


def test_deadlines_and_busiest_week(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        r = analyse_burden(con, WINDOW, reference=bundled_reference())
    dues = [(d.due, d.stream_id) for d in r.deadlines]
    assert dues == [
        (date(2025, 4, 30), "S-B"), (date(2025, 4, 30), "S-C"),  # periods ending 31/03/2025
        (date(2025, 7, 30), "S-A"),
        (date(2025, 10, 30), "S-A"), (date(2025, 10, 30), "S-C"),
        (date(2025, 12, 30), "S-E"),  # end of grant 30/11/2025
        (date(2026, 1, 30), "S-A"),  # S-A's March return falls due in 2026-27
    ]
    assert r.distinct_due_dates == 5
    week = r.busiest_week
    assert week is not None
    assert (week.week_start, week.returns, week.stream_ids) == (
        date(2025, 4, 28), 2, ["S-B", "S-C"])  # ties with 27/10: the earlier week


def test_redundancy(eastfold: Path) -> None:
    with open_ledger(eastfold, read_only=True) as con:
        r = analyse_burden(con, WINDOW, reference=bundled_reference())
    assert [(s.stream_id, s.templates) for s in r.redundant_streams] == [
        ("S-C", ["tmpl-c", "tmpl-claim"])]
    assert r.redundancy_ratio == D("0.0625")  # the claim's 1 of 16 spend entries


def test_periods_follow_the_year_convention() -> None:
    def ends(freq: str, conv: str, start: date, end: date) -> list[date]:
        s = StreamInfo(stream_id="S", funder_id="F", award=D(1), start_date=start, end_date=end,
                       reporting_frequency=freq, year_convention=conv)
        return period_ends(s, date(2025, 1, 1), date(2025, 12, 31))

    fy = (date(2025, 4, 1), date(2026, 3, 31))
    assert ends("quarterly", "CALENDAR", *fy) == [
        date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)]
    assert ends("annual", "ACADEMIC_AUG", *fy) == [date(2025, 7, 31)]
    assert ends("termly", "ACADEMIC_AUG", *fy) == [date(2025, 7, 31), date(2025, 12, 31)]
    assert ends("half_yearly", "GRANT_ANNIV", date(2025, 2, 15), date(2025, 10, 14)) == [
        date(2025, 7, 31), date(2025, 10, 14)]  # from the start month; last period cut short
    # 14-day periods from 1 April: the first ends 14/04, the 19th on 22/12 (14/04 + 18 x 14)
    assert ends("fortnightly", "UK_FY", *fy)[::18] == [date(2025, 4, 14), date(2025, 12, 22)]
    assert ends("monthly", "UK_FY", date(2026, 4, 1), date(2027, 3, 31)) == []


def test_no_streams_no_burden_and_no_saving() -> None:
    config, issues = load_burden_config()
    assert config is not None and not issues
    r = burden(Inputs(streams=[], finance=empty_finance()), WINDOW, config)
    assert (r.returns_per_year, r.before.hours, r.after.hours, r.hours_saved) == (
        0, D("0.00"), D("0.00"), D("0.00"))
    assert r.busiest_week is None and r.redundancy_ratio is None


def test_default_items_when_a_stream_has_no_returns(eastfold: Path) -> None:
    config, _ = load_burden_config()
    assert config is not None
    s = StreamInfo(stream_id="S-N", funder_id="F", award=D("5000"), start_date=date(2025, 4, 1),
                   end_date=date(2026, 3, 31), reporting_frequency="annual")
    with open_ledger(eastfold, read_only=True) as con:
        finance = ledger_inputs(con, WINDOW, bundled_reference()).finance
    r = burden(Inputs(streams=[s], finance=finance), WINDOW, config)
    row = r.by_stream[0]
    assert (row.tier, row.items_source, row.data_items_per_year) == (0, "default", 15)
    assert row.hours == D("1.50")  # 1 h fixed + 15 items x 2 minutes


def test_invalid_assumptions_are_an_issue(tmp_path: Path) -> None:
    bad = tmp_path / "burden.yaml"
    bad.write_text("version: 1\nhourly_cost: thirty\n", encoding="utf-8")
    config, issues = load_burden_config(bad)
    assert config is None
    assert [i.code for i in issues] == ["burden-assumptions-invalid"]
    assert str(bad) in issues[0].message


def test_assumptions_that_expand_too_far_are_refused_with_an_issue(tmp_path: Path) -> None:
    """An assumptions file is the user's: aliases that expand past the spec reader's limit
    (a 'billion laughs' document) are refused with the usual issue, not expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    bomb = tmp_path / "burden.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config, issues = load_burden_config(bomb)
    assert config is None
    assert [i.code for i in issues] == ["burden-assumptions-invalid"]
    assert str(bomb) in issues[0].message and "expand to more than" in issues[0].message
