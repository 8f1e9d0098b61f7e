"""An export killed half-way leaves temporary files; the next run clears them (and only them)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import factories
import pytest

LEFTOVER_PREFIXES = (".evidence-desk-tmp-", ".evidence-desk-bundle-")


def _env(tmp_path: Path) -> dict[str, str]:
    tmp = tmp_path / "systmp"
    tmp.mkdir(exist_ok=True)
    return dict(os.environ, TMPDIR=str(tmp), EVIDENCE_DESK_LOG_DIR=str(tmp_path / "logs"))


def cli(lib: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           *args], capture_output=True, text=True, env=env, timeout=300)


def _leftovers(out_dir: Path, systmp: Path) -> list[str]:
    beside = [p.name for p in out_dir.iterdir() if p.name.startswith(LEFTOVER_PREFIXES)]
    work = [p.name for p in systmp.iterdir() if p.name.startswith("evidence-desk-")]
    return beside + work


@pytest.fixture
def case_lib(tmp_path: Path) -> Path:
    # Per test: on the PostgreSQL pass each test has a database of its own.
    root = tmp_path / "kill"
    root.mkdir()
    lib = root / "lib"
    env = _env(root)
    assert cli(lib, env, "case", "new", "--type", "quality_dispute", "--order", "K-1"
               ).returncode == 0
    files = []
    for i in range(8):
        path = root / f"photo{i}.png"
        factories.marked_image((2600, 1900), (30 * i, 90, 200 - 20 * i)).save(path)
        files.append(str(path))
    assert cli(lib, env, "add", "1", *files, "--kind", "product_photo").returncode == 0
    return lib


def _kill_when_leftover_appears(args: list[str], env: dict[str, str], out_dir: Path,
                                systmp: Path) -> bool:
    # The export runs niced: on a loaded machine the watcher must still get the processor
    # within the short time the temporary file exists.
    proc = subprocess.Popen([sys.executable, "-m", "evidence_desk.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: os.nice(10))
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if _leftovers(out_dir, systmp):
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                # The export may have finished its rename between the look and the kill.
                return bool(_leftovers(out_dir, systmp))
            time.sleep(0.002)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("command", ["pack", "export", "bundle"])
def test_a_killed_export_leaves_nothing_after_the_next_run(case_lib: Path, tmp_path: Path,
                                                           command: str) -> None:
    env = _env(tmp_path)
    systmp = Path(env["TMPDIR"])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = {"pack": out_dir / "pack", "export": out_dir / "dossier.pdf",
              "bundle": out_dir / "case.bundle"}[command]
    args = {"pack": ["pack", "1", "-o", str(target)],
            "export": ["export", "1", "-o", str(target)],
            "bundle": ["bundle", "export", "1", "-o", str(target)]}[command]
    # Each try is a real export; a busy machine may let one finish before the watcher looks,
    # so tries go on (each costs about a second) until one is caught or a minute has passed.
    deadline = time.monotonic() + 60
    killed = False
    while not killed and time.monotonic() < deadline:
        killed = _kill_when_leftover_appears(["--library", str(case_lib), *args], env,
                                             out_dir, systmp)
        if not killed and target.exists():
            target.unlink() if target.is_file() else shutil.rmtree(target)
    assert killed, "the export never got far enough to be killed mid-way"
    assert _leftovers(out_dir, systmp), "a kill mid-way leaves temporary files"
    assert not target.exists()
    # Another desk's export in progress in the same folder is not touched.
    alive = out_dir / f".evidence-desk-tmp-{os.getpid()}-beef-other.pdf"
    alive.write_bytes(b"in progress")
    out = cli(case_lib, env, *args)
    assert out.returncode == 0, out.stderr
    assert target.exists()
    assert _leftovers(out_dir, systmp) == [alive.name]
