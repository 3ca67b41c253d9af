"""Streaming scanners the guard runs over sheet XML, shared strings and ODS content.

They see the inflated bytes in 4 MB steps, cut at row boundaries, and keep only counters and the
few flagged cells, so memory stays flat whatever the file holds. A full XML parse of a 1M-row
sheet costs more than reading it with calamine, so the common case (every cell and row carries
`r=`, no formulas, no error values) is measured with byte counts, the rows' numbers and a
search for cells that name a column or row beyond those known, to the same range as the walk
(tests/test_guard_scan.py); any step that holds formulas, error cells, cells without `r=` or
namespace prefixes is walked cell by cell, which also gives those cells their exact position.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

from fundflow.ingest.guard import GuardReport, Limits, Refused, SheetScan
from fundflow.issues import make_issue

MAX_PENDING = 32 * 1024 * 1024  # an element longer than this is refused, never buffered

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
_ROOT_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_R = re.compile(rb'<row r="(\d+)"')
_TOKEN = re.compile(rb"<(/?)(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"\$?([A-Z]{1,7})\$?([1-9][0-9]{0,11})$")
_EMPTY_CELL = re.compile(rb"<c [^>]*/>")
_EMPTY_ROW = re.compile(rb"<row [^>]*/>|<row [^>]*></row>")
_ATTR_R = re.compile(rb'\br="([^"]*)"')
_ATTR_T = re.compile(rb'\bt="([^"]*)"')
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</")
_TEXT_TAIL = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)$")
_ODS_TOKEN = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS_REP = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_COLS_REP = re.compile(rb'table:number-columns-repeated="(\d+)"')
_ODS_TEXT = re.compile(rb"<text:p>([^<]*)")
# Cells `_new_cells` finds one search each before one `findall` takes the rest.
_MAX_SEARCHES = 32
# Error cells flagged per sheet at most: each is an error, so the first already stops an import.
_MAX_ODS_FLAGS = 10_000


def _too_long(name: str, what: str, found: int, limits: Limits) -> Refused:
    """Refusal for text longer than a cell may hold."""
    return Refused(
        make_issue(
            "limit-exceeded",
            file=name,
            what=what,
            found=f"{found:,} characters",
            limit=f"{limits.max_string_chars:,} characters",
            option="--max-string-chars",
        )
    )


def _cell(ref: bytes) -> tuple[int, int] | None:
    """A cell reference as 0-based (row, col), or None when it is not one.

    Unlike `grid.parse_cell_ref` this accepts references beyond Excel's grid (XFE1, AAAA1,
    A99999999), because a hostile file uses exactly those and the guard must see them.
    """
    m = _REF.match(ref)
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ch - 64
    return int(m.group(2)) - 1, col - 1


def _text_chars(raw: bytes) -> int:
    """Characters in an XML text run once entities are decoded."""
    return len(unescape(raw.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}))


def _strip_tags(raw: bytes) -> bytes:
    """The text of an XML fragment without its tags, in one linear pass (a regex such as
    `<[^>]*>` is quadratic on a hostile run of `<` with no `>`)."""
    first, *rest = raw.split(b"<")
    return first + b"".join(p[p.find(b">") + 1:] for p in rest if b">" in p)


def _number_range(numbers: list[bytes]) -> tuple[int, int]:
    """Smallest and largest of some decimal numbers, converting two of them rather than all:
    digit strings of one length order as their values do (a step's rows mostly share one)."""
    if min(map(len, numbers)) == max(map(len, numbers)):
        return int(min(numbers)), int(max(numbers))
    values = list(map(int, numbers))
    return min(values), max(values)


def _new_cells(buf: bytes, top: int, digits: int) -> tuple[set[bytes], set[bytes]]:
    """The columns past single letter `top` (0-based) and the rows of more than `digits`
    digits that the step's cells name, each distinct column once.

    `digits` is the length of the step's largest row number (at most 6), so a cell that
    names a row further down than any row of the step holds (as a hostile file's does) is
    seen wherever it hides, and a row past 999,999 always is. Each search looks for a cell
    that says something new: a column further right than the ones known, or such a row. It
    begins where the last one ended, and what it found joins what the next one skips, so a
    step is read about once whatever its number of cells (`findall` would return each of a
    wide sheet's AA, AB, ... cells). After `_MAX_SEARCHES` finds (a sheet hundreds of
    columns wide, or one whose cells disagree with their rows) one `findall` takes the rest.
    """
    columns: set[bytes] = set()
    rows: set[bytes] = set()
    pattern = _far_cell(columns, top, digits)
    start = 0
    for _ in range(_MAX_SEARCHES):
        m = pattern.search(buf, start)
        if m is None:
            return columns, rows
        letters, number = m.groups()
        if len(number) > digits:
            rows.add(number)
        if len(letters) > 1 or letters[0] - 65 > top:
            columns.add(letters)
            top = max(top, letters[0] - 65) if len(letters) == 1 else top
            pattern = _far_cell(columns, top, digits)
        start = m.end()
    for letters, number in pattern.findall(buf, start):
        columns.add(letters)
        if len(number) > digits:
            rows.add(number)
    return columns, rows


def _lowest_letter(buf: bytes, below: int) -> int | None:
    """The lowest single-letter column (0-based) under `below` that a cell of `buf` names.

    Each search asks for a letter under the lowest found so far, from where the last one
    ended (the cells before it name none lower), so there are at most 26 and they read the
    step about once."""
    lowest = None
    start = 0
    while below > 0:
        letters = rb"[A-" + bytes([64 + min(below, 26)]) + rb"]"
        m = re.compile(rb'<c r="(' + letters + rb")[0-9]").search(buf, start)
        if m is None:
            break
        lowest = below = m.group(1)[0] - 65
        start = m.end()
    return lowest


def _far_cell(columns: set[bytes], top: int, digits: int) -> re.Pattern[bytes]:
    """A cell whose column is neither a single letter up to `top` (0-based; none when
    negative) nor one of the wide `columns` (letters only, so safe in a pattern), or whose
    row has more than `digits` digits; a fixed lookahead, so the search stays linear."""
    skip = [b"[A-" + bytes([65 + min(top, 25)]) + b"]"] if top >= 0 else []
    skip += sorted(c for c in columns if len(c) > 1)
    if not skip:
        return re.compile(rb'<c r="([A-Z]+)([0-9]+)"')
    return re.compile(
        rb'<c r="(?!(?:' + b"|".join(skip) + rb')[0-9]{1,%d}")([A-Z]+)([0-9]+)"' % digits
    )


class _Chunker:
    """Cuts a byte stream at the last `boundary`, keeping the rest for the next step."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.pending = b""

    def cut(self, chunk: bytes, final: bool, boundaries: tuple[bytes, ...]) -> bytes:
        """The complete part of what has arrived; refuses a single element over 32 MB."""
        buf = self.pending + chunk
        if final:
            self.pending = b""
            return buf
        for boundary in boundaries:
            at = buf.rfind(boundary)
            if at >= 0:
                at += len(boundary)
                self.pending = buf[at:]
                return buf[:at]
        if len(buf) > MAX_PENDING:
            raise _too_long(self.name, "the length of one XML element", len(buf), self.limits)
        self.pending = buf
        return b""


class SheetScanner:
    """Measures one worksheet part: used range, cell and row counts, flagged cells."""

    def __init__(self, sheet: SheetScan, limits: Limits, name: str) -> None:
        self.sheet = sheet
        self.limits = limits
        self.name = name
        self.chunker = _Chunker(name, limits)
        self.prefix: bytes | None = None
        self.row = -1  # current row (0-based) for cells without r=
        self.next_col = 0
        self.row_cells = 0

    def feed(self, chunk: bytes, final: bool) -> None:
        """Take the next inflated bytes of the part (`final` marks the end)."""
        if self.prefix is None:
            head = self.chunker.pending + chunk
            root = _ROOT_PREFIX.search(head[:65536])
            if root is None and not final and len(head) < 65536:
                self.chunker.pending = head
                return
            self.chunker.pending = b""
            chunk = head
            self.prefix = (root.group(1) or b"") if root else b""
            dim = _DIMENSION.search(head[:65536])
            self.sheet.declared = dim.group(1).decode("ascii", "replace") if dim else None
        p = self.prefix
        buf = self.chunker.cut(chunk, final, (b"</" + p + b"row>", b"</" + p + b"c>"))
        if buf:
            self._step(buf)

    def _step(self, buf: bytes) -> None:
        """Fast byte counts when the step is plain; a cell-by-cell walk otherwise."""
        p = self.prefix or b""
        cells = buf.count(b'<c r="')
        numbers = _ROW_R.findall(buf)  # the rows with numbers: their count, and the range
        # Closed world: when every tag is <row r=>, </row>, <c r=>, </c>, <v> or </v>, the step
        # holds no formula, inline string, blank cell or DTD, and error values (`t="e"`) are
        # the only <v> starting with '#'. Four counts and the rows' numbers instead of a parse.
        values = buf.count(b"<v>")
        plain = (
            not p
            and buf.count(b"<") == 2 * (len(numbers) + cells + values)
            and (b"#" not in buf or b"<v>#" not in buf)  # `#` alone: a memchr-speed search
        )
        if plain:
            self._fast(buf, cells, numbers)
            return
        if not p and b"<f" not in buf and b"<v>#" not in buf and b"<c>" not in buf:
            # formatted blank cells are the common exception: calamine skips them, so must the
            # range; drop them and count again
            buf = _EMPTY_ROW.sub(b"", _EMPTY_CELL.sub(b"", buf))
            numbers = _ROW_R.findall(buf)
            if buf.count(b"<c") == buf.count(b'<c r="') and buf.count(b"<row") == len(numbers):
                self._fast(buf, buf.count(b'<c r="'), numbers)
                self._check_inline_strings(buf, p)
                return
        self._walk(buf, p)
        self._check_inline_strings(buf, p)

    def _fast(self, buf: bytes, cells: int, numbers: list[bytes]) -> None:
        """Counts and ranges from `r=` refs without visiting every cell in Python; `numbers`
        are the step's row numbers, one for each of its rows."""
        sheet = self.sheet
        sheet.cells += cells
        sheet.rows += len(numbers)
        # the deepest row the step's cells may name: a step cut inside a row (at a `</c>`)
        # and holding no row of its own continues the current one
        deepest = max(self.row + 1, 1)
        if numbers:
            low, deepest = _number_range(numbers)
            sheet.see_row(low - 1)
            sheet.see_row(deepest - 1)
            self.row = int(numbers[-1]) - 1
            sheet.widest_row = max(sheet.widest_row, -(-cells // len(numbers)))
        digits = min(len(str(deepest)), 6)
        self._fast_columns(buf, digits)

    def _fast_columns(self, buf: bytes, digits: int) -> None:
        """Column range, exact: the cells at the edges of the step, every distinct column
        further right than the last so far and every row longer than `digits` (`_new_cells`),
        and single letters below the first column so far (`_lowest_letter`, which costs
        nothing once column A is seen), each looked at once in Python, not once per cell."""
        sheet = self.sheet
        for at in (buf.find(b'<c r="'), buf.rfind(b'<c r="')):
            if at >= 0:
                ref = _cell(buf[at + 6 : buf.find(b'"', at + 6)])
                if ref is not None:
                    sheet.see_col(ref[1])
        top = sheet.last_col if sheet.last_col is not None else -1
        columns, rows = _new_cells(buf, top, digits)
        for letters in columns:
            ref = _cell(letters + b"1")
            if ref is not None:
                sheet.see_col(ref[1])
        for number in rows:
            sheet.see_row(int(number) - 1)
        if sheet.first_col:
            lowest = _lowest_letter(buf, sheet.first_col)
            if lowest is not None:
                sheet.see_col(lowest)

    def _walk(self, buf: bytes, p: bytes) -> None:
        """Visit every row and cell in order: exact positions, flags, cells without `r=`."""
        close = b"</" + p + b"c>"
        for m in _TOKEN.finditer(buf):
            slash, tag, attrs = m.groups()
            if slash:
                continue
            if tag == b"row":
                self._open_row(attrs)
                continue
            empty = attrs.endswith(b"/")
            row, col = self._cell_position(attrs, valued=not empty)
            if empty:
                continue
            end = buf.find(close, m.end())
            content = buf[m.end() : end if end >= 0 else len(buf)]
            self._flag(row, col, attrs, content, p)

    def _open_row(self, attrs: bytes) -> None:
        """A new row: numbered by its `r=` or as the one after the previous row."""
        ref = _ATTR_R.search(attrs)
        self.row = int(ref.group(1)) - 1 if ref and ref.group(1).isdigit() else self.row + 1
        self.next_col = 0
        self.row_cells = 0
        self.sheet.rows += 1

    def _cell_position(self, attrs: bytes, *, valued: bool) -> tuple[int, int]:
        """Where a cell is: its `r=` when present, else next to the previous cell. Only cells
        with content count, as readers skip formatted blanks."""
        row, col = max(self.row, 0), self.next_col
        ref = _ATTR_R.search(attrs)
        found = _cell(ref.group(1)) if ref else None
        if found is not None:
            row, col = found
        self.next_col = col + 1
        if valued:
            self.row_cells += 1
            sheet = self.sheet
            sheet.cells += 1
            sheet.widest_row = max(sheet.widest_row, self.row_cells)
            sheet.see(row, col)
        return row, col

    def _flag(self, row: int, col: int, attrs: bytes, content: bytes, p: bytes) -> None:
        """Error values and formulas without a saved result, which readers turn into blanks."""
        kind = _ATTR_T.search(attrs)
        value = _VALUE.search(content)
        if kind and kind.group(1) == b"e":
            shown = value.group(1).decode("utf-8", "replace") if value else "?"
            self.sheet.flags[(row, col)] = f"error:{unescape(shown)}"
        elif b"<" + p + b"f" in content and (value is None or not value.group(1)):
            inline = b"<" + p + b"is>" in content
            if not inline:
                self.sheet.flags[(row, col)] = "formula-without-value"

    def _check_inline_strings(self, buf: bytes, p: bytes) -> None:
        """Longest inline string, found by splitting on `</t>` and measuring only big pieces."""
        if b"<" + p + b"is>" not in buf:
            return
        limit = self.limits.max_string_chars
        for piece in buf.split(b"</" + p + b"t>"):
            if len(piece) > limit:
                text = _TEXT_TAIL.search(piece)
                chars = _text_chars(text.group(1)) if text else 0
                if chars > limit:
                    raise _too_long(
                        self.name, f"text in one cell of '{self.sheet.name}'", chars, self.limits
                    )


class SharedStringsScanner:
    """Counts shared strings and measures the longest one."""

    def __init__(self, report: GuardReport, limits: Limits, name: str) -> None:
        self.report = report
        self.limits = limits
        self.name = name
        self.chunker = _Chunker(name, limits)

    def feed(self, chunk: bytes, final: bool) -> None:
        """Take the next inflated bytes of sharedStrings.xml."""
        buf = self.chunker.cut(chunk, final, (b"si>",))
        if not buf:
            return
        self.report.shared_strings += buf.count(b"<si>") + buf.count(b"<si ")
        limit = self.limits.max_string_chars
        pieces = buf.split(b"si>")
        longest = max(map(len, pieces))  # in C: a Python step per string costs as much as
        if longest <= limit:  # the rest of the scan for a sheet of 100,000 distinct labels
            self.report.longest_string = max(self.report.longest_string, longest // 4)
            return
        for piece in pieces:
            if len(piece) > limit:
                chars = _text_chars(_strip_tags(piece))
                self.report.longest_string = max(self.report.longest_string, chars)
                if chars > limit:
                    raise _too_long(self.name, "text in one shared string", chars, self.limits)
            else:
                self.report.longest_string = max(self.report.longest_string, len(piece) // 4)


class OdsScanner:
    """Walks ODS content.xml, expanding `number-rows-repeated` x `number-columns-repeated`.

    Only cells with content count towards the used range, as calamine trims empty repeats;
    LibreOffice pads every sheet with empty repeated rows and cells, which are harmless.
    """

    def __init__(self, report: GuardReport, limits: Limits, name: str) -> None:
        self.report = report
        self.limits = limits
        self.name = name
        self.chunker = _Chunker(name, limits)
        self.sheet: SheetScan | None = None
        self.row = 0
        self.row_rep = 1
        self.col = 0
        self.row_cells = 0
        self.row_first: int | None = None
        self.row_last = 0
        self.count = 1

    def feed(self, chunk: bytes, final: bool) -> None:
        """Take the next inflated bytes of content.xml."""
        buf = self.chunker.cut(chunk, final, (b"</table:table-row>", b"</table:table>"))
        for m in _ODS_TOKEN.finditer(buf):
            slash, tag, attrs, selfclose = m.groups()
            if tag == b"table":
                self._table(slash, attrs)
            elif tag == b"table-row":
                self._row(slash, attrs, selfclose)
            elif not slash:
                self._cell(attrs, selfclose)
                if b"table:formula=" in attrs:
                    self._flag(attrs, buf[m.end():m.end() + 200])
        self._check_text(buf)

    def _check_text(self, buf: bytes) -> None:
        """Longest cell text, as for xlsx inline strings: split on `</text:p>`, measure only
        the pieces big enough to go over (`--max-string-chars` holds for ODS too)."""
        limit = self.limits.max_string_chars
        for piece in buf.split(b"</text:p>"):
            start = piece.rfind(b"<text:p") if len(piece) > limit else -1
            if start < 0:
                continue
            body = piece[piece.find(b">", start) + 1:]
            chars = _text_chars(_strip_tags(body))
            if chars > limit:
                where = self.sheet.name if self.sheet is not None else "?"
                raise _too_long(self.name, f"text in one cell of '{where}'", chars, self.limits)

    def _table(self, slash: bytes, attrs: bytes) -> None:
        """A new sheet begins (closing tags need no work)."""
        if slash:
            return
        name = _ODS_NAME.search(attrs)
        shown = unescape(name.group(1).decode("utf-8", "replace")) if name else ""
        self.sheet = SheetScan(name=shown, part="content.xml")
        self.report.sheets.append(self.sheet)
        self.row = 0

    def _row(self, slash: bytes, attrs: bytes, selfclose: bytes) -> None:
        """Open a row (with its repeat count) or close it, adding its repeated cells."""
        if not slash:
            rep = _ODS_ROWS_REP.search(attrs)
            self.row_rep = int(rep.group(1)) if rep else 1
            self.col = 0
            self.row_cells = 0
            self.row_first = None
            if not selfclose:
                return
        sheet = self.sheet
        if sheet is not None:
            sheet.rows += self.row_rep
            if self.row_first is not None:
                sheet.cells += self.row_cells * self.row_rep
                sheet.widest_row = max(sheet.widest_row, self.row_cells)
                sheet.see(self.row, self.row_first)
                sheet.see(self.row + self.row_rep - 1, self.row_last)
        self.row += self.row_rep

    def _cell(self, attrs: bytes, selfclose: bytes) -> None:
        """A cell, repeated across columns; content means a value type or child elements."""
        rep = _ODS_COLS_REP.search(attrs)
        self.count = int(rep.group(1)) if rep else 1
        if b"office:value-type" in attrs or not selfclose:
            self.row_cells += self.count
            self.row_first = self.col if self.row_first is None else self.row_first
            self.row_last = self.col + self.count - 1
        self.col += self.count

    def _flag(self, attrs: bytes, tail: bytes) -> None:
        """A formula cell whose result is an error, or which has no saved result: calamine
        reads the first as its stand-in value (0 for #DIV/0!) and the second as a blank."""
        if self.sheet is None:
            return
        if b'value-type="error"' in attrs:
            shown = _ODS_TEXT.match(tail)
            text = shown.group(1).decode("utf-8", "replace") if shown else "?"
            reason = f"error:{unescape(text)}"
        elif b"office:value-type" not in attrs:
            reason = "formula-without-value"
        else:
            return
        first = self.col - self.count
        for row in range(self.row, self.row + self.row_rep):
            for col in range(first, self.col):
                if len(self.sheet.flags) >= _MAX_ODS_FLAGS:
                    return
                self.sheet.flags[(row, col)] = reason
