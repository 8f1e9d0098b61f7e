"""Import speed against a reference measured in the same run, on the same files.

    python bench/import.py [--n 200] [--cache DIR]

The reference is the least any importer must do: SHA-256 of every file plus one Pillow thumbnail
of each image, on one thread. The import goes through Library.add_paths (probe, copy into the store,
hash, thumbnail, database rows). Each phase runs in its own process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def generate(folder: Path, n: int) -> list[Path]:
    """N mixed files: phone screenshots, 12-MP JPEG and HEIC photos, PDF waybills, CSVs."""
    import factories
    import pillow_heif
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    done = folder.parent / f".complete-{n}"
    if done.exists():
        return sorted(folder.iterdir())
    rng = random.Random(1234)
    # One noisy 12-MP base keeps photos realistic in size (3-5 MB) without slow per-file noise.
    base = Image.effect_noise((4000, 3000), 40).convert("RGB")
    tint = Image.new("RGB", base.size, (120, 100, 80))
    base = Image.blend(base, tint, 0.5)
    pillow_heif.register_heif_opener()
    for i in range(n):
        kind = i % 10
        if kind in (0, 1, 2):
            factories.chat_screenshot(folder / f"chat_{i:04d}.png",
                                      [f"第{i}条 请先付款", "I paid already?", f"订单 {rng.randint(1, 10**9)}"])
        elif kind in (3, 4, 5, 6):
            img = base.copy()
            ImageDraw.Draw(img).rectangle((i * 7 % 3800, 100, i * 7 % 3800 + 200, 300),
                                          fill=(rng.randrange(256), 0, 0))
            exif = factories.photo_exif(orientation=1 + (i % 2) * 5)
            img.save(folder / f"photo_{i:04d}.jpg", "JPEG", quality=92, exif=exif)
        elif kind == 7:
            img = base.copy()
            ImageDraw.Draw(img).rectangle((i * 11 % 3800, 400, i * 11 % 3800 + 200, 600),
                                          fill=(0, rng.randrange(256), 0))
            pillow_heif.from_pillow(img).save(str(folder / f"phone_{i:04d}.heic"), quality=60)
        elif kind == 8:
            factories.pdf_waybill(folder / f"waybill_{i:04d}.pdf", f"SF{i:010d}")
        else:
            rows = [[f"SF{i:010d}", "已签收", f"2026-11-{1 + i % 28:02d} 10:00", "宁波"]]
            factories.tracking_csv(folder / f"tracking_{i:04d}.csv",
                                   encoding="gbk" if i % 20 == 9 else "utf-8-sig", rows=rows)
    done.touch()
    return sorted(folder.iterdir())


def _reference(paths: list[str]) -> dict[str, float]:
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    c0 = _cpu()
    t0 = time.perf_counter()
    for p in paths:
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        if p.endswith((".png", ".jpg", ".heic")):
            with Image.open(p) as im:
                im.thumbnail((256, 256))
    return {"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0}


def _cpu() -> float:
    """CPU seconds of this process, all its threads (and any waited-for children)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _import(paths: list[str], library: str) -> dict[str, float]:
    from evidence_desk.library.service import Library

    lib = Library.open(library)
    case = lib.create_case("quality_dispute", "BENCH-1")
    first: list[float] = []
    c0 = _cpu()
    t0 = time.perf_counter()

    def progress(done: int, total: int, name: str) -> None:
        if done >= 1 and not first:
            first.append(time.perf_counter() - t0)

    results = lib.add_paths(case.id, [Path(p) for p in paths], progress=progress)
    seconds = time.perf_counter() - t0
    cpu = _cpu() - c0
    added = sum(r.status == "added" for r in results)
    lib.close()
    return {"seconds": seconds, "cpu": cpu, "first_result": first[0] if first else float("nan"),
            "added": added}


def _phase(name: str, paths: list[Path], library: Path | None = None) -> dict[str, float]:
    """Run one phase in a fresh process and read back its figures and peak RSS."""
    payload = json.dumps({"phase": name, "paths": [str(p) for p in paths],
                          "library": str(library) if library else ""})
    out = subprocess.run([sys.executable, __file__, "--phase"], input=payload, text=True,
                         capture_output=True, check=True)
    return json.loads(out.stdout)


def _peak_rss_mb() -> float:
    """This process's own high-water mark (ru_maxrss would include the parent's from fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_phase() -> None:
    job = json.loads(sys.stdin.read())
    if job["phase"] == "reference":
        data = _reference(job["paths"])
    else:
        data = _import(job["paths"], job["library"])
    data["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(data))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "ed-bench-import")
    ap.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        _run_phase()
        return
    t0 = time.perf_counter()
    files = generate(args.cache / str(args.n), args.n)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e6:.0f} MB (generated or cached in "
          f"{time.perf_counter() - t0:.1f} s)")
    # Warm the page cache once so neither phase pays for the first read from disk.
    for f in files:
        f.read_bytes()
    ref = _phase("reference", files)
    with tempfile.TemporaryDirectory(prefix="ed-bench-lib-") as tmp:
        imp = _phase("import", files, Path(tmp) / "library")
    ratio = imp["seconds"] / ref["seconds"]
    print(f"reference (sha256 + one thumbnail each, one thread): {ref['seconds']:.2f} s, "
          f"peak {ref['peak_rss_mb']:.0f} MB")
    print(f"import through Library.add_paths: {imp['seconds']:.2f} s, "
          f"peak {imp['peak_rss_mb']:.0f} MB, {int(imp['added'])} added")
    print(f"ratio import/reference: {ratio:.2f} (goal <= 0.65)")
    print(f"CPU: reference {ref['cpu']:.2f} s, import {imp['cpu']:.2f} s "
          f"({imp['cpu'] / ref['cpu']:.2f}x); load average {os.getloadavg()[0]:.2f}")
    print(f"first file ready after {imp['first_result']:.2f} s (goal <= 0.5 s)")
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
