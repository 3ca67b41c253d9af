"""The one safe-text function every writer uses for text that came from data.

Funder names, category labels and issue messages come from other people's spreadsheets. Text
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula when a
spreadsheet opens the file (CSV and xlsx alike: research/relsec.md F7, T45, T46; OWASP ASVS
1.2.10), and so are the full-width and small forms of those characters that Excel folds to
ASCII. `safe_text` prefixes such text with an apostrophe, so it shows as typed and never runs.
Text already starting with an apostrophe gets one more, which makes the change reversible:
`restore_text(safe_text(x)) == x` for any text without XML-illegal characters or CR.

Money, counts and dates are never passed through here: they are written as typed numbers, so
`-500.00` stays a number (T46).
"""

from __future__ import annotations

import re

TRIGGERS = frozenset(
    "=+-@\t\r\n"
    "\uff1d\uff0b\uff0d\uff20"  # full-width ＝ ＋ － ＠
    "\ufe66\ufe62\ufe63\ufe6b"  # small forms ﹦ ﹢ ﹣ ﹫
)
"""First characters that make a spreadsheet treat a cell as a formula."""

QUOTE = "'"
MAX_CELL = 32_767
"""Excel's limit on a cell's text, in UTF-16 units (a character past U+FFFF takes two):
longer text makes Excel offer to repair the file."""

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LEADING_SPACE = " \u00a0\u3000"


def safe_text(value: object) -> str:
    """Text fit for any output cell: formula triggers neutralised, XML-illegal characters
    replaced by U+FFFD, line ends as LF (XML readers turn a bare CR into LF anyway), and at
    most Excel's 32,767 UTF-16 units (cut with an ellipsis). Counted in characters, text of
    emoji could pass Excel's limit, and text xlsxwriter reads as rich-text markup was then
    left out of the workbook altogether (it refuses it, with a warning only)."""
    text = "" if value is None else str(value)
    text = _ILLEGAL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    if needs_quote(text):
        text = QUOTE + text
    if len(text) > MAX_CELL // 2 and _units(text) > MAX_CELL:  # shorter always fits
        text = _cut(text, MAX_CELL - 1) + "…"
    return text


def _units(text: str) -> int:
    """The text's length in UTF-16 units, as Excel counts it."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    """The longest start of the text that takes at most `units` UTF-16 units."""
    taken = 0
    for i, char in enumerate(text):
        taken += 2 if ord(char) > 0xFFFF else 1
        if taken > units:
            return text[:i]
    return text


def needs_quote(text: str) -> bool:
    """True when the text (or its first character after leading spaces) would start a
    formula, or already starts with the apostrophe that marks neutralised text."""
    if not text:
        return False
    first = text.lstrip(_LEADING_SPACE)[:1] or text[0]
    return text[0] in TRIGGERS or text[0] == QUOTE or first in TRIGGERS


def restore_text(text: str) -> str:
    """Undo `safe_text`'s apostrophe (for readers of our own outputs, such as `collect`)."""
    return text[1:] if text.startswith(QUOTE) else text
