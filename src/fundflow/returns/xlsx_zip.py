"""The workbook's zip container written from deflate streams made beforehand, on two cores.

`zipfile` deflates each part as it writes it, one after another, in the writing thread. The
return's workbook at 15,000 streams is about 815 MB of XML, most of it the Data sheet, and
zlib gives the GIL back while it deflates: so the Data sheet's rows are deflated in a second
thread while the people's sheets are still being written (`xlsx_data.BulkBody`), the other
parts are deflated two at a time when the workbook closes, and the container is written here
from the finished streams.

A part may be made of several streams one after another (the Data sheet's heading XML, its
bulk rows, its closing XML): each but the last ends on a full byte with a sync flush (a
non-final, empty stored block) and none refers back past its own start, so their
concatenation is one valid deflate stream of the parts' concatenated text; its CRC-32 is
combined from theirs (`crc32_combine`, zlib's own method).

The container is what `zipfile.ZipFile.write` makes of the same files (local headers from
`ZipInfo.FileHeader`, the same central directory and end record; a test compares the bytes),
without ZIP64: like xlsxwriter without `use_zip64`, a part or archive past `ZIP64_LIMIT` is
refused with xlsxwriter's `FileSizeError`.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, BinaryIO

from xlsxwriter.exceptions import FileSizeError  # type: ignore[import-untyped]

_BLOCK = 1 << 20
"""Bytes read and deflated at a time from a part's file."""


@dataclass
class Deflated:
    """A raw deflate stream of `size` bytes of text whose CRC-32 is `crc`: held in `data`, or
    in the first `compressed` bytes of the file `spool` (a temporary file, closed on `close`)."""

    crc: int
    size: int
    data: bytes = b""
    spool: IO[bytes] | None = field(default=None, repr=False)
    compressed: int = -1

    def __post_init__(self) -> None:
        if self.spool is None:
            self.compressed = len(self.data)

    def copy_to(self, out: BinaryIO) -> None:
        if self.spool is None:
            out.write(self.data)
            return
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out, _BLOCK)

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


class DeflateWriter:
    """Deflates what is written to it into a temporary file, with its CRC-32 and size: the
    Data sheet's rows, without holding them (about 60 MB deflated at 1M figures)."""

    def __init__(self, level: int) -> None:
        self._zip = zlib.compressobj(level, zlib.DEFLATED, -15)
        self._spool: IO[bytes] = tempfile.TemporaryFile()
        self.crc = 0
        self.size = 0

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._spool.write(self._zip.compress(data))

    def finish(self, *, final: bool) -> Deflated:
        """The stream so far: ended for good (`final`), else on a sync flush to be followed."""
        self._spool.write(self._zip.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH))
        compressed = self._spool.tell()
        return Deflated(self.crc, self.size, spool=self._spool, compressed=compressed)

    def discard(self) -> None:
        self._spool.close()


def deflate(data: bytes, level: int, *, final: bool = True) -> Deflated:
    """`data` as one deflate stream, ended (`final`) or on a sync flush to be followed."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    out = comp.compress(data) + comp.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return Deflated(zlib.crc32(data), len(data), out)


def deflate_file(path: str, level: int) -> Deflated:
    """A part's file deflated as `zipfile` does it (a block at a time, one stream)."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    crc, size, out = 0, 0, []
    with open(path, "rb") as src:
        while block := src.read(_BLOCK):
            crc = zlib.crc32(block, crc)
            size += len(block)
            out.append(comp.compress(block))
    out.append(comp.flush())
    return Deflated(crc, size, b"".join(out))


def _gf2_times(matrix: Sequence[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: Sequence[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from A's CRC, B's CRC and B's length (zlib's `crc32_combine`,
    which Python's zlib does not expose): A's CRC carried over `len2` zero bytes, then B's."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


@dataclass
class Entry:
    """One part of the archive: its name, the file whose metadata it takes (as
    `ZipFile.write` does), and its deflate streams in order."""

    name: str
    path: str
    streams: list[Deflated]


def _info(entry: Entry, offset: int) -> zipfile.ZipInfo:
    """The part's `ZipInfo` as `ZipFile.write` fills it in, with the streams' sums."""
    info = zipfile.ZipInfo.from_file(entry.path, entry.name, strict_timestamps=True)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits = 0
    if not info.external_attr:
        info.external_attr = 0o600 << 16
    crc, size = 0, 0
    for stream in entry.streams:
        crc = crc32_combine(crc, stream.crc, stream.size)
        size += stream.size
    info.CRC = crc
    info.file_size = size
    info.compress_size = sum(stream.compressed for stream in entry.streams)
    info.header_offset = offset
    limit = zipfile.ZIP64_LIMIT
    if size > limit or info.compress_size > limit or offset > limit:
        raise FileSizeError("Filesize would require ZIP64 extensions. Use workbook.use_zip64().")
    return info


def write_zip(out: BinaryIO, entries: Iterable[Entry]) -> None:
    """The archive of `entries`, in order, to `out` (positioned at its start)."""
    infos: list[zipfile.ZipInfo] = []
    for entry in entries:
        info = _info(entry, out.tell())
        out.write(info.FileHeader(False))
        for stream in entry.streams:
            stream.copy_to(out)
        infos.append(info)
    start = out.tell()
    for info in infos:
        out.write(_central(info))
    size = out.tell() - start
    if len(infos) > zipfile.ZIP_FILECOUNT_LIMIT or start > zipfile.ZIP64_LIMIT \
            or size > zipfile.ZIP64_LIMIT:
        raise FileSizeError("Filesize would require ZIP64 extensions. Use workbook.use_zip64().")
    out.write(struct.pack(_END, b"PK\x05\x06", 0, 0, len(infos), len(infos), size, start, 0))


_CENTRAL = "<4s4B4HL2L5H2L"
"""A central directory record (the zip format's, as `zipfile` packs it)."""
_END = "<4s4H2LH"
"""The end of central directory record."""


def _central(info: zipfile.ZipInfo) -> bytes:
    """A central directory record, as `ZipFile._write_end_record` writes one without ZIP64."""
    dt = info.date_time
    dosdate = (dt[0] - 1980) << 9 | dt[1] << 5 | dt[2]
    dostime = dt[3] << 11 | dt[4] << 5 | (dt[5] // 2)
    try:
        name, flags = info.filename.encode("ascii"), info.flag_bits
    except UnicodeEncodeError:
        name, flags = info.filename.encode("utf-8"), info.flag_bits | 0x800
    return struct.pack(
        _CENTRAL, b"PK\x01\x02", info.create_version,
        info.create_system, info.extract_version, info.reserved, flags, info.compress_type,
        dostime, dosdate, info.CRC, info.compress_size, info.file_size, len(name),
        len(info.extra), len(info.comment), 0, info.internal_attr, info.external_attr,
        info.header_offset) + name + info.extra + info.comment


_XLSX_TIME = time.mktime((1980, 1, 31, 0, 0, 0, 0, 0, -1))
"""The time xlsxwriter gives every part (31/1/1980, local time)."""


def write_package(filename: str, parts: Sequence[tuple[str, str, bool]], level: int,
                  spliced: dict[str, tuple[bytes, Deflated]]) -> None:
    """The workbook's archive from xlsxwriter's packaged parts (temporary file, name in the
    archive, binary?), in its order, each deflated at `level`, two at a time. A part named
    in `spliced` (by its file) holds a marker where a ready stream goes: the text before it,
    that stream, and the text after it make the part. The parts' files are removed."""
    for path, _name, _binary in parts:
        os.utime(path, (_XLSX_TIME, _XLSX_TIME))

    def streams(path: str) -> list[Deflated]:
        if path not in spliced:
            return [deflate_file(path, level)]
        marker, body = spliced[path]
        with open(path, "rb") as src:
            head, found, tail = src.read().partition(marker)
        if not found:
            raise ValueError(f"{path}: the bulk rows' place is missing")
        return [deflate(head, level, final=False), body, deflate(tail, level)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(streams, [path for path, _name, _binary in parts]))
    try:
        with open(filename, "wb") as out:
            write_zip(out, [Entry(name, path, found)
                            for (path, name, _binary), found in zip(parts, made, strict=True)])
    finally:
        for found in made:
            for stream in found:
                stream.close()
        for path, _name, _binary in parts:
            os.remove(path)
