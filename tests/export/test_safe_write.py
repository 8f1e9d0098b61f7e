from __future__ import annotations

import os

import pytest

from evidence_desk.export.dossier_model import ExportError
from evidence_desk.export.safe_write import atomic_dir, atomic_output


def test_atomic_output_replaces_only_on_success(tmp_path) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_atomic_dir_swaps_whole_folder(tmp_path) -> None:
    target = tmp_path / "pack"
    target.mkdir()
    (target / "old.zip").write_bytes(b"old")
    with pytest.raises(KeyError), atomic_dir(target) as tmp:
        (tmp / "new.zip").write_bytes(b"new")
        raise KeyError("cancel")
    assert [p.name for p in target.iterdir()] == ["old.zip"]
    with atomic_dir(target) as tmp:
        (tmp / "new.zip").write_bytes(b"new")
    assert [p.name for p in target.iterdir()] == ["new.zip"]
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_missing_folder_is_refused_not_created(tmp_path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.pdf"
    with pytest.raises(ExportError, match="folder .*nonexistent.dir does not exist"), \
            atomic_output(target) as tmp:
        tmp.write_bytes(b"never")
    assert not (tmp_path / "nonexistent").exists()
    with pytest.raises(ExportError, match="does not exist"), \
            atomic_dir(tmp_path / "nonexistent" / "pack"):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_output_mode_follows_the_umask(tmp_path) -> None:
    old = os.umask(0o027)
    try:
        with atomic_output(tmp_path / "a.pdf") as tmp:
            tmp.write_bytes(b"x")
        with atomic_dir(tmp_path / "d") as tmp:
            (tmp / "f.zip").write_bytes(b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "d" / "f.zip").stat().st_mode & 0o777 == 0o640
