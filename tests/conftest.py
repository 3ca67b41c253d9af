"""Test settings shared by the whole suite.

Hypothesis deadlines are off: the suite runs on shared 2-core machines where a busy moment
makes an example slow, and a deadline there measures the machine, not the code. Speed is
measured by the benchmarks instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from fundflow.ledger import open_ledger

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
