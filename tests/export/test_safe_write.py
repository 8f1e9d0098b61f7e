from __future__ import annotations

import pytest

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
