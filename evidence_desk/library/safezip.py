"""Reading a zip that may have been built to hurt: every check is done before any byte is trusted.

CPython 3.11.7's zipfile reads overlapping-entries bombs without complaint, silently truncates a
name at a NUL byte, and believes the sizes the headers declare. So here the end-of-central-directory
record is read first (a member count too large to list is refused before zipfile builds it), every
member's name and attributes are checked, the byte ranges of the local entries must not overlap,
and members are streamed with their decompressed bytes counted, never trusting a header.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CHUNK = 1 << 20
_EOCD = b"PK\x05\x06"
_LOCAL = b"PK\x03\x04"
_DRIVE = re.compile(r"^[A-Za-z]:")
_ALLOWED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


class UnsafeZip(ValueError):
    """The archive is damaged, too large or crafted; the message says what was wrong."""


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 10_000
    max_member_bytes: int = 2 * 1024**3
    max_total_bytes: int = 2 * 1024**3
    max_name_bytes: int = 255
    # Deflate can reach about 1000:1 on nothing but zeros; evidence (photos, PDFs, chat text)
    # stays far below this. Members larger than `ratio_floor_bytes` are held to it.
    max_ratio: float = 250.0
    ratio_floor_bytes: int = 1024 * 1024


def unsafe_name_reason(name: str) -> str | None:
    """Why a member name could escape or confuse an extraction folder; None when it is safe."""
    if not name:
        return "has an empty name"
    if "\x00" in name:
        return "has a NUL byte in its name"
    if "\\" in name:
        return "uses a backslash in its name"
    if name.startswith("/"):
        return "has an absolute path"
    if _DRIVE.match(name):
        return "names a drive letter"
    if any(part in ("..", ".") for part in name.split("/")):
        return "climbs out of its folder with '..'"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "has control characters in its name"
    if "//" in name or name.endswith("/"):
        return "is a folder or has an empty path component"
    return None


def _member_count_from_eocd(path: Path) -> int | None:
    """Entries the archive declares, read from its end record; None when zip64 hides it."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        tail_len = min(size, 65536 + 22)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        raise UnsafeZip("it is not a zip file, or it is truncated (no end-of-archive record)")
    _disk, _cd_disk, _here, total = struct.unpack("<HHHH", tail[at + 4:at + 12])
    return None if total == 0xFFFF else total


class SafeZip:
    """An opened, fully checked archive. Use `stream` to read members, counting their bytes."""

    def __init__(self, path: Path, limits: ZipLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or ZipLimits()
        try:
            declared = _member_count_from_eocd(self.path)
        except OSError as exc:
            raise UnsafeZip(f"it cannot be read ({exc.strerror or exc})") from None
        if declared is not None and declared > self.limits.max_members:
            raise UnsafeZip(f"it has {declared} members (more than {self.limits.max_members})")
        try:
            self._zf = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as exc:
            raise UnsafeZip(f"it is not a valid zip file ({exc})") from None
        except (OSError, ValueError, NotImplementedError, EOFError, struct.error) as exc:
            raise UnsafeZip(f"it is not a valid zip file ({exc})") from None
        try:
            self.infos = self._check_directory()
            self._check_ranges()
        except BaseException:
            self._zf.close()
            raise

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_directory(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zf.infolist()
        if len(infos) > self.limits.max_members:
            raise UnsafeZip(f"it has {len(infos)} members (more than {self.limits.max_members})")
        seen: dict[str, zipfile.ZipInfo] = {}
        # Case-insensitive file systems would let two names land on one file.
        folded: set[str] = set()
        total = 0
        for info in infos:
            # zipfile cuts a name at a NUL byte; the original keeps what the archive really says.
            name = info.orig_filename
            shown = name.encode("unicode_escape").decode("ascii")[:120]
            reason = unsafe_name_reason(name)
            if reason:
                raise UnsafeZip(f"member {shown!r} {reason}")
            if len(name.encode("utf-8")) > self.limits.max_name_bytes:
                raise UnsafeZip(f"member {shown[:40]!r}… has an overlong name")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeZip(f"member {shown!r} is a symbolic link")
            if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
                raise UnsafeZip(f"member {shown!r} is not a regular file")
            if info.is_dir():
                raise UnsafeZip(f"member {shown!r} is a folder")
            if info.flag_bits & 0x1:
                raise UnsafeZip(f"member {shown!r} is encrypted")
            if info.compress_type not in _ALLOWED_METHODS:
                raise UnsafeZip(f"member {shown!r} uses an unsupported compression method "
                                f"({info.compress_type})")
            if name.casefold() in folded:
                raise UnsafeZip(f"member {shown!r} appears twice")
            folded.add(name.casefold())
            if info.file_size > self.limits.max_member_bytes:
                raise UnsafeZip(f"member {shown!r} declares {info.file_size} bytes (more than "
                                f"the {self.limits.max_member_bytes}-byte limit per file)")
            if (info.file_size > self.limits.ratio_floor_bytes
                    and info.file_size > self.limits.max_ratio * max(info.compress_size, 1)):
                raise UnsafeZip(f"member {shown!r} declares {info.file_size} bytes from "
                                f"{info.compress_size} compressed, more than "
                                f"{self.limits.max_ratio:.0f} times (a zip bomb)")
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise UnsafeZip(f"the members declare more than {self.limits.max_total_bytes} "
                                "bytes in all")
            seen[name] = info
        return seen

    def _check_ranges(self) -> None:
        """Each member's local header and data must occupy bytes no other member uses.

        Overlapping entries let a few kilobytes stand for gigabytes (one compressed stream
        referenced by thousands of headers); 3.11.7's zipfile does not look for them.
        """
        end_of_data = self._zf.start_dir
        spans: list[tuple[int, int, str]] = []
        with self.path.open("rb") as fh:
            for name, info in self.infos.items():
                start = info.header_offset
                fh.seek(start)
                header = fh.read(30)
                if len(header) < 30 or header[:4] != _LOCAL:
                    raise UnsafeZip(f"member {name!r} has no valid local header (damaged or "
                                    "crafted archive)")
                name_len, extra_len = struct.unpack("<HH", header[26:30])
                end = start + 30 + name_len + extra_len + info.compress_size
                if end > end_of_data:
                    raise UnsafeZip(f"member {name!r} runs past the end of the archive's data "
                                    "(truncated or crafted)")
                spans.append((start, end, name))
        spans.sort()
        for (_s1, e1, n1), (s2, _e2, n2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise UnsafeZip(f"members {n1!r} and {n2!r} overlap (a zip bomb)")

    def names(self) -> list[str]:
        return list(self.infos)

    def stream(self, name: str, limit: int | None = None) -> Iterator[bytes]:
        """Yield the member's bytes, refusing more than its declared size or `limit`.

        zipfile stops at the declared size and checks the CRC at the end, but a header that
        claims more than the data holds only shows as a short read, so the total is compared too.
        """
        info = self.infos[name]
        cap = min(info.file_size, self.limits.max_member_bytes,
                  limit if limit is not None else info.file_size)
        count = 0
        try:
            with self._zf.open(info) as fh:
                while chunk := fh.read(CHUNK):
                    count += len(chunk)
                    if count > cap:
                        raise UnsafeZip(f"member {name!r} holds more than {cap} bytes")
                    yield chunk
        except zipfile.BadZipFile as exc:
            raise UnsafeZip(f"member {name!r} is damaged or lies about its content ({exc})") \
                from None
        except (EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
            raise UnsafeZip(f"member {name!r} cannot be read ({exc})") from None
        if count != info.file_size:
            raise UnsafeZip(f"member {name!r} holds {count} bytes but its header says "
                            f"{info.file_size}")

    def read_small(self, name: str, limit: int) -> bytes:
        info = self.infos[name]
        if info.file_size > limit:
            raise UnsafeZip(f"member {name!r} is {info.file_size} bytes (more than {limit})")
        return b"".join(self.stream(name, limit))


def copy_to(chunks: Iterator[bytes], out: IO[bytes]) -> None:
    for chunk in chunks:
        out.write(chunk)
    out.flush()
    os.fsync(out.fileno())
