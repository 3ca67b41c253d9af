"""The department's rows, computed for a block of partnerships at once, equal each
partnership's own analyses (`run_analysis` on its own Book), figure by figure."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.analysis import Analysis, make_window
from fundflow.analysis.burden import load_burden_config
from fundflow.collect.grouped import partnership_figures
from fundflow.collect.slices import ledger_slice
from fundflow.collect.views import as_reported, compare, department, partnership_books
from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger
from fundflow.mapping.book import build_book
from fundflow.mapping.reference import Reference
from fundflow.returns.analysis_hook import run_analysis
from fundflow.returns.build import build_return
from fundflow.returns.scope import parse_period
from fundflow.returns.write import write_return
from tests.test_collect import EARLIER, collect, make_reference, own_return
from tests.test_return import entry, finance, stream

PERIOD = parse_period("2025-26", None, 4)
WINDOW = make_window(PERIOD.year, PERIOD.end, PERIOD.end)


def _own_figures(analysis: Analysis) -> dict[str, Any]:
    """A row's figures as the partnership's own analyses give them (what its return shows)."""
    rf, cy, bu = analysis.ring_fencing, analysis.cycles, analysis.burden
    cliff = {c.horizon_months: c.award for c in cy.cliff_edges}
    return {"streams": rf.streams, "funding": rf.award, "ring_fenced": rf.ring_fenced_award,
            "ring_fenced_share": rf.ring_fenced_share, "short_term": cy.short_term_award,
            "short_term_share": cy.short_term_share, "cliff_3": cliff[3], "cliff_6": cliff[6],
            "cliff_12": cliff[12], "unspent_ring_fenced": rf.funds.unspent_ring_fenced,
            "clawback_exposure": rf.funds.clawback_exposure, "breaches": len(rf.breaches),
            "returns_per_year": bu.returns_per_year, "hours": bu.before.hours}


def _ended(tmp: Path, reference: Reference) -> Path:
    """A partnership whose only stream ended before the year: nothing is live in it."""
    with open_ledger(tmp / "oldacre.duckdb") as con:
        rows = [stream("S-1", "F-1", 7_000_000, start_date=date(2022, 4, 1),
                       end_date=date(2025, 3, 31), reporting_frequency="quarterly")]
        add_submission(con, SubmissionBatch(
            file_name="register.xlsx", file_sha256=hashlib.sha256(b"oldacre").hexdigest(),
            adapter_id="register", adapter_version="1", return_type="register",
            stream_key="ALL", funder_period="2025-26",
            streams=pl.DataFrame([{"row_no": 1, "partnership_id": "oldacre", **rows[0]}],
                                 schema_overrides={"row_no": pl.Int32,
                                                   "award_pence": pl.Int64}),
            funders=pl.DataFrame({"funder_id": ["F-1"], "name": ["Department One"],
                                  "funder_type": [None]}),
            partnerships=pl.DataFrame({"partnership_id": ["oldacre"], "name": ["Oldacre"]})))
        add_submission(con, finance("S-1", "F-1", "2024-25", [entry(6_500_000, *EARLIER)],
                                    "oldacre"))
        ret = build_return(con, "2025-26", reference=reference)
    write_return(ret, tmp / "oldacre.json")
    return tmp / "oldacre.json"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four partnerships collected into one ledger: two of different sizes sharing stream
    ids, one with no stream live in the year, and one whose return came as a Data CSV (its
    figures only, no streams)."""
    reference = make_reference()
    tmp = tmp_path_factory.mktemp("grouped")
    files = [own_return(tmp, reference, "Eastbrook")[0],
             own_return(tmp, reference, "Westmere", 3)[0], _ended(tmp, reference),
             own_return(tmp, reference, "Figureton", 2, fmt="csv")[0]]
    code, results = collect(tmp / "dept.duckdb", *files)
    assert code == 0, results
    return tmp / "dept.duckdb"


@pytest.fixture(scope="module")
def own(ledger: Path) -> dict[str, dict[str, Any]]:
    """Each partnership's figures by the per-partnership route: its own Book, its own
    analyses."""
    with open_ledger(ledger) as con:
        dept = department(con, make_reference(), PERIOD)
        return {pid: _own_figures(run_analysis(as_reported(book), WINDOW))
                for pid, book in partnership_books(dept)}


def test_every_figure_of_every_row_is_the_partnerships_own(
        ledger: Path, own: dict[str, dict[str, Any]]) -> None:
    assert set(own) == {"eastbrook", "westmere", "oldacre", "figureton"}
    for read_only in (False, True):
        with open_ledger(ledger, read_only=read_only) as con:
            rows = compare(department(con, make_reference(), PERIOD, block=3)).rows
        got = {r.partnership_id: r.model_dump(include=set(own["eastbrook"])) for r in rows}
        assert got == own
    # the edge cases are what they claim, and the others are not trivially equal
    assert own["oldacre"]["streams"] == 0 and own["oldacre"]["ring_fenced_share"] is None
    assert own["figureton"]["streams"] == 0
    assert own["eastbrook"]["breaches"] > 0 and own["westmere"]["clawback_exposure"] > 0
    assert own["westmere"]["hours"] != own["eastbrook"]["hours"] or (
        own["westmere"]["funding"] != own["eastbrook"]["funding"])


@settings(max_examples=4, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chosen=st.sets(st.sampled_from(["eastbrook", "westmere", "oldacre", "figureton"]),
                      min_size=1))
def test_any_partnerships_read_together_keep_their_own_figures(
        ledger: Path, own: dict[str, dict[str, Any]], chosen: set[str]) -> None:
    """Which partnerships share a Book never moves one's figures: nothing crosses between
    partnerships in the grouped work."""
    config, _ = load_burden_config()
    assert config is not None
    with open_ledger(ledger, read_only=True) as con, ledger_slice(
            str(ledger), sorted(chosen)) as part:
        del con  # held open read-only, as `compare` holds it, while the slice attaches
        book = build_book(part, make_reference(), PERIOD)
    got = partnership_figures(as_reported(book), sorted(chosen), WINDOW, config)
    assert got == {pid: own[pid] for pid in chosen}
