"""Golden files: the canonical rows an adapter makes of a file, kept beside the file.

Each example file `X.xlsx` may have `X.xlsx.golden` beside it: a CSV dump of every finance
entry, indicator value and stream the adapter produced (money as exact decimal text). After
changing an adapter, `fundflow adapters test SPEC` reads every example again and shows what
changed, so an officer sees the effect of an edit on the files it read before. Creating a
golden file never overwrites one: to accept a change, delete the old file and pin again.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from fundflow.ingest.importer import expand_paths, prepare_file
from fundflow.ingest.specs.registry import Loaded
from fundflow.issues import Issue
from fundflow.ledger.store import SubmissionBatch

SUFFIX = ".golden"
_DIFF_LINES = 60

Outcome = Literal["matches", "differs", "missing", "written", "not-read"]


@dataclass
class Pinned:
    """How one example file compared with its golden file."""

    path: Path
    outcome: Outcome
    diff: str = ""
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file reads as pinned (or its golden file was just written)."""
        return self.outcome in ("matches", "written")


def golden_path(sample: Path) -> Path:
    """Where the golden file of an example file lives: right beside it."""
    return sample.with_name(sample.name + SUFFIX)


def dump(batch: SubmissionBatch) -> str:
    """Every canonical row of a batch as CSV text, one section per record kind, stable order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for kind, found in (
        ("finance", batch.frame("finance")),
        ("indicators", batch.frame("indicators")),
        ("streams", batch.frame("streams")),
    ):
        if found is None or found.height == 0:
            continue
        frame = found.drop([c for c in ("submission_id", "row_no") if c in found.columns])
        if kind == "finance" and "cumulative" in frame.columns and not frame["cumulative"].any():
            # added after many files were pinned: shown only where an adapter marks figures
            # to date, so those golden files stay valid and a new marking still shows
            frame = frame.drop("cumulative")
        if kind == "streams":
            # filled only for streams collected from a return (`fundflow collect`), never by
            # an adapter: left out when empty so the pinned register files stay valid
            frame = frame.drop([c for c in ("returns_reported", "items_reported")
                                if c in frame.columns and frame[c].null_count() == frame.height])
        money = [c for c in frame.columns if c.endswith("_pence")]
        frame = frame.with_columns(
            [pl.col(c).map_elements(_pounds, return_dtype=pl.String) for c in money]
        )
        frame = frame.cast(pl.String).fill_null("")
        frame = frame.sort(frame.columns)
        writer.writerow([f"# {kind}"])
        writer.writerow(frame.columns)
        writer.writerows(frame.iter_rows())
    return out.getvalue()


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def difference(sample: Path, text: str) -> str | None:
    """None when the golden file holds `text`; otherwise a unified diff (first lines)."""
    want = golden_path(sample).read_text(encoding="utf-8")
    if want == text:
        return None
    diff = difflib.unified_diff(want.splitlines(), text.splitlines(),
                                f"{sample.name} as pinned", "as the adapter reads it now",
                                lineterm="", n=1)
    return "\n".join(list(diff)[:_DIFF_LINES])


def example_files(spec_path: Path, paths: Iterable[Path] = ()) -> list[Path]:
    """The files to check: those given, or the spreadsheets in the folder named like the
    spec beside it (`new-funder/` for `new-funder.yaml`)."""
    given = list(paths) or [spec_path.with_suffix("")]
    return [p for p in expand_paths(given) if p.exists()]


def pin(adapter: Loaded, files: list[Path], *, generate: bool = False) -> list[Pinned]:
    """Read each file with `adapter` alone and compare with its golden file.

    With `generate`, a missing golden file is written from the current reading (an existing
    one is never overwritten). A file the adapter does not claim, or reads with errors, is
    `not-read` with the issues that say why.
    """
    out = []
    for path in files:
        batch, result = prepare_file(path, [adapter])
        if batch is None:
            out.append(Pinned(path, "not-read", issues=result.issues))
            continue
        try:
            text = dump(batch)
        finally:
            batch.close()
        target = golden_path(path)
        if not target.exists():
            if generate:
                target.write_text(text, encoding="utf-8")
            out.append(Pinned(path, "written" if generate else "missing"))
            continue
        diff = difference(path, text)
        out.append(Pinned(path, "matches") if diff is None else Pinned(path, "differs", diff))
    return out
