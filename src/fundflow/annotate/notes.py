"""Comments on problem cells: the comments part and the VML shapes Excel draws them with.

A sheet that already has comments keeps them: ours are appended to its comments part and its
VML drawing (a cell that already carries the officer's comment keeps it, and its problem is
still coloured and listed on the Issues sheet). Comment text is plain data, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from fundflow.annotate.parts import MAIN_NS, Part, prefixed, text
from fundflow.ingest.grid import cell_ref

AUTHOR = "fundflow"
SHAPE_TYPE = "_x0000_t202"


@dataclass(frozen=True)
class Note:
    """One comment: 0-based cell and its text."""

    row: int
    col: int
    body: str

    @property
    def ref(self) -> str:
        """The cell as Excel writes it."""
        return cell_ref(self.row, self.col)


def _comment(note: Note, author: int) -> str:
    return (f'<comment ref="{note.ref}" authorId="{author}"><text><r><rPr><b/><sz val="9"/>'
            f'<rFont val="Tahoma"/></rPr><t xml:space="preserve">{AUTHOR}:</t></r><r><rPr>'
            f'<sz val="9"/><rFont val="Tahoma"/></rPr><t xml:space="preserve">\n'
            f"{text(note.body)}</t></r></text></comment>")


def comments_xml(notes: list[Note]) -> bytes:
    """A new comments part holding `notes`."""
    body = "".join(_comment(n, 0) for n in notes)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments '
            f'xmlns="{MAIN_NS}"><authors><author>{AUTHOR}</author></authors>'
            f"<commentList>{body}</commentList></comments>").encode()


def merged_comments(data: bytes, notes: list[Note]) -> tuple[bytes, list[Note]]:
    """The sheet's comments part with `notes` added, and the notes added (cells that already
    have a comment keep theirs)."""
    part = Part.parse(data)
    taken = {(e.get("ref") or "").upper() for e in part.all("comment")}
    notes = [n for n in notes if n.ref not in taken]
    authors, listed = part.first("authors"), part.first("commentList")
    if not notes or authors is None or listed is None:
        return data, []
    prefix = authors.name.rpartition(":")[0]
    index = len(part.children(authors, "author"))
    part.append_into(authors, prefixed(f"<author>{AUTHOR}</author>", prefix))
    part.append_into(listed, prefixed("".join(_comment(n, index) for n in notes), prefix))
    return part.result(), notes


def vml_shapes(notes: list[Note], blocks: list[int], *, with_type: bool = True) -> bytes:
    """The hidden note shapes of `notes`, ids drawn from the shape-id `blocks` (1024 each),
    after the note shape type unless the drawing already defines it."""
    out = [] if not with_type else [
        f'<v:shapetype id="{SHAPE_TYPE}" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
        '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>']
    for i, note in enumerate(notes):
        shape_id = blocks[i // 1024] * 1024 + i % 1024 + 1
        lines = 3 + note.body.count("\n") + len(note.body) // 45
        out.append(
            f'<v:shape id="_x0000_s{shape_id}" type="#{SHAPE_TYPE}" style="position:absolute;'
            f"margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:{12 * lines}pt;"
            f'z-index:{i + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
            f"<x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{note.col + 1}, 15, {note.row}, 2, "
            f"{note.col + 5}, 15, {note.row + min(lines, 40)}, 16</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{note.row}</x:Row>"
            f"<x:Column>{note.col}</x:Column></x:ClientData></v:shape>")
    return "".join(out).encode()


def vml_xml(shapes: bytes, blocks: list[int]) -> bytes:
    """A new VML drawing part holding `shapes`."""
    head = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{",".join(map(str, blocks))}"/></o:shapelayout>')
    return head.encode() + shapes + b"</xml>"
