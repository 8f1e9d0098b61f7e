"""A team desk on PostgreSQL beside a desk on SQLite: import 200 files, open a case of 500 items.

    python bench/team.py [--n 200] [--items 500] [--pg-url URL] [--cache DIR]

`--pg-url` (default $EVIDENCE_DESK_TEST_PG_URL, as `.ci/postgres start` prints) must be allowed to
create databases: each run gets a fresh one, dropped afterwards. Configurations: SQLite with the
folder blob store (a single desk), PostgreSQL with originals in the database (a team's default)
and PostgreSQL with the folder store (for comparison). "open" is what the window does on
selecting a case: list_evidence + check, median of 7.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def _generate(folder: Path, n: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "import.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, n)


def _small_files(folder: Path, n: int) -> list[Path]:
    """N distinct small logistics CSVs: a big case without minutes of image generation."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"track_{i:04d}.csv"
        p.write_text(f"tracking,status,time\nSF{i:010d},已签收,2026-11-{1 + i % 28:02d} 10:{i % 60:02d}\n",
                     encoding="utf-8")
        paths.append(p)
    return paths


def _run(label: str, url: str | None, blobs: str, files: list[Path], small: list[Path],
         work: Path) -> dict[str, float]:
    from evidence_desk.library.service import Library

    os.environ["EVIDENCE_DESK_BLOBS"] = blobs
    folder = work / label.replace(" ", "-").replace("/", "-")
    lib = Library(folder, db_url=url)
    try:
        case = lib.create_case("quality_dispute", "BENCH-1")
        t0 = time.perf_counter()
        results = lib.add_paths(case.id, files)
        t_import = time.perf_counter() - t0
        added = sum(r.status == "added" for r in results)
        big = lib.create_case("fake_transaction", "BENCH-2")
        lib.add_paths(big.id, small)
        opens = []
        for _ in range(7):
            t0 = time.perf_counter()
            items = lib.list_evidence(big.id)
            lib.check(big.id)
            opens.append(time.perf_counter() - t0)
        assert len(items) == len(small), len(items)
        lib.blobs.path_for(items[0].sha256)
        return {"import_s": t_import, "added": added, "open_ms": statistics.median(opens) * 1000}
    finally:
        lib.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--items", type=int, default=500)
    ap.add_argument("--pg-url", default=os.environ.get("EVIDENCE_DESK_TEST_PG_URL"))
    # The same generated files as bench/import.py, so the figures compare.
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "ed-bench-import")
    args = ap.parse_args()
    if not args.pg_url:
        sys.exit("needs --pg-url or $EVIDENCE_DESK_TEST_PG_URL (see .ci/postgres)")
    import psycopg
    from sqlalchemy.engine import make_url

    from evidence_desk.library.db import libpq_conninfo

    files = _generate(args.cache / str(args.n), args.n)
    total = sum(p.stat().st_size for p in files)
    work = Path(tempfile.mkdtemp(prefix="team-bench-"))
    small = _small_files(work / "small", args.items)
    admin = make_url(args.pg_url)
    created = []

    def fresh_db() -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(libpq_conninfo(args.pg_url), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return admin.set(database=name).render_as_string(hide_password=False)

    print(f"{len(files)} files, {total / 1e6:.0f} MB; a case of {args.items} items; "
          f"{os.cpu_count()} CPU(s)")
    rows = []
    try:
        for label, url, blobs in (("SQLite, folder blobs", None, "folder"),
                                  ("PostgreSQL, blobs in db", "pg", "db"),
                                  ("PostgreSQL, folder blobs", "pg", "folder")):
            r = _run(label, fresh_db() if url else None, blobs, files, small, work)
            rows.append((label, r))
            print(f"{label:<26} import {r['import_s']:6.1f} s ({r['added']} added, "
                  f"{total / 1e6 / r['import_s']:5.1f} MB/s)   open 500-item case "
                  f"{r['open_ms']:6.1f} ms", flush=True)
    finally:
        with psycopg.connect(libpq_conninfo(args.pg_url), autocommit=True) as con:
            for name in created:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
