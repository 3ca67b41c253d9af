"""Golden files for adapters: the canonical rows an adapter makes of a sample file.

Each sample file `X.xlsx` has `X.xlsx.golden` beside it: a CSV dump of every finance entry,
indicator value and stream the adapter produced (money as exact decimal text). A test that
finds no golden file fails and says how to create it; creating one never overwrites:

    uv run python -m tests.golden sample_data      # writes only the missing golden files
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from fundflow.ingest.importer import FileResult, expand_paths, prepare_file
from fundflow.ingest.specs.golden import SUFFIX, dump, golden_path
from fundflow.ingest.specs.registry import load_adapters

__all__ = ["SUFFIX", "compare", "dump", "generate", "golden_path"]

def compare(sample: Path, text: str) -> str | None:
    """None when the golden file matches; otherwise what to do, with a diff."""
    path = golden_path(sample)
    if not path.exists():
        return f"no golden file {path}: run `uv run python -m tests.golden {sample.parent}`"
    want = path.read_text(encoding="utf-8")
    if want == text:
        return None
    diff = difflib.unified_diff(
        want.splitlines(), text.splitlines(), str(path), "adapter now", lineterm="", n=1
    )
    return "\n".join(list(diff)[:60])


def generate(folder: Path) -> list[Path]:
    """Write the golden files that are missing under `folder` (never overwrites one)."""
    adapters, _ = load_adapters()
    written = []
    for sample in expand_paths([folder]):
        target = golden_path(sample)
        if target.exists():
            continue
        batch, result = prepare_file(sample, adapters)
        if batch is None:
            print(f"skipped {sample}: {_first_error(result)}", file=sys.stderr)
            continue
        target.write_text(dump(batch), encoding="utf-8")
        written.append(target)
    return written


def _first_error(result: FileResult) -> str:
    errors = [i for i in result.issues if i.severity.value == "error"]
    return f"{errors[0].code} {errors[0].location()}: {errors[0].message}" if errors else "?"


if __name__ == "__main__":
    for p in generate(Path(sys.argv[1] if len(sys.argv) > 1 else "sample_data")):
        print(f"wrote {p}")
