"""The annotated copy of an xlsx/xlsm package: every part kept, a few tags added.

Problem cells get a style that is their own style with a severity fill (so number formats,
fonts and borders stay), a comment (a comments part and its VML shapes, merged into the
sheet's existing ones), and the workbook gets an `Issues` sheet at the end. Every other zip
part (data validations and their extension lists, images, charts, defined names, macros,
printer settings) is copied byte for byte, and sheets are streamed, so a million-row sheet is
annotated in bounded memory. Zip members are inflated under the guard's limits.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fundflow.annotate.issues import IssueRow, IssueStyles, issues_sheet
from fundflow.annotate.notes import Note, comments_xml, merged_comments, vml_shapes, vml_xml
from fundflow.annotate.parts import (
    CT_COMMENTS,
    CT_SHEET,
    CT_STYLES,
    CT_VML,
    REL_COMMENTS,
    REL_NS,
    REL_OFFICE,
    REL_STYLES,
    REL_VML,
    REL_WORKSHEET,
    Part,
    Rels,
    add_content_types,
    merge_vml,
    next_vml_block,
    prefixed,
    rels_name,
    text,
)
from fundflow.annotate.sheet import Marks, UnsafeXml, attr_text, rewrite_sheet
from fundflow.annotate.styles import Styles
from fundflow.ingest.guard import Limits

SMALL_PART = 64 * 1024 * 1024  # a workbook, styles, rels or comments part larger is refused
Progress = Callable[[int, int], None]


class AnnotateRefused(Exception):
    """The package cannot be annotated safely: says why, in words for the officer."""


@dataclass
class Plan:
    """What annotation writes: parts replaced, parts added, sheets to restyle."""

    replaced: dict[str, bytes] = field(default_factory=dict)
    added: dict[str, bytes] = field(default_factory=dict)
    sheets: dict[str, tuple[Marks, Callable[[str], bytes] | None]] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)


def annotate_package(source: Path, out: IO[bytes], sheets: dict[str, tuple[Marks, list[Note]]],
                     rows: Iterator[IssueRow], limits: Limits,
                     progress: Progress | None = None) -> None:
    """Write the annotated copy of the xlsx/xlsm `source` to `out`.

    `sheets` maps a sheet name to its marked cells and its notes (comments); `rows` are the
    Issues sheet's rows. Raises `AnnotateRefused` for a package that breaks the guard's limits
    or is not the well-formed OOXML the guard let through.
    """
    try:
        with zipfile.ZipFile(source) as zin:
            infos = zin.infolist()
            if len(infos) > limits.max_members:
                raise AnnotateRefused(f"it has more than {limits.max_members:,} parts")
            _write(zin, infos, out, _Build(zin, sheets), rows, limits, progress)
    except (zipfile.BadZipFile, UnsafeXml, KeyError, ValueError) as exc:
        raise AnnotateRefused(f"its workbook structure could not be read ({exc})") from exc


class _Build:
    """Reads the package's structure once and plans every edit."""

    def __init__(self, zin: zipfile.ZipFile, sheets: dict[str, tuple[Marks, list[Note]]]):
        self.zin = zin
        self.names = set(zin.namelist())
        self.plan = Plan()
        self.types = Part.parse(self.read("[Content_Types].xml"))
        root = Rels.load(self.read("_rels/.rels"), "")
        self.book_name = root.targets(REL_OFFICE)[0]
        self.book = Part.parse(self.read(self.book_name))
        self.book_rels = Rels.load(self.read(rels_name(self.book_name)), self.book_name)
        members = self.book_rels.by_id()
        self.sheet_members = {
            el.get("name") or "": members.get(_rid(el.attrs), "")
            for el in self.book.all("sheet") if el.depth == 3}
        found = self.book_rels.targets(REL_STYLES)
        self.styles_name = found[0] if found and found[0] in self.names else "xl/styles.xml"
        self.styles = Styles.load(self.read(self.styles_name)
                                  if self.styles_name in self.names else None)
        self.issue_styles = IssueStyles.add_to(self.styles)
        vmls = [self.read(n) for n in sorted(self.names) if n.endswith(".vml")]
        self.vml_block = next_vml_block(vmls)
        for name, (marks, notes) in sheets.items():
            member = self.sheet_members.get(name)
            if member and member in self.names:
                self._sheet(member, marks, notes)

    def read(self, member: str) -> bytes:
        """A small part, refused when larger than `SMALL_PART` inflated."""
        info = self.zin.getinfo(member)
        if info.file_size > SMALL_PART:
            raise AnnotateRefused(f"its part {member} is larger than {SMALL_PART >> 20} MB")
        with self.zin.open(info) as handle:
            data = handle.read(SMALL_PART + 1)
        if len(data) > SMALL_PART:
            raise AnnotateRefused(f"its part {member} is larger than {SMALL_PART >> 20} MB")
        return data

    def fresh(self, pattern: str) -> str:
        """A member name like `pattern` (`{n}` numbered) that the package does not have."""
        taken = self.names | set(self.plan.added)
        n = 1
        while pattern.format(n=n) in taken:
            n += 1
        return pattern.format(n=n)

    def _sheet(self, member: str, marks: Marks, notes: list[Note]) -> None:
        rels_member = rels_name(member)
        rels = Rels.load(self.read(rels_member) if rels_member in self.names else None, member)
        legacy: Callable[[str], bytes] | None = None
        comments = [c for c in rels.targets(REL_COMMENTS) if c in self.names]
        if comments:
            data, notes = merged_comments(self.read(comments[0]), notes)
            if notes:
                self.plan.replaced[comments[0]] = data
        elif notes:
            new = self.fresh("xl/comments{n}.xml")
            self.plan.added[new] = comments_xml(notes)
            self.plan.overrides[new] = CT_COMMENTS
            rels.add(REL_COMMENTS, new)
        if notes:
            blocks = list(range(self.vml_block, self.vml_block + 1 + len(notes) // 1024))
            self.vml_block = blocks[-1] + 1
            vmls = [v for v in rels.targets(REL_VML) if v in self.names]
            if vmls:
                old = self.read(vmls[0])
                shapes = vml_shapes(notes, blocks, with_type=b"_x0000_t202" not in old)
                self.plan.replaced[vmls[0]] = merge_vml(old, shapes, blocks)
            else:
                new = self.fresh("xl/drawings/vmlDrawing{n}.vml")
                self.plan.added[new] = vml_xml(vml_shapes(notes, blocks), blocks)
                self.plan.defaults["vml"] = CT_VML
                rid = rels.add(REL_VML, new)
                legacy = _legacy(rid)
            (self.plan.replaced if rels_member in self.names else self.plan.added)[
                rels_member] = rels.part.result()
        self.plan.sheets[member] = (marks, legacy)

    def finish(self, issues_xml_member: str, sheet_name: str, last_row: int) -> None:
        """Add the Issues sheet to the workbook, its relationships and content types."""
        rid = self.book_rels.add(REL_WORKSHEET, issues_xml_member)
        if self.styles_name not in self.names:  # a package without styles gets ours
            self.book_rels.add(REL_STYLES, self.styles_name)
            self.plan.overrides[self.styles_name] = CT_STYLES
        sheets = self.book.first("sheets", 2)
        root = self.book.first("workbook", 1)
        assert sheets is not None and root is not None
        prefix = _prefix(sheets.name)
        ids = [int(e.get("sheetId") or 0) for e in self.book.all("sheet")]
        quoted = "'" + sheet_name.replace("'", "''") + "'"
        self.book.append_into(sheets, prefixed(
            f'<sheet xmlns:r="{REL_NS}" name="{attr_text(sheet_name)}" '
            f'sheetId="{max(ids, default=0) + 1}" r:id="{rid}"/>', prefix))
        index = len([e for e in self.book.all("sheet") if e.depth == 3])
        names = (f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                 f"{text(quoted)}!$A$1:$H${last_row}</definedName>"
                 f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                 f"{text(quoted)}!$1:$1</definedName>")
        defined = self.book.first("definedNames", 2)
        if defined is not None:
            self.book.append_into(defined, prefixed(names, prefix))
        else:
            after = next((e for e in self.book.elements
                          if e.depth == 2 and e.local in _AFTER_NAMES), None)
            self.book.insert(after.start if after else root.close,
                             prefixed(f"<definedNames>{names}</definedNames>", prefix))
        self.plan.replaced[self.book_name] = self.book.result()
        book_rels = rels_name(self.book_name)
        (self.plan.replaced if book_rels in self.names else self.plan.added)[book_rels] = \
            self.book_rels.part.result()
        self.plan.overrides[issues_xml_member] = CT_SHEET
        add_content_types(self.types, self.plan.overrides, self.plan.defaults)
        self.plan.replaced["[Content_Types].xml"] = self.types.result()


_AFTER_NAMES = frozenset({"calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                          "smartTagTypes", "webPublishing", "fileRecoveryPr",
                          "webPublishObjects", "extLst"})


def _rid(attrs: list[str]) -> str:
    """The relationship id of a `<sheet>` (its `id` attribute in the relationships namespace,
    whatever its prefix)."""
    for i in range(0, len(attrs) - 1, 2):
        if attrs[i].endswith(":id"):
            return attrs[i + 1]
    return ""


def _prefix(name: str) -> str:
    return name.rpartition(":")[0]


def _legacy(rid: str) -> Callable[[str], bytes]:
    def make(prefix: str) -> bytes:
        return prefixed(f'<legacyDrawing xmlns:r="{REL_NS}" '
                         f'r:id="{rid}"/>', prefix)
    return make


def _write(zin: zipfile.ZipFile, infos: list[zipfile.ZipInfo], out: IO[bytes], build: _Build,
           rows: Iterator[IssueRow], limits: Limits,
           progress: Progress | None) -> None:
    total = sum(i.file_size for i in infos) or 1
    seen = [0]

    def counted(n: int) -> None:
        seen[0] += n
        if seen[0] > limits.max_inflated_bytes:
            raise AnnotateRefused("it inflates to more than the --max-inflated-bytes limit")
        if progress is not None:
            progress(min(seen[0], total), total)

    issues_member = build.fresh("xl/worksheets/sheet{n}.xml")
    issues_name = _issues_name(set(build.sheet_members))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        last_row = 1
        with zout.open(_info(issues_member), "w", force_zip64=True) as handle:
            last_row = issues_sheet(handle, rows, build.issue_styles, build.sheet_members)
        build.finish(issues_member, issues_name, last_row)
        for info in infos:
            name = info.filename
            if name == build.styles_name or info.is_dir():
                continue
            with zout.open(_info(name, info), "w", force_zip64=info.file_size > 1 << 30) as dst:
                if name in build.plan.replaced:
                    dst.write(build.plan.replaced[name])
                elif name in build.plan.sheets:
                    marks, legacy = build.plan.sheets[name]
                    with zin.open(info) as src:
                        rewrite_sheet(src, dst, marks, build.styles.mark, legacy,
                                      _deltas(counted))
                else:
                    with zin.open(info) as src:
                        while chunk := src.read(1 << 20):
                            counted(len(chunk))
                            dst.write(chunk)
        for name, data in build.plan.added.items():
            zout.writestr(_info(name), data)
        zout.writestr(_info(build.styles_name), build.styles.result())


def _deltas(counted: Callable[[int], None]) -> Callable[[int], None]:
    """Turn a running count of bytes read into the increments `counted` adds up."""
    last = [0]

    def step(read: int) -> None:
        counted(read - last[0])
        last[0] = read

    return step


def _issues_name(taken: set[str]) -> str:
    """`Issues`, or a variant no sheet of the workbook already has."""
    lower = {t.casefold() for t in taken}
    for name in ("Issues", "fundflow issues", *(f"Issues {n}" for n in range(2, 100))):
        if name.casefold() not in lower:
            return name
    return "fundflow"


def _info(name: str, like: zipfile.ZipInfo | None = None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, like.date_time if like else (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


__all__ = ["AnnotateRefused", "annotate_package"]
