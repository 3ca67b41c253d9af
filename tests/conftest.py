"""Test settings shared by the whole suite.

Hypothesis deadlines are off: the suite runs on shared 2-core machines where a busy moment
makes an example slow, and a deadline there measures the machine, not the code. Speed is
measured by the benchmarks instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from fundflow.ledger.store import open_ledger

settings.register_profile("fundflow", deadline=None)
settings.load_profile("fundflow")


@pytest.fixture(scope="module")
def eastfold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked Eastfold ledger of the analysis tests (tests/test_analysis_ringfence.py)."""
    from tests.test_analysis_ringfence import build_eastfold

    path = tmp_path_factory.mktemp("eastfold") / "eastfold.duckdb"
    with open_ledger(path) as con:
        build_eastfold(con)
    return path


@pytest.fixture(autouse=True)
def _no_unfilled_placeholders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every issue raised anywhere in the suite is checked: a message or hint whose
    `{placeholder}` was not given a value fails the test that raised it (issue 12 item 5)."""
    from fundflow import issues
    unfilled: list[str] = []
    original = issues._Default.__missing__

    def missing(self: dict[str, object], key: str) -> str:
        unfilled.append(key)
        return original(self, key)  # type: ignore[arg-type]

    monkeypatch.setattr(issues._Default, "__missing__", missing)
    yield
    assert not unfilled, f"an issue was raised with unfilled placeholders: {unfilled}"
