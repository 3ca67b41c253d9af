"""One return read, checked and made into its submission, touching no ledger.

The part of collecting that can run in another process (`collect.pipeline`): what it makes
(`Prepared`) is plain data, pickled between the processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from fundflow.collect.frames import batch_of, collected
from fundflow.collect.interchange import receive
from fundflow.issues import Issue, make_issue
from fundflow.ledger.store import SubmissionBatch, sha256_file

CENT = Decimal("0.01")
Outcome = Literal["collected", "unchanged", "replaced", "refused"]
OUTCOMES: tuple[Outcome, ...] = ("collected", "unchanged", "replaced", "refused")
"""What collecting a file can do, in the order the end-of-run summary lists them."""


@dataclass
class Collected:
    """What collecting one file did: its outcome, whose return it is, and its figures."""

    path: Path
    status: Outcome = "refused"
    partnership_id: str | None = None
    partnership: str | None = None
    period: str | None = None
    entries: int = 0
    total: Decimal = Decimal("0.00")
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class Prepared:
    """A file read and checked, its submission ready to write (None: refused, say the
    result's issues); `entries` and `total` are the figures it collects."""

    result: Collected
    batch: SubmissionBatch | None = None
    entries: int = 0
    total: Decimal = Decimal("0.00")


def prepare(path: Path) -> Prepared:
    """Read and check one return and make its submission, touching no ledger: the part of
    collecting that can run in another process. Never raises for a problem with the file."""
    result = Collected(path)
    received, issues = receive(path)
    result.issues.extend(issues)
    if received is None:
        return Prepared(result)
    result.partnership_id, result.partnership = received.partnership_id, received.partnership
    result.period = received.period
    kept, open_rows = collected(received)
    if open_rows:
        result.issues.append(make_issue("collect-open-period", file=path.name,
                                        value=str(open_rows)))
    total = Decimal(int(kept["amount_pence"].sum())).scaleb(-2).quantize(CENT)
    sha256 = received.sha256 or sha256_file(path)
    return Prepared(result, batch_of(received, path.name, str(path), sha256, kept),
                    kept.height, total)


