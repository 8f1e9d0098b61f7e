"""Expanding dropped paths: deterministic, no links followed, odd files refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evidence_desk.ingest.walk import Candidate, Skipped, expand_paths


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _names(results: list[Candidate | Skipped], root: Path) -> list[str]:
    return [str(r.path.relative_to(root)) for r in results]


def test_folders_expand_recursively_in_name_order(tmp_path: Path) -> None:
    for name in ["b/2.png", "b/1.png", "a.png", "c/d/e.pdf", "B.png"]:
        _touch(tmp_path / name)
    results = list(expand_paths([tmp_path]))
    assert all(isinstance(r, Candidate) for r in results)
    assert _names(results, tmp_path) == ["B.png", "a.png", "b/1.png", "b/2.png", "c/d/e.pdf"]
    assert results[0].size == 1  # type: ignore[union-attr]


def test_clutter_is_skipped_silently_inside_folders(tmp_path: Path) -> None:
    for name in [".DS_Store", "Thumbs.db", "desktop.ini", "._a.png", ".git/config",
                 "~$book.xlsx", "__MACOSX/x.png", "keep.png"]:
        _touch(tmp_path / name)
    assert _names(list(expand_paths([tmp_path])), tmp_path) == ["keep.png"]


def test_a_hidden_file_named_directly_is_not_skipped(tmp_path: Path) -> None:
    hidden = _touch(tmp_path / ".secret.png")
    assert list(expand_paths([hidden])) == [Candidate(hidden, 1)]


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    target = _touch(tmp_path / "real" / "a.png")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link.png").symlink_to(target)
    (tmp_path / "in" / "linked_dir").symlink_to(tmp_path / "real")
    results = list(expand_paths([tmp_path / "in", tmp_path / "in" / "link.png"]))
    assert results == [
        Skipped(tmp_path / "in" / "link.png", "symbolic link: not followed"),
        Skipped(tmp_path / "in" / "linked_dir", "symbolic link: not followed"),
        Skipped(tmp_path / "in" / "link.png", "symbolic link: not followed"),
    ]


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert list(expand_paths([tmp_path])) == [Skipped(fifo, "not a regular file")]


def test_missing_path(tmp_path: Path) -> None:
    assert list(expand_paths([tmp_path / "gone.png"])) == [
        Skipped(tmp_path / "gone.png", "no such file")]


def test_unreadable_file_is_refused_with_reason() -> None:
    # Root can read any mode-000 file; this kernel file refuses every reader.
    mem = Path("/proc/self/mem")
    if not mem.exists():
        pytest.skip("needs Linux /proc")
    [result] = list(expand_paths([mem]))
    assert isinstance(result, Skipped)
    assert result.reason.startswith("cannot read: ")


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root reads everything")
def test_unreadable_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    _touch(locked / "a.png")
    locked.chmod(0)
    try:
        [result] = list(expand_paths([locked]))
    finally:
        locked.chmod(0o755)
    assert isinstance(result, Skipped) and result.reason.startswith("cannot open folder")


def test_a_file_reached_twice_is_yielded_once(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.png")
    assert list(expand_paths([a, tmp_path, a])) == [Candidate(a, 1)]
