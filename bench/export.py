"""Benchmark the dossier against img2pdf on the same N images.

    python bench/export.py [--n 200] [--budget BYTES] [--cache DIR]

It also writes the budgeted dossier twice with an exhibit cache (as a library keeps under its
cache/ folder): the first time cold, the second reusing the encoded exhibits.
Goals: budgeted <= 1.6 x unbudgeted, the repeat <= 0.5 x unbudgeted.

Half the images are phone chat screenshots (PNG, 1170x2532), half 12-megapixel camera photos
(JPEG, noise-textured so they weigh 3-4 MB like real ones). Inputs are generated once and cached.
Each measured step runs in its own process, so the peak RSS figures belong to that step alone
(self = the step's process, children = the largest of its worker processes).
Goal: dossier time <= 1.5 x img2pdf, peak memory < 300 MB and flat in N, budget met.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw

PHOTO_SIZE = (4000, 3000)
SHOT_SIZE = (1170, 2532)


def _noise_tile(seed: int) -> Image.Image:
    tile = Image.effect_noise((500, 500), 38 + seed % 7).convert("RGB")
    tint = Image.new("RGB", tile.size, ((seed * 53) % 200 + 30, (seed * 97) % 200 + 30, 120))
    return Image.blend(tile, tint, 0.45)


def make_photo(path: Path, seed: int) -> None:
    tile = _noise_tile(seed)
    im = Image.new("RGB", PHOTO_SIZE)
    for x in range(0, PHOTO_SIZE[0], 500):
        for y in range(0, PHOTO_SIZE[1], 500):
            im.paste(tile.rotate(90 * ((x + y) // 500 % 4)), (x, y))
    ImageDraw.Draw(im).rectangle((0, 0, 900, 700), fill=(20, 40, 230))
    im.save(path, "JPEG", quality=80)


def make_screenshot(path: Path, seed: int) -> None:
    im = Image.new("RGB", SHOT_SIZE, (237, 237, 237))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, SHOT_SIZE[0], 180), fill=(40, 40, 40))
    y = 220
    i = seed
    while y < SHOT_SIZE[1] - 150:
        w = 300 + (i * 137) % 700
        seller = i % 2
        x = SHOT_SIZE[0] - w - 40 if seller else 40
        d.rounded_rectangle((x, y, x + w, y + 110), 24,
                            fill=(149, 236, 105) if seller else (255, 255, 255))
        for k in range(3):
            d.text((x + 24, y + 14 + 28 * k), f"message {i} line {k} order 2024{seed:06d}",
                   fill=(0, 0, 0))
        y += 150
        i += 1
    im.save(path, "PNG", compress_level=6)


def inputs(n: int, cache: Path) -> list[Path]:
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        if i % 2:
            p = cache / f"photo_{i:04d}.jpg"
            if not p.exists():
                make_photo(p, i)
        else:
            p = cache / f"shot_{i:04d}.png"
            if not p.exists():
                make_screenshot(p, i)
        paths.append(p)
    return paths


def dossier_data(paths: list[Path]):  # noqa: ANN201 - imports kept inside for the child steps
    from evidence_desk.core.checklist import evaluate
    from evidence_desk.core.rules import load_rules
    from evidence_desk.core.statement import exhibit_numbers
    from evidence_desk.core.timeline import build_timeline
    from evidence_desk.core.types import CaseInfo, EvidenceInfo
    from evidence_desk.export.dossier_model import DossierData, Exhibit
    from evidence_desk.paths import RULES_DIR

    rules = load_rules(RULES_DIR)
    items = []
    for i, p in enumerate(paths):
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(chunk)
        photo = p.suffix == ".jpg"
        items.append(EvidenceInfo(
            id=i + 1, case_id=1, kind="product_photo" if photo else "chat_record",
            sha256=h.hexdigest(), size=p.stat().st_size,
            mime="image/jpeg" if photo else "image/png", original_name=p.name,
            caption=f"bench image {i}", captured_at=datetime(2024, 3, 1, 10, i % 60),
            position=i))
    case = CaseInfo(id=1, type_key="quality_dispute", order_no="2024030112345",
                    title="Benchmark case", completed_on=date(2024, 3, 5),
                    amount=Decimal("1280.00"), reason="Benchmark", demand="Benchmark")
    numbers = exhibit_numbers(items, rules)
    exhibits = tuple(sorted((Exhibit(it, p, numbers[it.id]) for it, p in zip(items, paths,
                                                                              strict=True)),
                            key=lambda e: (e.number[0], int(e.number[2:]))))
    return DossierData(case=case, exhibits=exhibits,
                       checklist=evaluate(case, items, rules, date(2024, 3, 10)),
                       timeline=tuple(build_timeline(case, items, rules)), rules=rules,
                       generated_at=datetime(2024, 3, 10, 12, 0))


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _jpeg_long_side(pdf: Path) -> int:
    """The median long side of the dossier's JPEG images (the photos; screenshots are PNG data)."""
    from statistics import median

    from pypdf import PdfReader

    sides = []
    for page in PdfReader(pdf).pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image" and obj.get("/Filter") == "/DCTDecode":
                sides.append(max(int(obj["/Width"]), int(obj["/Height"])))
    return int(median(sides)) if sides else 0


def step(name: str, n: int, cache: Path, out: Path, budget: int | None) -> dict:
    paths = inputs(n, cache)
    cpu = None
    if name == "img2pdf":
        import img2pdf

        t = time.perf_counter()
        with open(out, "wb") as fh:
            img2pdf.convert([str(p) for p in paths], outputstream=fh)
        elapsed = time.perf_counter() - t
    else:
        from evidence_desk.export.dossier import build_dossier
        from evidence_desk.export.encode_cache import EncodeCache

        data = dossier_data(paths)
        encode_cache = None
        if name in ("budget", "again"):
            encode_cache = EncodeCache(out.parent / "cache" / "exhibits")
            if name == "budget":
                encode_cache.clear()
        c = _cpu()
        t = time.perf_counter()
        result = build_dossier(data, out, budget_bytes=budget, encode_cache=encode_cache)
        elapsed = time.perf_counter() - t
        cpu = _cpu() - c
    res = {"step": name, "seconds": round(elapsed, 2), "size": out.stat().st_size,
           **({"cpu_s": round(cpu, 2)} if cpu is not None else {}),
           "rss_self_mb": round(_rss_mb(resource.RUSAGE_SELF), 1),
           "rss_children_mb": round(_rss_mb(resource.RUSAGE_CHILDREN), 1),
           **({"pages": result.pages} if name != "img2pdf" else {})}
    if name == "budget":  # read back after the peak memory was taken
        res["jpeg_long_side"] = _jpeg_long_side(out)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--budget", type=int, default=50_000_000)
    ap.add_argument("--cache", type=Path,
                    default=Path(tempfile.gettempdir()) / "evidence-desk-bench")
    ap.add_argument("--step", choices=["dossier", "img2pdf", "budget", "again"])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.step:
        budget = args.budget if args.step in ("budget", "again") else None
        print(json.dumps(step(args.step, args.n, args.cache, args.out, budget)))
        return
    t = time.perf_counter()
    paths = inputs(args.n, args.cache)
    total = sum(p.stat().st_size for p in paths)
    print(f"{args.n} inputs ({total / 1e6:.0f} MB) ready in {time.perf_counter() - t:.1f} s")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("img2pdf", "dossier", "budget", "again"):
            cmd = [sys.executable, __file__, "--step", name, "--n", str(args.n), "--cache",
                   str(args.cache), "--budget", str(args.budget), "--out",
                   os.path.join(tmp, f"{name}.pdf")]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode:
                print(f"{name} failed:\n{proc.stderr}")
                continue
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(json.dumps(results[name]))
    if "img2pdf" in results and "dossier" in results:
        ref, dos = results["img2pdf"], results["dossier"]
        print(f"dossier {dos['seconds']} s vs img2pdf {ref['seconds']} s: "
              f"ratio {dos['seconds'] / max(ref['seconds'], 1e-6):.2f} (goal <= 1.5)")
        print(f"dossier peak RSS: self {dos['rss_self_mb']} MB, workers "
              f"{dos['rss_children_mb']} MB (goal < 300); img2pdf self {ref['rss_self_mb']} MB")
    if "budget" in results:
        b = results["budget"]
        print(f"budgeted dossier: {b['size']:,} bytes for a budget of {args.budget:,} "
              f"({'within' if b['size'] <= args.budget else 'OVER'}, "
              f"{b['size'] / args.budget:.0%} used; photos' long side {b['jpeg_long_side']} px) "
              f"in {b['seconds']} s, peak RSS self {b['rss_self_mb']} MB, workers "
              f"{b['rss_children_mb']} MB")
    if "budget" in results and "dossier" in results:
        u, b = results["dossier"], results["budget"]
        print(f"budgeted {b['seconds']} s ({b['cpu_s']} s CPU) vs unbudgeted {u['seconds']} s "
              f"({u['cpu_s']} s CPU): ratio {b['seconds'] / max(u['seconds'], 1e-6):.2f} "
              "(goal <= 1.6)")
        if "again" in results:
            a = results["again"]
            print(f"second budgeted export (exhibit cache) {a['seconds']} s ({a['cpu_s']} s "
                  f"CPU), {a['size']:,} bytes: ratio to unbudgeted "
                  f"{a['seconds'] / max(u['seconds'], 1e-6):.2f} (goal <= 0.5)")
    print(f"load average {os.getloadavg()[0]:.2f}, cores {os.cpu_count()}")


if __name__ == "__main__":
    main()
