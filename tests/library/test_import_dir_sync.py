"""An import makes its files durable once per store directory, before its rows commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from evidence_desk.library import blobstore
from evidence_desk.library.service import Library


@pytest.mark.folder_blobs
def test_one_directory_sync_per_folder_before_the_rows_commit(tmp_path: Path,
                                                              monkeypatch) -> None:
    lib = Library.open(tmp_path / "lib")
    case = lib.create_case("quality_dispute", "SYNC-1")
    files = []
    for n in range(12):
        p = tmp_path / f"shot{n}.png"
        Image.new("RGB", (40, 30), (n * 20, 5, 9)).save(p)
        files.append(p)
    synced: list[Path] = []
    seen_rows: list[int] = []
    placed_at_sync: list[int] = []
    store = tmp_path / "lib" / "blobs"
    real = blobstore.fsync_dir

    def spy(path: Path) -> None:
        synced.append(Path(path))
        placed_at_sync.append(sum(1 for _ in store.glob("??/*")))
        # What another connection sees at that moment: the rows are not committed yet.
        seen_rows.append(len(Library.open(tmp_path / "lib").list_evidence(case.id)))
        real(path)

    monkeypatch.setattr(blobstore, "fsync_dir", spy)
    results = lib.add_paths(case.id, files)
    assert [r.status for r in results] == ["added"] * 12
    dirs = {lib.blob_path(r.sha256).parent for r in lib.list_evidence(case.id)}
    assert set(synced) >= dirs  # every folder that got a file was synced
    # Synced after the batch's renames, not after each one (per file, the first sync would
    # see one placed file).
    assert placed_at_sync[0] > 1
    assert seen_rows and max(seen_rows) == 0
    assert all(lib.blob_path(i.sha256).is_file() for i in lib.list_evidence(case.id))
