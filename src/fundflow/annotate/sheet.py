"""Streaming rewrite of one sheet part: problem cells get a new style, nothing else changes.

The annotated copy must keep everything of the officer's workbook (data validations and their
extension lists, images, conditional formats, shared formulas), so a sheet is never loaded into
a model and written back: its XML is streamed through expat, and only the start tags of marked
cells are replaced (the same attributes with a new `s`). A marked cell the sheet does not store
(an empty cell of a range) is inserted, in column order, as an empty styled cell; a missing row
likewise. Everything else is copied byte for byte, in bounded memory, whatever the sheet's size.

The parser refuses a DOCTYPE (and so every entity declaration): OOXML never has one, and the
guard already refused files that do; this keeps a sheet from expanding while it is copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

from fundflow.ingest.grid import cell_ref, parse_cell_ref

CHUNK = 1 << 20  # bytes fed to the parser at once
# Children of <worksheet> that come after <legacyDrawing> in the schema's order.
_AFTER_LEGACY = frozenset({"legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                           "webPublishItems", "tableParts", "extLst"})
TAG = re.compile(rb"<[^\s>/]+(?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                          "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_REF_COL = re.compile(r"^\$?([A-Za-z]{1,3})")

Marks = dict[int, dict[int, int]]
"""1-based row -> 0-based column -> severity rank (0 error, 1 warning, 2 note)."""


class UnsafeXml(Exception):
    """A part declares a DOCTYPE or entities, or is not well-formed XML."""


def safe_parser() -> expat.XMLParserType:
    """An expat parser that refuses DOCTYPEs and entity declarations (no expansion bombs, no
    external entities) and reports attributes in document order."""
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise UnsafeXml("a DOCTYPE or entity declaration")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def attr_text(value: str) -> str:
    """A value escaped for a double-quoted XML attribute (tabs and line ends kept exactly)."""
    return value.translate(_ESCAPES)


def start_tag(name: str, attrs: list[str], changes: dict[str, str], *, empty: bool,
              drop: str | None = None) -> bytes:
    """A start tag with the same attributes in the same order, `changes` applied (new names
    appended) and `drop` left out."""
    pairs = dict(zip(attrs[::2], attrs[1::2], strict=True))
    pairs.update(changes)
    pairs.pop(drop or "", None)
    text = "".join(f' {k}="{attr_text(v)}"' for k, v in pairs.items())
    return f"<{name}{text}{'/' if empty else ''}>".encode()


@dataclass
class _State:
    """Where the rewrite is: bytes held since `base`, how far they are written, the sheet."""

    out: IO[bytes]
    marks: Marks
    style: Callable[[int, int], int]  # (original style, severity rank) -> new style
    legacy: Callable[[str], bytes] | None  # prefix -> the <legacyDrawing> element to add
    prefix: str = ""  # the namespace prefix of the sheet's elements ("" when default)
    order: list[int] = field(default_factory=list)  # marked rows, ascending
    next: int = 0  # index in `order` of the first marked row not yet written
    buf: bytearray = field(default_factory=bytearray)
    base: int = 0
    done: int = 0
    depth: int = 0
    in_data: bool = False
    row: int = 0
    row_style: int = 0
    col: int = -1
    row_marks: dict[int, int] = field(default_factory=dict)
    pending: list[int] = field(default_factory=list)  # marked columns of the row not written

    def write_to(self, pos: int) -> None:
        """Copy the input up to `pos` unchanged."""
        self.out.write(self.buf[self.done - self.base:pos - self.base])
        self.done = pos

    def tag_at(self, pos: int) -> tuple[int, bool]:
        """End offset of the start tag at `pos` and whether it is an empty-element tag."""
        found = TAG.match(self.buf, pos - self.base)
        if found is None:
            raise UnsafeXml("a start tag the rewrite cannot read")
        return found.end() + self.base, found.group(1) == b"/"


def rewrite_sheet(src: IO[bytes], out: IO[bytes], marks: Marks,
                  style: Callable[[int, int], int], legacy: Callable[[str], bytes] | None,
                  progress: Callable[[int], None] | None = None, chunk: int = CHUNK) -> None:
    """Copy sheet XML from `src` to `out`, restyling the marked cells (see module doc).

    `legacy` makes the `<legacyDrawing>` element (given the sheet's namespace prefix) that ties
    the sheet to its new comments; it goes where the schema wants it. `progress` is told the
    bytes read so far.
    """
    state = _State(out, dict(marks), style, legacy, order=sorted(marks))
    parser = safe_parser()

    # Called for every element (about 15 per row): cells' children and the cells of rows
    # with nothing marked return at once, which is most of the rewrite's time.
    def start(name: str, attrs: list[str]) -> None:
        depth = state.depth = state.depth + 1
        if depth > 4 or (depth == 4 and not state.row_marks):
            return
        _start(state, parser, name, attrs)

    def end(name: str) -> None:
        if state.depth > 3:  # nothing ends below a row
            state.depth -= 1
            return
        _end(state, parser, name)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    read = 0
    try:
        while data := src.read(chunk):
            state.buf += data
            parser.Parse(data, False)
            read += len(data)
            # Every event so far is handled: copy up to the start of the last unfinished tag.
            last = state.buf.rfind(b"<")
            state.write_to(max(state.done, state.base + last if last >= 0 else read))
            del state.buf[:state.done - state.base]
            state.base = state.done
            if progress is not None:
                progress(read)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnsafeXml(str(exc)) from exc
    state.write_to(state.base + len(state.buf))


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _start(state: _State, parser: expat.XMLParserType, name: str, attrs: list[str]) -> None:
    local, pos = _local(name), parser.CurrentByteIndex
    if state.depth == 1:
        state.prefix = name.rpartition(":")[0]
    elif state.depth == 2:
        if state.legacy is not None and local in _AFTER_LEGACY:
            state.write_to(pos)
            state.out.write(state.legacy(state.prefix))
            state.legacy = None
        if local == "sheetData":
            state.in_data = True
            end, empty = state.tag_at(pos)
            if empty:  # <sheetData/>: open it so the marked rows can go in
                state.write_to(pos)
                state.out.write(start_tag(name, attrs, {}, empty=False))
                _rows_before(state, 1 << 30)
                state.out.write(f"</{name}>".encode())
                state.done = end
                state.in_data = False
    elif state.in_data and state.depth == 3 and local == "row":
        _row_start(state, pos, name, attrs)
    elif state.in_data and state.depth == 4 and local == "c" and state.row_marks:
        _cell_start(state, pos, name, attrs)


def _attr(attrs: list[str], key: str) -> str | None:
    for i in range(0, len(attrs) - 1, 2):
        if attrs[i] == key:
            return attrs[i + 1]
    return None


def _row_start(state: _State, pos: int, name: str, attrs: list[str]) -> None:
    given = _attr(attrs, "r")
    row = int(given) if given and given.isdigit() else state.row + 1
    if state.next < len(state.order) and state.order[state.next] < row:
        state.write_to(pos)
        _rows_before(state, row)
    state.row, state.col = row, -1
    cols = state.marks.pop(state.row, None)
    if state.next < len(state.order) and state.order[state.next] == state.row:
        state.next += 1
    state.row_marks = cols or {}
    state.pending = sorted(state.row_marks)
    if not cols:
        return
    state.row_style = _row_style(attrs)
    end, empty = state.tag_at(pos)
    state.write_to(pos)
    # `spans` is a hint of the row's used columns; an inserted cell may fall outside it.
    state.out.write(start_tag(name, attrs, {}, empty=False, drop="spans"))
    state.done = end
    if empty:  # <row r="5"/>: write its marked cells and close it
        _cells_before(state, 1 << 30, _sibling(name, "c"))
        state.out.write(f"</{name}>".encode())


def _sibling(name: str, local: str) -> str:
    """`local` with the prefix `name` has (`x:row` -> `x:c`)."""
    prefix, _, _ = name.rpartition(":")
    return f"{prefix}:{local}" if prefix else local


def _row_style(attrs: list[str]) -> int:
    """The row's own style when it has one (an inserted cell takes it), else 0."""
    style = _attr(attrs, "s")
    custom = _attr(attrs, "customFormat") in ("1", "true")
    return int(style) if custom and style and style.isdigit() else 0


def _cell_start(state: _State, pos: int, name: str, attrs: list[str]) -> None:
    ref = _attr(attrs, "r")
    found = _REF_COL.match(ref) if ref else None
    state.col = parse_cell_ref(f"{found.group(1)}1")[1] if found else state.col + 1
    if state.pending and state.pending[0] < state.col:
        state.write_to(pos)
        _cells_before(state, state.col, name)
    if state.pending and state.pending[0] == state.col:
        state.pending.pop(0)
        given = _attr(attrs, "s")
        old = int(given) if given and given.isdigit() else 0
        new = state.style(old, state.row_marks[state.col])
        end, empty = state.tag_at(pos)
        state.write_to(pos)
        state.out.write(start_tag(name, attrs, {"s": str(new)}, empty=empty))
        state.done = end


def _cells_before(state: _State, col: int, name: str) -> None:
    """Write the marked cells of the current row left of `col` as empty styled cells."""
    while state.pending and state.pending[0] < col:
        c = state.pending.pop(0)
        style = state.style(state.row_style, state.row_marks[c])
        state.out.write(f'<{name} r="{cell_ref(state.row - 1, c)}" s="{style}"/>'.encode())


def _rows_before(state: _State, row: int) -> None:
    """Write the marked rows the sheet does not store that come before `row`."""
    while state.next < len(state.order) and state.order[state.next] < row:
        r = state.order[state.next]
        state.next += 1
        cols = state.marks.pop(r, None)
        if not cols:
            continue
        state.row, state.row_style, state.row_marks = r, 0, cols
        state.pending = sorted(cols)
        state.out.write(f'<row r="{r}">'.encode())
        _cells_before(state, 1 << 30, "c")
        state.out.write(b"</row>")
    state.row_marks = {}


def _end(state: _State, parser: expat.XMLParserType, name: str) -> None:
    local, pos = _local(name), parser.CurrentByteIndex
    if state.in_data and state.depth == 3 and local == "row" and state.pending and \
            pos >= state.done:
        state.write_to(pos)
        _cells_before(state, 1 << 30, _sibling(name, "c"))
    elif state.depth == 2 and local == "sheetData" and state.in_data:
        state.in_data = False
        if state.next < len(state.order):
            state.write_to(pos)
            _rows_before(state, 1 << 30)
    elif state.depth == 1 and state.legacy is not None:
        state.write_to(pos)
        state.out.write(state.legacy(state.prefix))
        state.legacy = None
    state.depth -= 1
