"""Uploads streamed to a private folder, with a byte limit that holds while the bytes arrive.

A browser's file name is text from outside: it may be `../../.bashrc`, `C:\\x\\y.xlsx`, carry
control characters or be 300 characters long. It is never joined to a path as given: each file
goes into its own folder named by a random id, under a name reduced to safe characters (letters,
digits, space, `._()-`) with a spreadsheet suffix, so the ledger and the issues still show the
officer's own name for an ordinary file. Bytes are counted as they stream in; past the limit
the upload stops and everything written for it is deleted. A `.zip` (a folder's files) is
unpacked the same way: member by member, counted as inflated, never by member path.

A dropped or chosen folder arrives as many files whose names carry the folder path the browser
sends (`Q1 returns/opcc/claim.csv`). The path is shown, never used; the folder's files that are
not spreadsheets (notes, hidden and Office lock files) are left out and listed, as a zip's are
skipped, while a file chosen on its own that is not a spreadsheet is refused.
"""

from __future__ import annotations

import re
import secrets
import shutil
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from fundflow.ingest.inputs import SPREADSHEET_SUFFIXES
from fundflow.web.security import same_secret

MAX_FILES = 200  # files in one upload, a zip's members included
_SAFE = re.compile(r"[^A-Za-z0-9 ._()\-]")  # linear: a character class, no backtracking
_NAME_CHARS = 120


class UploadRefused(Exception):
    """The upload cannot be taken; `message` says why in words for the page, `status` the
    HTTP status (413 too large, 400 not a spreadsheet or malformed, 403 bad form token)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Upload:
    """One file received: the name the officer gave it (shown, never a path) and where it is."""

    name: str
    path: Path


@dataclass
class Received:
    """Everything one form post carried: its fields and its files."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    """Files of a folder that are not spreadsheets, by the names the browser gave them."""


def safe_name(given: str) -> str:
    """A file name that is safe to create: the last part of `given` after any `/` or `\\`,
    unsafe characters as `_`, no leading dot, at most 120 characters, suffix kept."""
    base = given.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _SAFE.sub("_", stem).lstrip(". ")[:_NAME_CHARS] or "upload"
    suffix = _SAFE.sub("_", suffix)[:8]
    return f"{stem}.{suffix}" if suffix else stem


def size_words(size: int) -> str:
    """A byte limit as people say it: 200000000 -> '200 MB', 250000 -> '250 KB'."""
    if size >= 1_000_000:
        whole, part = divmod(size, 1_000_000)
        return f"{whole:,} MB" if not part else f"{size / 1_000_000:,.1f} MB"
    return f"{max(1, size // 1000):,} KB"


def _suffix_ok(name: str) -> bool:
    return Path(name).suffix.lower() in SPREADSHEET_SUFFIXES | {".zip"}


def _in_folder(name: str) -> bool:
    """Whether the browser named the file with its folder path (a folder was sent)."""
    return "/" in name or "\\" in name


def _left_out_of_folder(name: str) -> bool:
    """A folder's file that is not one to read: not a spreadsheet, hidden, or a lock file."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.startswith(("~$", ".")) or not _suffix_ok(base)


class _Sink:
    """The multipart parser's callbacks: fields into a dict, files into the private folder."""

    def __init__(self, folder: Path, limit: int, csrf: str) -> None:
        self.folder, self.limit, self.csrf = folder, limit, csrf
        self.received = Received()
        self.size = 0
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._value_parts: list[bytes] = []
        self._out: IO[bytes] | None = None
        self.error: UploadRefused | None = None

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin, "on_header_field": self._hfield,
            "on_header_value": self._hvalue, "on_header_end": self._hend,
            "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._value_parts, self._out, self._name = {}, [], None, None

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _hend(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_done(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if filename is None:
            return
        if not same_secret(self.received.fields.get("csrf", ""), self.csrf):
            raise UploadRefused("This page's form has expired. Reload the page and choose "
                                "the files again.", 403)
        given = filename.decode("utf-8", "replace")
        if not given:
            return  # the empty part a browser sends when no file was chosen
        if _in_folder(given) and _left_out_of_folder(given):
            if len(self.received.left_out) < MAX_FILES:
                self.received.left_out.append(given)
            self._name = None
            return  # its bytes are counted against the limit, and dropped
        if not _suffix_ok(given):
            raise UploadRefused(f"The selected file {given!r} must be a spreadsheet "
                                "(.xlsx, .xlsm, .xls, .ods, .csv) or a .zip of them.")
        if len(self.received.files) >= MAX_FILES:
            raise UploadRefused(f"You can only select up to {MAX_FILES} files at a time.")
        place = self.folder / secrets.token_hex(8)
        place.mkdir(mode=0o700)
        path = place / safe_name(given)
        self._out = path.open("xb")
        self.received.files.append(Upload(given, path))

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.size > self.limit:
            raise UploadRefused(f"The selected files must be smaller than "
                                f"{size_words(self.limit)} together.", 413)
        if self._out is not None:
            self._out.write(data[start:end])
        elif sum(map(len, self._value_parts)) < 4096:  # a form field, never a big one
            self._value_parts.append(data[start:end])

    def _end(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        elif self._name:
            self.received.fields[self._name] = b"".join(self._value_parts).decode(
                "utf-8", "replace")

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


async def receive(stream: AsyncIterator[bytes], content_type: str, folder: Path, *,
                  limit: int, csrf: str) -> Received:
    """Parse a multipart form from `stream` into `folder` (which the caller owns and deletes).

    Raises `UploadRefused` for a body over `limit` bytes, a file that is not a spreadsheet or a
    zip, a file part before a valid `csrf` field (the form puts the token first), or a body
    that is not a multipart form. Zips are unpacked in place (`unzip_uploads`).
    """
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("The upload did not come from the page's form. Reload the page "
                            "and try again.")
    sink = _Sink(folder, limit, csrf)
    parser = MultipartParser(boundary, sink.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except UploadRefused:
        raise
    except Exception as exc:  # the parser's own errors: a malformed body
        raise UploadRefused("The upload was cut short or malformed. Try again.") from exc
    finally:
        sink.close()
    if not same_secret(sink.received.fields.get("csrf", ""), csrf):
        raise UploadRefused("This page's form has expired. Reload the page and try again.", 403)
    sink.received.files = unzip_uploads(sink.received.files, folder, limit)
    return sink.received


def unzip_uploads(files: list[Upload], folder: Path, limit: int) -> list[Upload]:
    """Zips replaced by the spreadsheets inside them (sorted by member name), each counted as
    it inflates against `limit` together; folders, hidden and Office lock files skipped."""
    out: list[Upload] = []
    inflated = 0
    for upload in files:
        if upload.path.suffix.lower() != ".zip":
            out.append(upload)
            continue
        try:
            with zipfile.ZipFile(upload.path) as archive:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    inflated = _member(archive, info, folder, limit, inflated, out)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise UploadRefused(f"The selected file {upload.name!r} is not a zip that can "
                                "be opened.") from exc
        shutil.rmtree(upload.path.parent, ignore_errors=True)
    return out


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, folder: Path, limit: int,
            inflated: int, out: list[Upload]) -> int:
    """Copy one member out if it is a spreadsheet; returns the bytes inflated so far."""
    base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if info.is_dir() or not base or base.startswith(("~$", ".")) or \
            Path(base).suffix.lower() not in SPREADSHEET_SUFFIXES:
        return inflated
    if len(out) >= MAX_FILES:
        raise UploadRefused(f"You can only send up to {MAX_FILES} files at a time.")
    place = folder / secrets.token_hex(8)
    place.mkdir(mode=0o700)
    path = place / safe_name(base)
    with archive.open(info) as src, path.open("xb") as dst:
        while chunk := src.read(1 << 20):
            inflated += len(chunk)
            if inflated > limit:
                raise UploadRefused(f"The files inside the zip must be smaller than "
                                    f"{size_words(limit)} together.", 413)
            dst.write(chunk)
    out.append(Upload(info.filename, path))
    return inflated
