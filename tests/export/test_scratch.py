"""An export killed half-way leaves its scratch folder inside the library, never in the system's
temporary folder, and the next export from that library removes it; an export still running in
another process keeps its folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image

from evidence_desk.export.jobs import export_dossier
from evidence_desk.export.scratch import OWNER_FILE, STALE_AFTER_S, scratch_root, sweep
from evidence_desk.library.service import Library

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from evidence_desk.export.jobs import export_dossier
    from evidence_desk.library.service import Library

    lib = Library.open(Path(sys.argv[1]))
    export_dossier(lib, int(sys.argv[2]), Path(sys.argv[3]), lang="both", budget_bytes=900_000)
""")


def _library_with_pictures(tmp_path: Path) -> tuple[Path, int]:
    folder = tmp_path / "lib"
    lib = Library.open(folder)
    try:
        case_id = lib.create_case("quality_dispute", "SCRATCH-1").id
        rnd = __import__("random").Random(7)
        pictures = []
        for i in range(4):
            # Incompressible, so every picture is re-encoded and the export takes a while.
            im = Image.frombytes("RGB", (1400, 1000), rnd.randbytes(1400 * 1000 * 3))
            pictures.append(tmp_path / f"product_{i}.png")
            im.save(pictures[-1], compress_level=1)
        assert all(r.status == "added" for r in lib.add_paths(case_id, pictures))
    finally:
        lib.close()
    return folder, case_id


def _dossier_temps() -> list[str]:
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob("evidence-desk-dossier-*"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_export_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    folder, case_id = _library_with_pictures(tmp_path)
    before = _dossier_temps()
    scratch = scratch_root(folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), str(case_id),
                              str(tmp_path / "killed.pdf")], env=env)
    try:
        deadline = time.monotonic() + 60
        while not (scratch.is_dir() and any(scratch.glob("dossier-*/*.jpg"))):
            assert child.poll() is None, "the export ended before it could be killed"
            assert time.monotonic() < deadline, "the export never started re-encoding"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    [left] = list(scratch.iterdir())  # the killed export's folder, inside the library
    assert (left / OWNER_FILE).read_text().strip() == str(child.pid)
    assert _dossier_temps() == before, "the export worked in the system's temporary folder"
    assert not (tmp_path / "killed.pdf").exists()

    lib = Library.open(folder)
    try:
        export_dossier(lib, case_id, tmp_path / "case.pdf", lang="en")
    finally:
        lib.close()
    assert (tmp_path / "case.pdf").stat().st_size > 0
    assert list(scratch.iterdir()) == []


def test_only_abandoned_scratch_folders_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    root.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    owners = {"dossier-dead": gone.stdout.strip(), "dossier-running": str(os.getppid()),
              "dossier-mine": str(os.getpid())}
    for name, pid in owners.items():
        (root / name).mkdir()
        (root / name / OWNER_FILE).write_text(pid + "\n")
    (root / "pack-young").mkdir()  # killed before it wrote its owner: kept until it is old
    (root / "pack-old").mkdir()
    old = time.time() - STALE_AFTER_S - 60
    os.utime(root / "pack-old", (old, old))
    removed = sweep(root)
    expected = {"pack-old"} | ({"dossier-dead"} if os.name != "nt" else set())
    assert set(removed) == expected
    assert {p.name for p in root.iterdir()} == (set(owners) | {"pack-young"}) - expected
