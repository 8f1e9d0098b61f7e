"""Scratch folders for an export's intermediate files (marked copies, re-encoded pictures).

An export that is killed half-way (power cut, Task Manager, a crash) cannot clean up after itself.
Its scratch folder therefore lies inside the library (`<library>/cache/exports/`), not in the
system's temporary folder where nothing would ever remove it, and the next export from that
library removes what such an export left. Each folder names the process that owns it, so an export
running in another process on the same library keeps its folder; where that cannot be asked
(Windows), a folder untouched for a day counts as abandoned.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

OWNER_FILE = "owner.pid"
STALE_AFTER_S = 24 * 3600


def scratch_root(library_folder: Path) -> Path:
    """Where the exports of the library at `library_folder` keep their scratch folders."""
    return Path(library_folder) / "cache" / "exports"


@contextlib.contextmanager
def scratch_dir(root: Path | None, prefix: str) -> Iterator[Path]:
    """A fresh folder below `root` (the system's temporary folder when None), removed after.

    Folders abandoned below `root` by exports that were killed are removed first."""
    if root is None:
        with tempfile.TemporaryDirectory(prefix=f"evidence-desk-{prefix}-") as tmp:
            yield Path(tmp)
        return
    root.mkdir(parents=True, exist_ok=True)
    sweep(root)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=root))
    try:
        (folder / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sweep(root: Path) -> list[str]:
    """Remove the scratch folders below `root` whose export is gone; return their names."""
    removed = []
    with contextlib.suppress(OSError):
        for folder in root.iterdir():
            if folder.is_dir() and _abandoned(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        age = time.time() - folder.stat().st_mtime
    except OSError:
        return False
    try:
        pid = int((folder / OWNER_FILE).read_text(encoding="ascii"))
    except (OSError, ValueError):
        pid = None  # killed before it could say whose it is, or not ours: only age tells
    if pid is not None and pid != os.getpid() and not _alive(pid):
        return True
    return age > STALE_AFTER_S


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill would end the process there; the age rule decides instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
