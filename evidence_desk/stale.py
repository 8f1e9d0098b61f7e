"""Temporary files and folders that name the process making them, so a later run can tell the
leftovers of a killed run (its process is gone) from the work of one still running beside it.

Names look like `<prefix><pid>-<random>...`; `clear_stale` removes those whose process no longer
exists, and any older than a day whatever their name says (a pid can be reused).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

DAY = 86400.0


def tag() -> str:
    """The part of a temporary name that follows its prefix: this process's id and a nonce."""
    return f"{os.getpid()}-{secrets.token_hex(4)}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: not ours to judge
    return True


def _owner(name: str, prefix: str) -> int | None:
    head = name[len(prefix):].split("-", 1)[0]
    return int(head) if head.isdigit() and len(head) < 10 else None


def clear_stale(folder: Path, prefix: str, older_than: float = DAY,
                keep_young: Callable[[str], bool] | None = None) -> int:
    """Remove entries of `folder` starting with `prefix` left by dead processes; count them.

    `keep_young(name)` marks entries that are kept, whoever made them, until they are a day
    old (an earlier result set aside mid-swap must not vanish the moment its maker died)."""
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            age = now - entry.lstat().st_mtime
        except OSError:
            continue
        if keep_young is not None and keep_young(entry.name) and age < older_than:
            continue
        owner = _owner(entry.name, prefix)
        if (owner is not None and _alive(owner)) and age < older_than:
            continue
        if owner is None and age < older_than:
            continue  # an older version's name: only its age can tell
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
            removed += 1
    return removed
