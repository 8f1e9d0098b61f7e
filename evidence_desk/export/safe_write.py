"""Write a file or a folder so that readers only ever see the old one or the complete new one.

A cancelled or failed export must neither leave half a file behind nor destroy the file the seller
made last time, so everything is built under a temporary name in the same folder (same file
system, so the final rename is atomic) and swapped in at the very end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_PREFIX = ".evidence-desk-tmp-"


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; directories cannot be opened this way on Windows.
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, else it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; on success it takes the place of `path`.

    An existing folder at `path` is renamed to a backup first and removed only after the new one
    is in place, so a crash in between leaves one of them under a recognisable name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=path.parent))
    try:
        yield tmp
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                with open(os.path.join(root, name), "rb") as fh:
                    os.fsync(fh.fileno())
        backup: Path | None = None
        if path.exists():
            backup = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "old-", dir=path.parent))
            backup.rmdir()
            os.replace(path, backup)
        try:
            os.replace(tmp, path)
        except BaseException:
            if backup is not None:
                os.replace(backup, path)
            raise
        _fsync_dir(path.parent)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
