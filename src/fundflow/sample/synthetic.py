"""Large synthetic returns for benchmarks and property tests, in a long or a wide shape.

`long`: one row per (stream, period, category, measure) with 8 columns: stream id, period label
(`2025-26 Q1`), category, cap/rev, measure, state, amount (pounds and pence), note. `wide`: one
row per (stream, category) with two header rows: month date cells `Apr-25`..`Mar-26` (each merged
over two columns) above `Actual` / `Forecast`; actuals stop after September 2025 (blank cells).
Amounts are born as integer pence, so the totals written beside the file (`*.totals.json`) are
exact and a reader's sum can be checked to the penny.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from fundflow.sample.fastxlsx import Cell, column_letter, write_xlsx
from fundflow.sample.money import fy_months, month_label

CATEGORIES = (
    ("Staff salaries", "revenue"), ("Employer on-costs", "revenue"), ("Travel", "revenue"),
    ("Venue hire", "revenue"), ("Commissioned services", "revenue"),
    ("Grants to partners", "revenue"), ("Publicity & marketing", "revenue"),
    ("Management & administration", "revenue"), ("Capital works", "capital"),
    ("Equipment", "capital"),
)
MEASURES = (("budget", "actual"), ("spend", "actual"), ("forecast", "forecast"),
            ("committed", "forecast"))
PERIODS = tuple(f"{y}-{(y + 1) % 100:02d} Q{q}" for y in range(2023, 2027) for q in range(1, 5))
NOTES = ("", "", "", "", "", "", "", "Re-profiled, see change log", 'Includes "in-kind" match',
         "Accrual reversed")
LONG_HEADERS = ("Stream ID", "Period", "Category", "Cap/Rev", "Measure", "State", "Amount", "Note")
ACTUALS_UNTIL = date(2025, 9, 1)

Row = Sequence[Cell]


def decimal_text(pence: int) -> str:
    """Exact pounds text from pence: -12345 -> '-123.45'."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def write_synthetic_file(out_dir: Path, *, rows: int, shape: Literal["long", "wide"],
                         fmt: Literal["xlsx", "csv"], seed: int = 1) -> Path:
    """Write the file and its `.totals.json`; return the data file's path."""
    totals: dict[str, int] = {}
    rng = random.Random(f"synthetic:{seed}:{shape}")
    if shape == "long":
        headers: list[Row] = [LONG_HEADERS]
        body = _long_rows(rows, rng, totals)
        merges: list[str] = []
    else:
        headers, merges = _wide_headers(fmt)
        body = _wide_rows(rows, rng, totals)
    path = out_dir / f"synthetic_{shape}_{rows}.{fmt}"
    if fmt == "xlsx":
        write_xlsx(path, "Data", _chain(headers, body), merges)
    else:
        _write_csv(path, _chain(headers, body))
    summary = {"rows": rows, "shape": shape, "format": fmt, "seed": seed,
               "totals_pence": dict(sorted(totals.items()))}
    totals_path(path).write_text(json.dumps(summary, indent=2) + "\n")
    return path


def totals_path(path: Path) -> Path:
    """Where the totals of synthetic file `path` are written: `<file name>.totals.json`."""
    return path.with_name(path.name + ".totals.json")


def _chain(headers: list[Row], body: Iterator[Row]) -> Iterator[Row]:
    """Header rows then body rows."""
    yield from headers
    yield from body


def _amount(rng: random.Random) -> int:
    """Pence up to about £84k; one in 64 is a negative adjustment (one random draw per amount)."""
    bits = rng.getrandbits(29)
    pence = bits & 0x7FFFFF
    return -(pence // 50) if bits >> 23 == 0 else pence


def _long_rows(rows: int, rng: random.Random, totals: dict[str, int]) -> Iterator[Row]:
    """Rows in (stream, period, category, measure) order until `rows` are written."""
    n = 0
    stream = 0
    while True:
        stream += 1
        sid = f"S-SYN-{stream:05d}"
        for period in PERIODS:
            for category, cap_rev in CATEGORIES:
                for measure, state in MEASURES:
                    if n == rows:
                        return
                    pence = _amount(rng)
                    totals[measure] = totals.get(measure, 0) + pence
                    note = NOTES[rng.getrandbits(8) % len(NOTES)]
                    yield (sid, period, category, cap_rev, measure, state, pence,
                           note or None)
                    n += 1


def _wide_headers(fmt: str) -> tuple[list[Row], list[str]]:
    """Two header rows and the merges of each month over its Actual/Forecast pair."""
    months = fy_months(2025)
    if fmt == "csv":
        flat = [f"{month_label(m)} {state}" for m in months for state in ("Actual", "Forecast")]
        return [["Stream ID", "Category", "Cap/Rev", *flat]], []
    top: list[Cell] = ["Stream ID", "Category", "Cap/Rev"]
    merges = []
    for i, month in enumerate(months):
        top += [month, None]
        col = 3 + 2 * i
        merges.append(f"{column_letter(col)}1:{column_letter(col + 1)}1")
    second: list[Cell] = [None, None, None, *(["Actual", "Forecast"] * len(months))]
    return [top, second], merges


def _wide_rows(rows: int, rng: random.Random, totals: dict[str, int]) -> Iterator[Row]:
    """One row per (stream, category); actual cells blank after `ACTUALS_UNTIL`."""
    months = fy_months(2025)
    totals.update({"spend": 0, "forecast": 0})
    for n in range(rows):
        category, cap_rev = CATEGORIES[n % len(CATEGORIES)]
        row: list[Cell] = [f"S-SYN-{n // len(CATEGORIES) + 1:05d}", category, cap_rev]
        for month in months:
            forecast = _amount(rng)
            totals["forecast"] += forecast
            actual = _amount(rng) if month <= ACTUALS_UNTIL else None
            if actual is not None:
                totals["spend"] += actual
            row += [actual, forecast]
        yield row


def _write_csv(path: Path, rows: Iterator[Row]) -> None:
    """UTF-8 CSV, LF line ends; pence become exact pounds text, missing cells empty fields."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in rows:
            writer.writerow([decimal_text(v) if type(v) is int else v for v in row])
