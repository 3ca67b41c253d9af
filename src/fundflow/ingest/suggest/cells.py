"""What one cell's text looks like: empty, a number, money, a date or words.

The readers give every cell as text, so drafting a spec starts by guessing, cell by cell,
what kind of value a text is. These guesses are only ever used to *propose* a layout; the
draft still names a real parser for every field, and `fundflow validate` has the last word.
"""

from __future__ import annotations

import re
from enum import StrEnum

from fundflow.mapping.periods import Period, parse_period


class Kind(StrEnum):
    """The kind of one cell's text."""

    EMPTY = "empty"
    NUMBER = "number"
    DATE = "date"
    TEXT = "text"


_NUMBER = re.compile(r"^\(?[-+]?\s*£?\s*[-+]?\d[\d,]*(?:\.\d+)?\)?-?$")
_MONEY_MARK = re.compile(r"£|^\(.*\)$|\.\d{2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2})?$")
_UK_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$")
_WORD_DATE = re.compile(
    r"^\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"\s+\d{4}$", re.IGNORECASE)
_UNITS = (
    (re.compile(r"£\s*(?:000s?|'000s?|k\b|thousands)|\(£000s?\)|£000", re.IGNORECASE), "£000s"),
    (re.compile(r"£\s*m\b|£\s*millions?|\(£m\)", re.IGNORECASE), "£m"),
)
_STATE = re.compile(
    r"(?:^|[\s,>]+)(?P<state>actuals?|forecasts?|outturn|budget|plan(?:ned)?|profile)\s*$",
    re.IGNORECASE)
_CONVENTIONS = ("UK_FY", "CALENDAR")


def kind_of(text: str | None) -> Kind:
    """The kind of a cell's text (dates include ISO date cells, UK dates and word dates)."""
    if text is None or not text.strip():
        return Kind.EMPTY
    t = text.strip()
    if _ISO_DATE.match(t) or _UK_DATE.match(t) or _WORD_DATE.match(t):
        return Kind.DATE
    if _NUMBER.match(t):
        return Kind.NUMBER
    return Kind.TEXT


def is_money_text(text: str) -> bool:
    """True for number texts that carry a money mark: £, brackets or exactly two decimals."""
    return kind_of(text) is Kind.NUMBER and bool(_MONEY_MARK.search(text.strip()))


def unit_in(text: str | None) -> str | None:
    """`£000s` or `£m` when a title or header cell declares the figures are scaled."""
    if not text:
        return None
    for rx, unit in _UNITS:
        if rx.search(text):
            return unit
    return None


def split_state(text: str) -> tuple[str, str | None]:
    """A header without its trailing state word ('..., Actual' -> ('...', 'Actual'))."""
    m = _STATE.search(text)
    if m is None or m.start() == 0:
        return text, None
    return text[: m.start()].strip(" ,>"), m.group("state")


def period_of(label: str, convention: str) -> Period | None:
    """The period a header label names under a year convention, or None."""
    result = parse_period(label, convention)
    return result if isinstance(result, Period) else None


def best_convention(labels: list[str]) -> tuple[str, int]:
    """The year convention under which most labels read as closed periods, and how many."""
    best = ("UK_FY", -1)
    for convention in _CONVENTIONS:
        count = 0
        for label in labels:
            p = period_of(label, convention)
            count += p is not None and p.start is not None and p.end is not None
        if count > best[1]:
            best = (convention, count)
    return best
