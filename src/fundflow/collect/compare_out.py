"""The department's comparison as a workbook or an HTML page: a row per partnership, totals,
and charts of how the partnerships are spread.

Both formats render one `views.Comparison` and nothing else. The workbook uses the return's
kit (`returns.xlsx_kit`: typed cells, text made safe, no formulas from data); the page is
jinja2 with autoescape and a Content-Security-Policy that allows no script or fetch, its bars
inline SVG sized here. Writes are atomic (`outputs.write_atomic`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from fundflow.collect.views import Comparison, PartnershipRow
from fundflow.outputs import write_atomic
from fundflow.returns.safe import safe_text
from fundflow.returns.xlsx_kit import Book, Col, table_sheet

BANDS = tuple(range(0, 100, 10))
"""Lower bounds (%) of the share bands the distribution charts count partnerships in."""
TOP = 40
"""Partnerships drawn in the funding chart (the largest); every one is in the table."""

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Rank", "rank", "int"),
    ("Partnership", "partnership", "text"),
    ("Id", "partnership_id", "text"),
    ("Streams", "streams", "int"),
    ("Funding (£)", "funding", "money"),
    ("Ring-fenced (£)", "ring_fenced", "money"),
    ("Ring-fenced share", "ring_fenced_share", "ratio"),
    ("Short-term (£)", "short_term", "money"),
    ("Short-term share", "short_term_share", "ratio"),
    ("Ending in 3 months (£)", "cliff_3", "money"),
    ("Ending in 6 months (£)", "cliff_6", "money"),
    ("Ending in 12 months (£)", "cliff_12", "money"),
    ("Unspent ring-fenced (£)", "unspent_ring_fenced", "money"),
    ("Clawback exposure (£)", "clawback_exposure", "money"),
    ("Eligibility breaches", "breaches", "int"),
    ("Returns a year", "returns_per_year", "int"),
    ("Reporting hours a year", "hours", "fixed2"),
)
"""Heading, field and kind of each column, in order: one definition for both formats."""

NOTE = ("One row per partnership, each from its own collected figures by its own return's "
        "analyses, as at {as_at} (the end of the year: each full-year return's own as-at "
        "date): funding is the award of streams live in the year; short-term "
        "streams last 12 months or less; 'ending in' is the award of live streams ending within "
        "3, 6 or 12 months of {as_at}; clawback exposure is ring-fenced money projected unspent "
        "at its deadline. Rank is by funding. Definitions: docs/analysis.md.")


def write_comparison(comparison: Comparison, path: Path) -> None:
    """Write the comparison to `path` (.xlsx or .html/.htm), atomically.

    Raises:
        ValueError: the extension names neither format.
        OutputError: the path cannot be written (nothing is left behind).
    """
    writers: dict[str, Callable[[Comparison, Path], None]] = {
        ".xlsx": write_xlsx, ".html": write_html, ".htm": write_html}
    writer = writers.get(path.suffix.lower())
    if writer is None:
        raise ValueError(f"cannot write {path.name}: use .xlsx or .html")
    write_atomic(path, lambda target: writer(comparison, target))


def values(row: PartnershipRow) -> list[Any]:
    """A row's cells in column order (the totals row has no rank)."""
    return [None if field == "rank" and not row.rank else getattr(row, field)
            for _, field, _ in COLUMNS]


def bands(shares: Sequence[Decimal | None]) -> list[int]:
    """How many partnerships' shares fall in each 10% band (100% in the top one)."""
    counts = [0] * len(BANDS)
    for share in shares:
        if share is not None:
            counts[min(int(share * 10), len(BANDS) - 1)] += 1
    return counts


def _band_labels() -> list[str]:
    return [f"{low}-{low + 10}%" for low in BANDS]


def write_xlsx(comparison: Comparison, path: Path) -> None:
    """The workbook: Partnerships (the table and totals) and Distribution (bands and charts)."""
    title = f"Partnerships compared, {comparison.year}"
    book = Book(path, title)
    columns = [Col(heading, kind) for heading, _, kind in COLUMNS]  # type: ignore[arg-type]
    rows = [values(r) for r in comparison.rows]
    table_sheet(book, "Partnerships", title, NOTE.format(as_at=comparison.as_at), columns, rows,
                total=values(comparison.totals))
    _distribution_sheet(book, comparison)
    book.save()


def _distribution_sheet(book: Book, comparison: Comparison) -> None:
    columns = [Col("Share band"), Col("Partnerships by ring-fenced share", "int"),
               Col("Partnerships by short-term share", "int")]
    sheet = book.sheet("Distribution", header_rows=(3, 3), widths=[16, 20, 20])
    sheet.heading(f"How the partnerships are spread, {comparison.year}",
                  "How many partnerships have each share of their funding ring-fenced, and "
                  "short-term (12 months or less).")
    sheet.header(columns)
    first = sheet.row
    ring = bands([r.ring_fenced_share for r in comparison.rows])
    short = bands([r.short_term_share for r in comparison.rows])
    sheet.rows(columns, list(zip(_band_labels(), ring, short, strict=True)))
    last = sheet.row - 1
    for col, name in ((1, "Ring-fenced share"), (2, "Short-term share")):
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series({"name": name, "categories": ["Distribution", first, 0, last, 0],
                          "values": ["Distribution", first, col, last, col],
                          "fill": {"color": "#1F3864"}})
        chart.set_title({"name": f"Partnerships by {name.lower()}"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"name": "Partnerships"})
        sheet.ws.insert_chart(last + 3 + (col - 1) * 18, 0, chart, {"x_scale": 1.4})


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body{font-family:Arial,sans-serif;margin:1em;color:#222}
table{border-collapse:collapse;font-size:13px}th{background:#1f3864;color:#fff;padding:4px}
td{border-bottom:1px solid #ddd;padding:3px 6px}td.n{text-align:right}
tr.total td{font-weight:bold;border-top:2px solid #1f3864}.wrap{overflow-x:auto}</style>
</head><body><h1>{{ title }}</h1><p>{{ note }}</p>
<div class="wrap"><table><thead><tr>
{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>
{% for c in row %}<td class="{{ c[1] }}">{{ c[0] }}</td>{% endfor %}</tr>
{% endfor %}<tr class="total">
{% for c in total %}<td class="{{ c[1] }}">{{ c[0] }}</td>{% endfor %}</tr>
</tbody></table></div>
{% for chart in charts %}<h2>{{ chart.title }}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{{ chart.height }}" role="img"
 aria-label="{{ chart.title }}">
{% for bar in chart.bars %}<text x="0" y="{{ bar.y + 12 }}" font-size="11">{{ bar.label }}</text>
<rect x="220" y="{{ bar.y }}" width="{{ bar.width }}" height="14" fill="#1f3864">
<title>{{ bar.label }}: {{ bar.text }}</title></rect>
<text x="{{ 224 + bar.width }}" y="{{ bar.y + 12 }}" font-size="11">{{ bar.text }}</text>
{% endfor %}</svg>{% endfor %}
</body></html>
"""


def write_html(comparison: Comparison, path: Path) -> None:
    """The page: the table with its totals, then the charts."""
    env = Environment(autoescape=True, undefined=StrictUndefined)
    page = env.from_string(_PAGE).render(
        title=f"Partnerships compared, {comparison.year}",
        note=NOTE.format(as_at=comparison.as_at),
        headers=[h for h, _, _ in COLUMNS],
        rows=[_cells(r) for r in comparison.rows], total=_cells(comparison.totals),
        charts=_charts(comparison))
    path.write_text(page, encoding="utf-8")


def _cells(row: PartnershipRow) -> list[tuple[str, str]]:
    return [(_shown(v, kind), "" if kind == "text" else "n")
            for v, (_, _, kind) in zip(values(row), COLUMNS, strict=True)]


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"£{value:,.2f}"
    if kind == "ratio":
        return f"{value * 100:.1f}%"
    if kind == "int":
        return f"{value:,}"
    return safe_text(str(value))


def _charts(comparison: Comparison) -> list[dict[str, Any]]:
    largest = sorted(comparison.rows, key=lambda r: (-r.funding, r.partnership_id))[:TOP]
    funding = [(r.partnership, r.funding, f"£{r.funding:,.2f}") for r in largest]
    ring = bands([r.ring_fenced_share for r in comparison.rows])
    short = bands([r.short_term_share for r in comparison.rows])
    return [
        _bars(f"Funding, the {len(largest)} largest partnerships", funding),
        _bars("Partnerships by ring-fenced share",
              [(label, Decimal(n), f"{n:,}") for label, n in zip(_band_labels(), ring,
                                                                   strict=True)]),
        _bars("Partnerships by short-term share",
              [(label, Decimal(n), f"{n:,}") for label, n in zip(_band_labels(), short,
                                                                   strict=True)]),
    ]


def _bars(title: str, items: list[tuple[str, Decimal, str]]) -> dict[str, Any]:
    peak = max((v for _, v, _ in items), default=Decimal(0)) or Decimal(1)
    bars = [{"label": safe_text(label)[:34], "y": i * 18, "text": text,
             "width": int(max(value, Decimal(0)) * 300 / peak)}
            for i, (label, value, text) in enumerate(items)]
    return {"title": title, "bars": bars, "height": max(len(bars) * 18, 18)}
