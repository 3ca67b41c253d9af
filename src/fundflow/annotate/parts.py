"""The small parts of an xlsx package that annotation edits: read with a safe parser, spliced.

Each edit inserts or replaces a few tags at offsets the parser reported, so the rest of the
part (namespaces, `mc:Ignorable` prefixes, extension lists Excel needs) stays exactly as the
officer's Excel wrote it. ElementTree would rewrite every prefix, which Excel can refuse.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from fundflow.annotate.sheet import TAG, UnsafeXml, attr_text, safe_parser, start_tag

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_WORKSHEET = f"{REL_NS}/worksheet"
REL_STYLES = f"{REL_NS}/styles"
REL_COMMENTS = f"{REL_NS}/comments"
REL_VML = f"{REL_NS}/vmlDrawing"
REL_OFFICE = f"{REL_NS}/officeDocument"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_IDMAP = re.compile(rb"(<o:idmap\b[^>]*?\bdata=\")([^\"]*)(\")")


def prefixed(xml: str, prefix: str) -> bytes:
    """Our own snippet with its element names in a part's namespace prefix (`x:font`): a part
    whose main namespace has a prefix and no default would read unprefixed names as foreign."""
    if prefix:
        xml = re.sub(r"<(/?)(?=[A-Za-z])", rf"<\1{prefix}:", xml)
    return xml.encode()


def text(value: str) -> str:
    """Text escaped for element content."""
    return value.translate(_TEXT_ESCAPES)


@dataclass
class Element:
    """One element of a parsed part: names, attributes and its byte span."""

    local: str
    name: str
    attrs: list[str]
    depth: int
    start: int  # offset of `<`
    tag_end: int  # offset after the start tag
    empty: bool
    close: int = -1  # offset of the end tag (== tag_end for an empty element)
    end: int = -1  # offset after the whole element

    def get(self, key: str) -> str | None:
        """The attribute `key` (as written, prefix included), or None."""
        pairs = dict(zip(self.attrs[::2], self.attrs[1::2], strict=True))
        return pairs.get(key)


@dataclass
class Part:
    """A small XML part parsed once; edits are collected and applied together."""

    data: bytes
    elements: list[Element] = field(default_factory=list)
    edits: list[tuple[int, int, bytes]] = field(default_factory=list)

    @classmethod
    def parse(cls, data: bytes) -> Part:
        """Parse `data` (refusing DOCTYPEs) and record every element's span."""
        part = cls(data)
        parser = safe_parser()
        stack: list[Element] = []

        def start(name: str, attrs: list[str]) -> None:
            pos = parser.CurrentByteIndex
            found = TAG.match(data, pos)
            end = found.end() if found else pos
            el = Element(name.rsplit(":", 1)[-1], name, attrs, len(stack) + 1, pos, end,
                         bool(found and found.group(1)))
            part.elements.append(el)
            stack.append(el)

        def finish(_: str) -> None:
            el, pos = stack.pop(), parser.CurrentByteIndex
            if el.empty:
                el.close = el.end = el.tag_end
            else:
                el.close, el.end = pos, data.index(b">", pos) + 1

        parser.StartElementHandler = start
        parser.EndElementHandler = finish
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise UnsafeXml(f"a part that is not well-formed XML ({exc})") from exc
        return part

    def first(self, local: str, depth: int | None = None) -> Element | None:
        """The first element called `local` (at `depth` when given)."""
        return next((e for e in self.elements
                     if e.local == local and (depth is None or e.depth == depth)), None)

    def all(self, local: str) -> list[Element]:
        """Every element called `local`."""
        return [e for e in self.elements if e.local == local]

    def children(self, parent: Element, local: str) -> list[Element]:
        """Direct children of `parent` called `local`."""
        return [e for e in self.elements if e.local == local and e.depth == parent.depth + 1
                and parent.tag_end <= e.start < parent.close]

    def append_into(self, parent: Element, content: bytes) -> None:
        """Add `content` as the last children of `parent` (opening it when it is empty)."""
        if parent.empty:
            opened = start_tag(parent.name, parent.attrs, {}, empty=False)
            self.edits.append((parent.start, parent.end,
                               opened + content + f"</{parent.name}>".encode()))
        else:
            self.edits.append((parent.close, parent.close, content))

    def set_attrs(self, el: Element, changes: dict[str, str]) -> None:
        """Rewrite `el`'s start tag with `changes` (only for an element not appended into)."""
        self.edits.append((el.start, el.tag_end,
                           start_tag(el.name, el.attrs, changes, empty=el.empty)))

    def insert(self, pos: int, content: bytes) -> None:
        """Insert `content` at `pos`."""
        self.edits.append((pos, pos, content))

    def result(self) -> bytes:
        """The part with every edit applied (edits never overlap)."""
        out, last = [], 0
        for start, end, content in sorted(self.edits, key=lambda e: (e[0], e[1])):
            out += [self.data[last:start], content]
            last = end
        out.append(self.data[last:])
        return b"".join(out)


def resolve(base_part: str, target: str) -> str:
    """A relationship target as a zip member name, relative to the part that owns it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def rels_name(part: str) -> str:
    """The relationships part of `part` (`xl/workbook.xml` -> `xl/_rels/workbook.xml.rels`)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


@dataclass
class Rels:
    """A relationships part: (id, type, target) of each, and new ones to add."""

    part: Part
    owner: str

    @classmethod
    def load(cls, data: bytes | None, owner: str) -> Rels:
        """Parse `data`, or start an empty part when the owner has none."""
        empty = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' \
            f'<Relationships xmlns="{PKG_REL_NS}"></Relationships>'.encode()
        return cls(Part.parse(data or empty), owner)

    def targets(self, rel_type: str) -> list[str]:
        """Zip member names of the relationships of one type."""
        return [resolve(self.owner, e.get("Target") or "") for e in self.part.all("Relationship")
                if e.get("Type") == rel_type and e.get("TargetMode") != "External"]

    def by_id(self) -> dict[str, str]:
        """Relationship id -> zip member name (internal targets)."""
        return {e.get("Id") or "": resolve(self.owner, e.get("Target") or "")
                for e in self.part.all("Relationship") if e.get("TargetMode") != "External"}

    def add(self, rel_type: str, member: str) -> str:
        """Add a relationship to `member`; its new unique id."""
        taken = {e.get("Id") for e in self.part.all("Relationship")}
        taken |= {m.decode() for m in re.findall(rb'Id="(rIdFf\d+)"',
                                                  b"".join(c for _, _, c in self.part.edits))}
        n = 1
        while f"rIdFf{n}" in taken:
            n += 1
        rid = f"rIdFf{n}"
        target = posixpath.relpath(member, posixpath.dirname(self.owner) or ".")
        root = self.part.first("Relationships", 1)
        assert root is not None
        self.part.append_into(root, f'<Relationship Id="{rid}" Type="{attr_text(rel_type)}" '
                                    f'Target="{attr_text(target)}"/>'.encode())
        return rid


def add_content_types(part: Part, overrides: dict[str, str], defaults: dict[str, str]) -> None:
    """Declare new parts: `/member` -> content type, and extensions not yet declared."""
    root = part.first("Types", 1)
    assert root is not None
    known = {(e.get("Extension") or "").lower() for e in part.all("Default")}
    added = [f'<Default Extension="{ext}" ContentType="{ct}"/>'
             for ext, ct in defaults.items() if ext not in known]
    added += [f'<Override PartName="/{attr_text(m)}" ContentType="{ct}"/>'
              for m, ct in overrides.items()]
    part.append_into(root, "".join(added).encode())


def next_vml_block(vml_parts: list[bytes]) -> int:
    """The first shape-id block (`o:idmap data`) no VML part of the workbook uses."""
    used = [int(n) for data in vml_parts for found in _IDMAP.finditer(data)
            for n in re.findall(rb"\d+", found.group(2))]
    return max(used, default=0) + 1


def merge_vml(data: bytes, shapes: bytes, blocks: list[int]) -> bytes:
    """Existing VML (often not well-formed XML, so edited as bytes) with `shapes` added and
    their id blocks declared in its idmap."""
    found = _IDMAP.search(data)
    if found is not None:
        listed = found.group(2) + b"," + ",".join(map(str, blocks)).encode()
        data = data[:found.start(2)] + listed + data[found.end(2):]
    end = data.rfind(b"</xml>")
    if end < 0:
        raise ValueError("a VML drawing without its closing tag")
    return data[:end] + shapes + data[end:]
