"""The HTML page reads on a phone and in print (issue 13, item 2).

Charts sit under the tables they picture, before the long Data table (which is folded away);
chart text is a readable size and names are shown whole; the Summary's key money columns come
first and turn into cards on a narrow screen; ids never break; the page shows words, not codes.
"""

from __future__ import annotations

import html
import re
from typing import Any

from fundflow.mapping.reference import Reference
from fundflow.returns import analysis_hook
from fundflow.returns.html import render_html
from fundflow.returns.html_analysis import LABEL, WIDTH
from tests.test_return import built, ledger, reference  # noqa: F401  (fixtures)
from tests.test_return_layout import CODE_WORD

_CELL = re.compile(r'<td class="([^"]*)"[^>]*>([^<]*)</td>')


def _page(con: Any, reference: Reference, **kwargs: Any) -> str:  # noqa: F811
    return render_html(built(con, reference, year="2025-26", **kwargs))


def _section(page: str, anchor: str) -> str:
    found = re.search(rf'<section id="{anchor}".*?</section>', page, re.S)
    assert found, anchor
    return found.group()


def test_charts_sit_under_their_tables_before_the_data(ledger: Any,  # noqa: F811
                                                       reference: Reference) -> None:  # noqa: F811
    page = _page(ledger, reference)
    data = page.index('<section id="data"')
    svgs = [m.start() for m in re.finditer(r"<svg\b", page)]
    assert len(svgs) == 6 and all(at < data for at in svgs)
    assert _section(page, "finance").count("<svg") == 2
    assert _section(page, "ring-fencing").count("<svg") == 1
    assert '<details class="folded">' in _section(page, "data")
    assert len(set(re.findall(r'<title id="(chart-\d+-t)">', page))) == 6


def test_chart_text_is_readable_and_names_whole(ledger: Any,  # noqa: F811
                                                reference: Reference) -> None:  # noqa: F811
    page = _page(ledger, reference)
    size = re.search(r"svg text \{ font-size: (\d+)px", page)
    assert size and int(size.group(1)) >= 13
    width = re.search(r"figure \{[^}]*max-width: (\d+)rem", page)
    assert width and int(width.group(1)) * 16 >= WIDTH  # drawn at least 1:1 on a desktop
    assert all(f'viewBox="0 0 {WIDTH} ' in svg for svg in re.findall(r"<svg[^>]*>", page))
    labels = re.findall(r'<text x="0" y="\d+"><title>([^<]*)</title>([^<]*)</text>', page)
    assert labels
    for full, shown in labels:
        assert shown == full or (len(full) > LABEL and shown.endswith("…")), (full, shown)
    assert "Department One" in [html.unescape(full) for full, _ in labels]


def test_summary_key_columns_first_and_cards_on_a_phone(ledger: Any,  # noqa: F811
                                                        reference: Reference) -> None:  # noqa: F811
    summary = _section(_page(ledger, reference), "summary")
    heads = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', summary)
    assert heads[:4] == ["Stream", "Award", "Spent", "Balance"]
    assert '<table class="cards">' in summary
    assert 'data-label="Balance"' in summary
    assert re.search(r"@media \(max-width: 40rem\).*table\.cards td::before", _page(
        ledger, reference), re.S)


def test_ids_never_break(ledger: Any, reference: Reference) -> None:  # noqa: F811
    page = _page(ledger, reference)
    ids = [(css, text) for css, text in _CELL.findall(page) if re.fullmatch(r"[SF]-[A-Z0-9-]+",
                                                                           text)]
    assert ids and all("nw" in css.split() for css, _ in ids), ids[:5]
    assert "td.nw { white-space: nowrap; }" in page


def test_page_shows_words_not_codes(ledger: Any, reference: Reference,  # noqa: F811
                                    monkeypatch: Any) -> None:
    for analysed in (True, False):
        if not analysed:
            monkeypatch.setattr(analysis_hook, "_headline_function", lambda: None)
        for funder in (None, "F-2"):
            page = _page(ledger, reference, funder=funder)
            shown = page[:page.index('<section id="data"')]
            words = [html.unescape(text) for _, text in _CELL.findall(shown)]
            found = [w for w in words if CODE_WORD.match(w) or w in ("None", "True", "False")]
            assert found == [], (funder, analysed, found[:10])
