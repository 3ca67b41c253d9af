"""Period columns: headers that name a month, quarter, half or year, turned into an unpivot.

A wide table spreads one line over many period columns (`Apr-25` ... `Mar-26`, `Q1`..`Q4`,
`Financial Year 2025/26 (£s) > H1 (Apr-Sep) > Actual`). The draft reads them with one
pattern whose named groups carry the period (and the state, Actual or Forecast, when the
header says it). The pattern is generalised (digits and month names become classes) so that
next year's file still matches, and it is checked against this file's headers: it must take
every period column and no other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from fundflow.ingest.specs.regions import PATH_SEPARATOR
from fundflow.ingest.suggest.cells import best_convention, period_of, split_state
from fundflow.ingest.suggest.roles import Column

_MONTH_WORD = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|"
    r"june|july|august|september|october|november|december)$", re.IGNORECASE)
_STATE_SEP = r"(?:,\s*|\s*>\s*|\s+)"
_TOTAL_WORD = re.compile(r"\b(?:sub-?)?totals?\b", re.IGNORECASE)


@dataclass(frozen=True)
class WidePlan:
    """How to unpivot: the pattern, the period field's source and what was left out."""

    pattern: str
    columns: list[int]
    period: dict[str, str]  # `{header: period}` or `{template: ...}`
    states: list[str]  # state words the headers carry (empty: none)
    convention: str
    left_out: list[str] = field(default_factory=list)
    by: str = "period"  # what the headers name: a period, a measure or a part of the money
    lookup: dict[str, str] = field(default_factory=dict)  # header -> measure (by measure)


def period_text(path: str) -> tuple[str, list[str], str | None]:
    """A header path as a period label (finest part first), its parts and its state word."""
    rest, state = split_state(path)
    parts = [p for p in rest.split(PATH_SEPARATOR) if p]
    return " ".join(reversed(parts)), parts, state


def plan_wide(columns: list[Column]) -> WidePlan | None:
    """An unpivot over the period columns, when at least two headers name periods."""
    candidates = [c for c in columns if c.path and (c.numbers >= 0.5 or not c.values)
                  and not _TOTAL_WORD.search(c.path)]  # 'FY 2024/25 > TOTAL' sums the halves
    labels = [period_text(c.path)[0] for c in candidates]
    convention, count = best_convention(labels)
    if count < 2:
        return None
    chosen = [c for c, label in zip(candidates, labels, strict=True) if _closed(label, convention)]
    shapes = Counter(len(period_text(c.path)[1]) for c in chosen)
    depth = shapes.most_common(1)[0][0]
    chosen = [c for c in chosen if len(period_text(c.path)[1]) == depth]
    pattern = _pattern(chosen, depth)
    rx = re.compile(pattern, re.IGNORECASE)
    others = [c for c in columns if c not in chosen]
    if any(rx.search(c.path) for c in others) or not all(rx.search(c.path) for c in chosen):
        pattern = _exact(chosen, depth)
    states = sorted({s for c in chosen if (s := period_text(c.path)[2])})
    if depth == 1:
        period = {"header": "period"}
    else:
        period = {"template": " ".join(f"{{p{i}}}" for i in range(depth, 0, -1))}
    left_out = [c.path for c in others if c.numbers >= 0.5]
    return WidePlan(pattern, [c.col for c in chosen], period, states, convention, left_out)


def _closed(label: str, convention: str) -> bool:
    p = period_of(label, convention)
    return p is not None and p.start is not None and p.end is not None


def generalise(text: str) -> str:
    """A regular expression for texts like this one: digits and month names as classes."""
    out = []
    for token in re.split(r"(\d+|[A-Za-z]+)", text):
        if not token:
            continue
        if token.isdigit():
            out.append(r"\d+")
        elif _MONTH_WORD.match(token):
            out.append("[A-Za-z]{3,9}")
        else:
            out.append(re.escape(token).replace("\\ ", " "))
    return "".join(out)


def _groups(parts_per_col: list[list[str]], depth: int, *, exact: bool) -> str:
    names = ["period"] if depth == 1 else [f"p{i}" for i in range(1, depth + 1)]
    pieces = []
    for i, name in enumerate(names):
        texts = [parts[i] for parts in parts_per_col]
        forms = list(dict.fromkeys(re.escape(t) if exact else generalise(t) for t in texts))
        body = forms[0] if len(forms) == 1 else "(?:" + "|".join(forms) + ")"
        pieces.append(f"(?P<{name}>{body})")
    return re.escape(PATH_SEPARATOR).replace("\\ ", " ").join(pieces)


def _pattern(chosen: list[Column], depth: int, *, exact: bool = False) -> str:
    parts = [period_text(c.path)[1] for c in chosen]
    states = [period_text(c.path)[2] for c in chosen]
    body = _groups(parts, depth, exact=exact)
    words = sorted({s for s in states if s})
    if not words:
        return f"^{body}$"
    state = f"{_STATE_SEP}(?P<state>{'|'.join(re.escape(w) for w in words)})"
    if all(states):
        return f"^{body}{state}$"
    return f"^{body}(?:{state})?$"


def _exact(chosen: list[Column], depth: int) -> str:
    return _pattern(chosen, depth, exact=True)


DERIVED = re.compile(r"\b(?:(?:sub-?)?totals?|to date|cumulative|remaining|variances?|difference|"
                     r"balances?|net|vat|gross|full cost|percent(?:age)?|rates?)\b|%",
                     re.IGNORECASE)
OTHER_TIME = re.compile(r"\b(?:next|previous|last|prior)\b", re.IGNORECASE)
_SPAN = re.compile(r"\b(year|annual|quarter|month|half|week|fortnight)", re.IGNORECASE)
_PART = re.compile(r"^(?P<head>.+?)\s*(?:-|:|–)\s*(?P<part>.+)$")


def plan_values(money: list[Column], measure_of: Callable[[str], str | None],
                score_of: Callable[[Column], int]) -> WidePlan | None:
    """An unpivot over money columns that are each a share of the figures, not a sum of others.

    Two kinds are common: one column per measure ('Budget this year £', 'Actual spend this
    year £': each header names a different measure) and one column per part of the same money
    ('Spend - ICB share £', 'Spend - LA share £'). Totals, variances, cumulative and VAT
    columns are sums or differences of the others and are left out, and so are figures for
    another time ('Forecast next quarter £', 'Budget for year £' beside 'Spent this quarter £'):
    the return's period would be wrong for them.
    """
    plain = [c for c in money if c.path and not DERIVED.search(_words(c.path))]
    measures = {c.path: measure_of(c.path) for c in plain}
    named = [c for c in plain if measures[c.path] and not OTHER_TIME.search(c.path)]
    spans = {_span(c.path) for c in named} - {None}
    if len(spans) > 1:  # 'Budget for year' beside 'Spent this quarter': not the same period
        first = sorted(named, key=lambda c: -score_of(c))[0]
        named = [c for c in named if _span(c.path) in (None, _span(first.path))]
    named = _best_per_measure(named, measures, score_of)
    if len(named) >= 2:
        lookup = {c.path: str(measures[c.path]) for c in named}
        return _values_plan(named, "measure", lookup)
    heads: dict[str, list[Column]] = {}
    for c in plain:
        if (m := _PART.match(c.path)) is not None:
            heads.setdefault(m.group("head").casefold(), []).append(c)
    parts = max(heads.values(), key=len, default=[])
    if len(parts) >= 2:
        return _values_plan(parts, "part", {})
    return None


def _words(header: str) -> str:
    """A header with underscores as spaces, so that whole-word rules see 'net_spend' as two
    words and a run-together 'obligationsincurredtotal' as one (not a total)."""
    return header.replace("_", " ")


def _best_per_measure(named: list[Column], measures: dict[str, str | None],
                      score_of: Callable[[Column], int]) -> list[Column]:
    """One column per measure, the one whose header reads most like the figure itself (a
    statement of account has several budget lines: appropriated, adjusted, brought forward).
    With a single measure there is nothing to unpivot: the long table's amount is chosen."""
    best: dict[str, Column] = {}
    for c in sorted(named, key=lambda c: (-score_of(c), c.col)):
        best.setdefault(str(measures[c.path]), c)
    kept = sorted(best.values(), key=lambda c: c.col)
    return kept if len(kept) >= 2 else []


def _span(header: str) -> str | None:
    m = _SPAN.search(header)
    return None if m is None else m.group(1).casefold().replace("annual", "year")


def _values_plan(columns: list[Column], by: str, lookup: dict[str, str]) -> WidePlan:
    names = "|".join(re.escape(c.path).replace("\\ ", " ").replace("\\-", "-") for c in columns)
    return WidePlan(f"^(?P<column>{names})$", [c.col for c in columns], {}, [], "UK_FY",
                    by=by, lookup=lookup)
