"""Benchmark a dossier of a few hundred PDF exhibits of the kinds real cases hold.

    python bench/pdf_exhibits.py [--n 300] [--keep DIR]

Generates N PDFs cycling through: unembedded fonts (shown as pictures), embedded fonts, many
pages (30), /Rotate 90 and 270, AES-256 encrypted with an empty user password, truncated,
broken annotations, a zero-size page box, a JBIG2 image declaring 200 000² pixels, landscape,
a scan (one 2 MB JPEG per page), and a page whose content inflates to 60 MB. Each file is made unique (a trailing comment) so
the library keeps them all. They are added to a fresh library, then the dossier and the pack
are exported, each step in its own process so its peak RSS is its own (self = the export
process, children = the largest of its worker processes).
Goal: peak memory <= 500 MB (self), flat in N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "export")]


def heavy_content(path: Path, mb: int = 60) -> Path:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(b"0 0 m 1 1 l S\n" * 75_000) for _ in range(mb)) + comp.flush()
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def generate(folder: Path, n: int) -> list[Path]:
    import pdf_kinds

    makers = [
        ("plain", lambda p: pdf_kinds.plain(p, pages=2)),
        ("embedded", pdf_kinds.embedded_fonts),
        ("many_pages", lambda p: pdf_kinds.many_pages(p, pages=30)),
        ("rotated90", lambda p: pdf_kinds.rotated(p, 90)),
        ("rotated270", lambda p: pdf_kinds.rotated(p, 270, embedded=False)),
        ("encrypted", pdf_kinds.encrypted_aes),
        ("truncated", pdf_kinds.truncated),
        ("annotations", pdf_kinds.broken_annotations),
        ("zero_box", pdf_kinds.zero_box),
        ("giant_image", pdf_kinds.giant_image),
        ("landscape", pdf_kinds.landscape_plain),
        ("scanned", pdf_kinds.scanned),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    cache: dict[str, bytes] = {}
    out = []
    for i in range(n):
        name, make = makers[i % len(makers)]
        if name not in cache:
            cache[name] = make(folder / f"_{name}.pdf").read_bytes()
            (folder / f"_{name}.pdf").unlink()
        path = folder / f"{i:04d}_{name}.pdf"
        path.write_bytes(cache[name] + f"\n%unique {i}\n".encode())
        out.append(path)
    # A few content streams that inflate to 60 MB each (slow to parse, big in memory).
    for k in range(max(1, n // 100)):
        data = heavy_content(folder / "_heavy.pdf").read_bytes()
        path = folder / f"{n + k:04d}_heavy.pdf"
        path.write_bytes(data + f"\n%unique heavy {k}\n".encode())
        out.append(path)
    (folder / "_heavy.pdf").unlink(missing_ok=True)
    return out


def _usage() -> dict[str, float]:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KB on Linux
    return {
        "self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20,
        "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale / 2**20,
    }


def step(kind: str, lib_dir: Path, case_id: int, out: Path) -> None:
    from evidence_desk.export import jobs
    from evidence_desk.library.service import Library

    lib = Library.open(lib_dir)
    started = time.perf_counter()
    if kind == "export":
        result = jobs.export_dossier(lib, case_id, out, lang="both")
        extra = {"pages": result.pages, "size_mb": result.size_bytes / 2**20,
                 "affected": len(result.affected), "notes": len(result.notes)}
    else:
        result = jobs.export_pack(lib, case_id, out)
        extra = {"zips": len(result.zips), "affected": len(result.affected)}
    print(json.dumps({"seconds": time.perf_counter() - started, **_usage(), **extra}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    ap.add_argument("--step", choices=("export", "pack"), help=argparse.SUPPRESS)
    ap.add_argument("--lib", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--case", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        step(args.step, args.lib, args.case, args.out)
        return 0

    from evidence_desk.library.service import Library

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = generate(work / "in", args.n)
    print(f"generated {len(files)} PDFs in {time.perf_counter() - started:.1f} s")
    lib = Library.open(work / "lib")
    case_id = lib.create_case("service_failure", "2024111900123").id
    started = time.perf_counter()
    results = lib.add_paths(case_id, files, kind="logistics_record")
    added = sum(r.status == "added" for r in results)
    print(f"added {added} of {len(files)} in {time.perf_counter() - started:.1f} s "
          f"({len(files) - added} refused: "
          f"{sorted({Path(r.path).name.split('_', 1)[1] for r in results if r.status != 'added'})})")
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(work / "logs"))
    for kind, out in (("export", work / "dossier.pdf"), ("pack", work / "pack")):
        proc = subprocess.run([sys.executable, __file__, "--step", kind, "--lib",
                               str(work / "lib"), "--case", str(case_id), "--out", str(out)],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            print(f"{kind} failed: {proc.stderr[-2000:]}")
            return 1
        stats = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{kind}: {stats['seconds']:.1f} s wall, peak RSS {stats['self_mb']:.0f} MB "
              f"(largest worker {stats['children_mb']:.0f} MB); "
              + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                          for k, v in stats.items()
                          if k not in ("seconds", "self_mb", "children_mb")))
        if proc.stderr.strip():
            print(f"{kind} stderr (should be empty): {proc.stderr[:500]}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
