"""Leave-one-out: drafts made from each bundled layout's file alone, against the bundled adapter.

The figures are printed (run `uv run pytest tests/test_suggest_loo.py -s`, or
`uv run python -m tests.suggest_loo`); the floors asserted are the ones reached, so a change
that makes drafts worse fails here. The real published files are measured only when the shared
corpus is present; the floors for the bundled samples hold on a clean clone.
"""

from __future__ import annotations

import pytest

from fundflow.ingest.specs.registry import load_adapters
from tests.suggest_loo import NO_FILE, REAL, Outcome, measure_all, report, summary

# Reached on 2026-12-03 (see docs/adapters.md); raise them when suggest gets better.
SAMPLE_FIELDS, SAMPLE_IMPORTS, SAMPLE_TOTALS = 0.90, 12, 11  # of 12 layouts
ALL_FIELDS, ALL_IMPORTS, ALL_TOTALS = 0.80, 14, 13  # of 18 layouts


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    found = measure_all()
    print("\n" + report(found))  # the figures are the point of this test
    return found


def test_every_bundled_layout_is_measured(outcomes: list[Outcome]) -> None:
    loaded, _ = load_adapters(include_examples=REAL.is_dir())
    measured = {o.layout for o in outcomes}
    assert {a.spec.id for a in loaded} - measured == set(NO_FILE)


def test_every_draft_claims_its_file_and_a_renamed_copy(outcomes: list[Outcome]) -> None:
    assert outcomes
    assert [o.layout for o in outcomes if not (o.claims and o.renamed)] == []


def test_sample_layouts_reach_the_floors(outcomes: list[Outcome]) -> None:
    samples = [o for o in outcomes if not o.real]
    s = summary(samples)
    assert s["field_share"] >= SAMPLE_FIELDS, report(samples)
    assert s["imports"] >= SAMPLE_IMPORTS, report(samples)
    assert s["total_right"] >= SAMPLE_TOTALS, report(samples)
    assert 2 * s["total_right"] >= s["layouts"], report(samples)


@pytest.mark.skipif(not REAL.is_dir(), reason="the shared corpus is absent")
def test_all_layouts_with_real_files_reach_the_floors(outcomes: list[Outcome]) -> None:
    s = summary(outcomes)
    assert any(o.real for o in outcomes)
    assert s["field_share"] >= ALL_FIELDS, report(outcomes)
    assert s["imports"] >= ALL_IMPORTS, report(outcomes)
    assert s["total_right"] >= ALL_TOTALS, report(outcomes)
