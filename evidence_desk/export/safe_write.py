"""Write a file or a folder so that readers only ever see the old one or the complete new one.

A cancelled or failed export must neither leave half a file behind nor destroy the file the seller
made last time, so everything is built under a temporary name in the same folder (same file
system, so the final rename is atomic) and swapped in at the very end.

The target's folder must already exist: a typo in a path should be reported, not silently become
a new tree of folders the seller then cannot find. The result gets the permissions a normally
created file would (the umask's), not mkstemp's private 0600: a dossier is meant to be handed
over.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from evidence_desk import stale
from evidence_desk.export.dossier_model import ExportError

TEMP_PREFIX = ".evidence-desk-tmp-"
# Work folders in the system's temporary folder (derived images, copies for a pack).
WORK_PREFIXES = ("evidence-desk-pack-", "evidence-desk-dossier-")


def work_prefix(prefix: str) -> str:
    """A prefix for tempfile that names this process, so a killed run's folder is found."""
    return prefix + stale.tag()


def clear_leftovers(folder: Path) -> None:
    """What killed exports left beside `folder`'s targets and in the system's temporary folder."""
    # An earlier result renamed aside mid-swap ("-old-") is the seller's last good copy.
    stale.clear_stale(folder, TEMP_PREFIX, keep_young=lambda name: "-old-" in name)
    tmp_root = Path(tempfile.gettempdir())
    for prefix in WORK_PREFIXES:
        stale.clear_stale(tmp_root, prefix)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; directories cannot be opened this way on Windows.
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    # os.umask can only be read by setting it; /proc avoids that brief window where another
    # thread would create files with the wrong mode.
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    return 0o666 & ~_umask()


def dir_mode() -> int:
    return 0o777 & ~_umask()


def check_parent(path: Path) -> None:
    """Raise ExportError unless `path`'s folder exists (it is never created here)."""
    parent = Path(path).parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise ExportError(f"The folder {parent} {what}; choose an existing folder.")


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path`, else it is removed."""
    path = Path(path)
    check_parent(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; choose a file name.")
    clear_leftovers(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=work_prefix(TEMP_PREFIX), suffix=path.suffix,
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_dir(path: Path, replaceable: Callable[[Path], None] | None = None
               ) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; on success it takes the place of `path`.

    An existing folder at `path` is renamed to a backup first and removed only after the new one
    is in place, so a crash in between leaves one of them under a recognisable name.
    `replaceable(path)` is called again just before the swap (the folder may have changed while
    the new one was being filled) and raises to keep it.
    """
    path = Path(path)
    check_parent(path)
    clear_leftovers(path.parent)
    tmp = Path(tempfile.mkdtemp(prefix=work_prefix(TEMP_PREFIX), dir=path.parent))
    try:
        yield tmp
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                full = os.path.join(root, name)
                with open(full, "rb") as fh:
                    os.fsync(fh.fileno())
                os.chmod(full, file_mode())
        os.chmod(tmp, dir_mode())
        if replaceable is not None and path.exists():
            replaceable(path)
        backup: Path | None = None
        if path.exists():
            backup = Path(tempfile.mkdtemp(prefix=work_prefix(TEMP_PREFIX) + "old-",
                                           dir=path.parent))
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
