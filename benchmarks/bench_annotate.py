"""Time `validate --annotate`'s copy of a large workbook against re-zipping the same file.

Run by hand (not part of the test suite):

    uv run python benchmarks/bench_annotate.py                 # 1M rows
    uv run python benchmarks/bench_annotate.py --rows 100000

For a generated long-shape xlsx (written once into --cache) it prints the seconds and peak
memory of: inflating and deflating every zip part into a new zip (the baseline: the least any
copy does), the annotated copy with one problem cell, and with 200,000 problem cells (every
fifth row); then the ratios. Target (issue 11): bounded memory (well under 2 GB) and a time
of the order of the baseline, against 107 s and 2 GB for one error through openpyxl.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import measure, row

from fundflow.sample import write_synthetic

ANNOTATE = (
    "from pathlib import Path\n"
    "from fundflow.annotate.workbook import annotate\n"
    "from fundflow.issues import make_issue\n"
    "issues = [make_issue('money-invalid', file='f', sheet={sheet!r}, cell=f'E{{r}}', "
    "value='x') for r in range(2, {rows} + 2, {step})]\n"
)


def bench(path: Path, rows: int) -> None:
    out = path.parent / "annotated"
    copy = measure(
        "import zipfile",
        f"src = zipfile.ZipFile({str(path)!r})\n"
        f"with zipfile.ZipFile({str(path.with_suffix('.copy.zip'))!r}, 'w', "
        "zipfile.ZIP_DEFLATED) as dst:\n"
        "    for info in src.infolist():\n"
        "        with src.open(info) as a, dst.open(info.filename, 'w', force_zip64=True) as b:\n"
        "            while chunk := a.read(1 << 20):\n"
        "                b.write(chunk)\n",
    )
    sheet = "Data"
    one = measure(ANNOTATE.format(sheet=sheet, rows=1, step=1),
                  f"annotate(Path({str(path)!r}), issues, Path({str(out)!r}))")
    many = measure(ANNOTATE.format(sheet=sheet, rows=rows, step=5),
                   f"annotate(Path({str(path)!r}), issues, Path({str(out)!r}))")
    print(f"{path.name} ({rows:,} rows, {path.stat().st_size / 1e6:.0f} MB)")
    print(row("re-zip every part (baseline)", copy, rows, None))
    print(row("annotate, 1 problem cell", one, rows, copy))
    print(row(f"annotate, {rows // 5:,} problem cells", many, rows, copy))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=Path(".bench-cache"))
    args = parser.parse_args()
    args.cache.mkdir(exist_ok=True)
    path = args.cache / f"synthetic_long_{args.rows}.xlsx"
    if not path.exists():
        write_synthetic(args.cache, rows=args.rows, shape="long", fmt="xlsx")
    bench(path, args.rows)


if __name__ == "__main__":
    main()
