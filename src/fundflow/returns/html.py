"""The return as one self-contained HTML page, readable on a phone.

jinja2 with autoescape on for every template, every attribute quoted in the template, a
Content-Security-Policy that allows no script, no fetch and no external asset, and no data in
URLs, scripts or styles (relsec.md T47). Text from data also goes through `safe_text`, like
every other output, so a label that would be a formula in Excel stays inert when copied.
Charts are inline SVG bars whose sizes are computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fundflow.returns.charts import Chart, charts
from fundflow.returns.html_analysis import (
    Spec,
    burden_specs,
    horizon_specs,
    ring_fencing_specs,
    svg_chart,
)
from fundflow.returns.model import DATA_COLUMNS, Return, basis_note, basis_subtotals
from fundflow.returns.safe import safe_text

MAX_ROWS = 1_000
"""Longest table shown in the page; the full figures are in the xlsx, csv and json outputs."""
_COLOURS = ("#1f3864", "#8faadc")


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


def render_html(ret: Return) -> str:
    """The page as text."""
    template = _environment().get_template("return.html.j2")
    return template.render(
        title=safe_text(ret.cover.title), facts=_facts(ret), sign_off=_sign_off(ret),
        tables=_tables(ret),
        charts=[*(_svg(c) for c in charts(ret)), *(svg_chart(c) for c in ret.analysis.charts)],
        content_hash=safe_text(ret.cover.content_hash),
    )


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
    return Cell(text, css)


def _table(anchor: str, title: str, note: str | None, headers: Sequence[str],
           rows: Sequence[Sequence[Any]], *, total: Sequence[Any] | None = None,
           count: int | None = None) -> Table:
    count = len(rows) if count is None else count
    shown = [[_text(v) for v in row] for row in rows[:MAX_ROWS]]
    numeric = [bool(rows) and isinstance(rows[0][i], Decimal | int) and
               not isinstance(rows[0][i], bool) for i in range(len(headers))]
    heads = [Cell(safe_text(h), "num" if n else "") for h, n in zip(headers, numeric, strict=True)]
    more = (f"Showing the first {MAX_ROWS:,} of {count:,} rows; every row is in the xlsx, "
            "csv and json outputs.") if count > MAX_ROWS else None
    return Table(anchor, title, safe_text(note) if note else None, heads, shown,
                 [_text(v) for v in total] if total else None, more)


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
    """Bar geometry in whole pixels: label column, then bars scaled to the largest value."""
    left, span, height, gap = 120, 320, 14, 8
    peak = chart.peak()
    bars, y = [], 0
    for bar in chart.bars:
        pieces = []
        for i, value in enumerate(bar.values):
            width = int(abs(value) * span / peak)
            pieces.append({"x": left, "y": y + i * height, "height": height - 2,
                           "width": width, "text_x": left + width + 4,
                           "colour": _COLOURS[i % 2], "text": f"{value:,}",
                           "title": f"{safe_text(chart.series[i])}: £{value:,}"})
        bars.append({"label": safe_text(bar.label)[:18], "full": safe_text(bar.label), "y": y,
                     "pieces": pieces})
        y += len(bar.values) * height + gap
    legend = [(safe_text(name), _COLOURS[i % 2]) for i, name in enumerate(chart.series)]
    desc = "; ".join(f"{safe_text(b.label)}: " + ", ".join(
        f"{safe_text(n)} £{v:,}" for n, v in zip(chart.series, b.values, strict=False))
        for b in chart.bars) or "No figures."
    return {"title": safe_text(chart.title), "desc": desc, "width": left + span + 90,
            "height": max(y, 20), "left": left, "bars": bars, "legend": legend}


def _summary(ret: Return) -> Table:
    rows: list[tuple[object, ...]] = [
        (s.funder_name, s.stream_id, s.stream_name, s.tier, s.ring_fenced,
         f"{s.basis} (assumed)" if s.basis_assumed else s.basis, s.award, s.received, s.spent,
         s.forecast, s.balance, s.end_date) for s in ret.summary]
    rows += [(f"Subtotal, {basis} basis", None, None, None, None, None, *sums, None)
             for basis, sums in basis_subtotals(ret.summary)]
    total = ["Total (each stream's basis)", None, None, None, None, None, *_sums(ret), None]
    return _table("summary", "Summary by funder and stream",
                  f"Lifetime figures to {ret.cover.period_end:%d/%m/%Y}, "
                  f"{basis_note(ret.cover)}.",
                  ["Funder", "Stream", "Name", "Tier", "Ring-fenced", "Basis", "Award",
                   "Received", "Spent", "Forecast", "Balance", "End date"], rows,
                  total=total if ret.summary else None)


def _sums(ret: Return) -> list[Decimal]:
    fields = ("award", "received", "spent", "forecast", "balance")
    return [sum((getattr(s, f) for s in ret.summary), Decimal("0.00")) for f in fields]


def _gaps(ret: Return) -> Table:
    rows = [(g.funder_id, g.stream_id, g.measure, g.state, g.basis, g.reason, g.amount)
            for g in ret.basis_gaps]
    return _table("bases", "Amounts on other bases", "Not added to the return's totals.",
                  ["Funder", "Stream", "Measure", "State", "Basis", "Why not counted",
                   "Amount"], rows)


def _finance(ret: Return) -> Table:
    rows = [(f.stream_id, f.tier, f.year, f.quarter, f.measure, f.basis, f.category, f.cap_rev,
             f.actual, f.forecast) for f in ret.finance]
    return _table("finance", "Finance by category", "At each stream's reporting tier.",
                  ["Stream", "Tier", "Year", "Quarter", "Measure", "Basis", "Category",
                   "Cap/rev", "Actual", "Forecast"], rows)


def _entries(ret: Return) -> Table | None:
    if not ret.entries:
        return None
    rows = [(e.stream_id, e.date, e.period_label, e.description, e.funder_category, e.category,
             e.cap_rev, e.amount, e.sheet, e.cell) for e in ret.entries]
    return _table("transactions", "Transactions (Tier 3)", None,
                  ["Stream", "Date", "Period", "Description", "Funder category", "Category",
                   "Cap/rev", "Amount", "Sheet", "Cell"], rows)


def _outputs(ret: Return) -> Table:
    rows = [(o.stream_id, o.year, o.quarter, o.indicator_name, o.unit, o.value_type, o.value,
             o.combined_by) for o in ret.outputs]
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
    rows = [(i.severity, i.code, i.location, i.message, i.hint) for i in ret.issues]
    return _table("issues", "Open issues", None,
                  ["Severity", "Code", "Where", "Problem", "What to do"], rows)


def _data(ret: Return) -> Table:
    rows = [[getattr(row, name) for name in DATA_COLUMNS] for row in ret.data[:MAX_ROWS]]
    return _table("data", "Data", "One figure per row.", list(DATA_COLUMNS), rows,
                  count=len(ret.data))


_SECTIONS: tuple[Callable[[Return], Table | list[Table] | None], ...] = (
    _funder, _summary, _gaps, _finance, _entries, _outputs, _analysis, _reconciliation,
    _issues, _data,
)
