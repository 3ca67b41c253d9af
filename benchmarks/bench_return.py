"""Time the consolidated return against the bare DuckDB aggregate behind it.

Run by hand (not part of the test suite):

    uv run python benchmarks/bench_return.py                    # 10k, 100k and 1M entries
    uv run python benchmarks/bench_return.py --rows 100000 --writers xlsx

For each size it builds a ledger once (into --cache) from a funding register of eight streams
at tiers 1-3 and four quarterly finance returns per stream, inserted in bulk through
`ledger.add_submission`: mostly actual spend lines (transactions, monthly), some forecasts and
receipts, labelled with the bundled crosswalks' categories so mapping does real work. Then, each
in a fresh process (so peak memory belongs to the step and imports are not timed), it times:

  (a) the bare DuckDB aggregate: sum of amount by stream, category, cap/rev, quarter, measure
      and state over the current entries (the query a hand-written return would run);
  (b) `build_return` (load, map, aggregate, model);
  (c) each writer (xlsx, html, json, csv) from a pickled `Return`;
  (d) the xlsx write floor: zlib-deflating the workbook's own sheet XML (at the level the
      return writes, `xlsx_kit.ZIP_LEVEL`), i.e. the least any xlsx writer must spend on
      that content.

Target (issue 5): the whole return (b + xlsx) for 1M entries under 20 s and within 5x of
(a) + (d).

`--streams 15000` (issue 11 item 6) builds instead a ledger of `--rows` figures spread over that
many streams, written straight into DuckDB in four quarterly submissions (no spreadsheets), and
times the whole `fundflow return --out x.xlsx` (and `.json`) process as a user runs it, with the
peak memory of its process tree. Targets for 1M figures over 15,000 streams: < 20 s and
< 2 GB (issue 11 item 6), < 1 GB (issue 10).

    uv run python benchmarks/bench_return.py --rows 1000000 --streams 15000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Measure, load_note, measure, run_process

STREAMS = [  # stream, funder, award (pounds), share of the entries
    ("S-DHS-A", "F-DHS", 2_500_000, 0.30),
    ("S-ICP-A", "F-ICP", 4_000_000, 0.30),
    ("S-DHS-B", "F-DHS", 1_200_000, 0.10),
    ("S-OPCC-A", "F-OPCC", 400_000, 0.10),
    ("S-OPCC-B", "F-OPCC", 250_000, 0.08),
    ("S-ICP-B", "F-ICP", 800_000, 0.06),
    ("S-DHS-C", "F-DHS", 90_000, 0.03),
    ("S-OPCC-C", "F-OPCC", 60_000, 0.03),
]
LABELS = {
    "F-DHS": ["CCTV installation and upgrades", "Street lighting improvements",
              "Target hardening (locks, gates, alley-gates)", "Community engagement and events",
              "Youth diversion activities", "Project management", "Unlisted costs"],
    "F-ICP": ["Prevention / early intervention", "Home care or domiciliary care",
              "Bed based intermediate care services", "Carers services",
              "Disabled Facilities Grant", "Assistive technologies and equipment"],
    "F-OPCC": ["Staff costs", "Commissioned services", "Training & materials", "Venue hire",
               "Vehicle hire"],
}
QUARTER_MONTHS = {1: (4, 5, 6), 2: (7, 8, 9), 3: (10, 11, 12), 4: (1, 2, 3)}
YEAR = "2025-26"


def _month(m: int) -> date:
    return date(2025 if m >= 4 else 2026, m, 1)


def _month_end(m: int) -> date:
    start = _month(m)
    nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def _finance_frame(stream: str, funder: str, quarter: int, rows: int) -> pl.DataFrame:
    """One quarterly return: spend lines over its months, forecasts for later months, receipt."""
    labels = LABELS[funder]
    months = QUARTER_MONTHS[quarter]
    later = [m for q in range(quarter + 1, 5) for m in QUARTER_MONTHS[q]]
    i = pl.int_range(0, rows, eager=True).alias("i")
    frame = pl.DataFrame(i)
    month_idx = frame["i"] % len(months)
    label_idx = (frame["i"] * 7 + frame["i"] // 13) % len(labels)
    month_start = pl.Series([_month(m) for m in months])[month_idx]
    month_end = pl.Series([_month_end(m) for m in months])[month_idx]
    spend = pl.DataFrame({
        "row_no": (frame["i"] + 1).cast(pl.Int32),
        "source_sheet": pl.Series(["Transactions"] * rows),
        "source_cell": ("E" + (frame["i"] + 5).cast(pl.String)),
        "stream_id": pl.Series([stream] * rows), "funder_id": pl.Series([funder] * rows),
        "amount_gbp_pence": ((frame["i"] * 7919) % 250_000 + 1_000
                             - (frame["i"] % 97 == 0).cast(pl.Int64) * 260_000).cast(pl.Int64),
        "period_start": month_start, "period_end": month_end,
        "period_label": month_start.dt.strftime("%b %Y"),
        "funder_category": pl.Series(labels)[label_idx],
        "measure": pl.Series(["spend"] * rows), "state": pl.Series(["actual"] * rows),
        "basis": pl.Series(["defrayed"] * rows), "cap_rev": pl.Series(["revenue"] * rows),
        "txn_date": month_start + (frame["i"] % 28).cast(pl.Duration("ms")) * 86_400_000,
        "description": ("Invoice " + (frame["i"] * 31 % 100_000).cast(pl.String)),
    })
    extra = []
    for n, m in enumerate(later):
        for k, label in enumerate(labels):
            extra.append({"measure": "forecast", "state": "forecast", "month": m,
                          "label": label, "pence": 500_000 + 1_000 * n + k})
    extra.append({"measure": "receipt", "state": "actual", "month": months[0], "label": None,
                  "pence": 25_000_000})
    tail = pl.DataFrame({
        "row_no": pl.Series(range(rows + 1, rows + len(extra) + 1), dtype=pl.Int32),
        "source_sheet": ["Forecast"] * len(extra),
        "source_cell": [f"C{n + 5}" for n in range(len(extra))],
        "stream_id": [stream] * len(extra), "funder_id": [funder] * len(extra),
        "amount_gbp_pence": pl.Series([e["pence"] for e in extra], dtype=pl.Int64),
        "period_start": [_month(e["month"]) for e in extra],
        "period_end": [_month_end(e["month"]) for e in extra],
        "period_label": [_month(e["month"]).strftime("%b %Y") for e in extra],
        "funder_category": [e["label"] for e in extra],
        "measure": [e["measure"] for e in extra], "state": [e["state"] for e in extra],
        "basis": [None if e["measure"] == "receipt" else "defrayed" for e in extra],
        "cap_rev": ["revenue"] * len(extra),
        "txn_date": pl.Series([None] * len(extra), dtype=pl.Date),
        "description": pl.Series([None] * len(extra), dtype=pl.String),
    })
    return pl.concat([spend, tail], how="vertical_relaxed")


def build_ledger(path: Path, rows: int) -> None:
    """The benchmark ledger: register, then four quarterly returns per stream, in bulk."""
    from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger

    path.unlink(missing_ok=True)
    register = pl.DataFrame({
        "row_no": pl.Series(range(1, len(STREAMS) + 1), dtype=pl.Int32),
        "stream_id": [s[0] for s in STREAMS], "funder_id": [s[1] for s in STREAMS],
        "name": [f"Benchmark stream {s[0]}" for s in STREAMS],
        "award_pence": pl.Series([s[2] * 100 for s in STREAMS], dtype=pl.Int64),
        "start_date": [date(2024, 4, 1)] * len(STREAMS),
        "end_date": [date(2027, 3, 31)] * len(STREAMS),
        "ring_fence_type": ["ringfenced_conditions"] * len(STREAMS),
        "accounting_basis": ["defrayed"] * len(STREAMS), "risk_rating": ["low"] * len(STREAMS),
    })
    funders = pl.DataFrame({"funder_id": ["F-DHS", "F-ICP", "F-OPCC"],
                            "name": ["Home Security Department", "Integrated Care Pool",
                                     "Police and Crime Commissioner"],
                            "funder_type": [None, None, None]})
    with open_ledger(path) as con:
        add_submission(con, SubmissionBatch(
            file_name="register.xlsx", file_sha256=f"{rows:064x}", adapter_id="register",
            adapter_version="1", return_type="register", stream_key="ALL",
            funder_period=YEAR, streams=register, funders=funders))
        for stream, funder, _award, share in STREAMS:
            for quarter in (1, 2, 3, 4):
                frame = _finance_frame(stream, funder, quarter, max(1, int(rows * share / 4)))
                add_submission(con, SubmissionBatch(
                    file_name=f"{stream}_Q{quarter}.xlsx",
                    file_sha256=hashlib.sha256(f"{rows}/{stream}/{quarter}".encode()).hexdigest(),
                    adapter_id="bench", adapter_version="1", return_type="finance",
                    stream_key=stream, funder_period=f"Q{quarter}", funder_id=funder,
                    finance=frame))


def _wide_frame(quarter: int, rows: int, streams: int) -> pl.DataFrame:
    """One quarter's spend lines for `rows` figures dealt round-robin over `streams` streams."""
    months = QUARTER_MONTHS[quarter]
    i = pl.int_range(0, rows, eager=True)
    stream_no = i % streams
    funder_no = stream_no % len(LABELS)
    funders = list(LABELS)
    labels = pl.Series([label for f in funders for label in LABELS[f]])
    offsets = [sum(len(LABELS[f]) for f in funders[:n]) for n in range(len(funders))]
    sizes = pl.Series([len(LABELS[f]) for f in funders])
    label_idx = pl.Series(offsets)[funder_no] + (i * 7 + i // 13) % sizes[funder_no]
    month_idx = i % len(months)
    month_start = pl.Series([_month(m) for m in months])[month_idx]
    return pl.DataFrame({
        "row_no": (i + 1).cast(pl.Int32),
        "source_sheet": pl.Series(["Transactions"] * rows),
        "source_cell": ("E" + (i + 5).cast(pl.String)),
        "stream_id": "W-" + stream_no.cast(pl.String).str.zfill(5),
        "funder_id": pl.Series(funders)[funder_no],
        "amount_gbp_pence": ((i * 7919) % 250_000 + 1_000).cast(pl.Int64),
        "period_start": month_start,
        "period_end": pl.Series([_month_end(m) for m in months])[month_idx],
        "period_label": month_start.dt.strftime("%b %Y"),
        "funder_category": labels[label_idx],
        "measure": pl.Series(["spend"] * rows), "state": pl.Series(["actual"] * rows),
        "basis": pl.Series(["defrayed"] * rows), "cap_rev": pl.Series(["revenue"] * rows),
        "txn_date": month_start,
        "description": ("Invoice " + (i * 31 % 100_000).cast(pl.String)),
    })


def build_wide_ledger(path: Path, rows: int, streams: int) -> None:
    """A register of `streams` streams and four quarterly submissions covering all of them."""
    from fundflow.ledger.store import SubmissionBatch, add_submission, open_ledger

    path.unlink(missing_ok=True)
    funders = list(LABELS)
    n = pl.int_range(0, streams, eager=True)
    register = pl.DataFrame({
        "row_no": (n + 1).cast(pl.Int32),
        "stream_id": "W-" + n.cast(pl.String).str.zfill(5),
        "funder_id": pl.Series(funders)[n % len(funders)],
        "name": "Benchmark stream " + n.cast(pl.String),
        "award_pence": (10_000_000 + (n % 50) * 1_000_000).cast(pl.Int64),
        "start_date": pl.Series([date(2024, 4, 1)] * streams),
        "end_date": pl.Series([date(2027, 3, 31)] * streams),
        "ring_fence_type": pl.Series(["ringfenced_conditions"] * streams),
        "accounting_basis": pl.Series(["defrayed"] * streams),
        "risk_rating": pl.Series(["low"] * streams),
    })
    funder_frame = pl.DataFrame({"funder_id": funders, "name": funders,
                                 "funder_type": [None] * len(funders)})
    with open_ledger(path) as con:
        add_submission(con, SubmissionBatch(
            file_name="register.xlsx", file_sha256=f"{rows:032x}{streams:032x}",
            adapter_id="register", adapter_version="1", return_type="register",
            stream_key="ALL", funder_period=YEAR, streams=register, funders=funder_frame))
        for quarter in (1, 2, 3, 4):
            add_submission(con, SubmissionBatch(
                file_name=f"wide_Q{quarter}.xlsx",
                file_sha256=hashlib.sha256(f"{rows}/{streams}/{quarter}".encode()).hexdigest(),
                adapter_id="bench", adapter_version="1", return_type="finance",
                stream_key="ALL", funder_period=f"Q{quarter}",
                finance=_wide_frame(quarter, rows // 4, streams)))


POLARS_JEMALLOC = "dirty_decay_ms:500,muzzy_decay_ms:1000"
"""What `import polars` puts first in `_RJEM_MALLOC_CONF` (its allocator's default)."""


def _without_polars_setting() -> None:
    """Take back the allocator setting `import polars` made in this process's environment:
    a child would take it for the user's and `fundflow return` would keep it rather than
    give freed memory back (`fundflow.returns.allocator`)."""
    conf = os.environ.get("_RJEM_MALLOC_CONF", "")
    if conf.startswith(POLARS_JEMALLOC):
        rest = conf[len(POLARS_JEMALLOC):].lstrip(",")
        if rest:
            os.environ["_RJEM_MALLOC_CONF"] = rest
        else:
            del os.environ["_RJEM_MALLOC_CONF"]


def bench_wide(cache: Path, rows: int, streams: int, repeats: int) -> None:
    """Whole `fundflow return` processes on the wide ledger: wall, CPU and peak memory."""
    _without_polars_setting()
    ledger = cache / f"return_{rows}_{streams}.duckdb"
    if not ledger.exists():
        build_wide_ledger(ledger, rows, streams)
    fundflow = shutil.which("fundflow") or "fundflow"
    print(f"\n{rows:,} figures over {streams:,} streams ({load_note()})")
    for fmt in ("xlsx", "json"):
        out = cache / f"wide_{rows}_{streams}.{fmt}"
        runs = [run_process([fundflow, "return", "--year", YEAR, "--ledger", str(ledger),
                             "--out", str(out)]) for _ in range(repeats)]
        wall = sorted(r.wall for r in runs)[len(runs) // 2]
        print(f"  fundflow return --out x.{fmt:<5} {wall:8.2f} s wall  "
              f"{max(r.cpu for r in runs):8.2f} s CPU  {max(r.peak_mb for r in runs):8.0f} MB "
              f"peak  ({out.stat().st_size / 1e6:,.1f} MB; target < 20 s, < 1024 MB)")


AGGREGATE = (
    "SELECT stream_id, coalesce(subjective, funder_category) AS category, cap_rev, "
    "quarter(period_start) AS q, measure, state, sum(amount_gbp) AS amount "
    "FROM current_finance GROUP BY ALL"
)

SETUP = (
    "import pickle\nfrom pathlib import Path\n"
    "from fundflow.ledger.store import open_ledger\n"
    "from fundflow.returns.build import build_return\n"
    "from fundflow.returns.write import write_return\n"
    "from fundflow.returns import analysis_hook\n"
)


def _floor(pickled: Path) -> str:
    """Setup and step for the write floor: deflate the xlsx's own sheet XML at the level the
    return writes it."""
    return (
        "import zipfile, zlib, pickle\nfrom pathlib import Path\n"
        "from fundflow.returns.xlsx_kit import ZIP_LEVEL\n"
        "from fundflow.returns.write import write_return\n"
        f"ret = pickle.loads(Path({str(pickled)!r}).read_bytes())\n"
        f"out = Path({str(pickled.with_suffix('.floor.xlsx'))!r})\n"
        "write_return(ret, out)\n"
        "z = zipfile.ZipFile(out)\n"
        "parts = [z.read(n) for n in z.namelist()]\n"
    ), ("for p in parts:\n"
        "    c = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15); c.compress(p); c.flush()")


def bench(cache: Path, rows: int, writers: list[str], repeats: int) -> None:
    ledger = cache / f"return_{rows}.duckdb"
    if not ledger.exists():
        build_ledger(ledger, rows)
    pickled = cache / f"return_{rows}.pickle"
    aggregate = measure(
        f"import duckdb\ncon = duckdb.connect({str(ledger)!r}, read_only=True)",
        f"con.execute({AGGREGATE!r}).fetchall()", repeats)
    build = measure(
        SETUP + f"cm = open_ledger(Path({str(ledger)!r}), read_only=True)\ncon = cm.__enter__()",
        f"ret = build_return(con, {YEAR!r})\n"
        f"Path({str(pickled)!r}).write_bytes(pickle.dumps(ret))", repeats)
    import pickle

    ret = pickle.loads(pickled.read_bytes())
    print(f"\n{rows:,} finance entries: {len(ret.data):,} data rows, {len(ret.entries):,} "
          f"transactions, {len(ret.finance):,} finance rows")
    floor = measure(*_floor(pickled), repeats)
    base = aggregate.seconds + floor.seconds
    _line("(a) DuckDB aggregate", aggregate, base)
    _line("(d) xlsx write floor (deflate)", floor, base)
    _line("(b) build_return", build, base)
    results: dict[str, Measure] = {}
    for fmt in writers:
        out = cache / f"return_{rows}.{fmt}"
        results[fmt] = measure(
            SETUP + f"ret = pickle.loads(Path({str(pickled)!r}).read_bytes())",
            f"write_return(ret, Path({str(out)!r}))", repeats)
        size = out.stat().st_size / 1e6
        _line(f"(c) write {fmt} ({size:,.1f} MB)", results[fmt], base)
    if "xlsx" in results:
        total = build.seconds + results["xlsx"].seconds
        print(f"  -> return as xlsx (b + c): {total:.2f} s, {total / base:.1f}x of (a)+(d) "
              f"(target < 20 s and <= 5x)")


def _line(label: str, m: Measure, base: float) -> None:
    print(f"  {label:<36} {m.seconds:8.2f} s  {m.peak_mb:8.0f} MB peak  "
          f"{m.seconds / base:6.2f}x of (a)+(d)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--writers", nargs="*", default=["xlsx", "html", "json", "csv"])
    parser.add_argument("--streams", type=int, default=0,
                        help="Time whole `fundflow return` processes on a ledger of this many "
                             "streams instead (e.g. 15000).")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/fundflow-bench"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    for rows in args.rows:
        if args.streams:
            bench_wide(args.cache, rows, args.streams, args.repeats)
        else:
            bench(args.cache, rows, args.writers, args.repeats)


if __name__ == "__main__":
    main()
