"""Zip archives written byte by byte, so a test can make every lie a hostile bundle might tell."""

from __future__ import annotations

import stat
import struct
import zlib
from dataclasses import dataclass

REGULAR = (stat.S_IFREG | 0o644) << 16
SYMLINK = (stat.S_IFLNK | 0o777) << 16
_UTF8 = 0x800


@dataclass(frozen=True)
class Entry:
    name: str | bytes
    data: bytes
    deflate: bool = False
    external_attr: int = REGULAR
    declared_size: int | None = None  # what the headers claim the uncompressed size is
    flags: int = 0


def _compress(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def local_header(name: bytes, method: int, crc: int, comp_size: int, size: int,
                 flags: int = 0) -> bytes:
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, _UTF8 | flags, method, 0, 0x21, crc,
                       comp_size, size, len(name), 0) + name


def central_header(name: bytes, method: int, crc: int, comp_size: int, size: int, offset: int,
                   external_attr: int, flags: int = 0) -> bytes:
    # "Made by" 3 = Unix, so readers interpret the high half of external_attr as st_mode.
    return struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", (3 << 8) | 20, 20, _UTF8 | flags,
                       method, 0, 0x21, crc, comp_size, size, len(name), 0, 0, 0, 0,
                       external_attr, offset) + name


def end_record(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, cd_size, cd_offset, 0)


def raw_zip(entries: list[Entry]) -> bytes:
    body = bytearray()
    central = bytearray()
    for e in entries:
        name = e.name.encode("utf-8") if isinstance(e.name, str) else e.name
        method = 8 if e.deflate else 0
        comp = _compress(e.data) if e.deflate else e.data
        crc = zlib.crc32(e.data)
        size = len(e.data) if e.declared_size is None else e.declared_size
        offset = len(body)
        body += local_header(name, method, crc, len(comp), size, e.flags) + comp
        central += central_header(name, method, crc, len(comp), size, offset, e.external_attr,
                                  e.flags)
    return bytes(body + central + end_record(len(entries), len(central), len(body)))


def overlapping_zip(outer: tuple[str, bytes], inner: tuple[str, bytes],
                    extra: list[Entry] = ()) -> bytes:  # type: ignore[assignment]
    """Two stored members where the outer one's data *contains* the inner one's whole entry.

    This is the overlapping-entries zip bomb in its smallest form: the same bytes are counted
    for two files (thousands, in a real bomb, each deflating the shared kernel).
    """
    inner_name, inner_data = inner[0].encode(), inner[1]
    inner_crc = zlib.crc32(inner_data)
    inner_entry = local_header(inner_name, 0, inner_crc, len(inner_data), len(inner_data)) \
        + inner_data
    outer_name = outer[0].encode()
    outer_crc = zlib.crc32(inner_entry)
    outer_head = local_header(outer_name, 0, outer_crc, len(inner_entry), len(inner_entry))
    body = bytearray(outer_head + inner_entry)
    central = bytearray(
        central_header(outer_name, 0, outer_crc, len(inner_entry), len(inner_entry), 0, REGULAR)
        + central_header(inner_name, 0, inner_crc, len(inner_data), len(inner_data),
                         len(outer_head), REGULAR))
    count = 2
    for e in extra:
        name = e.name.encode() if isinstance(e.name, str) else e.name
        crc = zlib.crc32(e.data)
        offset = len(body)
        body += local_header(name, 0, crc, len(e.data), len(e.data)) + e.data
        central += central_header(name, 0, crc, len(e.data), len(e.data), offset, REGULAR)
        count += 1
    return bytes(body + central + end_record(count, len(central), len(body)))
