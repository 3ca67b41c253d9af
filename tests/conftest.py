"""Test settings shared by the whole suite.

Hypothesis deadlines are off: the suite runs on shared 2-core machines where a busy moment
makes an example slow, and a deadline there measures the machine, not the code. Speed is
measured by the benchmarks instead.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("fundflow", deadline=None)
settings.load_profile("fundflow")
