"""The window's export against the command line's, on the same 60-item case.

    python bench/window_export.py [--items 60] [--budget-mb 20]

Builds a library with one case of N items from bench/export.py's inputs (half chat
screenshots, half 12-Mpx photos), then writes the same budgeted dossier twice each way, with
the library's exhibit cache emptied before the first of each pair: through the command line
(a fresh process, as a seller would run it) and through the real window driven offscreen
(build_main_window, the export actions' start, the progress dialog it shows). It also checks that
the dialog's bar and label never disagree. Goal: window <= 1.2 x command line.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _inputs(n: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_export", ROOT / "bench" / "export.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.inputs(n, Path(tempfile.gettempdir()) / "evidence-desk-bench")


def _library(folder: Path, n: int) -> int:
    from evidence_desk.library.service import Library

    lib = Library.open(folder)
    try:
        case = lib.create_case("quality_dispute", "BENCH-60")
        lib.add_paths(case.id, _inputs(n))
        return case.id
    finally:
        lib.close()


def _cli(folder: Path, case_id: int, out: Path, budget_mb: float) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(folder),
                    "export", str(case_id), "-o", str(out), "--budget-mb", str(budget_mb)],
                   check=True, capture_output=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--budget-mb", type=float, default=20.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ed-bench-window-"))
    os.environ.setdefault("EVIDENCE_DESK_SETTINGS", str(tmp / "settings.ini"))
    folder = tmp / "library"
    case_id = _library(folder, args.items)
    cache = folder / "cache" / "exhibits"
    print(f"load average {os.getloadavg()[0]:.2f}, cores {os.cpu_count()}")

    cli = []
    for k in range(2):
        if k == 0:
            shutil.rmtree(cache, ignore_errors=True)
        cli.append(_cli(folder, case_id, tmp / f"cli{k}.pdf", args.budget_mb))

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from evidence_desk.app import build_main_window
    from evidence_desk.ui.export.actions import ExportOptions

    app = QApplication.instance() or QApplication(sys.argv)
    window = build_main_window(folder)
    window.resize(1360, 820)
    window.show()
    window.cases.select_case(case_id)
    loop = QEventLoop()
    QTimer.singleShot(1500, loop.quit)  # let the board settle (thumbnails) as a seller would
    loop.exec()
    exports = window.exports
    disagreements: list[str] = []
    win = []
    for k in range(2):
        if k == 0:
            shutil.rmtree(cache, ignore_errors=True)
        t = time.perf_counter()
        handle = exports.start(case_id, tmp / f"win{k}.pdf",
                               ExportOptions(budget_bytes=int(args.budget_mb * 1024 * 1024)))
        assert handle is not None
        dialog = exports.progress
        done = QEventLoop()
        handle.ended.connect(done.quit)

        def look(dialog=dialog) -> None:
            if dialog is None:
                return
            try:
                m = re.search(r"(\d+) of (\d+)", dialog.labelText())
                # -1: the dialog was reset as it closed, after the last report.
                if m and dialog.value() != -1 and \
                        (int(m[1]), int(m[2])) != (dialog.value(), dialog.maximum()):
                    disagreements.append(f"label {m[0]} vs bar {dialog.value()}/"
                                         f"{dialog.maximum()}")
            except RuntimeError:  # the dialog is gone: the export ended
                pass

        timer = QTimer()
        timer.timeout.connect(look)
        timer.start(20)
        done.exec()
        timer.stop()
        win.append(time.perf_counter() - t)
        app.processEvents()
        if exports.done_box is not None:
            exports.done_box.close()
        app.processEvents()
    window.close()
    for name, secs in (("command line", cli), ("window", win)):
        print(f"{name:>12}: first {secs[0]:.2f} s (cold exhibit cache), "
              f"again {secs[1]:.2f} s")
    print(f"window / command line: {win[0] / cli[0]:.2f} cold, {win[1] / cli[1]:.2f} again "
          "(goal <= 1.2)")
    print("progress: bar and label agreed throughout" if not disagreements else
          f"progress: {len(disagreements)} disagreements, e.g. {disagreements[:3]}")
    print(f"load average now {os.getloadavg()[0]:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
