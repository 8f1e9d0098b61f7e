"""Turn the paths a user dropped or named into the files to take in, and the ones to refuse.

Folders are walked depth-first in name order so the same folder always imports in the same order.
Symbolic links are never followed: a link can point anywhere (another case, the whole disk, or a
loop), and the evidence must be the file the user actually chose.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evidence_desk.i18n import Message

# Clutter operating systems leave in folders; skipped without a word when walking a folder.
_CLUTTER = {"thumbs.db", "desktop.ini", "ehthumbs.db", "ehthumbs_vista.db", "__macosx",
            "$recycle.bin", "system volume information"}


@dataclass(frozen=True)
class Candidate:
    path: Path
    size: int


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


def is_clutter(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$") or name.lower() in _CLUTTER


def expand_paths(paths: Iterable[Path]) -> Iterator[Candidate | Skipped]:
    """Yield each file to take in (folders expanded) or the reason a path is refused.

    A file reached twice (named directly and inside a named folder) is yielded once.
    """
    seen: set[tuple[int, int]] = set()
    for path in paths:
        yield from _expand(Path(path), seen)


def _expand(path: Path, seen: set[tuple[int, int]]) -> Iterator[Candidate | Skipped]:
    try:
        st = path.lstat()
    except FileNotFoundError:
        yield Skipped(path, Message("no such file"))
        return
    except OSError as exc:
        yield Skipped(path, Message("cannot read: {why}", why=_why(exc)))
        return
    if stat.S_ISLNK(st.st_mode):
        yield Skipped(path, Message("symbolic link: not followed"))
    elif stat.S_ISDIR(st.st_mode):
        yield from _walk_folder(path, seen)
    elif not stat.S_ISREG(st.st_mode):
        yield Skipped(path, Message("not a regular file"))
    elif (st.st_dev, st.st_ino) in seen:
        return
    else:
        seen.add((st.st_dev, st.st_ino))
        yield _readable(path, st)


def _walk_folder(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Candidate | Skipped]:
    try:
        with os.scandir(folder) as it:
            names = sorted(entry.name for entry in it)
    except OSError as exc:
        yield Skipped(folder, Message("cannot open folder: {why}", why=_why(exc)))
        return
    for name in names:
        if not is_clutter(name):
            yield from _expand(folder / name, seen)


def _readable(path: Path, st: os.stat_result) -> Candidate | Skipped:
    # Opening is the only honest test: access() lies for root and on some network shares.
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return Skipped(path, Message("cannot read: {why}", why=_why(exc)))
    return Candidate(path, st.st_size)


def _why(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
