"""styles.xml for the annotated copy: the workbook's own styles plus the few annotation needs.

A marked cell keeps its number format, font, border and alignment: its new style is a copy of
its own cell format (`xf`) with the severity's fill. Fonts, fills and formats are only ever
appended, so every style index the workbook already uses keeps its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fundflow.annotate.parts import MAIN_NS, Element, Part, prefixed
from fundflow.annotate.sheet import start_tag

FILL_RGB = ("FFFFC7CE", "FFFFEB9C", "FFDDEBF7")  # error, warning, note (by severity rank)
MINIMAL = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
).encode()


@dataclass
class Styles:
    """The workbook's styles part and what annotation appends to it."""

    part: Part
    xfs: list[Element]
    prefix: str
    fonts: list[str] = field(default_factory=list)
    fills: list[str] = field(default_factory=list)
    new_xfs: list[bytes] = field(default_factory=list)
    marks: dict[tuple[int, int], int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    severity_fills: list[int] = field(default_factory=list)  # fill index per severity rank

    @classmethod
    def load(cls, data: bytes | None) -> Styles:
        """Parse the styles part (or start from a minimal one when the package has none)."""
        part = Part.parse(data or MINIMAL)
        xfs_parent = part.first("cellXfs")
        if xfs_parent is None or part.first("fonts") is None or part.first("fills") is None:
            part = Part.parse(MINIMAL)
            xfs_parent = part.first("cellXfs")
        assert xfs_parent is not None
        root = part.elements[0]
        styles = cls(part, part.children(xfs_parent, "xf"), root.name.rpartition(":")[0])
        for kind in ("fonts", "fills", "cellXfs"):
            parent = part.first(kind)
            assert parent is not None
            styles.counts[kind] = len(part.children(parent, kind[:-1] if kind != "cellXfs"
                                                    else "xf"))
        styles.severity_fills = [styles.fill(rgb) for rgb in FILL_RGB]
        return styles

    def font(self, xml: str) -> int:
        """Append a font; its index."""
        self.fonts.append(xml)
        return self.counts["fonts"] + len(self.fonts) - 1

    def fill(self, rgb: str) -> int:
        """Append a solid fill of colour `rgb`; its index."""
        self.fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
                          '<bgColor indexed="64"/></patternFill></fill>')
        return self.counts["fills"] + len(self.fills) - 1

    def xf(self, xml: bytes) -> int:
        """Append a cell format; its index."""
        self.new_xfs.append(xml)
        return self.counts["cellXfs"] + len(self.new_xfs) - 1

    def plain(self, **attrs: str) -> str:
        """A new cell format's XML over the default one, with `attrs` and an alignment."""
        align = attrs.pop("alignment", "")
        pairs = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"}
        pairs.update(attrs)
        body = f"<alignment {align}/>" if align else ""
        return f"<xf {' '.join(f'{k}={chr(34)}{v}{chr(34)}' for k, v in pairs.items())}>" \
            f"{body}</xf>"

    def mark(self, old: int, rank: int) -> int:
        """The style of a cell of style `old` marked with severity `rank`: `old` with the
        severity's fill (made once per pair)."""
        key = (old, rank)
        if key not in self.marks:
            fill = self.severity_fills[rank]
            base = self.xfs[old] if 0 <= old < len(self.xfs) else self.xfs[0] if self.xfs \
                else None
            if base is None:
                xml = prefixed(self.plain(fillId=str(fill), applyFill="1"), self.prefix)
            else:
                data = self.part.data
                xml = start_tag(base.name, base.attrs, {"fillId": str(fill), "applyFill": "1"},
                                empty=base.empty) + data[base.tag_end:base.end]
            self.marks[key] = self.xf(xml)
        return self.marks[key]

    def result(self) -> bytes:
        """The styles part with everything appended and the counts updated."""
        for kind, added in (("fonts", self.fonts), ("fills", self.fills),
                            ("cellXfs", self.new_xfs)):
            if not added:
                continue
            parent = self.part.first(kind)
            assert parent is not None
            content = b"".join(a if isinstance(a, bytes) else prefixed(a, self.prefix)
                               for a in added)
            if parent.empty:
                self.part.append_into(parent, content)
                continue
            self.part.set_attrs(parent, {"count": str(self.counts[kind] + len(added))})
            self.part.insert(parent.close, content)
        return self.part.result()
