"""The return as one self-contained HTML page, readable on a phone.

jinja2 with autoescape on for every template, every attribute quoted in the template, a
Content-Security-Policy that allows no script, no fetch and no external asset, and no data in
URLs, scripts or styles (relsec.md T47). Text from data also goes through `safe_text`, like
every other output, so a label that would be a formula in Excel stays inert when copied.
Charts are inline SVG bars whose sizes are computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fundflow.returns.charts import Chart, charts
from fundflow.returns.html_analysis import (
    BAR,
    GAP,
    LABEL_H,
    SPAN,
    WIDTH,
    Spec,
    burden_specs,
    horizon_specs,
    ring_fencing_specs,
    short_label,
    svg_chart,
)
from fundflow.returns.labels import cap_rev_name, category_name, measure_name, plain
from fundflow.returns.model import DATA_COLUMNS, Return, basis_note, basis_subtotals
from fundflow.returns.safe import safe_text

MAX_ROWS = 1_000
"""Longest table shown in the page; the full figures are in the xlsx, csv and json outputs."""
_COLOURS = ("#1f3864", "#8faadc")
_UNBROKEN = 24
"""Text this short without a space (an id such as S-FFP-22, a code, a date) never wraps."""


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""


@dataclass(frozen=True)
class Table:
    anchor: str
    title: str
    note: str | None
    headers: list[Cell]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    more: str | None = None
    charts: list[dict[str, Any]] = field(default_factory=list)
    """Charts of this table's figures, drawn right under it."""
    cards: bool = False
    """On a narrow screen each row is a card of 'column: value' lines (the Summary)."""
    folded: bool = False
    """Shown only on request (the long Data table): a phone need not scroll past it."""


CHART_PLACE = {"cliff_edge": "cliff-edges", "ring_fencing_by_funder": "ring-fencing",
               "durations": "horizon", "burden": "burden"}
"""The table each analysis chart is drawn under; the return's own two go under Finance."""


def render_html(ret: Return) -> str:
    """The page as text."""
    template = _environment().get_template("return.html.j2")
    return template.render(
        title=safe_text(ret.cover.title), facts=_facts(ret), sign_off=_sign_off(ret),
        tables=_with_charts(ret, _tables(ret)), content_hash=safe_text(ret.cover.content_hash),
    )


def _with_charts(ret: Return, tables: list[Table]) -> list[Table]:
    """Each chart under the table it pictures (a chart with no such table: under Finance)."""
    placed: dict[str, list[dict[str, Any]]] = {"finance": [_svg(c) for c in charts(ret)]}
    anchors = {t.anchor for t in tables}
    for source in ret.analysis.charts:
        anchor = CHART_PLACE.get(source.id, "finance")
        placed.setdefault(anchor if anchor in anchors else "finance", []).append(
            svg_chart(source))
    numbered = [drawn for t in tables for drawn in placed.get(t.anchor, [])]
    for n, drawn in enumerate(numbered, start=1):
        drawn["n"] = n  # ids chart-N-t and chart-N-d, unique on the page
    return [replace(t, charts=placed[t.anchor]) if t.anchor in placed else t for t in tables]


def write_html(ret: Return, path: Path) -> None:
    """Write the page to `path` (the caller makes the write atomic)."""
    path.write_text(render_html(ret), encoding="utf-8")


def template_dir() -> Path:
    """Templates shipped in the wheel, else the repository's `templates/`."""
    packaged = Path(__file__).parents[1] / "_data" / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parents[3] / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(template_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False,
    )


def _text(value: Any) -> Cell:
    """Any value as a cell: money and numbers right-aligned, negatives red, text made safe."""
    css = ""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, Decimal | int):
        text, css = f"{value:,}", "num neg" if value < 0 else "num"
    elif isinstance(value, datetime):
        text = f"{value:%d/%m/%Y %H:%M}"
    elif isinstance(value, date):
        text = f"{value:%d/%m/%Y}"
    else:
        text = safe_text(value)
        css = "nw" if len(text) <= _UNBROKEN and " " not in text else ""
    return Cell(text, css)


def _table(anchor: str, title: str, note: str | None, headers: Sequence[str],
           rows: Sequence[Sequence[Any]], *, total: Sequence[Any] | None = None,
           count: int | None = None, cards: bool = False) -> Table:
    count = len(rows) if count is None else count
    shown = [[_text(v) for v in row] for row in rows[:MAX_ROWS]]
    numeric = [bool(rows) and isinstance(rows[0][i], Decimal | int) and
               not isinstance(rows[0][i], bool) for i in range(len(headers))]
    heads = [Cell(safe_text(h), "num" if n else "") for h, n in zip(headers, numeric, strict=True)]
    more = (f"Showing the first {MAX_ROWS:,} of {count:,} rows; every row is in the xlsx, "
            "csv and json outputs.") if count > MAX_ROWS else None
    return Table(anchor, title, safe_text(note) if note else None, heads, shown,
                 [_text(v) for v in total] if total else None, more, cards=cards)


def _facts(ret: Return) -> list[tuple[str, str]]:
    c = ret.cover
    facts: list[tuple[str, Any]] = [
        ("Partnership", c.partnership), ("Financial year", c.year),
        ("Quarter", c.quarter or "Whole year"), ("Period", f"{c.period_start:%d/%m/%Y} to "
                                                           f"{c.period_end:%d/%m/%Y}"),
        ("Basis", c.basis), ("Funder", c.funder_id or "All funders"), ("Streams", c.streams),
        ("Source files", c.submissions), ("Generated", c.generated_at),
        ("Content hash (SHA-256)", c.content_hash),
        ("Reference data hash (SHA-256)", c.reference_hash),
    ]
    if ret.funder_context is not None:
        ctx = ret.funder_context
        facts.append(("Share of the partnership's awards",
                      f"{ctx.share_pct}% (£{ctx.funder_award:,} of £{ctx.partnership_award:,})"))
    return [(label, _text(value).text) for label, value in facts]


def _sign_off(ret: Return) -> dict[str, Any]:
    s = ret.cover.sign_off
    fields = [("Name", s.name), ("Role", s.role), ("Signature", s.signature), ("Date", s.date)]
    return {"statement": safe_text(s.statement),
            "fields": [(label, safe_text(value)) for label, value in fields]}


def _tables(ret: Return) -> list[Table]:
    out: list[Table] = []
    for build in _SECTIONS:
        found = build(ret)
        out += found if isinstance(found, list) else [found] if found is not None else []
    return out


def _analysis(ret: Return) -> list[Table]:
    """Ring-fencing, funding horizon and reporting burden: several tables each."""
    a = ret.analysis
    specs: list[Spec] = [*ring_fencing_specs(a), *horizon_specs(a), *burden_specs(a)]
    return [_table(s.anchor, s.title, s.note, s.headers, s.rows, total=s.total) for s in specs]


def _svg(chart: Chart) -> dict[str, Any]:
    """Bar geometry in whole pixels, as `html_analysis.svg_chart`: name above, bars below."""
    peak = chart.peak()
    bars, y = [], 0
    for bar in chart.bars:
        pieces = []
        label = safe_text(f"{bar.label} {category_name(bar.label)}".strip())
        for i, value in enumerate(bar.values):
            width = int(abs(value) * SPAN / peak)
            pieces.append({"x": 0, "y": y + LABEL_H + i * BAR, "height": BAR - 2,
                           "width": width, "text_x": width + 4,
                           "colour": _COLOURS[i % 2], "text": f"£{value:,}",
                           "title": f"{safe_text(chart.series[i])}: £{value:,}"})
        bars.append({"label": short_label(label), "full": label, "y": y, "pieces": pieces})
        y += LABEL_H + len(bar.values) * BAR + GAP
    legend = [(safe_text(name), _COLOURS[i % 2]) for i, name in enumerate(chart.series)]
    desc = "; ".join(f"{safe_text(b.label)}: " + ", ".join(
        f"{safe_text(n)} £{v:,}" for n, v in zip(chart.series, b.values, strict=False))
        for b in chart.bars) or "No figures."
    return {"title": safe_text(chart.title), "desc": desc, "width": WIDTH,
            "height": max(y, 20), "bars": bars, "legend": legend if len(legend) > 1 else []}


def _summary(ret: Return) -> Table:
    """Key columns first (stream, award, spent, balance), so a phone shows them unscrolled."""
    rows: list[tuple[object, ...]] = [
        (s.stream_id, s.award, s.spent, s.balance, s.stream_name, s.funder_name, s.received,
         s.forecast, s.end_date, s.tier, s.ring_fenced,
         plain(s.basis) + (" (assumed)" if s.basis_assumed else "")) for s in ret.summary]
    rows += [(f"Subtotal, {plain(basis).lower()} basis", award, spent, balance, None, None,
              received, forecast, None, None, None, None)
             for basis, (award, received, spent, forecast, balance)
             in basis_subtotals(ret.summary)]
    award, received, spent, forecast, balance = _sums(ret)
    total = ["Total (each stream's basis)", award, spent, balance, None, None, received,
             forecast, None, None, None, None]
    return _table("summary", "Summary by funder and stream",
                  f"Lifetime figures to {ret.cover.period_end:%d/%m/%Y}, "
                  f"{basis_note(ret.cover)}. Money in £.",
                  ["Stream", "Award", "Spent", "Balance", "Name", "Funder", "Received",
                   "Forecast", "End date", "Tier", "Ring-fenced", "Basis"], rows,
                  total=total if ret.summary else None, cards=True)


def _sums(ret: Return) -> list[Decimal]:
    fields = ("award", "received", "spent", "forecast", "balance")
    return [sum((getattr(s, f) for s in ret.summary), Decimal("0.00")) for f in fields]


def _gaps(ret: Return) -> Table:
    rows = [(g.funder_id, g.stream_id, measure_name(g.measure), plain(g.state), plain(g.basis),
             g.reason, g.amount) for g in ret.basis_gaps]
    return _table("bases", "Amounts on other bases", "Not added to the return's totals.",
                  ["Funder", "Stream", "Measure", "State", "Basis", "Why not counted",
                   "Amount"], rows)


def _finance(ret: Return) -> Table:
    rows = [(f.stream_id, f.tier, f.year, f.quarter, measure_name(f.measure), plain(f.basis),
             f.category, cap_rev_name(f.cap_rev), f.actual, f.forecast) for f in ret.finance]
    return _table("finance", "Finance by category", "At each stream's reporting tier.",
                  ["Stream", "Tier", "Year", "Quarter", "Measure", "Basis", "Category",
                   "Cap/rev", "Actual", "Forecast"], rows)


def _entries(ret: Return) -> Table | None:
    if not ret.entries:
        return None
    rows = [(e.stream_id, e.date, e.period_label, e.description, e.funder_category, e.category,
             cap_rev_name(e.cap_rev), e.amount, e.sheet, e.cell) for e in ret.entries]
    return _table("transactions", "Transactions (Tier 3)", None,
                  ["Stream", "Date", "Period", "Description", "Funder category", "Category",
                   "Cap/rev", "Amount", "Sheet", "Cell"], rows)


def _outputs(ret: Return) -> Table:
    rows = [(o.stream_id, o.year, o.quarter, o.indicator_name, plain(o.unit),
             plain(o.value_type), o.value, plain(o.combined_by)) for o in ret.outputs]
    return _table("outputs", "Outputs and outcomes", "Cumulative indicators: latest value.",
                  ["Stream", "Year", "Quarter", "Indicator", "Unit", "Type", "Value",
                   "Combined by"], rows)


def _funder(ret: Return) -> Table | None:
    ctx = ret.funder_context
    if ctx is None:
        return None
    rows = [(c.condition, c.funder, c.others) for c in ctx.conditions]
    return _table("funder", "Conditions compared", None,
                  ["Condition", ctx.funder_name, "Other funders"], rows)


def _reconciliation(ret: Return) -> Table:
    rows = [(r.file, r.adapter_id, r.funder_period, r.file_total, r.return_total, r.difference)
            for r in ret.reconciliation]
    return _table("reconciliation", "Reconciliation", "Every difference must be 0.00.",
                  ["File", "Adapter", "Period", "In file", "In return", "Difference"], rows)


def _issues(ret: Return) -> Table:
    rows = [(plain(i.severity), i.code, i.location, i.message, i.hint) for i in ret.issues]
    return _table("issues", "Open issues", None,
                  ["Severity", "Code", "Where", "Problem", "What to do"], rows)


def _data(ret: Return) -> Table:
    rows = [[getattr(row, name) for name in DATA_COLUMNS] for row in ret.data[:MAX_ROWS]]
    table = _table("data", "Data", "One figure per row, with the codes a machine reads "
                   "(the same columns as the csv output).", list(DATA_COLUMNS), rows,
                   count=len(ret.data))
    return replace(table, folded=True)


_SECTIONS: tuple[Callable[[Return], Table | list[Table] | None], ...] = (
    _funder, _summary, _gaps, _finance, _entries, _outputs, _analysis, _reconciliation,
    _issues, _data,
)
