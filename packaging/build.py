"""Build the one-folder desktop app: `python packaging/build.py`, in an environment with
`pip install '.[build,team]'` (or `.[build]` for a desk without the team driver).

Makes dist/evidence-desk/, whose executable (evidence-desk, or evidence-desk.exe on Windows) takes
the same command line as the installed `evidence-desk` command and opens the window when given
none. On macOS it also makes dist/Evidence Desk.app; on Windows `--installer` turns the folder into
a per-user installer (no administrator rights) with Inno Setup's compiler, ISCC.exe.

    python packaging/build.py                 the folder
    python packaging/build.py --archive       and a .tar.gz (.zip on Windows) of it beside it
    python packaging/build.py --installer     and, on Windows, dist/evidence-desk-setup.exe
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "evidence-desk.spec"
ISS = ROOT / "packaging" / "windows" / "evidence-desk.iss"
NAME = "evidence-desk"
WINDOWS = sys.platform == "win32"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; return the executable it made."""
    import PyInstaller.__main__

    PyInstaller.__main__.run([str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
                              "--distpath", str(dist), "--workpath", str(work)])
    exe = dist / NAME / (f"{NAME}.exe" if WINDOWS else NAME)
    if not exe.is_file():
        raise SystemExit(f"build.py: PyInstaller finished but {exe} is missing")
    return exe


def archive(folder: Path) -> Path:
    """The folder as one file to hand over: .zip on Windows, .tar.gz elsewhere."""
    fmt = "zip" if WINDOWS else "gztar"
    return Path(shutil.make_archive(str(folder), fmt, root_dir=folder.parent,
                                    base_dir=folder.name))


def installer(dist: Path) -> Path:
    """Compile the per-user Windows installer (Inno Setup 6's ISCC.exe on PATH or in its
    default place)."""
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    default = Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"),
                   "Inno Setup 6", "ISCC.exe")
    if iscc is None and default.is_file():
        iscc = str(default)
    if iscc is None:
        raise SystemExit("build.py: the installer needs Inno Setup 6 (ISCC.exe); install it "
                         "from its website or with `winget install JRSoftware.InnoSetup`")
    subprocess.run([iscc, f"/DSourceDir={dist / NAME}", f"/O{dist}", str(ISS)], check=True)
    return dist / f"{NAME}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="where the app folder goes (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller)")
    parser.add_argument("--archive", action="store_true", help="also pack the folder")
    parser.add_argument("--installer", action="store_true",
                        help="also make the per-user installer (Windows)")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("build.py: PyInstaller is not installed; run: pip install '.[build,team]'",
              file=sys.stderr)
        return 2
    if args.installer and not WINDOWS:
        print("build.py: --installer makes a Windows installer; run it on Windows",
              file=sys.stderr)
        return 2
    start = time.monotonic()
    exe = build(args.dist.resolve(), args.work.resolve())
    folder = exe.parent
    print(f"built {exe} in {time.monotonic() - start:.0f} s; the folder holds "
          f"{sum(1 for p in folder.rglob('*') if p.is_file())} files, {_mb(folder_size(folder))}")
    if args.archive:
        packed = archive(folder)
        print(f"packed {packed}: {_mb(packed.stat().st_size)}")
    if args.installer:
        setup = installer(args.dist.resolve())
        print(f"installer {setup}: {_mb(setup.stat().st_size)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
