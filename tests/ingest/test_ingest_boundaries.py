"""ingest/ stays free of Qt and the database, so it runs in workers, the CLI and tests alike."""

from __future__ import annotations

import subprocess
import sys


def test_ingest_imports_neither_qt_nor_sqlalchemy() -> None:
    code = (
        "import sys, evidence_desk.ingest, evidence_desk.ingest.kinds;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
