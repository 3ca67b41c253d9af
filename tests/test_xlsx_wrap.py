"""The wrapped-text height estimate (`xlsx_kit._lines`), remembered per text and width, is the
estimate worked out afresh: row heights, and so the workbooks, do not depend on the cache."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.returns import xlsx_kit


def _fresh(value: Any, width: float) -> int:
    """`_lines` as it was before it was remembered (its own copy): every paragraph, every
    word, every letter measured anew."""
    if not isinstance(value, str) or not value:
        return 1
    capacity = max(width - 1.0, 4.0)
    total = 0
    for text in value.split("\n"):
        lines, used = 1, 0.0
        for word in text.split():
            size = sum(1.3 if ch.isupper() else 1.0 for ch in word)
            if used and used + 1 + size <= capacity:
                used += 1 + size
                continue
            if used:
                lines += 1
            lines += max(0, math.ceil(size / capacity) - 1)
            used = size - (math.ceil(size / capacity) - 1) * capacity
        total += lines
    return total


_PIECES = st.sampled_from([
    " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u2028", "Invoice", "CCTV", "a", "I",
    "S-DHS-A", "CAP.WORKS", "Construction and refurbishment", "Transactions!E21845", "É",
    "ǅ", "ß", "İ", "ϒ", "Ⓐ", "𝐀", "日本語", "😀", "x" * 45, "W" * 70, "supercalifragilistic",
])
_TEXTS = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=30)
                   .map("".join))
_WIDTHS = st.one_of(st.integers(min_value=-5, max_value=250),
                    st.floats(min_value=-5, max_value=250, allow_nan=False),
                    st.sampled_from([5.0, 8, 10.5, 15.0, 30, 40.0, 60, math.inf]))


@settings(max_examples=500)
@given(text=_TEXTS, width=_WIDTHS)
def test_the_remembered_line_count_is_the_count_worked_out_afresh(text: str,
                                                                  width: float) -> None:
    expected = _fresh(text, width)
    assert xlsx_kit._lines(text, width) == expected  # maybe remembered from an earlier case
    xlsx_kit._text_lines.cache_clear()
    assert xlsx_kit._lines(text, width) == expected  # worked out now
    assert xlsx_kit._lines(text, width) == expected  # remembered
    assert xlsx_kit._lines(text, float(width)) == expected  # 15 and 15.0 share an entry


@given(value=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.decimals(allow_nan=False), st.dates(), st.datetimes(),
                       st.just(""), st.tuples(st.text())),
       width=_WIDTHS)
def test_a_value_that_is_not_text_is_one_line_as_before(value: Any, width: float) -> None:
    assert xlsx_kit._lines(value, width) == _fresh(value, width) == 1


def test_the_cache_is_bounded_and_never_holds_what_is_not_text() -> None:
    xlsx_kit._text_lines.cache_clear()
    for value in (None, 12, Decimal("1.50"), date(2025, 4, 1), datetime(2025, 4, 1), "",
                  ["a list", "unhashable"]):
        assert xlsx_kit._lines(value, 15) == 1
    info = xlsx_kit._text_lines.cache_info()
    assert info.currsize == 0
    assert info.maxsize == 65_536
